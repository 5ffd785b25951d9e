"""Test control over SLA timers running in the in-process moto server.

moto really interprets the state machine (once ``execute_state_machine`` is on), and its Wait states
really sleep: until the wake's timestamp, measured against the wall clock. Tests cannot wait days, so
``SlaClock`` replaces moto's wait: a Wait blocks until the test lets it go (``release()``, or
``advance_to(moment)`` for the waits due by then) or until its real time comes. It stays
interruptible, so StopExecution still aborts a waiting execution as it would in AWS.

A timer whose first wake is far away is an EventBridge Scheduler schedule first (adapters/timers.py),
and moto never fires schedules. The clock plays Scheduler too: ``release()`` fires every schedule,
``advance_to(moment)`` those due by then, and ``fire_scheduled()`` every schedule without letting any
wait go, for a test about what a running execution does before its first wake.

More differences from AWS are evened out here (``aws_behaviour``), so tests see what the cloud does:
- moto gives ``$$.State.EnteredTime`` as ``2026-11-26T16:00:00.123456+00:00``; AWS writes
  ``2026-11-26T16:00:00.123Z``, the format the app stores (``chalicelib.clock.iso``);
- StopExecution while a Map iteration runs: moto 5.2.5 trips over its own abort details
  (``AttributeError: 'str' object has no attribute 'get'``) and ends the execution FAILED instead of
  ABORTED. The two patches below are the smallest that give AWS's outcome;
- moto's ``/moto-api/reset`` wipes executions but not their threads: an execution left waiting would
  wake later and write into the next test's data, so every test stops what is still RUNNING.
"""

from __future__ import annotations

import datetime as _dt
import threading
import time
import types
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import boto3
import requests

from chalicelib import clock

MOTO_CONFIG = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}
_WAIT_TARGET = ("moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function."
                "WaitFunction._wait_interval")
_STATE_MODULE = "moto.stepfunctions.parser.asl.component.state.state"
_POLL_SECONDS = 0.02  # how soon a blocked wait notices StopExecution


class _AwsDatetime(_dt.datetime):
    """A datetime whose ``isoformat()`` is the one Step Functions puts in ``$$.State.EnteredTime``."""

    def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:
        return clock.iso(self)


def enable_execution(endpoint: str) -> None:
    """Make moto run state machines (a process-wide setting that /moto-api/reset keeps)."""
    response = requests.post(f"{endpoint}/moto-api/config", json=MOTO_CONFIG, timeout=10)
    response.raise_for_status()


@contextmanager
def aws_behaviour() -> Iterator[None]:
    """Make moto's interpreter do what AWS does where this project depends on it (see the module doc)."""
    import importlib

    from moto.stepfunctions.parser.asl.component.state.exec.execute_state import ExecutionState
    from moto.stepfunctions.parser.asl.eval.environment import Environment
    from moto.stepfunctions.parser.asl.eval.program_state import ProgramStopped

    state_module = importlib.import_module(_STATE_MODULE)
    construct_error_output = ExecutionState._construct_error_output_value
    set_error = Environment.set_error

    def _error_output(failure_event: Any) -> Any:
        # An iteration ended by StopExecution carries the stop's error text where a dict is expected.
        details = list((failure_event.event_details or {}).values())
        if details and not isinstance(details[0], dict):
            return {"Error": "", "Cause": ""}
        return construct_error_output(failure_event)

    def _set_error(env: Any, error: Any) -> None:
        if isinstance(env._program_state, ProgramStopped):
            return  # an aborted execution stays ABORTED, whatever its Map state reports afterwards
        set_error(env, error)

    shim = types.SimpleNamespace(datetime=_AwsDatetime, timezone=_dt.timezone)
    with mock.patch.object(state_module, "datetime", shim), \
            mock.patch.object(ExecutionState, "_construct_error_output_value", staticmethod(_error_output)), \
            mock.patch.object(Environment, "set_error", _set_error):
        yield


def _none_running(state_machine_arn: str) -> bool:
    """True if the in-process moto server knows the machine and none of its executions runs.

    Asking moto in process costs nothing; asking over HTTP costs a paginated call, and every test's
    teardown asks (most tests start no timer).
    """
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    for account in stepfunctions_parser_backends.values():
        for backend in account.values():
            for machine in backend.state_machines:
                if machine.arn == state_machine_arn:
                    return all(e.status != "RUNNING" for e in machine.executions)
    return False  # not found here: ask over HTTP


def stop_running(state_machine_arn: str) -> list[str]:
    """Stop every RUNNING execution of the machine; returns their ARNs."""
    from botocore.exceptions import ClientError

    if _none_running(state_machine_arn):
        return []
    sfn = boto3.client("stepfunctions")
    stopped = []
    for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=state_machine_arn,
                                                               statusFilter="RUNNING"):
        for execution in page["executions"]:
            for attempt in range(20):
                try:
                    sfn.stop_execution(executionArn=execution["executionArn"], cause="test teardown")
                    break
                except ClientError:
                    # moto fails to stop an execution whose worker thread has not set up yet; AWS never does.
                    if attempt == 19:
                        raise
                    time.sleep(0.05)
            stopped.append(execution["executionArn"])
    return stopped


def wait_for_execution(arn: str, status: str = "SUCCEEDED", timeout: float = 10.0) -> dict[str, Any]:
    """Poll until the execution has ``status``; fail fast if it ends in another one."""
    sfn = boto3.client("stepfunctions")
    deadline = time.monotonic() + timeout
    while True:
        described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
        if described["status"] == status:
            return described
        if described["status"] != "RUNNING":
            raise AssertionError(f"{arn} ended {described['status']} ({described.get('error')}: "
                                 f"{described.get('cause')}), not {status}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{arn} is still RUNNING after {timeout} s, not {status}")
        time.sleep(0.05)


def history(arn: str) -> list[dict[str, Any]]:
    sfn = boto3.client("stepfunctions")
    events: list[dict[str, Any]] = []
    for page in sfn.get_paginator("get_execution_history").paginate(executionArn=arn):
        events.extend(page["events"])
    return events


def states_entered(arn: str) -> list[str]:
    """The names of the states the execution entered, in order: what Step Functions bills."""
    return [e["stateEnteredEventDetails"]["name"] for e in history(arn) if e["type"].endswith("StateEntered")]


def _fire(due_by: _dt.datetime | None) -> int:
    """Fire the SLA schedule group's schedules due by ``due_by`` (all if None), as Scheduler would."""
    from chalicelib.config import get_settings
    from devstack.pollers import fire_schedules

    return fire_schedules(get_settings().sla_schedule_group, due_by)


def scheduled() -> list[str]:
    """The names of the SLA timers still waiting as schedules."""
    from chalicelib.config import get_settings

    scheduler = boto3.client("scheduler")
    group = get_settings().sla_schedule_group
    return [s["Name"] for page in scheduler.get_paginator("list_schedules").paginate(GroupName=group)
            for s in page["Schedules"]]


class SlaClock:
    """Decides when moto's Wait states end. Install once; tests call ``release``/``advance_to``."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._released = False
        self._horizon: _dt.datetime | None = None
        self._waiting: Counter[str] = Counter()
        self._patch: Any = None
        self.fired = 0  # schedules fired: what EventBridge Scheduler bills

    # -- what tests call ---------------------------------------------------------------------

    def release(self) -> None:
        """Fire every schedule and wake every pending wait; from now on waits return at once."""
        with self._changed:
            self._released = True
            self._changed.notify_all()
        self.fired += _fire(None)

    def advance_to(self, moment: str | _dt.datetime) -> None:
        """Fire the schedules and wake the waits due at or before ``moment`` (ISO text or datetime);
        later ones keep waiting. Schedules are in whole seconds, rounded up from the wake."""
        at = clock.parse_iso(moment) if isinstance(moment, str) else moment
        with self._changed:
            self._horizon = at if self._horizon is None else max(self._horizon, at)
            self._changed.notify_all()
        self.fired += _fire(at)

    def fire_scheduled(self) -> int:
        """Start every scheduled timer's execution now; its waits still wait for the clock. Returns how many."""
        fired = _fire(None)
        self.fired += fired
        return fired

    def waiting(self, execution_arn: str) -> bool:
        with self._changed:
            return self._waiting[execution_arn] > 0

    def wait_until_waiting(self, execution_arn: str, timeout: float = 10.0) -> None:
        """Block until the execution sits in a Wait state (so what follows happens while it waits)."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._waiting[execution_arn] > 0, timeout=timeout):
                raise AssertionError(f"{execution_arn} never reached a Wait state")

    # -- the patch ---------------------------------------------------------------------------

    def install(self) -> None:
        owner = self

        def _wait_interval(wait_function: Any, env: Any, wait_seconds: int) -> None:
            owner._wait(env, wait_seconds)

        self._patch = mock.patch(_WAIT_TARGET, _wait_interval)
        self._patch.start()

    def uninstall(self) -> None:
        with self._changed:  # nothing may stay blocked on a clock nobody controls any more (fires nothing)
            self._released = True
            self._changed.notify_all()
        if self._patch is not None:
            self._patch.stop()
            self._patch = None

    def _due(self, due: _dt.datetime) -> bool:
        return self._released or (self._horizon is not None and due <= self._horizon)

    def _wait(self, env: Any, wait_seconds: int) -> None:
        if wait_seconds <= 0:  # the moment has passed: AWS does not wait either
            return
        # moto hands over whole seconds to wait, already truncated: the wake is due at most 1 s later.
        due = _dt.datetime.now(_dt.UTC) + _dt.timedelta(seconds=wait_seconds)  # moto measures real time
        deadline = time.monotonic() + wait_seconds
        execution = str(env.states.context_object.context_object_data["Execution"]["Id"])
        with self._changed:
            self._waiting[execution] += 1
            self._changed.notify_all()
            try:
                while env.is_running() and not self._due(due):
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    self._changed.wait(min(remaining, _POLL_SECONDS))
            finally:
                self._waiting[execution] -= 1
