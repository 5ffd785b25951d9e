"""AWS API calls made by one ``POST /v1/tenants/kupang/reports``, counted at botocore's ``before-call``.

An in-process moto server stands in for AWS; the stack is provisioned and seeded as in the
integration tests; the request goes through ``chalice.test.Client``. Every botocore client (boto3's
and PynamoDB's alike) is created through ``botocore.session.Session.create_client``, which is wrapped
here to hook a counter onto each new client. One API call is one count, however many HTTP retries it
took. Targets: at most 2 calls without an Idempotency-Key, at most 4 with one, for the write itself;
a new report also looks for possible duplicates nearby (at most 3 Queries of the public_geo index
and, when it found any, 1 BatchGetItem of them), which an idempotent replay does not repeat.

"Cold" is the first request of a process (no clients, empty tenant cache); the later cold case
clears those caches to get back to that state.

    python bench/aws_calls.py
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TENANT = "kupang"
BODY = {"category": "garbage", "description": "Sampah menumpuk di pasar",
        "location": {"lat": -10.17, "lon": 123.6}}
TARGET_WITHOUT_KEY, TARGET_WITH_KEY = 2, 4
DUPLICATE_LOOKUP = 3  # possible_duplicates: <= 3 Queries (H3 cells around the point), answered from the index


@dataclass
class Recorder:
    """Counts API calls made on the recording thread while ``recording`` is on."""

    thread: int = field(default_factory=threading.get_ident)
    recording: bool = False
    calls: list[str] = field(default_factory=list)

    def on_call(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        # ``params`` is the serialised request here; for DynamoDB its body names the tables.
        if not self.recording or threading.get_ident() != self.thread:
            return
        self.calls.append(f"{model.service_model.service_name}:{model.name}{_tables(params)}")

    @contextlib.contextmanager
    def record(self) -> Iterator[list[str]]:
        self.calls = []
        self.recording = True
        try:
            yield self.calls
        finally:
            self.recording = False


def _tables(request: dict[str, Any]) -> str:
    try:
        body = json.loads(request.get("body") or b"{}")
    except (TypeError, ValueError):
        return ""
    names = [body["TableName"]] if "TableName" in body else [
        next(iter(item.values())).get("TableName", "?") for item in body.get("TransactItems", [])]
    return f" [{', '.join(n.removeprefix('aduan-dev-') for n in names)}]" if names else ""


def hook_every_client(event: str, handler: Any) -> None:
    """Register ``handler`` for a botocore ``event`` on every client created from now on (PynamoDB's too)."""
    import botocore.session

    original = botocore.session.Session.create_client

    def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = original(self, *args, **kwargs)
        client.meta.events.register(event, handler)
        return client

    botocore.session.Session.create_client = create_client  # type: ignore[method-assign]


def install(recorder: Recorder) -> None:
    """Hook the recorder onto every botocore client created from now on."""
    hook_every_client("before-call", recorder.on_call)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def local_aws(recorder: Recorder) -> Iterator[str]:
    """Bench environment, the call counter on every new client, and an in-process moto server (its URL)."""
    os.environ.update({
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "ap-southeast-3", "AWS_REGION": "ap-southeast-3",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled", "TZ": "UTC", "ADUAN_STAGE": "dev",
        "POWERTOOLS_SERVICE_NAME": "aduan", "POWERTOOLS_METRICS_NAMESPACE": "AduanBench",
    })
    os.environ.pop("AWS_PROFILE", None)
    time.tzset()
    install(recorder)

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's access log
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    os.environ["MOTO_PORT"] = str(port)
    try:
        yield endpoint
    finally:
        server.stop()


@dataclass
class SeededStack:
    """A provisioned, seeded local stack with the demo accounts, and a way to sign them in."""

    resources: Any
    passwords: dict[str, str]

    def token(self, username: str) -> str:
        import boto3

        auth = boto3.client("cognito-idp").initiate_auth(
            ClientId=self.resources.user_pool_client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": self.passwords[username]})
        return str(auth["AuthenticationResult"]["IdToken"])


def seeded_stack(endpoint: str) -> SeededStack:
    """Provision and seed the moto server at ``endpoint`` as the integration tests do, with the app's settings."""
    from chalicelib.config import reset_settings
    from devstack.provision import provision
    from devstack.seed import seed_tenants, seed_users

    reset_settings()
    resources = provision()
    os.environ.update(resources.environment())
    os.environ["COGNITO_JWKS_URL"] = f"{endpoint}/{resources.user_pool_id}/.well-known/jwks.json"
    reset_settings()
    seed_tenants()
    users = seed_users(resources.user_pool_id, os.environ["AWS_DEFAULT_REGION"])
    return SeededStack(resources, {u.username: u.password for u in users})


def main() -> int:
    recorder = Recorder()
    with local_aws(recorder):
        return _measure(recorder)


def _measure(recorder: Recorder) -> int:
    from chalice.test import Client

    from chalicelib.config import reset_settings
    from devstack.provision import provision
    from devstack.seed import seed_tenants

    reset_settings()
    os.environ.update(provision().environment())  # the tenant data role too, as in the cloud
    reset_settings()
    seed_tenants()

    from app import app
    from chalicelib.adapters.aws import reset_clients
    from chalicelib.services import reports
    from chalicelib.store import tenants

    logging.getLogger(app.app_name).disabled = True  # the request's log lines; they make no AWS calls

    results: list[tuple[str, int, list[str], int]] = []
    with Client(app, stage_name="dev", project_dir=str(ROOT)) as client:

        def post(label: str, target: int, key: str | None = None, expect: int = 201) -> None:
            headers = {"Content-Type": "application/json"}
            if key:
                headers["Idempotency-Key"] = key
            with recorder.record() as calls, contextlib.redirect_stdout(io.StringIO()):  # logs and EMF metrics
                response = client.http.post(f"/v1/tenants/{TENANT}/reports", headers=headers,
                                            body=json.dumps(BODY).encode())
            if response.status_code != expect:
                raise SystemExit(f"{label}: HTTP {response.status_code} {response.body[:300]!r}")
            results.append((label, len(calls), list(calls), target))

        def tenant_sessions() -> None:
            from chalicelib.adapters import tenant_scope

            tenant_scope.reset()

        def go_cold() -> None:
            tenants.clear_cache()
            reset_clients()
            reports._idempotent_create.cache_clear()
            tenant_sessions()

        tenant_sessions()
        post("cold, no Idempotency-Key", TARGET_WITHOUT_KEY + DUPLICATE_LOOKUP)
        post("warm, no Idempotency-Key", TARGET_WITHOUT_KEY + DUPLICATE_LOOKUP)
        go_cold()
        post("cold, new Idempotency-Key", TARGET_WITH_KEY + DUPLICATE_LOOKUP, key="bench-cold-1")
        post("warm, new Idempotency-Key", TARGET_WITH_KEY + DUPLICATE_LOOKUP, key="bench-warm-1")
        post("warm, replay of that key", TARGET_WITH_KEY, key="bench-warm-1")

    print(f"AWS API calls per POST /v1/tenants/{TENANT}/reports (anonymous reporter)")
    over = False
    for label, count, calls, target in results:
        # The tenant session (STS AssumeRole) is once per tenant per container-hour, not per report.
        sessions = sum(call.startswith("sts:") for call in calls)
        count -= sessions
        mark = "ok" if count <= target else "OVER"
        over |= count > target
        extra = f" + {sessions} sts:AssumeRole (tenant session, once per container-hour)" if sessions else ""
        print(f"  {label:28} {count} call{'s' if count != 1 else ' '}{extra}  (target <= {target}: {mark})")
        for call in calls:
            print(f"      {call}")
    print("  metering adds no call: reports_created is counted in the TransactWriteItems that creates the report"
          " (the usage table among its items above)")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
