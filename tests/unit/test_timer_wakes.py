"""What an SLA timer is told to do: its execution and schedule names, its wakes, and when its schedule
fires (no AWS involved)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from chalicelib.adapters.timers import execution_name, schedule_expression, schedule_name, wakes

REPORT = "01JD3Q7K2M8N4P6R0S2T4V6X8Z"
LADDER = [{"level": 1, "audience": "unit_head", "at": "2026-11-27T16:00:00Z"},
          {"level": 2, "audience": "coordinator", "at": "2026-12-01T16:00:00Z"}]
NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
SCHEDULE_NAME = re.compile(r"^[0-9a-zA-Z._-]{1,64}$")  # EventBridge Scheduler's rule for schedule names


def test_execution_name_reads_as_tenant_report_stage_and_run():
    assert execution_name("kupang", REPORT, "verification", 3) == f"kupang-{REPORT}-verification-3"


def test_execution_name_is_the_same_for_the_same_stage_run_and_differs_otherwise():
    assert execution_name("kupang", REPORT, "resolution", 2) == execution_name("kupang", REPORT, "resolution", 2)
    assert execution_name("kupang", REPORT, "resolution", 2) != execution_name("kupang", REPORT, "resolution", 3)
    assert execution_name("kupang", REPORT, "resolution", 2) != execution_name("karo", REPORT, "resolution", 2)


def test_the_longest_real_name_fits_as_it_is():
    name = execution_name("t" * 32, REPORT, "first_response", 999)  # tenant codes are at most 32 characters
    assert NAME.match(name) and name.endswith("-first_response-999")


@pytest.mark.parametrize(("tenant", "stage"), [("k" * 70, "verification"), ("kota.kupang", "verification"),
                                               ("kupang", "tahap verifikasi/ulang")])
def test_a_name_that_would_break_the_rules_is_made_safe_and_stays_distinct(tenant, stage):
    name = execution_name(tenant, REPORT, stage, 1)
    assert NAME.match(name), name
    assert name == execution_name(tenant, REPORT, stage, 1)
    assert name != execution_name(tenant, REPORT, stage, 2)


def test_a_schedule_is_named_as_its_execution_when_that_fits():
    assert schedule_name("kupang", REPORT, "first_response", 2) == execution_name("kupang", REPORT, "first_response", 2)


@pytest.mark.parametrize("tenant", ["t" * 32, "kota.kupang", "k" * 70])
def test_a_schedule_name_keeps_schedulers_rules_and_stays_distinct(tenant):
    name = schedule_name(tenant, REPORT, "first_response", 999)  # 78 characters before shortening
    assert SCHEDULE_NAME.match(name), name
    assert name == schedule_name(tenant, REPORT, "first_response", 999)
    assert name != schedule_name(tenant, REPORT, "first_response", 998)


@pytest.mark.parametrize(("wake", "expression"), [
    (datetime(2026, 11, 27, 16, 0, 0, 1000, tzinfo=UTC), "at(2026-11-27T16:00:01)"),  # never before the wake
    (datetime(2026, 11, 27, 16, 0, 0, tzinfo=UTC), "at(2026-11-27T16:00:00)"),
    (datetime(2026, 12, 31, 23, 59, 59, 999000, tzinfo=UTC), "at(2027-01-01T00:00:00)"),
    (datetime.fromisoformat("2026-11-28T00:00:00.500+08:00"), "at(2026-11-27T16:00:01)"),  # written in UTC
])
def test_a_schedule_fires_at_its_wake_rounded_up_to_the_second(wake, expression):
    assert schedule_expression(wake) == expression


def test_cleaned_names_do_not_collide():
    # Cleaning alone would turn both into "kota_kupang"; the digest of the full name keeps them apart.
    assert execution_name("kota.kupang", REPORT, "verification", 1) != \
        execution_name("kota_kupang", REPORT, "verification", 1)


def test_a_stage_reminds_first_then_escalates_level_by_level():
    assert wakes("verification", "2026-11-27T16:00:00Z", "2026-11-26T16:00:00Z", LADDER) == [
        {"kind": "remind", "at": "2026-11-26T16:00:00Z", "level": "0", "audience": "desk"},
        {"kind": "escalate", "at": "2026-11-27T16:00:00Z", "level": "1", "audience": "unit_head"},
        {"kind": "escalate", "at": "2026-12-01T16:00:00Z", "level": "2", "audience": "coordinator"},
    ]


@pytest.mark.parametrize("stage", ["first_response", "resolution"])
def test_after_verification_the_reminder_goes_to_the_unit(stage):
    first = wakes(stage, "2026-11-27T16:00:00Z", "2026-11-26T16:00:00Z", LADDER)[0]
    assert (first["kind"], first["audience"]) == ("remind", "unit")


def test_without_a_reminder_time_there_is_no_reminder():
    assert [w["kind"] for w in wakes("resolution", "2026-11-27T16:00:00Z", None, LADDER)] == ["escalate", "escalate"]


def test_auto_close_reminds_the_reporter_then_closes_at_the_deadline():
    ladder_is_ignored = LADDER
    assert wakes("auto_close", "2026-12-03T16:00:00Z", "2026-12-02T16:00:00Z", ladder_is_ignored) == [
        {"kind": "remind", "at": "2026-12-02T16:00:00Z", "level": "0", "audience": "reporter"},
        {"kind": "auto_close", "at": "2026-12-03T16:00:00Z", "level": "0", "audience": "reporter"},
    ]
    assert wakes("auto_close", "2026-12-03T16:00:00Z", None, []) == [
        {"kind": "auto_close", "at": "2026-12-03T16:00:00Z", "level": "0", "audience": "reporter"}]


def test_wakes_not_strictly_later_than_the_one_before_are_dropped():
    ladder = [{"level": 1, "audience": "unit_head", "at": "2026-11-26T16:00:00Z"},   # same as the reminder
              {"level": 2, "audience": "coordinator", "at": "2026-11-28T16:00:00Z"},
              {"level": 3, "audience": "regent", "at": "2026-11-27T16:00:00.000Z"}]  # earlier than level 2
    assert [(w["kind"], w["level"]) for w in wakes("verification", "x", "2026-11-26T16:00:00Z", ladder)] == [
        ("remind", "0"), ("escalate", "2")]


def test_times_are_compared_as_instants_not_as_text():
    ladder = [{"level": 1, "audience": "unit_head", "at": "2026-11-27T16:00:00Z"},
              {"level": 2, "audience": "coordinator", "at": "2026-11-27T16:00:00.500Z"}]  # "." sorts before "Z"
    assert [w["level"] for w in wakes("resolution", "x", None, ladder)] == ["1", "2"]


def test_times_with_an_offset_become_utc_with_z_as_step_functions_requires():
    ladder = [{"level": 1, "audience": "unit_head", "at": "2026-11-28T00:00:00+08:00"}]
    (wake,) = wakes("resolution", "x", None, ladder)
    assert wake["at"] == "2026-11-27T16:00:00.000Z"


def test_other_spellings_of_utc_are_rewritten():
    ladder = [{"level": 1, "audience": "unit_head", "at": "2026-11-27 16:00:00+00:00"}]
    assert wakes("resolution", "x", None, ladder)[0]["at"] == "2026-11-27T16:00:00.000Z"


def test_milliseconds_are_kept():
    (wake,) = wakes("auto_close", "2026-12-03T16:00:00.250Z", None, [])
    assert wake["at"] == "2026-12-03T16:00:00.250Z"


def test_a_time_without_a_zone_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        wakes("resolution", "x", None, [{"level": 1, "audience": "unit_head", "at": "2026-11-27T16:00:00"}])
