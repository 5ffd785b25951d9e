"""Integration fixtures: a moto server per worker, provisioned once, its data put back before every test."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from chalice.test import Client

from tests.conftest import free_port
from tests.integration import moto_state
from tests.integration.moto_state import MotoSnapshot
from tests.integration.sla_clock import SlaClock, aws_behaviour, enable_execution, stop_running
from tests.integration.tenant_guard import guarded

ROOT = Path(__file__).resolve().parents[2]
# A timer stopped while it waits makes moto's ASL interpreter log its whole parse tree: pages per test.
logging.getLogger("moto.stepfunctions.parser").setLevel(logging.CRITICAL)


def _serialise_dynamodb_writes() -> None:
    """DynamoDB applies conditional writes on an item one at a time; moto's threaded server does not.

    Without this, two concurrent requests can both pass the same version check in moto, which real
    DynamoDB never allows, and the tests of races (five photos at most, one of two officers wins)
    would pass or fail by chance. One lock around moto's write operations plays DynamoDB's part.
    """
    import threading

    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
        original = getattr(DynamoDBBackend, name)

        def serialised(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with lock:
                return __original(self, *args, **kwargs)

        setattr(DynamoDBBackend, name, serialised)


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    _serialise_dynamodb_writes()

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    os.environ["MOTO_PORT"] = str(port)
    yield endpoint
    server.stop()


class Stack:
    """What a test needs to drive the app: the Chalice test client and the provisioned resources."""

    def __init__(self, endpoint: str, resources: Any, users: list[Any], client: Client) -> None:
        self.endpoint = endpoint
        self.resources = resources
        self.users = {u.username: u for u in users}
        self.client = client
        self._tokens: dict[str, str] = {}
        self._stream: Any = None
        self.tenant_guard: Any = None  # tests/integration/tenant_guard.py: IAM's view of every tenant call

    def token(self, username: str) -> str:
        if username not in self._tokens:
            cognito = boto3.client("cognito-idp")
            auth = cognito.initiate_auth(
                ClientId=self.resources.user_pool_client_id, AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": self.users[username].password})
            self._tokens[username] = auth["AuthenticationResult"]["IdToken"]
        return self._tokens[username]

    def sub(self, username: str) -> str:
        """The Cognito id (``sub``) of a user: what history entries and assignees name."""
        user = boto3.client("cognito-idp").admin_get_user(UserPoolId=self.resources.user_pool_id, Username=username)
        return next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")

    def sign_in_new(self, username: str, temporary_password: str, new_password: str = "NeuesPasswort2027") -> str:  # noqa: S107 - a test account
        """First sign-in of an account made with a temporary password: answer Cognito's new-password challenge."""
        cognito = boto3.client("cognito-idp")
        client_id = self.resources.user_pool_client_id
        first = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                      AuthParameters={"USERNAME": username, "PASSWORD": temporary_password})
        assert first.get("ChallengeName") == "NEW_PASSWORD_REQUIRED", first
        done = cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=first["Session"],
            ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": new_password})
        self._tokens[username] = done["AuthenticationResult"]["IdToken"]
        return self._tokens[username]

    def call(self, method: str, path: str, body: Any = None, *, user: str | None = None,
             headers: dict[str, str] | None = None, raw: bytes | None = None) -> Any:
        sent = {"Content-Type": "application/json"}
        if user:
            sent["Authorization"] = f"Bearer {self._tokens[user] if user in self._tokens else self.token(user)}"
        sent.update(headers or {})
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        response = getattr(self.client.http, method.lower())(path, headers=sent, body=data)
        response.headers = {k.lower(): v for k, v in response.headers.items()}
        return response

    def drain_stream(self) -> int:
        """Deliver the reports table's stream to its handler (timers, lifecycle events) until it is empty."""
        import app as lambda_app
        from devstack.pollers import StreamPoller

        if self._stream is None:
            self._stream = StreamPoller(self.resources.report_stream_arn, lambda_app.on_report_change)
        handled = 0
        for attempt in range(50):
            n = self._stream.poll_once()
            handled += n
            if n == 0 and not self._stream.has_pending():
                break
            if self._stream.has_pending():
                # A record handed back (moto refuses to stop an execution whose thread has not started
                # yet): give it a moment, as Lambda's retry would, instead of spending all retries at once.
                time.sleep(min(0.5, 0.05 * (attempt + 1)))
        return handled

    def drain_uploads(self) -> int:
        """Deliver queued S3 notifications to the photo handler, as the event source mapping would."""
        import app as lambda_app
        from devstack.pollers import poll_once

        handled = 0
        while n := poll_once(self.resources.upload_queue_url, self.resources.upload_queue_arn,
                             lambda_app.process_photo_uploads):
            handled += n
        return handled

    def _drain(self, queue_url: str, queue_arn: str, handler: Any) -> int:
        """Poll until the queue is empty. A failed message is made visible again at once (not after the
        queue's visibility timeout), so its retries happen here, and after five receives it dead-letters."""
        from devstack.pollers import poll_once

        sqs = boto3.client("sqs")

        def retry_now(event: dict[str, Any], context: Any) -> Any:
            result = handler(event, context)
            failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
            for record in event["Records"]:
                if record["messageId"] in failed:
                    sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=record["receiptHandle"],
                                                  VisibilityTimeout=0)
            return result

        handled = 0
        while n := poll_once(queue_url, queue_arn, retry_now):
            handled += n
        return handled

    def drain_notifications(self) -> int:
        """Deliver queued lifecycle events to the notifier, as the event source mapping would."""
        import app as lambda_app

        return self._drain(self.resources.notification_queue_url, self.resources.notification_queue_arn,
                           lambda_app.notify)

    def drain_deliveries(self) -> int:
        """Deliver queued outbound messages to the deliverer, as the event source mapping would."""
        import app as lambda_app

        return self._drain(self.resources.delivery_queue_url, self.resources.delivery_queue_arn,
                           lambda_app.deliver)

    def drain_exports(self) -> int:
        """Run queued open data export jobs, as the event source mapping would."""
        import app as lambda_app

        return self._drain(self.resources.export_queue_url, self.resources.export_queue_arn,
                           lambda_app.export_reports)


def _clear_app_caches() -> None:
    """What the app keeps in memory between requests (a warm Lambda's caches) starts empty in every test."""
    from chalicelib.adapters import tenant_scope, tokens
    from chalicelib.config import reset_settings
    from chalicelib.services import api_keys, routing
    from chalicelib.store import staff, tenants

    reset_settings()
    tenants.clear_cache()
    routing.clear_cache()  # parsed areas are cached per areas_version, which starts over with every restore
    tokens.clear_cache()
    api_keys.clear_cache()
    staff.clear_cache()
    tenant_scope.reset()


def _point_the_app_at(endpoint: str, resources: Any) -> None:
    from chalicelib.config import reset_settings

    os.environ.update(resources.environment())
    os.environ["COGNITO_JWKS_URL"] = f"{endpoint}/{resources.user_pool_id}/.well-known/jwks.json"
    reset_settings()


@dataclass
class Provisioned:
    """The stack as provisioning and seeding left it, and the snapshot of moto's data that puts it back."""

    resources: Any
    users: list[Any]
    snapshot: MotoSnapshot


def _provision_from_scratch(endpoint: str) -> Provisioned:
    from devstack.provision import provision
    from devstack.seed import seed_tenants, seed_users

    moto_state.reset(endpoint)
    # Before provisioning: moto keeps state machines in a different backend when execution is on.
    enable_execution(endpoint)
    _clear_app_caches()
    resources = provision()
    _point_the_app_at(endpoint, resources)
    seed_tenants()
    users = seed_users(resources.user_pool_id, os.environ["AWS_DEFAULT_REGION"])
    return Provisioned(resources, users, MotoSnapshot.take())


@pytest.fixture(scope="session")
def provisioned(moto_endpoint: str) -> dict[str, Provisioned]:
    """Provisioned once per worker; a test that changes the stack's shape gets it provisioned again."""
    return {"current": _provision_from_scratch(moto_endpoint)}


@pytest.fixture
def stack(moto_endpoint: str, provisioned: dict[str, Provisioned]) -> Iterator[Stack]:
    """A stack holding exactly the provisioned tenants and accounts: moto's data restored (moto_state.py)."""
    from app import app

    enable_execution(moto_endpoint)  # a process-wide setting: cheap to say again, in case a test changed it
    _clear_app_caches()
    state = provisioned["current"]
    if not state.snapshot.restore():
        state = provisioned["current"] = _provision_from_scratch(moto_endpoint)
    _point_the_app_at(moto_endpoint, state.resources)
    with guarded() as guard, aws_behaviour(), Client(app, stage_name="dev", project_dir=str(ROOT)) as client:
        built = Stack(moto_endpoint, state.resources, state.users, client)
        built.tenant_guard = guard
        yield built
        # A timer still waiting would wake later and write into another test's data (restore keeps threads).
        stop_running(state.resources.sla_state_machine_arn)
    assert not guard.violations, "calls the tenant data role would refuse:\n" + "\n".join(guard.violations)


class SharedSeed:
    """Data every test of a module starts from (say, another tenant's reports), built once and restored.

    The first test builds it on its own stack; the snapshot taken then is restored for each later test,
    exactly as the provisioned stack is. Timers the seed started are stopped first (an execution is a
    thread and cannot be copied): the seed holds its data, not its running timers.
    """

    def __init__(self, build: Any) -> None:
        self._build = build
        self._value: Any = None
        self._snapshot: MotoSnapshot | None = None

    def apply(self, stack: Stack) -> Any:
        if self._snapshot is None or not self._snapshot.restore():
            self._value = self._build(stack)
            stop_running(stack.resources.sla_state_machine_arn)
            self._snapshot = MotoSnapshot.take()
            self._snapshot.restore()  # so the first test starts from what every later one starts from
        _clear_app_caches()
        stack._stream = None  # the restored stream is empty: read it from its start
        return self._value


def upload(slot: dict[str, Any], data: bytes, filename: str = "photo.jpg") -> int:
    """Send bytes through a presigned POST exactly as a mobile client would."""
    response = requests.post(slot["upload"]["url"], data=slot["upload"]["fields"],
                             files={"file": (filename, data)}, timeout=30)
    return response.status_code


KUPANG = {"lat": -10.1772, "lon": 123.607}


def report_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"category": "garbage", "description": "Sampah menumpuk di depan pasar Oeba",
                            "location": dict(KUPANG), "address": "Jl. Ahmad Yani, Oeba"}
    body.update(overrides)
    return body


@pytest.fixture
def sla_clock(stack: Stack) -> Iterator[SlaClock]:
    """Timers wait until the test says so: ``sla_clock.release()`` or ``sla_clock.advance_to(moment)``."""
    controlled = SlaClock()
    controlled.install()
    try:
        yield controlled
    finally:
        stop_running(stack.resources.sla_state_machine_arn)
        controlled.uninstall()
