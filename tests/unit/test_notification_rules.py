"""Who hears of what, in which words, and who may read which mailbox (domain/notifications.py)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from chalicelib.domain.identity import Caller
from chalicelib.domain.notifications import (
    DESK,
    LEADERSHIP,
    SUPERVISORS,
    MalformedEvent,
    ReportFacts,
    audience_of,
    expires_at,
    mailboxes_for,
    notification_id,
    recipients,
    render,
    valid_notification_id,
    validate_event,
)

AT = "2026-11-24T05:00:00.000Z"
FACTS = ReportFacts(tenant="kupang", report_id="01JDQ8Z6Y0K7W3V5T2R9N4M1PA", tracking_code="KPG-7Q4M2X",
                    category="garbage", agency="DLH", status="dispatched", reporter_sub="sub-ani",
                    receipt_hash=None, privacy="public", assignee=None, timezone="Asia/Makassar")
ANONYMOUS = dataclasses.replace(FACTS, reporter_sub=None, receipt_hash="ab" * 32, privacy="anonymous")
MISCONDUCT = dataclasses.replace(FACTS, category="misconduct", agency="INSPEKTORAT", privacy="confidential")


def transition(action: str, before: str, after: str, role: str = "desk", **extra: Any) -> dict[str, Any]:
    event = {"type": "report.transitioned", "tenant": "kupang", "report_id": FACTS.report_id,
             "event_id": f"{AT}#01JDQ8Z6Y0K7W3V5T2R9N4M1PB", "action": action, "from": before, "to": after,
             "role": role, "agency": "DLH", "assignee": None, "note": None, "at": AT}
    event.update(extra)
    return validate_event(event)


def timer(kind: str, stage: str, audience: str | None = None, level: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {"type": kind, "tenant": "kupang", "report_id": FACTS.report_id, "stage": stage,
                             "seq": "2", "at": AT}
    if audience:
        event.update(audience=audience, due_at="2026-11-24T04:00:00Z")
    if level:
        event["level"] = level
    return validate_event(event)


# -- recipients -------------------------------------------------------------------------------


def test_verification_tells_the_reporter_and_the_unit_it_was_dispatched_to():
    assert recipients(transition("verify", "submitted", "dispatched"), FACTS) == ["user#sub-ani", "unit#DLH"]


def test_an_anonymous_reporter_is_told_through_their_receipt_mailbox():
    assert recipients(transition("verify", "submitted", "dispatched"), ANONYMOUS)[0] == f"receipt#{'ab' * 32}"


@pytest.mark.parametrize(("action", "before", "after"), [
    ("reject", "submitted", "rejected"), ("hold", "submitted", "on_hold"),
    ("acknowledge", "dispatched", "acknowledged"), ("resolve", "in_progress", "resolved"),
])
def test_status_changes_that_matter_reach_the_reporter(action, before, after):
    assert "user#sub-ani" in recipients(transition(action, before, after, role="officer"), FACTS)


def test_a_start_or_a_private_note_does_not_disturb_the_reporter():
    assert recipients(transition("start", "acknowledged", "in_progress", role="officer"), FACTS) == []
    assert recipients(transition("note", "in_progress", "in_progress", role="officer"), FACTS) == []


def test_a_public_staff_note_reaches_the_reporter():
    event = transition("note", "in_progress", "in_progress", role="officer", note="Tim menuju lokasi")
    assert recipients(event, FACTS) == ["user#sub-ani"]


@pytest.mark.parametrize(("action", "before", "after"), [
    ("answer", "on_hold", "submitted"), ("confirm", "resolved", "closed"), ("dispute", "resolved", "dispatched"),
    ("note", "in_progress", "in_progress"),
])
def test_the_reporter_is_never_told_of_their_own_actions(action, before, after):
    event = transition(action, before, after, role="reporter", note="sudah saya kirim")
    assert "user#sub-ani" not in recipients(event, FACTS)


def test_an_answer_to_the_desks_question_goes_to_the_desk():
    assert recipients(transition("answer", "on_hold", "submitted", role="reporter"), FACTS) == [DESK]


def test_an_answer_after_dispatch_goes_to_the_unit():
    assert recipients(transition("answer", "in_progress", "in_progress", role="reporter"), FACTS) == ["unit#DLH"]


def test_a_dispute_reopens_the_report_for_the_unit_and_tells_the_desk():
    assert recipients(transition("dispute", "resolved", "dispatched", role="reporter"), FACTS) == ["unit#DLH", DESK]


def test_a_reassignment_tells_the_new_unit_named_by_the_event():
    event = transition("reassign", "dispatched", "dispatched", agency="PUPR")
    assert recipients(event, FACTS) == ["unit#PUPR"]


def test_an_assignment_tells_the_assigned_officer_only():
    event = transition("assign", "acknowledged", "acknowledged", role="supervisor", assignee="sub-officer")
    assert recipients(event, FACTS) == ["user#sub-officer"]


@pytest.mark.parametrize(("audience", "mailbox"), [
    ("unit", "unit#DLH"), ("unit_head", SUPERVISORS), ("coordinator", SUPERVISORS), ("desk", DESK),
    ("leadership", LEADERSHIP),
])
def test_escalations_reach_their_audience_and_always_the_desk(audience, mailbox):
    boxes = recipients(timer("report.escalated", "first_response", audience, level="1"), FACTS)
    assert boxes[0] == mailbox
    assert DESK in boxes
    assert len(boxes) == len(set(boxes))


def test_reminders_reach_their_audience_only():
    assert recipients(timer("report.reminder", "first_response", "unit"), FACTS) == ["unit#DLH"]
    assert recipients(timer("report.reminder", "auto_close", "reporter"), FACTS) == ["user#sub-ani"]
    assert recipients(timer("report.reminder", "auto_close", "reporter"), ANONYMOUS) == [f"receipt#{'ab' * 32}"]


def test_an_auto_close_tells_the_reporter():
    assert recipients(timer("report.auto_closed", "auto_close"), FACTS) == ["user#sub-ani"]


def test_misconduct_never_reaches_a_unit_other_than_the_inspectorate():
    assert recipients(timer("report.escalated", "resolution", "unit", level="1"), MISCONDUCT) == \
        ["unit#INSPEKTORAT", DESK]
    misrouted = dataclasses.replace(MISCONDUCT, agency="DLH")
    assert recipients(timer("report.escalated", "resolution", "unit", level="1"), misrouted) == [DESK]
    assert recipients(transition("reassign", "dispatched", "dispatched", agency="DLH"), MISCONDUCT) == []
    assert recipients(transition("verify", "submitted", "dispatched", agency="DLH"), MISCONDUCT) == ["user#sub-ani"]


def test_a_tenant_may_name_its_inspectorate_unit_differently():
    own = dataclasses.replace(MISCONDUCT, agency="ITDA", inspectorate="ITDA")
    assert recipients(timer("report.escalated", "resolution", "unit", level="1"), own)[0] == "unit#ITDA"


def test_mailboxes_map_to_channel_audiences():
    assert audience_of("user#sub-ani", FACTS) == "reporter"
    assert audience_of(f"receipt#{'ab' * 32}", ANONYMOUS) == "reporter"
    assert audience_of("user#sub-officer", FACTS) == "unit"
    assert audience_of("unit#DLH", FACTS) == "unit"
    assert audience_of(DESK, FACTS) == "desk"
    assert audience_of(SUPERVISORS, FACTS) == "supervisor"
    assert audience_of(LEADERSHIP, FACTS) == "leadership"


# -- events and ids ---------------------------------------------------------------------------


def test_notification_ids_sort_by_time_and_repeat_for_the_same_event():
    first = notification_id(transition("verify", "submitted", "dispatched"))
    assert first == notification_id(transition("verify", "submitted", "dispatched"))
    assert first.startswith(AT + "#")
    assert valid_notification_id(first)
    escalation = notification_id(timer("report.escalated", "first_response", "unit", level="1"))
    assert escalation != notification_id(timer("report.escalated", "first_response", "unit", level="2"))
    assert FACTS.report_id in escalation  # two reports escalating at the same instant do not collide


def test_event_times_are_normalised_and_expire_after_180_days():
    event = validate_event({"type": "report.auto_closed", "tenant": "kupang", "report_id": FACTS.report_id,
                            "stage": "auto_close", "seq": 3, "at": "2026-11-24T13:00:00+08:00"})
    assert event["at"] == AT
    assert event["seq"] == "3"
    assert expires_at(event) - 1795496400 == 180 * 86400


@pytest.mark.parametrize("event", [
    None, [], {"type": "report.created"}, {"type": "report.auto_closed", "tenant": "Kupang!"},
    {"type": "report.auto_closed", "tenant": "kupang", "report_id": "x", "stage": "auto_close", "seq": "1"},
    {"type": "report.auto_closed", "tenant": "kupang", "report_id": "x y", "stage": "s", "seq": "1", "at": AT},
    {"type": "report.transitioned", "tenant": "kupang", "report_id": "x", "at": AT, "action": "verify"},
    {"type": "report.escalated", "tenant": "kupang", "report_id": "x", "stage": "s", "seq": "1", "at": AT,
     "audience": "desk"},
    {"type": "report.reminder", "tenant": "kupang", "report_id": "x", "stage": "s", "seq": "1", "at": "yesterday",
     "audience": "desk"},
])
def test_events_that_break_the_contract_are_rejected(event):
    with pytest.raises(MalformedEvent):
        validate_event(event)


# -- messages ---------------------------------------------------------------------------------


def _all_text(message: dict[str, dict[str, str]]) -> str:
    return " ".join(message[part][lang] for part in ("title", "body") for lang in ("id", "en"))


def test_a_verification_message_names_code_status_and_unit_in_both_languages():
    message = render(transition("verify", "submitted", "dispatched"), FACTS)
    assert message["title"] == {"id": "Laporan KPG-7Q4M2X diverifikasi", "en": "Report KPG-7Q4M2X verified"}
    assert "Diteruskan ke dinas" in message["body"]["id"]
    assert "Forwarded to the agency" in message["body"]["en"]
    assert "DLH" in message["body"]["id"]
    assert "Sampah dan kebersihan" in message["body"]["id"]
    assert "Garbage and cleanliness" in message["body"]["en"]


def test_an_escalation_message_names_stage_level_and_local_due_time():
    message = render(timer("report.escalated", "first_response", "unit_head", level="2"), FACTS)
    assert message["title"] == {"id": "Eskalasi tingkat 2: laporan KPG-7Q4M2X",
                                "en": "Escalation level 2: report KPG-7Q4M2X"}
    assert "tanggapan pertama" in message["body"]["id"]
    assert "first response" in message["body"]["en"]
    assert "24-11-2026 12:00 WITA" in message["body"]["id"]  # 04:00 UTC in Kupang


def test_every_message_names_the_code_and_never_personal_data():
    note = "Pak Budi, mohon kirim foto KTP Anda"
    events = [transition(a, "submitted", "dispatched", note=note, assignee="sub-officer")
              for a in ("verify", "reject", "hold", "answer", "acknowledge", "assign", "reassign", "note", "start",
                        "resolve", "confirm", "dispute", "merge")]
    events += [timer("report.reminder", "auto_close", "reporter"), timer("report.reminder", "resolution", "unit"),
               timer("report.escalated", "resolution", "leadership", level="3"),
               timer("report.auto_closed", "auto_close")]
    for event in events:
        for facts in (FACTS, ANONYMOUS):
            text = _all_text(render(event, facts))
            assert text.count("KPG-7Q4M2X") >= 4, event
            assert "Status:" in text
            for secret in ("sub-ani", "sub-officer", "ab" * 32, "KTP", "Budi"):
                assert secret not in text, (event["type"], event.get("action"))


def test_a_message_without_a_unit_still_reads_well():
    facts = dataclasses.replace(FACTS, agency=None)
    message = render(transition("acknowledge", "dispatched", "acknowledged", agency=None), facts)
    assert "dinas terkait" in message["title"]["id"]
    assert "the agency" in message["title"]["en"]


# -- who may read what ------------------------------------------------------------------------


def test_a_citizen_reads_their_own_mailbox_and_a_receipt_holder_the_receipts():
    assert mailboxes_for(Caller("sub-ani"), "kupang", None) == ["user#sub-ani"]
    assert mailboxes_for(None, "kupang", "cd" * 32) == [f"receipt#{'cd' * 32}"]
    assert mailboxes_for(None, "kupang", None) == []


def test_staff_read_the_mailboxes_of_their_roles_in_their_own_tenant():
    officer = Caller("sub-o", frozenset({"officer"}), "kupang", "DLH")
    assert mailboxes_for(officer, "kupang", None) == ["user#sub-o", "unit#DLH"]
    supervisor = Caller("sub-s", frozenset({"supervisor"}), "kupang")
    assert mailboxes_for(supervisor, "kupang", None) == ["user#sub-s", SUPERVISORS, LEADERSHIP]
    admin = Caller("sub-a", frozenset({"tenant_admin"}), "kupang")
    assert mailboxes_for(admin, "kupang", None) == ["user#sub-a", DESK]


def test_staff_of_another_tenant_get_nothing_of_this_one():
    for roles in ({"officer"}, {"supervisor"}, {"tenant_admin"}):
        caller = Caller("sub-k", frozenset(roles), "karo", "DLH")
        assert mailboxes_for(caller, "kupang", None) == []


def test_a_platform_admin_reads_only_their_own_mailbox():
    assert mailboxes_for(Caller("sub-p", frozenset({"platform_admin"})), "kupang", None) == ["user#sub-p"]
