"""SLA timers as product rules: the state machine really runs in moto, on a clock the test controls.

Reports are written straight through the model (the API that moves them between stages is not part
of this), timers are started and stopped through the adapter, and lifecycle events are read from an
SQS queue subscribed to the topic, as the notifier will read them. A timer whose first wake is far
off waits as an EventBridge Scheduler schedule; the clock fires it (``sla_clock.fire_scheduled()``
where a test is about what the running execution does before that wake).
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import boto3
import pytest
from ulid import ULID

from chalicelib import clock
from chalicelib.adapters import timers
from chalicelib.store.models import LadderStep, ReportEventModel, ReportModel
from tests.integration.sla_clock import scheduled, states_entered, wait_for_execution

TENANT = "kupang"
AGENCY = "DLH"


def later(days: float) -> str:
    return clock.iso(clock.now() + timedelta(days=days))


def just_after(moment: str) -> str:
    """A second after ``moment``: a schedule fires in whole seconds, rounded up from its wake."""
    return clock.iso(clock.parse_iso(moment) + timedelta(seconds=1))


class Lifecycle:
    """An SQS queue subscribed to the lifecycle topic with raw delivery: the events exactly as published."""

    def __init__(self, topic_arn: str) -> None:
        self.sqs = boto3.client("sqs")
        self.url = self.sqs.create_queue(QueueName=f"test-lifecycle-{ULID()}")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        boto3.client("sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn,
                                      Attributes={"RawMessageDelivery": "true"})
        self.received: list[dict[str, Any]] = []

    def _drain(self) -> None:
        while True:
            messages = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10,
                                                MessageAttributeNames=["All"]).get("Messages", [])
            if not messages:
                return
            for message in messages:
                event = json.loads(message["Body"])
                assert message["MessageAttributes"]["type"] == {"DataType": "String", "StringValue": event["type"]}
                self.received.append(event)
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])

    def events(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Wait until at least ``count`` events arrived; returns all of them, in publishing order."""
        deadline = time.monotonic() + timeout
        while True:
            self._drain()
            if len(self.received) >= count or time.monotonic() > deadline:
                return list(self.received)
            time.sleep(0.05)


@pytest.fixture
def lifecycle(stack: Any) -> Lifecycle:
    return Lifecycle(stack.resources.lifecycle_topic_arn)


def new_report(*, stage: str = "verification", seq: int = 1, status: str = "submitted", listed: bool = True,
               remind_in: float | None = 1, due_in: float = 2, ladder_in: tuple[float, ...] = (2, 6)) -> ReportModel:
    """A report with a running stage clock, as the app stores it (queue keys included)."""
    now = clock.iso(clock.now())
    report = ReportModel(
        TENANT, str(ULID()), tracking_code="KPG-TEST", category="garbage", agency=AGENCY,
        description="Sampah menumpuk di depan pasar Oeba", lat=-10.1772, lon=123.607, privacy="public",
        status=status, created_at=now, updated_at=now,
        stage=stage, stage_seq=seq, stage_started_at=now, due_at=later(due_in),
        remind_at=later(remind_in) if remind_in is not None else None,
        ladder=[LadderStep(level=level, audience=audience, at=later(days))
                for level, (audience, days) in enumerate(zip(("unit_head", "coordinator"), ladder_in, strict=False),
                                                         start=1)],
        unit=f"{TENANT}#{AGENCY}", unit_status=f"{TENANT}#{AGENCY}#{status}", due_key=f"{later(due_in)}#x",
    )
    if stage == "verification":
        report.desk = f"{TENANT}#{status}"
    if listed:
        report.feed = TENANT
        report.feed_category = f"{TENANT}#garbage"
        report.feed_status = f"{TENANT}#{status}"
        report.feed_category_status = f"{TENANT}#garbage#{status}"
    report.save()
    return report


def start_timer(report: ReportModel) -> str:
    ladder = [step.as_dict() for step in report.ladder or []]
    assert timers.start(tenant=report.tenant, report_id=report.report_id, stage=report.stage, seq=report.stage_seq,
                        due_at=report.due_at, remind_at=report.remind_at, ladder=ladder, agency=report.agency,
                        category=report.category, listed=report.feed is not None) is True
    return timers.execution_arn(report.tenant, report.report_id, report.stage, report.stage_seq)


def reloaded(report: ReportModel) -> ReportModel:
    return ReportModel.get(report.tenant, report.report_id, consistent_read=True)


def history_of(report: ReportModel) -> list[ReportEventModel]:
    return list(ReportEventModel.query(f"{report.tenant}#{report.report_id}"))


# -- escalation ------------------------------------------------------------------------------------


def test_a_breach_escalates_the_report_and_tells_the_next_level(stack, sla_clock, lifecycle):
    report = new_report(remind_in=None)
    start_timer(report)

    sla_clock.advance_to(just_after(report.ladder[0].at))  # the deadline passes; level 2 is days away
    (event,) = lifecycle.events(1)

    after = reloaded(report)
    assert after.escalation_level == 1 and after.breached is True
    assert after.version > report.version  # the timer's write is visible to optimistic locking
    assert after.stage == "verification" and after.status == "submitted"  # escalation is not a transition
    assert event == {"type": "report.escalated", "tenant": TENANT, "report_id": report.report_id,
                     "stage": "verification", "seq": 1, "level": 1, "audience": "unit_head",
                     "due_at": report.due_at, "at": after.escalated_at}
    assert after.escalated_at.endswith("Z")
    (entry,) = history_of(report)
    assert entry.action == "escalate" and entry.role == "system" and entry.visibility == "public"
    assert entry.event_id == f"{report.ladder[0].at}#escalate-verification-1-1"
    assert entry.at == after.escalated_at
    assert entry.details.as_dict() == {"stage": "verification", "level": 1, "audience": "unit_head"}


def test_a_reminder_comes_first_and_each_later_level_escalates_again(stack, sla_clock, lifecycle):
    report = new_report(remind_in=1, ladder_in=(2, 6))
    arn = start_timer(report)

    sla_clock.release()
    wait_for_execution(arn, "SUCCEEDED")

    events = lifecycle.events(3)
    assert [(e["type"], e.get("level"), e["audience"]) for e in events] == [
        ("report.reminder", None, "desk"), ("report.escalated", 1, "unit_head"), ("report.escalated", 2, "coordinator")]
    assert events[0]["due_at"] == report.due_at
    after = reloaded(report)
    assert after.escalation_level == 2 and after.breached is True
    assert after.version == report.version + 2  # one bump per escalation, none for the reminder
    assert [e.details["level"] for e in history_of(report)] == [1, 2]


def test_an_escalation_already_recorded_is_not_recorded_twice(stack, sla_clock, lifecycle):
    # What a retried PutItem meets: its own entry. The timer takes it as done and still announces.
    report = new_report(remind_in=None, ladder_in=(2,))
    step = report.ladder[0]
    ReportEventModel(f"{TENANT}#{report.report_id}", f"{step.at}#escalate-verification-1-1", tenant=TENANT,
                     report_id=report.report_id, at=step.at, action="escalate", role="system").save()
    arn = start_timer(report)

    sla_clock.release()
    wait_for_execution(arn, "SUCCEEDED")

    assert len(history_of(report)) == 1
    assert [e["type"] for e in lifecycle.events(1)] == ["report.escalated"]
    assert reloaded(report).escalation_level == 1


# -- a stage that ends before its deadline ---------------------------------------------------------


def _move_on(report: ReportModel, how: str) -> None:
    if how == "next stage run":
        report.stage_seq = 2
        report.save()
    elif how == "next stage":
        report.stage, report.stage_seq = "first_response", 2
        report.save()
    else:
        report.delete()


@pytest.mark.parametrize("how", ["next stage run", "next stage", "report deleted"])
def test_a_stage_that_moved_on_is_neither_reminded_nor_escalated(stack, sla_clock, lifecycle, how):
    report = new_report(remind_in=1)
    arn = start_timer(report)
    sla_clock.fire_scheduled()  # the schedule fired, and the stop it should have had got lost
    sla_clock.wait_until_waiting(arn)
    _move_on(report, how)
    before = reloaded(report) if how != "report deleted" else None

    sla_clock.release()
    wait_for_execution(arn, "SUCCEEDED")

    assert "Escalate" not in states_entered(arn) and "AnnounceReminder" not in states_entered(arn)
    if before is not None:
        after = reloaded(report)
        assert after.version == before.version and after.escalation_level == 0 and after.breached is False
    assert history_of(report) == []
    assert lifecycle.events(0, timeout=0.3) == []


def test_stopping_the_timer_aborts_it_and_nothing_is_published(stack, sla_clock, lifecycle):
    report = new_report(remind_in=1)
    arn = start_timer(report)
    sla_clock.fire_scheduled()  # its execution runs: a stop after the schedule fired stops that
    sla_clock.wait_until_waiting(arn)

    assert timers.stop(tenant=TENANT, report_id=report.report_id, stage="verification", seq=1) is True
    wait_for_execution(arn, "ABORTED")
    sla_clock.release()

    assert lifecycle.events(0, timeout=0.3) == []
    assert reloaded(report).version == report.version
    # Stopping again, or a timer that never ran, is not an error (a redelivered stream record).
    assert timers.stop(tenant=TENANT, report_id=report.report_id, stage="verification", seq=1) is True
    assert timers.stop(tenant=TENANT, report_id=report.report_id, stage="verification", seq=9) is False


def test_an_execution_stopped_while_it_sleeps_costs_one_state_transition(stack, sla_clock):
    report = new_report(remind_in=1)
    arn = start_timer(report)
    sla_clock.fire_scheduled()  # as when the wake is near, or the schedule fired a moment before the stop
    sla_clock.wait_until_waiting(arn)

    timers.stop(tenant=TENANT, report_id=report.report_id, stage="verification", seq=1)
    wait_for_execution(arn, "ABORTED")

    entered = states_entered(arn)
    assert entered == ["Sleep"], entered


def test_starting_the_same_stage_twice_runs_one_timer(stack, sla_clock):
    report = new_report(remind_in=1 / 1440)  # a wake a minute away: the execution starts at once
    arn = start_timer(report)
    again = {"tenant": TENANT, "report_id": report.report_id, "stage": "verification", "seq": 1,
             "due_at": report.due_at, "remind_at": report.remind_at,
             "ladder": [step.as_dict() for step in report.ladder]}

    assert timers.start(**again) is False  # while it runs
    sla_clock.wait_until_waiting(arn)  # moto cannot stop an execution whose worker has not started yet
    timers.stop(tenant=TENANT, report_id=report.report_id, stage="verification", seq=1)
    wait_for_execution(arn, "ABORTED")
    assert timers.start(**again) is False  # and after it ended: a stage run is timed once

    executions = boto3.client("stepfunctions").list_executions(
        stateMachineArn=stack.resources.sla_state_machine_arn)["executions"]
    assert [e["executionArn"] for e in executions] == [arn]


# -- waiting for the first wake as a schedule --------------------------------------------------------


def _executions(stack: Any) -> list[str]:
    sfn = boto3.client("stepfunctions")
    return [e["executionArn"] for e in sfn.list_executions(stateMachineArn=stack.resources.sla_state_machine_arn)
            ["executions"]]


def test_a_stage_that_ends_before_its_first_wake_never_starts_an_execution(stack, sla_clock, lifecycle):
    report = new_report(remind_in=1)
    start_timer(report)
    name = timers.schedule_name(TENANT, report.report_id, "verification", 1)
    assert scheduled() == [name] and _executions(stack) == []

    assert timers.stop(tenant=TENANT, report_id=report.report_id, stage="verification", seq=1) is True
    sla_clock.release()  # every wake comes: nothing is left to fire

    assert scheduled() == [] and sla_clock.fired == 0
    assert _executions(stack) == []  # no execution, so not a single state transition
    assert reloaded(report).version == report.version
    assert lifecycle.events(0, timeout=0.3) == []


def test_the_schedule_starts_the_execution_at_the_first_wake_rounded_up_to_the_second(stack, sla_clock):
    report = new_report(remind_in=1)
    report.remind_at = report.remind_at[:-5] + ".500Z"  # half-way through its second
    report.save()
    arn = start_timer(report)
    schedule = boto3.client("scheduler").get_schedule(
        GroupName=stack.resources.sla_schedule_group, Name=timers.schedule_name(TENANT, report.report_id,
                                                                                "verification", 1))
    next_second = clock.parse_iso(report.remind_at).replace(microsecond=0) + timedelta(seconds=1)
    assert schedule["ScheduleExpression"] == f"at({next_second:%Y-%m-%dT%H:%M:%S})"
    assert (schedule["ScheduleExpressionTimezone"], schedule["FlexibleTimeWindow"], schedule["ActionAfterCompletion"]) \
        == ("UTC", {"Mode": "OFF"}, "DELETE")
    assert schedule["Target"]["RoleArn"] == stack.resources.sla_scheduler_role_arn
    started = json.loads(schedule["Target"]["Input"])
    assert (started["StateMachineArn"], started["Name"]) == (stack.resources.sla_state_machine_arn, arn.split(":")[-1])
    assert json.loads(started["Input"])["first"]["at"] == report.remind_at

    sla_clock.advance_to(report.remind_at)  # the wake's second has not ended yet: nothing fires
    assert _executions(stack) == [] and sla_clock.fired == 0
    sla_clock.advance_to(just_after(report.remind_at))
    assert _executions(stack) == [arn] and sla_clock.fired == 1 and scheduled() == []


def test_a_redelivered_start_does_not_schedule_the_timer_twice(stack, sla_clock):
    report = new_report(remind_in=1)
    start_timer(report)
    again = {"tenant": TENANT, "report_id": report.report_id, "stage": "verification", "seq": 1,
             "due_at": report.due_at, "remind_at": report.remind_at,
             "ladder": [step.as_dict() for step in report.ladder]}

    assert timers.start(**again) is False
    assert scheduled() == [timers.schedule_name(TENANT, report.report_id, "verification", 1)]
    sla_clock.release()
    assert sla_clock.fired == 1 and len(_executions(stack)) == 1


def test_a_schedule_that_fires_for_a_timer_already_running_starts_no_second_execution(stack, sla_clock):
    # The stage's timer runs (its schedule fired); a start redelivered before its wake schedules it again.
    report = new_report(remind_in=1)
    arn = start_timer(report)
    sla_clock.fire_scheduled()
    assert timers.start(tenant=TENANT, report_id=report.report_id, stage="verification", seq=1,
                        due_at=report.due_at, remind_at=report.remind_at,
                        ladder=[step.as_dict() for step in report.ladder]) is True
    assert sla_clock.fire_scheduled() == 1  # StartExecution answers ExecutionAlreadyExists: nothing new

    assert _executions(stack) == [arn] and scheduled() == []


def test_a_stop_after_the_schedule_fired_stops_the_execution(stack, sla_clock, lifecycle):
    report = new_report(remind_in=1, ladder_in=(2, 6))
    arn = start_timer(report)
    sla_clock.advance_to(just_after(report.remind_at))  # the reminder fires the schedule; escalations wait
    (reminder,) = lifecycle.events(1)
    assert reminder["type"] == "report.reminder"
    sla_clock.wait_until_waiting(arn)

    assert timers.stop(tenant=TENANT, report_id=report.report_id, stage="verification", seq=1) is True
    wait_for_execution(arn, "ABORTED")
    sla_clock.release()
    assert lifecycle.events(1, timeout=0.3) == [reminder]
    assert reloaded(report).escalation_level == 0


def test_a_first_wake_already_near_starts_the_execution_directly(stack, sla_clock):
    report = new_report(remind_in=1 / 1440)  # a minute away: sooner than a schedule could be relied on
    arn = start_timer(report)

    assert scheduled() == [] and _executions(stack) == [arn]
    sla_clock.wait_until_waiting(arn)
    assert timers.stop(tenant=TENANT, report_id=report.report_id, stage="verification", seq=1) is True
    wait_for_execution(arn, "ABORTED")


# -- auto-close ------------------------------------------------------------------------------------


@pytest.mark.parametrize("listed", [True, False])
def test_auto_close_closes_a_resolved_report_the_reporter_did_not_answer(stack, sla_clock, lifecycle, listed):
    report = new_report(stage="auto_close", seq=4, status="resolved", listed=listed, remind_in=1, due_in=3,
                        ladder_in=())
    arn = start_timer(report)

    sla_clock.release()
    wait_for_execution(arn, "SUCCEEDED")
    stack.drain_stream()  # the close's history entry and announcement follow from its stream record

    after = reloaded(report)
    assert after.status == "closed" and after.closed_at.endswith("Z")
    assert after.version == report.version + 1
    assert after.unit_status == f"{TENANT}#{AGENCY}#closed"
    assert after.due_key == f"~{after.closed_at}#{report.report_id}"  # sorts after every open report
    assert (after.stage, after.due_at, after.remind_at, after.ladder, after.unit, after.desk) == (None,) * 6
    if listed:
        assert after.feed_status == f"{TENANT}#closed"
        assert after.feed_category_status == f"{TENANT}#garbage#closed"
    else:  # a report kept off the public lists must stay off them
        assert (after.feed, after.feed_status, after.feed_category_status) == (None, None, None)

    (entry,) = history_of(report)
    assert (entry.action, entry.from_status, entry.to_status, entry.role, entry.visibility) == (
        "auto_close", "resolved", "closed", "system", "public")
    assert entry.event_id == f"{report.due_at}#auto_close-4" and entry.at == after.closed_at

    reminder, closed = lifecycle.events(2)
    assert (reminder["type"], reminder["audience"]) == ("report.reminder", "reporter")
    assert closed == {"type": "report.auto_closed", "tenant": TENANT, "report_id": report.report_id,
                      "stage": "auto_close", "seq": 4, "at": after.closed_at}


def test_a_redelivered_auto_close_writes_one_history_entry(stack, sla_clock, lifecycle):
    from chalicelib.events.report_changes import _plain, apply_change

    report = new_report(stage="auto_close", seq=4, status="resolved", remind_in=None, due_in=3, ladder_in=())
    before = _plain(report.serialize())
    arn = start_timer(report)
    sla_clock.release()
    wait_for_execution(arn, "SUCCEEDED")
    after = _plain(reloaded(report).serialize())

    apply_change(before, after, "stream-event-1")
    apply_change(before, after, "stream-event-1")  # Lambda hands a failed batch over again

    (entry,) = history_of(report)
    assert entry.event_id == f"{report.due_at}#auto_close-4"
    assert [e["type"] for e in lifecycle.events(2)] == ["report.auto_closed"] * 2  # the notifier dedupes these


@pytest.mark.parametrize("answer", ["closed", "in_progress"])  # confirmed, or disputed and reopened
def test_auto_close_leaves_a_report_the_reporter_answered(stack, sla_clock, lifecycle, answer):
    report = new_report(stage="auto_close", seq=4, status="resolved", remind_in=None, due_in=3, ladder_in=())
    arn = start_timer(report)
    sla_clock.fire_scheduled()
    sla_clock.wait_until_waiting(arn)
    # The answer lands just before the deadline; its own timer stop has not arrived yet.
    report.status = answer
    report.save()

    sla_clock.release()
    wait_for_execution(arn, "SUCCEEDED")

    after = reloaded(report)
    assert after.status == answer and after.version == report.version and after.closed_at is None
    assert history_of(report) == []
    assert lifecycle.events(0, timeout=0.3) == []
