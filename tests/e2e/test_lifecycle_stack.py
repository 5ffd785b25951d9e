"""The lifecycle on the real local stack: a short verification SLA visibly escalates and notifies the desk.

Everything runs as it would in the cloud, minus AWS: the stream poller starts the timer, moto's Step
Functions really waits (a few seconds here) and writes the escalation, SNS carries the event to the
notifier, and the desk finds the message in its in-app inbox. A timer whose first wake is days away
is a schedule, and the stack's firer plays EventBridge Scheduler when it is due.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import boto3
import pytest

from tests.e2e.helpers import Api, report_body, sign_in

pytestmark = pytest.mark.e2e

REPORTS = "/v1/tenants/kupang/reports"


def _token(stack: dict[str, Any], username: str) -> str:
    user = next(u for u in stack["demo_users"] if u["username"] == username)
    return sign_in(stack, user["username"], user["password"])["IdToken"]


def _until(check: Any, timeout: float = 45.0, every: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(every)
    raise AssertionError(f"not reached within {timeout:.0f} s")


def test_the_stack_file_lists_a_supervisor_and_officers_of_the_main_units_per_tenant(stack):
    for tenant in ("kupang", "karo", "langkat"):
        staff = [u for u in stack["demo_users"] if u["tenant"] == tenant]
        assert any(u["role"] == "supervisor" for u in staff), tenant
        units = {u["agency"] for u in staff if u["role"] == "officer"}
        assert units >= {"DLH", "PUPR", "DISHUB"}, tenant


def _aws(stack: dict[str, Any], service: str) -> Any:
    return boto3.client(service, region_name=stack["region"], endpoint_url=stack["aws_endpoint_url"],
                        aws_access_key_id="local", aws_secret_access_key="local")


def test_a_due_schedule_starts_its_timer_and_a_later_transition_stops_it(stack, api: Api):
    admin = _token(stack, "admin.kupang")
    created = api.call("POST", REPORTS, report_body(), token=_token(stack, "warga.ani"))
    assert created.status_code == 201, created.text
    report_id = created.json()["id"]
    scheduler, sfn = _aws(stack, "scheduler"), _aws(stack, "stepfunctions")
    group, name = "aduan-dev-sla", f"kupang-{report_id}-verification-1"  # devstack's group; the timer's name
    schedule = _until(lambda: next((s for s in scheduler.list_schedules(GroupName=group)["Schedules"]
                                    if s["Name"] == name), None))
    full = scheduler.get_schedule(GroupName=group, Name=schedule["Name"])
    # Days pass in a second: the schedule comes due now (same target, same execution input).
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    scheduler.update_schedule(GroupName=group, Name=name, ScheduleExpression=f"at({soon:%Y-%m-%dT%H:%M:%S})",
                              ScheduleExpressionTimezone="UTC", FlexibleTimeWindow={"Mode": "OFF"},
                              Target=full["Target"])
    (machine,) = [m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]
                  if m["name"] == "aduan-dev-sla"]
    execution = f"{machine.replace(':stateMachine:', ':execution:')}:{name}"

    def running() -> bool:
        try:
            return sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
        except sfn.exceptions.ExecutionDoesNotExist:
            return False

    _until(running)
    assert name not in [s["Name"] for s in scheduler.list_schedules(GroupName=group)["Schedules"]]  # it fired once
    verified = api.call("POST", f"{REPORTS}/{report_id}/transitions", {"action": "verify"}, token=admin)
    assert verified.status_code == 200, verified.text
    _until(lambda: sfn.describe_execution(executionArn=execution)["status"] != "RUNNING")
    assert sfn.describe_execution(executionArn=execution)["status"] == "ABORTED"  # stopped in its first Sleep


def test_a_report_nobody_verifies_escalates_and_the_desk_is_told(stack, api: Api):
    admin = _token(stack, "admin.kupang")
    citizen = _token(stack, "warga.ani")
    policy = api.call("GET", "/v1/tenants/kupang/sla-policy", token=admin).json()
    short = {**policy, "categories": {**policy["categories"], "garbage": {"verification": {"duration": "PT3S"}}}}
    assert api.call("PUT", "/v1/tenants/kupang/sla-policy", short, token=admin).status_code == 200
    try:
        _escalates_and_tells_the_desk(api, admin, citizen)
    finally:  # the stack is shared: other tests' garbage reports keep the tenant's own clock
        assert api.call("PUT", "/v1/tenants/kupang/sla-policy", policy, token=admin).status_code == 200


def _escalates_and_tells_the_desk(api: Api, admin: str, citizen: str) -> None:
    created = api.call("POST", REPORTS, report_body(), token=citizen)
    assert created.status_code == 201, created.text
    report = created.json()
    assert report["escalation_level"] == 0 and report["breached"] is False

    def escalated() -> dict[str, Any] | None:
        seen = api.call("GET", f"{REPORTS}/{report['id']}", token=admin).json()
        return seen if seen["escalation_level"] >= 1 else None

    seen = _until(escalated)
    assert seen["breached"] is True and seen["status"] == "submitted"
    history = api.call("GET", f"{REPORTS}/{report['id']}/history", token=admin).json()["items"]
    assert any(e["action"] == "escalate" and e["details"].get("level") == 1 for e in history)

    def told() -> list[dict[str, Any]]:
        inbox = api.call("GET", "/v1/tenants/kupang/me/notifications", token=admin,
                         headers={"Accept-Language": "en"}).json()
        return [n for n in inbox.get("items", []) if n["report_id"] == report["id"]
                and n["type"] == "report.escalated"]

    messages = _until(told)
    assert report["tracking_code"] in messages[0]["title"] + messages[0]["body"]

    verified = api.call("POST", f"{REPORTS}/{report['id']}/transitions", {"action": "verify"}, token=admin)
    assert verified.status_code == 200 and verified.json()["stage"] == "first_response"
    assert verified.json()["escalation_level"] == 0  # a new stage, a new clock
