"""The SLA policy: LAPOR! defaults, the JSON document tenants GET and PUT, and the instants it produces."""

from __future__ import annotations

import copy
from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.calendar import WorkCalendar
from chalicelib.domain.sla import (
    STAGES,
    CalendarSettings,
    Level,
    Policy,
    Rule,
    calendar_for,
    deadline,
    default_policy,
    duration_iso,
    parse_duration,
    parse_policy,
    policy_to_json,
    rule_for,
)
from chalicelib.domain.taxonomy import CATEGORIES
from chalicelib.errors import ProblemError

WITA = "Asia/Makassar"
EXAMPLE: dict[str, Any] = {  # the document of the API contract, verbatim
    "defaults": {"verification": {"working_days": 3}, "first_response": {"working_days": 5},
                 "resolution": {"working_days": 14}, "auto_close": {"working_days": 10}},
    "categories": {"fire": {"verification": {"duration": "PT15M"}, "first_response": {"duration": "PT1H"},
                            "resolution": {"duration": "PT6H"}},
                   "garbage": {"resolution": {"working_days": 2}}},
    "reminder": {"working_days": 1},
    "escalation": [{"level": 1, "audience": "unit_head", "after": {"working_days": 0}},
                   {"level": 2, "audience": "coordinator", "after": {"working_days": 2}},
                   {"level": 3, "audience": "leadership", "after": {"working_days": 3}}],
    "calendar": {"cuti_bersama": True, "weekend": ["sat", "sun"], "holidays_added": ["2026-12-01"],
                 "holidays_removed": []},
}
TIERS = {
    2: {"garbage", "street_light", "illegal_parking", "fallen_tree"},
    5: {"traffic_light_sign", "congestion", "street_vendor", "illegal_billboard", "dengue", "flood_drainage",
        "water_supply", "beggars_homeless", "civil_registry", "public_facility"},
    14: {"road_damage", "building_violation", "agriculture", "child_protection", "missing_person",
         "traffic_violation", "other", "crime"},
    60: {"misconduct"},
}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def example(**changes: Any) -> dict[str, Any]:
    """The example document with ``a__b__0__c`` paths replaced (``None`` as a value deletes the key)."""
    doc = copy.deepcopy(EXAMPLE)
    for path, value in changes.items():
        *parents, last = path.split("__")
        target = doc
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if value is None:
            del target[last]
        else:
            target[int(last) if isinstance(target, list) else last] = value
    return doc


def problems(doc: Any, known: Collection[str] = CATEGORIES.keys()) -> dict[str, str]:
    """field -> code of every problem in ``doc``; the error must be a 422."""
    with pytest.raises(ProblemError) as caught:
        parse_policy(doc, known)
    assert caught.value.status == 422 and caught.value.code == "validation_failed"
    return {e.field: e.code for e in caught.value.errors}


# -- defaults ---------------------------------------------------------------------------------------------

def test_lapor_times_are_the_defaults():
    policy = default_policy()
    assert {s: policy.defaults[s].working_days for s in STAGES} == {
        "verification": 3, "first_response": 5, "resolution": 14, "auto_close": 10}
    assert policy.reminder == Rule(working_days=1)
    assert [(lv.level, lv.audience, lv.after.working_days) for lv in policy.escalation] == [
        (1, "unit_head", 0), (2, "coordinator", 2), (3, "leadership", 3)]
    assert policy.calendar == CalendarSettings(cuti_bersama=True, weekend=frozenset({5, 6}))


@pytest.mark.parametrize("days, codes", sorted(TIERS.items()))
def test_resolution_follows_the_sop_tier_of_the_category(days, codes):
    assert {rule_for(default_policy(), code, "resolution").working_days for code in codes} == {days}


def test_every_category_of_the_taxonomy_has_a_tier_or_is_an_emergency():
    assert set().union(*TIERS.values()) | {"fire", "disaster"} == set(CATEGORIES)


@pytest.mark.parametrize("code, times", [
    ("fire", {"verification": "PT15M", "first_response": "PT1H", "resolution": "PT6H"}),
    ("disaster", {"verification": "PT1H", "first_response": "PT3H", "resolution": "P2D"}),
])
def test_emergencies_run_on_the_clock_not_on_working_days(code, times):
    policy = default_policy()
    assert {stage: duration_iso(rule_for(policy, code, stage).duration) for stage in times} == times
    assert rule_for(policy, code, "auto_close") == Rule(working_days=10)


def test_the_default_document_lists_only_categories_that_differ_from_the_standard():
    doc = policy_to_json(default_policy())
    assert set(doc["categories"]) == (set(CATEGORIES) - TIERS[14])
    assert all(rule != {"working_days": 14} for rules in doc["categories"].values() for rule in rules.values())


# -- the document -----------------------------------------------------------------------------------------

def test_the_default_policy_round_trips():
    policy = default_policy()
    assert parse_policy(policy_to_json(policy), CATEGORIES) == policy


def test_the_example_document_round_trips_verbatim():
    policy = parse_policy(EXAMPLE, CATEGORIES)
    assert policy.calendar.holidays_added == frozenset({date(2026, 12, 1)})
    assert policy_to_json(policy) == EXAMPLE


def test_a_custom_policy_round_trips():
    policy = Policy(
        defaults={"verification": Rule(duration=timedelta(seconds=5)), "first_response": Rule(working_days=0),
                  "resolution": Rule(duration=timedelta(days=1, hours=12)), "auto_close": Rule(working_days=1)},
        categories={"garbage": {}, "fire": {"auto_close": Rule(duration=timedelta(minutes=90))}},
        reminder=None,
        escalation=(Level(1, "desk", Rule(duration=timedelta(hours=4))),),
        calendar=CalendarSettings(cuti_bersama=False, weekend=frozenset({4}),
                                  holidays_added=frozenset({date(2026, 8, 18)}),
                                  holidays_removed=frozenset({date(2026, 12, 24)})),
    )
    doc = policy_to_json(policy)
    assert doc["defaults"]["resolution"] == {"duration": "P1DT12H"}
    assert doc["calendar"]["weekend"] == ["fri"] and doc["reminder"] is None
    assert parse_policy(doc, CATEGORIES) == policy


def test_an_empty_categories_map_means_defaults_everywhere():
    policy = parse_policy(example(categories={}), CATEGORIES)
    assert policy.categories == {}
    assert rule_for(policy, "fire", "resolution") == Rule(working_days=14)


def test_no_reminder_is_allowed():
    assert parse_policy({**EXAMPLE, "reminder": None}, CATEGORIES).reminder is None


@pytest.mark.parametrize("text, expected", [
    ("PT1S", timedelta(seconds=1)), ("PT15M", timedelta(minutes=15)), ("PT2H", timedelta(hours=2)),
    ("P1DT12H", timedelta(days=1, hours=12)), ("P365D", timedelta(days=365)),
    ("P1DT2H3M4S", timedelta(days=1, hours=2, minutes=3, seconds=4)),
])
def test_durations_are_iso_8601_days_hours_minutes_seconds(text, expected):
    assert parse_duration(text) == expected
    assert duration_iso(expected) == text


# -- validation -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("doc, field, code", [
    (example(categories__atlantis={}), "categories.atlantis", "unknown_category"),
    (example(categories__garbage__closing={"working_days": 1}), "categories.garbage.closing", "unknown_stage"),
    (example(categories__fire__resolution={"working_days": 1, "duration": "PT1H"}),
     "categories.fire.resolution", "rule_exactly_one"),
    (example(defaults__verification={}), "defaults.verification", "rule_exactly_one"),
    (example(defaults__verification={"days": 3}), "defaults.verification.days", "extra_forbidden"),
    (example(defaults__resolution={"working_days": -1}), "defaults.resolution.working_days", "out_of_range"),
    (example(defaults__resolution={"working_days": 366}), "defaults.resolution.working_days", "out_of_range"),
    (example(defaults__auto_close={"working_days": 0}), "defaults.auto_close.working_days", "out_of_range"),
    (example(defaults__auto_close={"working_days": 61}), "defaults.auto_close.working_days", "out_of_range"),
    (example(defaults__resolution={"working_days": True}), "defaults.resolution.working_days", "int_type"),
    (example(defaults__resolution={"working_days": 2.0}), "defaults.resolution.working_days", "int_type"),
    (example(defaults__auto_close=None), "defaults.auto_close", "missing"),
    (example(categories__fire__resolution={"duration": "P1M"}),
     "categories.fire.resolution.duration", "duration_unit"),
    (example(categories__fire__resolution={"duration": "P1Y"}),
     "categories.fire.resolution.duration", "duration_unit"),
    (example(categories__fire__resolution={"duration": "P2W"}),
     "categories.fire.resolution.duration", "duration_unit"),
    (example(categories__fire__resolution={"duration": "PT1.5H"}),
     "categories.fire.resolution.duration", "duration_format"),
    (example(categories__fire__resolution={"duration": "6 jam"}),
     "categories.fire.resolution.duration", "duration_format"),
    (example(categories__fire__resolution={"duration": "PT"}),
     "categories.fire.resolution.duration", "duration_format"),
    (example(categories__fire__resolution={"duration": 21600}),
     "categories.fire.resolution.duration", "string_type"),
    (example(categories__fire__resolution={"duration": "PT0S"}),
     "categories.fire.resolution.duration", "duration_range"),
    (example(categories__fire__resolution={"duration": "P365DT1S"}),
     "categories.fire.resolution.duration", "duration_range"),
    (example(reminder={"duration": "PT1H"}), "reminder", "working_days_only"),
    (example(reminder={"working_days": 0}), "reminder.working_days", "out_of_range"),
    (example(escalation=[]), "escalation", "too_few"),
    (example(escalation=[EXAMPLE["escalation"][0]] * 6), "escalation", "too_many"),
    (example(escalation={"level": 1}), "escalation", "list_type"),
    (example(escalation__1__level=3), "escalation.1.level", "level_sequence"),
    (example(escalation__0__level=0), "escalation.0.level", "out_of_range"),
    (example(escalation__0__audience="bupati"), "escalation.0.audience", "unknown_audience"),
    (example(escalation__0__after=None), "escalation.0.after", "missing"),
    (example(escalation__0__after={"working_days": -2}), "escalation.0.after.working_days", "out_of_range"),
    (example(escalation__0__when="later"), "escalation.0.when", "extra_forbidden"),
    (example(calendar__holidays_added=["2026-02-30"]), "calendar.holidays_added.0", "date_format"),
    (example(calendar__holidays_added=["20261201"]), "calendar.holidays_added.0", "date_format"),
    (example(calendar__holidays_added=[20261201]), "calendar.holidays_added.0", "date_format"),
    (example(calendar__holidays_added=["2026-01-01"] * 367), "calendar.holidays_added", "too_many"),
    (example(calendar__holidays_removed=["2026-12-01"]), "calendar.holidays_removed.0", "date_overlap"),
    (example(calendar__weekend=["saturday"]), "calendar.weekend.0", "weekday"),
    (example(calendar__weekend=["thu", "fri", "sat", "sun"]), "calendar.weekend", "too_many"),
    (example(calendar__cuti_bersama="ya"), "calendar.cuti_bersama", "bool_type"),
    (example(calendar__timezone="Asia/Makassar"), "calendar.timezone", "extra_forbidden"),
    (example(calendar=None), "calendar", "missing"),
    (example(sla_version=2), "sla_version", "extra_forbidden"),
    ([], "body", "model_type"),
    ("policy", "body", "model_type"),
    (None, "body", "model_type"),
])
def test_an_invalid_document_is_a_422_that_names_the_field(doc, field, code):
    assert problems(doc).get(field) == code


def test_every_problem_is_reported_at_once_in_both_languages():
    doc = example(categories__atlantis={}, defaults__resolution={"working_days": -1},
                  escalation__1__audience="bupati", calendar__holidays_added=["kemarin"])
    with pytest.raises(ProblemError) as caught:
        parse_policy(doc, CATEGORIES)
    errors = caught.value.errors
    assert {e.field for e in errors} == {"categories.atlantis", "defaults.resolution.working_days",
                                         "escalation.1.audience", "calendar.holidays_added.0"}
    assert all(e.message["id"] and e.message["en"] and e.message["id"] != e.message["en"] for e in errors)
    rendered = caught.value.render("id")["errors"]
    assert {"field": "defaults.resolution.working_days", "code": "out_of_range",
            "message": "Harus antara 0 dan 365."} in rendered


def test_a_category_this_tenant_does_not_offer_is_refused():
    assert problems(EXAMPLE, known={"fire"}) == {"categories.garbage": "unknown_category"}


# -- deadlines --------------------------------------------------------------------------------------------

def test_the_calendar_follows_the_policy_and_the_tenant_time_zone():
    policy = parse_policy(EXAMPLE, CATEGORIES)
    assert calendar_for(policy, WITA) == WorkCalendar(WITA, holidays_added=frozenset({date(2026, 12, 1)}))


def test_garbage_is_due_in_two_working_days_with_a_reminder_and_a_ladder():
    monday_morning = utc(2026, 3, 2, 2, 0)  # 10:00 WITA
    d = deadline(default_policy(), "garbage", "resolution", monday_morning, WITA)
    assert d.due_at == utc(2026, 3, 4, 16, 0)  # end of Wed 4 March, WITA
    assert d.remind_at == utc(2026, 3, 3, 16, 0)  # end of Tue 3 March: one working day earlier
    assert d.ladder == (
        (1, "unit_head", utc(2026, 3, 4, 16, 0)),  # at the deadline
        (2, "coordinator", utc(2026, 3, 6, 16, 0)),  # 2 working days later: end of Fri 6
        (3, "leadership", utc(2026, 3, 11, 16, 0)),  # 3 more: end of Wed 11
    )
    assert d.to_json()["ladder"][1] == {"level": 2, "audience": "coordinator", "at": "2026-03-06T16:00:00.000Z"}


def test_reminder_and_escalation_skip_the_lebaran_break():
    friday_evening = utc(2026, 3, 13, 12, 0)  # 20:00 WITA; 18-24 March closed
    d = deadline(default_policy(), "road_damage", "verification", friday_evening, WITA)
    assert d.due_at == utc(2026, 3, 25, 16, 0)
    assert d.remind_at == utc(2026, 3, 17, 16, 0)  # the last working day before the break
    assert [at for _, _, at in d.ladder] == [utc(2026, 3, 25, 16, 0), utc(2026, 3, 27, 16, 0), utc(2026, 4, 1, 16, 0)]


def test_no_reminder_when_it_would_not_come_after_the_filing():
    saturday = utc(2026, 3, 7, 3, 0)
    one_day = Policy(defaults={**default_policy().defaults, "verification": Rule(working_days=1)}, categories={},
                     reminder=Rule(working_days=1), escalation=default_policy().escalation)
    d = deadline(one_day, "other", "verification", saturday, WITA)
    assert d.due_at == utc(2026, 3, 9, 16, 0) and d.remind_at is None  # end of Fri 6 is before the filing
    assert deadline(one_day, "other", "verification", utc(2026, 3, 9, 2, 0), WITA).remind_at == utc(2026, 3, 9, 16, 0)
    unreminded = parse_policy({**EXAMPLE, "reminder": None}, CATEGORIES)
    assert deadline(unreminded, "other", "resolution", saturday, WITA).remind_at is None


def test_a_fire_is_due_in_six_hours_even_on_lebaran_and_escalates_on_the_emergency_clock():
    lebaran_morning = utc(2026, 3, 21, 3, 0)  # Saturday, Idul Fitri
    d = deadline(default_policy(), "fire", "resolution", lebaran_morning, WITA)
    assert d.due_at == utc(2026, 3, 21, 9, 0)
    assert d.remind_at == utc(2026, 3, 21, 6, 0)  # halfway
    assert d.ladder == (
        (1, "unit_head", utc(2026, 3, 21, 9, 0)),
        (2, "coordinator", utc(2026, 3, 21, 21, 0)),  # "2 working days" = 2 x 6 hours
        (3, "leadership", utc(2026, 3, 22, 15, 0)),  # 3 x 6 hours more
    )


def test_a_verification_of_a_few_seconds_is_possible():
    doc = example(categories__fire__verification={"duration": "PT5S"})
    d = deadline(parse_policy(doc, CATEGORIES), "fire", "verification", utc(2026, 3, 2, 2, 0, 0), WITA)
    assert d.due_at == utc(2026, 3, 2, 2, 0, 5)
    assert d.remind_at == utc(2026, 3, 2, 2, 0, 2) + timedelta(milliseconds=500)


def test_a_duration_step_in_the_ladder_is_plain_elapsed_time():
    policy = parse_policy(example(escalation__1__after={"duration": "PT4H"}), CATEGORIES)
    d = deadline(policy, "garbage", "resolution", utc(2026, 3, 2, 2, 0), WITA)
    assert d.ladder[1] == (2, "coordinator", utc(2026, 3, 4, 20, 0))


def test_a_tenant_closure_moves_the_deadline():
    d = deadline(parse_policy(EXAMPLE, CATEGORIES), "garbage", "resolution", utc(2026, 11, 30, 2, 0), WITA)
    assert d.due_at == utc(2026, 12, 3, 16, 0)  # Tue 1 Dec closed: Wed 2, Thu 3; Thu 3 ends at 16:00Z


def test_naive_starts_and_unknown_stages_are_refused():
    with pytest.raises(ValueError):
        deadline(default_policy(), "garbage", "resolution", datetime(2026, 3, 2, 10, 0), WITA)
    with pytest.raises(ValueError):
        rule_for(default_policy(), "garbage", "closing")
