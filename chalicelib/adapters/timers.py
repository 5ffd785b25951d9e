"""SLA timers: one Step Functions execution per report stage (infra/statemachines/sla.asl.json).

Most stages end before their first wake (a reminder or the first escalation), and a Standard
execution bills its first state even when it is stopped while it sleeps. So a timer whose first wake
is more than ``DIRECT_START_WITHIN`` away does not start its execution yet: it becomes a one-time
EventBridge Scheduler schedule (``at(...)``, deleted after it fires) that starts the execution at that
wake, through Scheduler's universal target for ``sfn:StartExecution``. Creating and deleting
schedules is free, so a stage that ends first costs nothing; one that reaches its wake pays one
Scheduler invocation and the same transitions as before (its ``Sleep`` waits ~0 s).

The execution name is derived from (tenant, report, stage, stage_seq), and the schedule's name from
the same parts, so starting the timer of a stage twice (a redelivered stream record) cannot create a
second schedule or execution, and stopping it needs no stored ARN: delete the schedule, or if it is
gone (fired, or never made because the wake was near) stop the execution. The state machine re-reads
the report at every wake and only acts while the same stage run is still open, so a stop that is
lost, late, or races the schedule firing is harmless too.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib import clock
from chalicelib.adapters.aws import client
from chalicelib.config import get_settings

AUTO_CLOSE = "auto_close"
_NAME_MAX = 80  # Step Functions' limit on execution names
_SCHEDULE_NAME_MAX = 64  # EventBridge Scheduler's limit on schedule names
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_DIGEST_CHARS = 12
# What a Wait state's TimestampPath accepts (RFC 3339, UTC only); fractions of a second are allowed.
_SFN_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
# A first wake nearer than this starts the execution at once: a schedule must lie in the future when it
# is created, and Scheduler may fire up to a minute late, so a near one would only make the timer late.
DIRECT_START_WITHIN = timedelta(minutes=2)
# Scheduler's universal target: calls StartExecution itself with the input below, so the execution gets
# our deterministic name (the plain Step Functions target names executions at random).
START_EXECUTION_TARGET = "arn:aws:scheduler:::aws-sdk:sfn:startExecution"
# StartExecution fails only when Step Functions throttles or is down: keep trying for a day (Scheduler's
# maximum), every retry with backoff, rather than lose an escalation.
RETRY_POLICY = {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}


def execution_name(tenant: str, report_id: str, stage: str, seq: int) -> str:
    """``<tenant>-<report_id>-<stage>-<seq>``, e.g. ``kupang-01J...-verification-3``.

    Only ``[A-Za-z0-9-_]`` and at most 80 characters. A name that would break either rule is cleaned,
    cut and suffixed with a digest of the full name, so it stays deterministic and distinct.
    """
    return _bounded(f"{tenant}-{report_id}-{stage}-{int(seq)}", _NAME_MAX)


def schedule_name(tenant: str, report_id: str, stage: str, seq: int) -> str:
    """The name of the schedule that starts that execution: the execution's name, if it fits in 64."""
    return _bounded(f"{tenant}-{report_id}-{stage}-{int(seq)}", _SCHEDULE_NAME_MAX)


def _bounded(raw: str, limit: int) -> str:
    cleaned = _NAME_UNSAFE.sub("_", raw)
    if cleaned == raw and len(raw) <= limit:
        return raw
    digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()[:_DIGEST_CHARS]
    return f"{cleaned[:limit - _DIGEST_CHARS - 1]}-{digest}"


def schedule_expression(moment: datetime) -> str:
    """``at(...)`` in whole UTC seconds, rounded up: a wake is never started before it is due."""
    utc = moment.astimezone(UTC)
    whole = utc.replace(microsecond=0)
    if utc.microsecond:
        whole += timedelta(seconds=1)
    return f"at({whole.strftime('%Y-%m-%dT%H:%M:%S')})"


def _utc_z(moment: str) -> str:
    """Step Functions accepts only UTC timestamps written with ``T`` and ``Z``; convert any other form."""
    if _SFN_TIMESTAMP.match(moment):
        clock.parse_iso(moment)  # raises ValueError on an impossible date, before the execution would fail
        return moment
    parsed = clock.parse_iso(moment)
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp without a time zone: {moment!r}")
    return clock.iso(parsed)


def _step(step: Any) -> Mapping[str, Any]:
    return step.as_dict() if hasattr(step, "as_dict") else step  # a LadderStep straight from the model


def wakes(stage: str, due_at: str, remind_at: str | None, ladder: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The ``wakes`` of an execution's input, in order; numbers are strings, as DynamoDB N values are.

    ``auto_close``: an optional reminder to the reporter, then the closing itself at ``due_at``.
    Any other stage: an optional reminder (to the desk during verification, else to the unit), then
    one escalation per ladder step. A wake not strictly later than the one before it is dropped: the
    state machine handles wakes one after another, so it could never be on time.
    """
    planned: list[dict[str, str]] = []
    if stage == AUTO_CLOSE:
        if remind_at:
            planned.append({"kind": "remind", "at": remind_at, "level": "0", "audience": "reporter"})
        planned.append({"kind": AUTO_CLOSE, "at": due_at, "level": "0", "audience": "reporter"})
    else:
        if remind_at:
            audience = "desk" if stage == "verification" else "unit"
            planned.append({"kind": "remind", "at": remind_at, "level": "0", "audience": audience})
        for step in map(_step, ladder or []):
            planned.append({"kind": "escalate", "at": str(step["at"]), "level": str(int(step["level"])),
                            "audience": str(step["audience"])})

    kept: list[dict[str, str]] = []
    last = None
    for wake in planned:
        wake["at"] = _utc_z(wake["at"])
        moment = clock.parse_iso(wake["at"])
        if last is None or moment > last:
            kept.append(wake)
            last = moment
    return kept


def _machine_arn() -> str:
    arn = get_settings().sla_state_machine_arn
    if not arn:
        raise RuntimeError("SLA_STATE_MACHINE_ARN is not set")
    return arn


def execution_arn(tenant: str, report_id: str, stage: str, seq: int) -> str:
    machine = _machine_arn()
    return f"{machine.replace(':stateMachine:', ':execution:', 1)}:{execution_name(tenant, report_id, stage, seq)}"


def _error_code(err: Exception) -> str:
    response = getattr(err, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def start(*, tenant: str, report_id: str, stage: str, seq: int, due_at: str, remind_at: str | None,
          ladder: list[dict[str, Any]], agency: str | None = None, category: str | None = None,
          listed: bool = False) -> bool:
    """Start the timer of one stage run; False if its schedule or execution already exists (started before).

    A first wake at least ``DIRECT_START_WITHIN`` away is scheduled (see the module doc); a nearer one,
    or one already past, starts the execution now.

    ``agency``, ``category`` and ``listed`` are what auto-close writes into the report's list keys
    without reading it first (a resolved report can no longer change unit or category).
    """
    from botocore.exceptions import ClientError

    if stage == AUTO_CLOSE and not (agency and category):
        raise ValueError("an auto-close timer needs the report's agency and category")
    planned = wakes(stage, due_at, remind_at, ladder)
    document = {
        "tenant": tenant, "report_id": report_id, "stage": stage, "seq": str(int(seq)),
        "agency": agency or "", "category": category or "", "listed": "true" if listed else "false",
        "wakes": planned,
        # The first wake again, for the top-level Sleep and FirstWake: a path into ``wakes`` by index is
        # valid ASL, but moto's interpreter answers it with a list. None planned: sleep until the deadline.
        "first": planned[0] if planned else {"kind": "none", "at": _utc_z(due_at)},
        # Different on every call on purpose: for a RUNNING execution with the same name AND the same
        # input, StartExecution answers with the existing one as if it had just started it. A fresh
        # value makes every repeat an ExecutionAlreadyExists, so the result tells a start from a repeat
        # (random rather than a time: tests freeze the clock).
        "start_id": uuid.uuid4().hex,
    }
    name = execution_name(tenant, report_id, stage, seq)
    first_wake = clock.parse_iso(document["first"]["at"])
    if first_wake - clock.now() >= DIRECT_START_WITHIN:
        return _schedule(schedule_name(tenant, report_id, stage, seq), first_wake, {
            "StateMachineArn": _machine_arn(), "Name": name, "Input": json.dumps(document, separators=(",", ":"))})
    try:
        client("stepfunctions").start_execution(
            stateMachineArn=_machine_arn(), name=name, input=json.dumps(document, separators=(",", ":")))
    except ClientError as err:
        if _error_code(err) == "ExecutionAlreadyExists":
            return False
        raise
    return True


def _schedule(name: str, at: datetime, start_execution: dict[str, str]) -> bool:
    """A one-time schedule that calls StartExecution with ``start_execution`` at ``at``; False if it exists."""
    from botocore.exceptions import ClientError

    settings = get_settings()
    if not settings.sla_scheduler_role_arn:
        raise RuntimeError("SLA_SCHEDULER_ROLE_ARN is not set")
    try:
        client("scheduler").create_schedule(
            Name=name, GroupName=settings.sla_schedule_group,
            ScheduleExpression=schedule_expression(at), ScheduleExpressionTimezone="UTC",
            FlexibleTimeWindow={"Mode": "OFF"},  # an escalation is due at its moment, not in a window
            ActionAfterCompletion="DELETE",  # a fired schedule goes away: stop() then finds the execution
            Target={"Arn": START_EXECUTION_TARGET, "RoleArn": settings.sla_scheduler_role_arn,
                    "Input": json.dumps(start_execution, separators=(",", ":")), "RetryPolicy": RETRY_POLICY})
    except ClientError as err:
        if _error_code(err) == "ConflictException":
            return False
        raise
    return True


def stop(*, tenant: str, report_id: str, stage: str, seq: int) -> bool:
    """Stop the timer of one stage run; False if it never existed. Stopping a finished one is harmless.

    A timer still waiting for its first wake is a schedule: deleting it is the whole stop, and no
    execution ever runs. Without one (it fired, or the timer started its execution at once), stop that.
    """
    from botocore.exceptions import ClientError

    try:
        client("scheduler").delete_schedule(Name=schedule_name(tenant, report_id, stage, seq),
                                            GroupName=get_settings().sla_schedule_group)
        return True
    except ClientError as err:
        if _error_code(err) != "ResourceNotFoundException":
            raise
    try:
        client("stepfunctions").stop_execution(
            executionArn=execution_arn(tenant, report_id, stage, seq),
            cause="The report left the stage before its deadlines.")
    except ClientError as err:
        if _error_code(err) == "ExecutionDoesNotExist":
            return False
        raise
    return True
