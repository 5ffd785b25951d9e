"""The common path of one report, measured: Step Functions state transitions and AWS calls.

The path: a citizen submits a report, the desk verifies it, the unit acknowledges it (the first
answer), resolves it with an "after" photo, and the reporter confirms. Every deadline is met, so each
SLA timer is stopped before its first wake: it is still an EventBridge Scheduler schedule then, and
stopping deletes it, so no execution runs. Target: at most 12 state transitions per report (Step
Functions bills per transition); a timer that does reach its first wake is measured by bench/cost.py
and tests/integration/test_lifecycle_timers.py.

An in-process moto server runs the state machine for real; the reports stream is fed to its handler
as Lambda would. AWS calls are counted at botocore's ``before-call`` on the request thread (the API)
and on the stream handler (timers, events), separately.

    python bench/lifecycle.py
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from aws_calls import Recorder, local_aws, seeded_stack  # noqa: E402 (the same counter as the intake bench)

TARGET_TRANSITIONS = 12
REPORTS = "/v1/tenants/kupang/reports"


def main() -> int:
    import requests

    recorder = Recorder()
    with local_aws(recorder) as endpoint:
        logging.getLogger("moto").setLevel(logging.CRITICAL)  # an aborted Wait logs a page of parser state
        requests.post(f"{endpoint}/moto-api/config", json={"stepfunctions": {"execute_state_machine": True},
                                                           "lambda": {"use_docker": False}}, timeout=10)
        return _measure(recorder, endpoint)


def _measure(recorder: Recorder, endpoint: str) -> int:
    import boto3
    from chalice.test import Client

    from devstack.pollers import StreamPoller

    stack = seeded_stack(endpoint)
    resources = stack.resources
    tokens = {name: stack.token(name) for name in ("warga.ani", "admin.kupang", "petugas.kupang.dlh")}

    import app as handlers
    from chalicelib.store.models import PhotoAttribute
    from chalicelib.store.reports import change

    logging.getLogger(handlers.app.app_name).disabled = True
    stream = StreamPoller(resources.report_stream_arn, handlers.on_report_change)
    api_calls: list[tuple[str, int]] = []
    stream_calls: list[tuple[str, int]] = []
    stream_detail: list[tuple[str, list[str]]] = []

    with Client(handlers.app, stage_name="dev", project_dir=str(ROOT)) as client:

        def call(label: str, path: str, body: dict[str, Any], user: str) -> dict[str, Any]:
            headers = {"Content-Type": "application/json", "Authorization": f"Bearer {tokens[user]}"}
            with recorder.record() as calls, contextlib.redirect_stdout(io.StringIO()):
                response = client.http.post(path, headers=headers, body=json.dumps(body).encode())
            if response.status_code not in (200, 201):
                raise SystemExit(f"{label}: HTTP {response.status_code} {response.body[:300]!r}")
            api_calls.append((label, len(calls)))
            with recorder.record() as calls, contextlib.redirect_stdout(io.StringIO()):
                while stream.poll_once():
                    pass
            # The event source mapping reads the stream (Lambda does that, not our code): not counted.
            ours = [c for c in calls if not c.startswith("dynamodbstreams:")]
            stream_calls.append((label, len(ours)))
            stream_detail.append((label, ours))
            return dict(json.loads(response.body))

        report = call("submit", REPORTS, {"category": "garbage", "description": "Sampah menumpuk di pasar",
                                          "location": {"lat": -10.17, "lon": 123.6}}, "warga.ani")
        transitions = f"{REPORTS}/{report['id']}/transitions"
        call("verify", transitions, {"action": "verify"}, "admin.kupang")
        call("acknowledge", transitions, {"action": "acknowledge", "note": "Dijadwalkan besok"}, "petugas.kupang.dlh")

        def after_photo(current: Any) -> bool:
            # The photo upload path is measured by bench/aws_calls.py; here it is only the proof resolve needs.
            current.photos = [PhotoAttribute(id="01JAFTERPHOTO0000000000000", status="ready",
                                             content_type="image/jpeg", kind="after", created_at=current.updated_at)]
            return True

        change("kupang", report["id"], after_photo)
        call("resolve", transitions, {"action": "resolve", "note": "Sudah diangkut",
                                      "photo_ids": ["01JAFTERPHOTO0000000000000"]}, "petugas.kupang.dlh")
        call("confirm", transitions, {"action": "confirm", "rating": 5}, "warga.ani")

    sfn = boto3.client("stepfunctions")
    executions = [e for e in sfn.list_executions(stateMachineArn=resources.sla_state_machine_arn)["executions"]
                  if report["id"] in e["name"]]
    per_execution = []
    for execution in executions:
        for _ in range(100):
            described = sfn.describe_execution(executionArn=execution["executionArn"])
            if described["status"] != "RUNNING":
                break
            time.sleep(0.05)
        events = sfn.get_execution_history(executionArn=execution["executionArn"])["events"]
        entered = [e for e in events if e["type"].endswith("StateEntered")]
        per_execution.append((execution["name"].split("-", 2)[-1], described["status"], len(entered)))

    total = sum(n for _, _, n in per_execution)
    print("Common path of one report: submitted, verified, acknowledged, resolved and confirmed on time")
    print(f"  Step Functions state transitions: {total} (target <= {TARGET_TRANSITIONS}: "
          f"{'ok' if total <= TARGET_TRANSITIONS else 'OVER'})")
    for name, status, entered in sorted(per_execution):
        print(f"      {name:28} {status:9} {entered} states entered")
    made = sum(c == "scheduler:CreateSchedule" for _, calls in stream_detail for c in calls)
    deleted = sum(c == "scheduler:DeleteSchedule" for _, calls in stream_detail for c in calls)
    print(f"  SLA timers: {made} scheduled, {deleted} schedules deleted by a stop, "
          f"{len(per_execution)} executions started")
    print("  AWS calls                 API request   stream handler")
    for (label, api), (_, streamed) in zip(api_calls, stream_calls, strict=True):
        print(f"      {label:22} {api:6}        {streamed:6}")
    print(f"      {'total':22} {sum(n for _, n in api_calls):6}        {sum(n for _, n in stream_calls):6}")
    print("  stream handler calls by step:")
    for label, calls in stream_detail:
        print(f"      {label:12} {', '.join(calls)}")
    if per_execution:
        print("  (moto marks an execution stopped inside its Map FAILED instead of ABORTED; AWS says ABORTED.)")
    return 0 if total <= TARGET_TRANSITIONS else 1


if __name__ == "__main__":
    sys.exit(main())
