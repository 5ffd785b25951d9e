"""SLA timers driven by the reports stream, with real state-machine execution in moto.

A test controls when Wait states end and schedules fire (``sla_clock``); everything else is the real
path: the request writes the report, the stream handler schedules the timer (or deletes the schedule,
or stops the execution it started), the state machine escalates through DynamoDB and SNS, the
notifier fills the inboxes.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import boto3
import pytest

from chalicelib import clock
from chalicelib.adapters import timers
from tests.integration.conftest import report_body
from tests.integration.sla_clock import scheduled, wait_for_execution

REPORTS = "/v1/tenants/kupang/reports"


def _submit(stack, **overrides):
    response = stack.call("POST", REPORTS, report_body(**overrides), user="warga.ani")
    assert response.status_code == 201, response.json_body
    return response.json_body


def _act(stack, report, user, **body):
    response = stack.call("POST", f"{REPORTS}/{report['id']}/transitions", body, user=user)
    assert response.status_code == 200, response.json_body
    return response.json_body


AFTER_PHOTO = "01JAFTERPHOTO0000000000000"


def _resolve(stack, report):
    """Resolve with a processed "after" photo (the upload path has its own tests in test_photos.py)."""
    from chalicelib.store.models import PhotoAttribute
    from chalicelib.store.reports import change

    def add_ready_after_photo(current):
        current.photos = [PhotoAttribute(id=AFTER_PHOTO, status="ready", content_type="image/jpeg", kind="after",
                                         created_at=current.updated_at)]
        return True

    change("kupang", report["id"], add_ready_after_photo)
    return _act(stack, report, "petugas.kupang.dlh", action="resolve", note="Selesai", photo_ids=[AFTER_PHOTO])


def _stored(report_id: str) -> Any:
    from chalicelib.store.reports import get

    return get("kupang", report_id)


def _executions(stack, report_id: str) -> dict[str, str]:
    """This report's executions: name -> status."""
    sfn = boto3.client("stepfunctions")
    found = {}
    for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=stack.resources.sla_state_machine_arn):
        for execution in page["executions"]:
            if report_id in execution["name"]:
                found[execution["name"]] = execution["status"]
    return found


def _arn(report_id: str, stage: str, seq: int) -> str:
    return timers.execution_arn("kupang", report_id, stage, seq)


def _until(check, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not reached")


def test_a_new_report_gets_exactly_one_verification_timer(stack, sla_clock):
    report = _submit(stack)
    stack.drain_stream()
    stack.drain_stream()  # nothing new: no second start
    assert scheduled() == [timers.schedule_name("kupang", report["id"], "verification", 1)]
    assert _executions(stack, report["id"]) == {}  # it waits for its first wake as a schedule
    sla_clock.fire_scheduled()
    assert _executions(stack, report["id"]) == {timers.execution_name("kupang", report["id"], "verification", 1):
                                                "RUNNING"}


def test_a_crash_between_the_report_write_and_the_timer_start_still_yields_one_timer(stack, sla_clock, monkeypatch):
    report = _submit(stack)
    real_start = timers.start
    calls = {"n": 0}

    def crash_once(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("Lambda timed out before StartExecution returned")
        return real_start(**kwargs)

    monkeypatch.setattr(timers, "start", crash_once)
    stack.drain_stream()  # the failed record is handed back and retried, as Lambda would
    assert calls["n"] >= 2
    # A redelivery after the timer did start (the crash came after StartExecution) changes nothing either.
    assert real_start(tenant="kupang", report_id=report["id"], stage="verification", seq=1,
                      due_at=report["due_at"], remind_at=None, ladder=[]) is False
    assert scheduled() == [timers.schedule_name("kupang", report["id"], "verification", 1)]
    sla_clock.fire_scheduled()
    assert list(_executions(stack, report["id"]).values()) == ["RUNNING"]


def test_a_breach_escalates_and_notifies_the_desk(stack, sla_clock):
    report = _submit(stack)
    stack.drain_stream()
    stored = _stored(report["id"])
    level_one = next(step.at for step in stored.ladder if int(step.level) == 1)
    sla_clock.advance_to(_just_after(level_one))  # schedules fire in whole seconds, rounded up
    _until(lambda: int(_stored(report["id"]).escalation_level) == 1)
    seen = stack.call("GET", f"{REPORTS}/{report['id']}", user="admin.kupang").json_body
    assert seen["escalation_level"] == 1 and seen["breached"] is True and seen["status"] == "submitted"
    history = stack.call("GET", f"{REPORTS}/{report['id']}/history").json_body["items"]
    assert [e["action"] for e in history][-1] == "escalate"

    _until(lambda: (stack.drain_notifications(), _desk_told(stack, report))[1])
    inbox = stack.call("GET", "/v1/tenants/kupang/me/notifications", user="admin.kupang",
                       headers={"Accept-Language": "en"}).json_body["items"]
    escalations = [n for n in inbox if n["report_id"] == report["id"] and n["type"] == "report.escalated"]
    assert escalations and report["tracking_code"] in escalations[0]["title"] + escalations[0]["body"]
    # The reporter's inbox does not get the internal escalation; the unit of another tenant sees nothing.
    other = stack.call("GET", "/v1/tenants/kupang/me/notifications", user="petugas.kupang.pupr").json_body
    assert all(n["report_id"] != report["id"] for n in other["items"])


def _just_after(moment: str) -> str:
    return clock.iso(clock.parse_iso(moment) + timedelta(seconds=1))


def _desk_told(stack, report) -> bool:
    inbox = stack.call("GET", "/v1/tenants/kupang/me/notifications", user="admin.kupang").json_body
    return any(n["report_id"] == report["id"] and n["type"] == "report.escalated" for n in inbox.get("items", []))


def test_verifying_before_the_deadline_stops_the_timer_and_starts_the_next(stack, sla_clock):
    report = _submit(stack)
    stack.drain_stream()
    verification = _arn(report["id"], "verification", 1)
    sla_clock.fire_scheduled()  # its first wake came: the execution runs (a stop before it: see below)
    sla_clock.wait_until_waiting(verification)
    _act(stack, report, "admin.kupang", action="verify")
    stack.drain_stream()
    wait_for_execution(verification, "ABORTED")
    assert _stored(report["id"]).escalation_level == 0
    assert scheduled() == [timers.schedule_name("kupang", report["id"], "first_response", 2)]
    sla_clock.fire_scheduled()
    assert _executions(stack, report["id"])[timers.execution_name("kupang", report["id"], "first_response", 2)] \
        == "RUNNING"
    first_response = _arn(report["id"], "first_response", 2)
    sla_clock.wait_until_waiting(first_response)
    assert int(_stored(report["id"]).escalation_level) == 0  # the aborted timer wrote nothing


def test_a_dispute_restarts_the_resolution_clock(stack, sla_clock):
    report = _submit(stack)
    _act(stack, report, "admin.kupang", action="verify")
    _act(stack, report, "petugas.kupang.dlh", action="start")

    _resolve(stack, report)
    stack.drain_stream()
    resolved = _stored(report["id"])
    auto_close = _arn(report["id"], "auto_close", int(resolved.stage_seq))
    sla_clock.fire_scheduled()
    sla_clock.wait_until_waiting(auto_close)
    reopened = _act(stack, report, "warga.ani", action="dispute", note="Masih menumpuk")
    stack.drain_stream()
    wait_for_execution(auto_close, "ABORTED")
    sla_clock.fire_scheduled()  # the new resolution clock's
    now = _stored(report["id"])
    assert reopened["reopen_count"] == 1 and now.stage == "resolution" and int(now.stage_seq) == resolved.stage_seq + 1
    statuses = _executions(stack, report["id"])
    assert statuses[timers.execution_name("kupang", report["id"], "resolution", int(now.stage_seq))] == "RUNNING"
    assert list(statuses.values()).count("RUNNING") == 1


def test_a_resolved_report_nobody_answers_closes_by_itself(stack, sla_clock):
    report = _submit(stack)
    _act(stack, report, "admin.kupang", action="verify")
    _act(stack, report, "petugas.kupang.dlh", action="acknowledge", note="Dijadwalkan besok")
    _resolve(stack, report)
    stack.drain_stream()
    auto_close = timers.execution_name("kupang", report["id"], "auto_close", int(_stored(report["id"]).stage_seq))
    sla_clock.release()
    _until(lambda: _stored(report["id"]).status == "closed")
    stack.drain_stream()  # the timer's own change stops nothing and starts nothing
    closed = stack.call("GET", f"{REPORTS}/{report['id']}", user="warga.ani").json_body
    assert closed["status"] == "closed" and closed["closed_at"] and closed["stage"] is None
    listed = stack.call("GET", f"{REPORTS}?status=closed").json_body["items"]
    assert report["id"] in [r["id"] for r in listed]
    history = stack.call("GET", f"{REPORTS}/{report['id']}/history").json_body["items"]
    assert history[-1]["action"] == "auto_close" and history[-1]["to"] == "closed"
    # Closed by its timer, the common path still stays within 12 billed state transitions: the three
    # stages that ended before their first wake started no execution at all, only auto-close ran.
    from tests.integration.sla_clock import states_entered

    machine = stack.resources.sla_state_machine_arn.replace(":stateMachine:", ":execution:")
    total = 0
    for name in _executions(stack, report["id"]):
        _until(lambda n=name: _executions(stack, report["id"])[n] != "RUNNING")
        total += len(states_entered(f"{machine}:{name}"))
    assert list(_executions(stack, report["id"])) == [auto_close]
    assert sla_clock.fired == 1 and total <= 12


@pytest.mark.parametrize("flow", ["verified, answered and resolved on time"])
def test_the_common_path_stays_within_twelve_state_transitions(stack, sla_clock, flow):
    from tests.integration.sla_clock import states_entered

    report = _submit(stack)
    stack.drain_stream()
    for user, body in (("admin.kupang", {"action": "verify"}), ("petugas.kupang.dlh", {"action": "acknowledge"})):
        _act(stack, report, user, **body)
        stack.drain_stream()
    _resolve(stack, report)
    stack.drain_stream()
    _act(stack, report, "warga.ani", action="confirm", rating=4)
    stack.drain_stream()
    sfn = boto3.client("stepfunctions")
    total = 0
    for name in _executions(stack, report["id"]):
        arn = f"{stack.resources.sla_state_machine_arn.replace(':stateMachine:', ':execution:')}:{name}"
        _until(lambda a=arn: sfn.describe_execution(executionArn=a)["status"] != "RUNNING")
        total += len(states_entered(arn))
    # Every stage ended before its first wake: four schedules made and deleted, no execution, no transition.
    assert _executions(stack, report["id"]) == {} and scheduled() == []
    assert total == 0
