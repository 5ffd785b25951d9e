"""What a report's change adds to the dashboards, and the windows they are read over."""

from __future__ import annotations

from datetime import date

from chalicelib.domain import grading, stats

BASE = {"tenant": "kupang", "report_id": "R1", "agency": "DLH", "area": "ALAK", "created_at": "2026-12-01T01:00:00Z"}


def _item(**fields):
    return {**BASE, **fields}


def test_a_new_report_is_received_in_its_unit_and_area_on_its_local_day():
    new = _item(status="submitted", stage="verification", stage_seq=1,
                last_event={"id": "e1", "action": "submit", "at": "2026-12-01T18:30:00Z"},
                created_at="2026-12-01T18:30:00Z")
    updates = stats.item_updates(None, new, "Asia/Jakarta")
    # 18:30 UTC is 01:30 the next day in WIB.
    assert {k for k in updates if k.startswith("day#")} == {
        "day#2026-12-02#unit#DLH", "day#2026-12-02#area#ALAK"}
    assert all(v == {"received": 1} for v in updates.values())


def test_a_verification_ends_its_stage_within_or_outside_its_sla():
    old = _item(status="submitted", stage="verification", stage_seq=1, due_at="2026-12-02T01:00:00Z",
                last_event={"id": "e1", "action": "submit", "at": "2026-12-01T01:00:00Z"})
    on_time = _item(status="dispatched", stage="first_response", stage_seq=2,
                    last_event={"id": "e2", "action": "verify", "at": "2026-12-01T05:00:00Z"})
    late = {**on_time, "last_event": {"id": "e2", "action": "verify", "at": "2026-12-03T05:00:00Z"}}
    day = "day#2026-12-01#unit#DLH"
    assert stats.item_updates(old, on_time, "Asia/Jakarta")[day] == {
        "verified": 1, "dispatched": 1, "stage_done#verification": 1, "stage_in_sla#verification": 1}
    assert stats.item_updates(old, late, "Asia/Jakarta")["day#2026-12-03#unit#DLH"] == {
        "verified": 1, "dispatched": 1, "stage_done#verification": 1}


def test_a_breached_stage_is_overdue_until_it_ends():
    open_ = _item(status="dispatched", stage="first_response", stage_seq=2, breached=False, escalation_level=0,
                  last_event={"id": "e2", "action": "verify", "at": "2026-12-01T05:00:00Z"})
    breached = {**open_, "breached": True, "escalation_level": 1, "escalated_at": "2026-12-04T05:00:00Z"}
    escalated = stats.item_updates(open_, breached, "Asia/Jakarta")
    assert escalated["gauge#unit#DLH"] == {"overdue": 1} and escalated["day#2026-12-04#unit#DLH"] == {"escalated#1": 1}
    answered = _item(status="acknowledged", stage="resolution", stage_seq=3, breached=False,
                     last_event={"id": "e3", "action": "acknowledge", "at": "2026-12-05T05:00:00Z"})
    done = stats.item_updates(breached, answered, "Asia/Jakarta")
    assert done["gauge#unit#DLH"] == {"overdue": -1}


def test_a_report_no_unit_holds_counts_as_unassigned():
    new = _item(agency=None, area=None, status="submitted",
                last_event={"id": "e1", "action": "submit", "at": "2026-12-01T01:00:00Z"})
    assert set(stats.item_updates(None, new, "Asia/Jakarta")) == {"day#2026-12-01#unassigned",
                                                                   "month#2026-12#unassigned"}


def test_the_tenant_total_is_its_units_and_the_unassigned_but_not_its_areas():
    by_dimension = {"unit#DLH": {"received": 3, "closed": 1}, "unit#PUPR": {"received": 2},
                    "unassigned": {"received": 1}, "area#ALAK": {"received": 4}}
    assert stats.tenant_total(by_dimension) == {"received": 6, "closed": 1}


def test_a_change_that_adds_nothing_touches_no_item():
    same = _item(status="dispatched", stage="first_response", stage_seq=2,
                 last_event={"id": "e2", "action": "verify", "at": "2026-12-01T05:00:00Z"})
    assert stats.item_updates(same, dict(same), "Asia/Jakarta") == {}


def test_windows_read_day_items_for_a_week_and_month_items_for_a_year():
    week = stats.window("week", date(2026, 12, 5))  # a Saturday
    assert (week.start, week.end) == (date(2026, 11, 30), date(2026, 12, 6)) and len(week.periods()) == 7
    assert stats.window("year", date(2026, 12, 5)).periods()[0] == "month#2026-01"
    assert len(stats.window("year", date(2026, 12, 5)).periods()) == 12
    assert stats.window("month", date(2026, 2, 14)).end == date(2026, 2, 28)


def test_the_grade_needs_both_shares_and_is_never_rounded_up():
    assert grading.percent(79, 100) == 79 and grading.percent(799, 1000) == 79
    assert grading.grade(grading.DEFAULT, 80, 80) == "Baik"
    assert grading.grade(grading.DEFAULT, 95, 79) == "Sedang"
    assert grading.grade(grading.DEFAULT, 59, 95) == "Kurang"
    assert grading.grade(grading.DEFAULT, None, None) is None


def test_grade_thresholds_are_validated_with_their_paths():
    import pytest

    from chalicelib.errors import ProblemError

    with pytest.raises(ProblemError) as bad:
        grading.parse({"baik": {"within_sla_percent": 50}, "sedang": {"within_sla_percent": 70, "x": 1}})
    assert {(e.field, e.code) for e in bad.value.errors} == {("sedang.x", "extra_forbidden")}
    with pytest.raises(ProblemError) as inverted:
        grading.parse({"baik": {"within_sla_percent": 50}, "sedang": {"within_sla_percent": 70}})
    assert {(e.field, e.code) for e in inverted.value.errors} == {("baik.within_sla_percent", "below_sedang")}
    with pytest.raises(ProblemError) as out_of_range:
        grading.parse({"baik": {"resolved_percent": 101}})
    assert {(e.field, e.code) for e in out_of_range.value.errors} == {("baik.resolved_percent", "out_of_range")}
