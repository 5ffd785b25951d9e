"""What 1,000 reports cost on AWS, over their whole lifecycle, counted unit by unit on moto.

Two lifecycles, half of the reports each: submitted with a photo by a signed-in citizen, verified by
the desk, acknowledged and resolved with an "after" photo by the unit, then either confirmed by the
reporter or closed by the auto-close timer. Every deadline is met, so no escalation runs. Everything
that runs in the cloud runs here: the API through Chalice's test client, the reports stream, the
photo, notification and delivery queues through the devstack pollers (as Lambda's event source
mappings would), the SLA timers in moto's state-machine interpreter (its Wait states released by
``tests/integration/sla_clock.py``). One warm-up report first, so the figures are a warm container's.

What is counted, and how:
- API Gateway (REST): one request per API call.
- Lambda: one request per invocation (API call, stream batch, queue batch) and GB-seconds from the
  measured duration (rounded up to the millisecond) at the function's memory in .chalice/config.json.
  The durations are this machine's, with moto answering in-process: a rough, rather high, figure.
- DynamoDB: botocore's before-call and after-call on every client (the app's, PynamoDB's, and the
  clients moto's state-machine interpreter uses for its direct integrations); the item before and
  after each write is read from moto's own tables, the units follow DynamoDB's rules
  (bench/dynamo_units.py): table writes, every index write, transactions twice, reads by item size.
  Stream reads by Lambda's event source mapping are free and not counted.
- Step Functions: the states each execution entered (Standard workflows bill state transitions).
- EventBridge Scheduler: the schedules that fired (an SLA timer that reached its first wake; the
  clock of ``sla_clock.py`` plays Scheduler). Creating and deleting schedules is free.
- SNS: publishes (the app's and the timer's). Deliveries to SQS are free.
- SQS: every request that carries a message: the send (by the app, or by S3 and SNS for their
  notifications), the receive that got it, the delete. Event source mappings also poll empty queues
  all the time: a fixed cost per queue, not per report, left out.
- S3: requests by class (PUT/COPY/POST/LIST, GET and the rest; DELETE is free), the citizen's presigned
  upload included. Photo storage is separate: the bytes left in the bucket, per GB-month.
Not counted: CloudWatch Logs and metrics, Cognito sign-ins, KMS, data transfer, free tiers.

    python bench/cost.py [--reports N]   (N of each lifecycle, default 2)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import math
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import dynamo_units as units  # noqa: E402 (bench/ is on the path)
from aws_calls import Recorder, hook_every_client, local_aws, seeded_stack  # noqa: E402

REGION = "ap-southeast-3"
TARGET = 0.30  # US$ per 1,000 reports, photo storage aside
REPORTS = "/v1/tenants/kupang/reports"
PRICING = "list price for Asia Pacific (Jakarta) as listed on"
_RECALLED = "2025 (recalled: this machine has no internet; check before quoting)"

# US$ per unit, and where the figure comes from. On-demand, no free tier, first volume tier.
PRICES: dict[str, tuple[float, str]] = {
    "apigw_request": (3.50 / 1e6, f"{PRICING} aws.amazon.com/api-gateway/pricing/ (REST, first 333 M), {_RECALLED}"),
    "lambda_request": (0.20 / 1e6, f"{PRICING} aws.amazon.com/lambda/pricing/, {_RECALLED}"),
    "lambda_gb_s": (0.0000166667, f"{PRICING} aws.amazon.com/lambda/pricing/ (x86, first 6 B GB-s), {_RECALLED}"),
    "dynamodb_wru": (0.7125 / 1e6, f"{PRICING} aws.amazon.com/dynamodb/pricing/on-demand/ "
                                   f"(after the Nov 2024 cut), {_RECALLED}"),
    "dynamodb_rru": (0.1425 / 1e6, f"{PRICING} aws.amazon.com/dynamodb/pricing/on-demand/, {_RECALLED}"),
    "sfn_transition": (0.025 / 1e3, f"{PRICING} aws.amazon.com/step-functions/pricing/ (Standard), {_RECALLED}"),
    "scheduler_invocation": (1.00 / 1e6, f"{PRICING} aws.amazon.com/eventbridge/pricing/ (Scheduler, per "
                                         f"invocation; schedule changes free), {_RECALLED}"),
    "sns_publish": (0.50 / 1e6, f"{PRICING} aws.amazon.com/sns/pricing/ (per 64 KB publish), {_RECALLED}"),
    "sqs_request": (0.40 / 1e6, f"{PRICING} aws.amazon.com/sqs/pricing/ (standard, per 64 KB), {_RECALLED}"),
    "s3_put": (0.0055 / 1e3, f"{PRICING} aws.amazon.com/s3/pricing/ (PUT, COPY, POST, LIST), {_RECALLED}"),
    "s3_get": (0.00044 / 1e3, f"{PRICING} aws.amazon.com/s3/pricing/ (GET, HEAD and others), {_RECALLED}"),
    "ses_email": (0.10 / 1e3, f"{PRICING} aws.amazon.com/ses/pricing/ (outbound email), {_RECALLED}"),
    "s3_gb_month": (0.025, f"{PRICING} aws.amazon.com/s3/pricing/ (S3 Standard, first 50 TB), {_RECALLED}"),
}
SERVICES = (("API Gateway", ("apigw_request",)), ("Lambda", ("lambda_request", "lambda_gb_s")),
            ("DynamoDB", ("dynamodb_wru", "dynamodb_rru")), ("Step Functions", ("sfn_transition",)),
            ("Scheduler", ("scheduler_invocation",)), ("SNS", ("sns_publish",)), ("SQS", ("sqs_request",)),
            ("S3 requests", ("s3_put", "s3_get")),
            ("SES", ("ses_email",)))

_DYNAMO_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
_DYNAMO_READS = {"GetItem", "BatchGetItem", "TransactGetItems", "Query", "Scan"}
_FREE = {"dynamodbstreams", "sts", "cognito-idp", "scheduler", "stepfunctions:StopExecution", "s3:DeleteObject",
         "s3:DeleteObjects", "stepfunctions:DescribeExecution"}
_S3_PUT_CLASS = {"PutObject", "CopyObject", "PostObject", "ListObjects", "ListObjectsV2", "CreateMultipartUpload",
                 "UploadPart", "CompleteMultipartUpload"}


def _moto_dynamodb() -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION]


@dataclass
class Meter:
    """Billable units, counted from botocore's before-call and after-call on every client, on every thread."""

    units: Counter[str] = field(default_factory=Counter)
    dynamo: Counter[str] = field(default_factory=Counter)  # write/read units per table and index
    calls: Counter[str] = field(default_factory=Counter)  # every AWS call, by service:operation
    recording: bool = False
    step: str = ""  # what the journey is doing (for --detail)
    detail: Counter[tuple[str, str]] = field(default_factory=Counter)  # (step, "op where") -> units
    _paused: set[int] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self) -> None:
        hook_every_client("before-call", self.before_call)
        hook_every_client("after-call", self.after_call)

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """The bench's own calls on this thread (waiting, checking) are not the product's."""
        self._paused.add(threading.get_ident())
        try:
            yield
        finally:
            self._paused.discard(threading.get_ident())

    def add(self, unit: str, amount: float) -> None:
        with self._lock:
            self.units[unit] += amount

    def _counting(self) -> bool:
        return self.recording and threading.get_ident() not in self._paused

    # -- hooks ------------------------------------------------------------------------------------------

    def before_call(self, model: Any, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if not self._counting():
            return
        context["aduan_count"] = True
        if model.service_model.service_name == "dynamodb" and model.name in _DYNAMO_WRITES | _DYNAMO_READS:
            body = json.loads(params.get("body") or b"{}")
            context["aduan_body"] = body
            if model.name in _DYNAMO_WRITES:
                context["aduan_before"] = [(t, k, _current(t, k)) for t, k, _ in _written(model.name, body)]

    def after_call(self, http_response: Any, parsed: dict[str, Any], model: Any, context: dict[str, Any],
                   **_: Any) -> None:
        if not context.get("aduan_count"):
            return
        service, op = model.service_model.service_name, model.name
        with self._lock:
            self.calls[f"{service}:{op}"] += 1
        if service in _FREE or f"{service}:{op}" in _FREE:
            return
        failed = "Error" in parsed
        if service == "dynamodb" and op in _DYNAMO_WRITES:
            self._dynamo_write(op, context["aduan_body"], context["aduan_before"], failed)
            with self._lock:
                self.detail[(self.step, f"{op} calls")] += 1
        elif service == "dynamodb" and op in _DYNAMO_READS and not failed:
            self._dynamo_read(op, context["aduan_body"], parsed)
            with self._lock:
                self.detail[(self.step, f"{op} calls")] += 1
        elif service == "stepfunctions" and op == "StartExecution":
            pass  # billed by its state transitions, counted from the execution history
        elif service == "sns" and op in ("Publish", "PublishBatch"):
            self.add("sns_publish", len(parsed.get("Successful", [])) if op == "PublishBatch" else 1)
        elif service == "sqs":
            if op == "ReceiveMessage" and not parsed.get("Messages"):
                return  # an empty poll: the event source mapping's fixed cost, not the report's
            self.add("sqs_request", 1)
        elif service == "s3":
            self.add("s3_put" if op in _S3_PUT_CLASS else "s3_get", 1)
        elif service in ("ses", "sesv2") and op.startswith("Send"):
            self.add("ses_email", 1)
        else:
            with self._lock:
                self.calls[f"unpriced {service}:{op}"] += 1

    # -- DynamoDB ---------------------------------------------------------------------------------------

    def _dynamo_write(self, op: str, body: dict[str, Any], before: list[tuple[str, dict[str, Any], Any]],
                      failed: bool) -> None:
        transactional = op == "TransactWriteItems"
        actions = {(t, json.dumps(k, sort_keys=True)): action for t, k, action in _written(op, body)}
        for table_name, key, old in before:
            table = _moto_dynamodb().get_table(table_name)
            short = _short(table_name)
            action = actions[(table_name, json.dumps(key, sort_keys=True))]
            if failed or action == "ConditionCheck":
                wru = units.write_units(units.item_size(old)) * (2 if transactional else 1)
                self._dynamo_add(f"{short} (table)", "WRU", wru)
                continue
            new = _current(table_name, key)
            cost = units.item_write_cost(old, new, _indexes(table), _table_keys(table), transactional)
            self._dynamo_add(f"{short} (table)", "WRU", cost.table)
            for index, n in cost.indexes.items():
                self._dynamo_add(f"{short}.{index}", "WRU", n)

    def _dynamo_read(self, op: str, body: dict[str, Any], parsed: dict[str, Any]) -> None:
        if op == "GetItem":
            item = _current(body["TableName"], body["Key"])
            self._dynamo_add(f"{_short(body['TableName'])} (table)", "RRU",
                             units.read_units(units.item_size(item), bool(body.get("ConsistentRead"))))
        elif op in ("BatchGetItem", "TransactGetItems"):
            wanted = ([(t, k, bool(r.get("ConsistentRead")))
                       for t, r in body["RequestItems"].items() for k in r["Keys"]]
                      if op == "BatchGetItem" else
                      [(i["Get"]["TableName"], i["Get"]["Key"], True) for i in body["TransactItems"]])
            for table_name, key, consistent in wanted:
                rru = units.read_units(units.item_size(_current(table_name, key)), consistent)
                self._dynamo_add(f"{_short(table_name)} (table)", "RRU", rru * (2 if op == "TransactGetItems" else 1))
        else:  # Query, Scan: the items read, added up, rounded once
            table = _moto_dynamodb().get_table(body["TableName"])
            index = next((i for i in _indexes(table) if i.name == body.get("IndexName")), None)
            size = 0
            for returned in parsed.get("Items", []):
                key = {k: returned[k] for k in _table_keys(table) if k in returned}
                full = _current(body["TableName"], key) if len(key) == len(_table_keys(table)) else None
                entry = (index.entry(full, _table_keys(table)) if index else full) if full else None
                size += units.item_size(entry or returned)
            count, scanned = parsed.get("Count", 0), parsed.get("ScannedCount", 0)
            if count and scanned > count:
                size = size * scanned // count  # filtered out items were read too: assume they weigh the same
            where = f"{_short(body['TableName'])}.{index.name}" if index else f"{_short(body['TableName'])} (table)"
            self._dynamo_add(where, "RRU", units.read_units(size, bool(body.get("ConsistentRead"))))

    def _dynamo_add(self, where: str, kind: str, amount: float) -> None:
        with self._lock:
            self.dynamo[f"{kind} {where}"] += amount
            self.detail[(self.step, f"{kind} {where}")] += amount
            self.units["dynamodb_wru" if kind == "WRU" else "dynamodb_rru"] += amount


def _short(table_name: str) -> str:
    return table_name.rsplit("-", 1)[-1]


def _written(op: str, body: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    """(table, key, action) for every item a write request names."""
    if op in ("PutItem", "UpdateItem", "DeleteItem"):
        key = body.get("Key") or _key_of(body["TableName"], body["Item"])
        return [(body["TableName"], key, op)]
    if op == "BatchWriteItem":
        return [(t, r["DeleteRequest"]["Key"] if "DeleteRequest" in r else _key_of(t, r["PutRequest"]["Item"]),
                 "Delete" if "DeleteRequest" in r else "Put")
                for t, requests in body["RequestItems"].items() for r in requests]
    found = []
    for entry in body["TransactItems"]:
        (action, spec), = entry.items()
        found.append((spec["TableName"], spec.get("Key") or _key_of(spec["TableName"], spec["Item"]), action))
    return found


def _table_keys(table: Any) -> tuple[str, ...]:
    return tuple(k for k in (table.hash_key_attr, table.range_key_attr) if k)


def _key_of(table_name: str, item: dict[str, Any]) -> dict[str, Any]:
    return {k: item[k] for k in _table_keys(_moto_dynamodb().get_table(table_name))}


def _indexes(table: Any) -> tuple[units.Index, ...]:
    return tuple(units.Index(i.name, tuple(i.schema_key_attrs), i.projection.get("ProjectionType", "ALL"),
                             tuple(i.projection.get("NonKeyAttributes", ()))) for i in table.global_indexes)


def _current(table_name: str, key: dict[str, Any]) -> dict[str, Any] | None:
    """The item as moto holds it now, in DynamoDB JSON (None when there is none)."""
    try:
        item = _moto_dynamodb().get_item(table_name, key)
    except Exception:  # an unknown table or a malformed key: the request itself fails the same way
        return None
    return dict(item.to_json()["Attributes"]) if item else None


# -- Lambda ---------------------------------------------------------------------------------------------

def _memory() -> dict[str, int]:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    return {name: int(f["lambda_memory_size"]) for name, f in config["lambda_functions"].items()}


@dataclass
class Lambdas:
    """Invocations and billed GB-seconds per function."""

    meter: Meter
    memory: dict[str, int] = field(default_factory=_memory)
    invocations: Counter[str] = field(default_factory=Counter)
    gb_seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))

    def record(self, function: str, seconds: float) -> None:
        if not self.meter.recording:
            return
        billed_ms = math.ceil(seconds * 1000)
        self.invocations[function] += 1
        self.gb_seconds[function] += billed_ms / 1000 * self.memory[function] / 1024
        self.meter.add("lambda_request", 1)
        self.meter.add("lambda_gb_s", billed_ms / 1000 * self.memory[function] / 1024)

    def wrap(self, function: str, handler: Callable[..., Any], sent_by_aws: bool = False) -> Callable[..., Any]:
        """The handler, timed as one invocation; ``sent_by_aws``: its queue's messages were sent by S3 or SNS."""

        def invoke(event: dict[str, Any], context: Any) -> Any:
            if sent_by_aws and self.meter.recording:
                self.meter.add("sqs_request", len(event["Records"]))  # the SendMessage S3/SNS made for each
            start = time.perf_counter()
            try:
                return handler(event, context)
            finally:
                self.record(function, time.perf_counter() - start)

        return invoke


# -- the journey ----------------------------------------------------------------------------------------

class Journey:
    """The API and the event plumbing of one local stack, with every invocation and request counted."""

    def __init__(self, stack: Any, client: Any, meter: Meter, lambdas: Lambdas) -> None:
        import app as handlers
        from devstack.pollers import StreamPoller

        self.stack, self.client, self.meter, self.lambdas = stack, client, meter, lambdas
        self.tokens = {name: stack.token(name) for name in ("warga.ani", "admin.kupang", "petugas.kupang.dlh")}
        r = stack.resources
        self.stream = StreamPoller(r.report_stream_arn, lambdas.wrap("on_report_change", handlers.on_report_change))
        self.queues = [
            (r.upload_queue_url, r.upload_queue_arn, lambdas.wrap("process_photo_uploads",
                                                                  handlers.process_photo_uploads, True)),
            (r.notification_queue_url, r.notification_queue_arn, lambdas.wrap("notify", handlers.notify, True)),
            (r.delivery_queue_url, r.delivery_queue_arn, lambdas.wrap("deliver", handlers.deliver)),
        ]

    def call(self, path: str, body: dict[str, Any], user: str) -> dict[str, Any]:
        self.meter.step = str(body.get("action") or ("photo" if path.endswith("/photos") else "submit"))
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.tokens[user]}"}
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):  # logs and EMF metrics
            response = self.client.http.post(path, headers=headers, body=json.dumps(body).encode())
        self.lambdas.record("api_handler", time.perf_counter() - start)
        if self.meter.recording:
            self.meter.add("apigw_request", 1)
        if response.status_code not in (200, 201):
            raise SystemExit(f"POST {path}: HTTP {response.status_code} {response.body[:300]!r}")
        self.settle()
        return dict(json.loads(response.body))

    def photo(self, report: dict[str, Any], user: str) -> str:
        """A photo slot, the client's presigned upload straight to S3, and its processing."""
        import requests

        from tests.images import jpeg_with_gps

        slot = self.call(f"{REPORTS}/{report['id']}/photos", {"content_type": "image/jpeg"}, user)
        response = requests.post(slot["upload"]["url"], data=slot["upload"]["fields"],
                                 files={"file": ("photo.jpg", jpeg_with_gps((1600, 1200)))}, timeout=30)
        if response.status_code >= 300:
            raise SystemExit(f"upload: HTTP {response.status_code}")
        if self.meter.recording:
            self.meter.add("s3_put", 1)  # the citizen's POST to S3 (no botocore client of ours sees it)
        self.settle()
        return str(slot["photo_id"])

    def settle(self) -> None:
        """Run everything the last change set off: stream records, queued messages, until all is quiet."""
        from devstack.pollers import poll_once

        with contextlib.redirect_stdout(io.StringIO()):
            for _ in range(20):
                moved = self.stream.poll_once()
                for url, arn, handler in self.queues:
                    while n := poll_once(url, arn, handler):
                        moved += n
                if not moved and not self.stream.has_pending():
                    return
                if self.stream.has_pending():
                    time.sleep(0.1)

    def to_resolved(self) -> dict[str, Any]:
        report = self.call(REPORTS, {"category": "garbage", "description": "Sampah menumpuk di depan pasar Oeba",
                                     "location": {"lat": -10.1772, "lon": 123.607},
                                     "address": "Jl. Ahmad Yani, Oeba"}, "warga.ani")
        self.photo(report, "warga.ani")
        transitions = f"{REPORTS}/{report['id']}/transitions"
        self.call(transitions, {"action": "verify"}, "admin.kupang")
        self.call(transitions, {"action": "acknowledge", "note": "Dijadwalkan besok"}, "petugas.kupang.dlh")
        after = self.photo(report, "petugas.kupang.dlh")
        self.call(transitions, {"action": "resolve", "note": "Sudah diangkut", "photo_ids": [after]},
                  "petugas.kupang.dlh")
        return report

    def confirm(self, report: dict[str, Any]) -> None:
        self.call(f"{REPORTS}/{report['id']}/transitions", {"action": "confirm", "rating": 5}, "warga.ani")


def _wait_closed(report_ids: list[str], meter: Meter) -> None:
    from chalicelib.store.reports import get

    with meter.paused():
        deadline = time.monotonic() + 30
        while any(get("kupang", r).status != "closed" for r in report_ids):
            if time.monotonic() > deadline:
                raise SystemExit("auto-close did not happen within 30 s")
            time.sleep(0.05)


def _transitions(state_machine_arn: str, report_ids: list[str]) -> int:
    import boto3

    sfn = boto3.client("stepfunctions")
    total = 0
    for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=state_machine_arn):
        for execution in page["executions"]:
            if not any(r in execution["name"] for r in report_ids):
                continue
            for _ in range(200):
                if sfn.describe_execution(executionArn=execution["executionArn"])["status"] != "RUNNING":
                    break
                time.sleep(0.05)
            history = sfn.get_execution_history(executionArn=execution["executionArn"], maxResults=1000)["events"]
            total += sum(e["type"].endswith("StateEntered") for e in history)
    return total


def _stored_photo_bytes(bucket: str) -> int:
    import boto3

    total = 0
    for page in boto3.client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket):
        total += sum(o["Size"] for o in page.get("Contents", []))
    return total


# -- the run --------------------------------------------------------------------------------------------

@dataclass
class Run:
    reports: int
    units: Counter[str]
    dynamo: Counter[str]
    invocations: Counter[str]
    gb_seconds: dict[str, float]
    photo_bytes: int
    calls: Counter[str]
    detail: Counter[tuple[str, str]]

    def per_thousand(self, unit: str) -> float:
        return self.units[unit] / self.reports * 1000 * PRICES[unit][0]


def measure(per_lifecycle: int) -> Run:
    import requests

    meter = Meter()
    meter.install()
    with local_aws(Recorder()) as endpoint:
        logging.getLogger("moto").setLevel(logging.CRITICAL)  # an aborted Wait logs a page of parser state
        requests.post(f"{endpoint}/moto-api/config", json={"stepfunctions": {"execute_state_machine": True},
                                                           "lambda": {"use_docker": False}}, timeout=10)
        return _drive(meter, endpoint, per_lifecycle)


def _drive(meter: Meter, endpoint: str, per_lifecycle: int) -> Run:
    from chalice.test import Client

    from tests.integration.sla_clock import SlaClock, aws_behaviour, stop_running

    stack = seeded_stack(endpoint)
    import app as handlers

    logging.getLogger(handlers.app.app_name).disabled = True
    lambdas = Lambdas(meter)
    clock = SlaClock()
    clock.install()
    from chalicelib.config import get_settings

    bucket = get_settings().photo_bucket
    try:
        with aws_behaviour(), Client(handlers.app, stage_name="dev", project_dir=str(ROOT)) as client:
            journey = Journey(stack, client, meter, lambdas)
            journey.confirm(journey.to_resolved())  # warm-up: clients, caches, first imports
            stop_running(stack.resources.sla_state_machine_arn)
            with meter.paused():
                photos_before = _stored_photo_bytes(bucket)
            meter.recording = True
            confirmed = []
            for _ in range(per_lifecycle):
                report = journey.to_resolved()
                journey.confirm(report)
                confirmed.append(report["id"])
            # Auto-closed: all resolved first, then their (only remaining) auto-close schedules fired at once.
            closing = [journey.to_resolved()["id"] for _ in range(per_lifecycle)]
            meter.step = "auto_close"
            fired = clock.fired
            with meter.paused():  # listing and deleting due schedules is Scheduler's own work, not billed
                clock.release()
            meter.units["scheduler_invocation"] += clock.fired - fired
            _wait_closed(closing, meter)
            time.sleep(0.5)  # the timer's last state (its announcement) after the close
            journey.settle()
            meter.recording = False
            transitions = _transitions(stack.resources.sla_state_machine_arn, confirmed + closing)
            meter.units["sfn_transition"] += transitions
            photo_bytes = _stored_photo_bytes(bucket) - photos_before
            stop_running(stack.resources.sla_state_machine_arn)
    finally:
        clock.uninstall()
    reports = 2 * per_lifecycle
    return Run(reports, meter.units, meter.dynamo, lambdas.invocations, dict(lambdas.gb_seconds), photo_bytes,
               meter.calls, meter.detail)


def print_detail(run: Run) -> None:
    """DynamoDB calls and units per report, by journey step (request plus everything it set off)."""
    print("  DynamoDB per report, by step:")
    for step in dict.fromkeys(s for s, _ in run.detail):
        print(f"    {step}")
        for (s, what), amount in sorted(run.detail.items(), key=lambda kv: -kv[1]):
            if s == step:
                print(f"        {what:48} {amount / run.reports:7.2f}")


def report(run: Run) -> float:
    n = run.reports
    print(f"AWS cost of a report's whole lifecycle, {REGION} list prices, per 1,000 reports "
          f"({n} measured: half confirmed by the reporter, half auto-closed; each with an intake and an after photo)")
    print(f"  {'service':16} {'units per report':44} {'US$ / 1,000':>11}")
    total = 0.0
    for service, keys in SERVICES:
        cost = sum(run.per_thousand(k) for k in keys)
        total += cost
        amounts = ", ".join(f"{run.units[k] / n:,.2f} {k.split('_', 1)[1].replace('_', '-')}" for k in keys)
        print(f"  {service:16} {amounts:44} {cost:11.4f}")
    mark = "ok" if total <= TARGET else "OVER"
    print(f"  {'total':16} {'':44} {total:11.4f}   (target <= {TARGET:.2f}: {mark})")
    gb = run.photo_bytes / n / 1024**3
    print(f"  photo storage: {run.photo_bytes / n / 1024:,.0f} KiB per report kept -> "
          f"US${gb * 1000 * PRICES['s3_gb_month'][0]:.4f} per 1,000 reports per month kept")
    print("  DynamoDB units per report, by table and index:")
    for where, amount in sorted(run.dynamo.items(), key=lambda kv: -kv[1]):
        print(f"      {where:44} {amount / n:7.2f}")
    print("  Lambda per report: " + ", ".join(
        f"{f} {run.invocations[f] / n:.1f} x ({run.gb_seconds[f] / max(run.invocations[f], 1):.3f} GB-s)"
        for f in sorted(run.invocations)))
    unpriced = {k: v for k, v in run.calls.items() if k.startswith("unpriced")}
    if unpriced:
        print(f"  calls with no price here: {dict(unpriced)}")
    print("  prices (US$ per unit):")
    for unit, (price, source) in PRICES.items():
        print(f"      {unit:15} {price:.10f}  {source}")
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2, help="reports of each lifecycle (default 2)")
    parser.add_argument("--detail", action="store_true", help="DynamoDB calls and units by journey step")
    args = parser.parse_args()
    run = measure(args.reports)
    total = report(run)
    if args.detail:
        print_detail(run)
    return 0 if total <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
