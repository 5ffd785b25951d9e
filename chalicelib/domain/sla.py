"""The SLA policy of one tenant: how long each stage may take, when to remind, and whom to escalate to.

Tenants read and replace the policy as one JSON document (GET/PUT); ``parse_policy`` and ``policy_to_json``
are that contract. A rule is either ``{"working_days": n}``, counted on the tenant's calendar (see
``chalicelib.domain.calendar``: H+n, ending at a local midnight), or ``{"duration": "PT6H"}``, plain elapsed
time for 24/7 emergencies (fire, disaster).

``deadline`` turns a rule into instants (all aware UTC):

- ``due_at``: the stage's deadline.
- ``remind_at``: for a working-day stage, ``reminder.working_days`` working days before ``due_at``; for a
  duration stage, halfway between start and due. None when it would not be strictly after the start.
- ``ladder``: level k fires ``after`` its predecessor (level 1 after ``due_at``). ``after`` in working days
  moves along the calendar's grid (0 = the same instant). For a duration stage, a working-day ``after`` of
  n > 0 becomes n times the stage's duration: an emergency escalates on the emergency clock, not after a
  weekend.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from chalicelib.clock import iso
from chalicelib.domain.calendar import WorkCalendar
from chalicelib.errors import FieldError, ProblemError

STAGES = ("verification", "first_response", "resolution", "auto_close")
AUDIENCES = ("unit", "unit_head", "coordinator", "desk", "leadership")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_LEVELS, MAX_WEEKEND_DAYS, MAX_DATES = 5, 3, 366
WORKING_DAYS_RANGE = {"auto_close": (1, 60)}  # other stages: DEFAULT_WORKING_DAYS_RANGE
DEFAULT_WORKING_DAYS_RANGE = (0, 365)
REMINDER_RANGE = (1, 365)  # 0 days before the deadline is the deadline itself
MIN_DURATION, MAX_DURATION = timedelta(seconds=1), timedelta(days=365)


@dataclass(frozen=True)
class Rule:
    working_days: int | None = None
    duration: timedelta | None = None

    def __post_init__(self) -> None:
        if (self.working_days is None) == (self.duration is None):
            raise ValueError("a rule is either working_days or a duration")
        if self.working_days is not None and (type(self.working_days) is not int or self.working_days < 0):
            raise ValueError("working_days must be a non-negative integer")
        if self.duration is not None and (self.duration <= timedelta(0) or self.duration % MIN_DURATION):
            raise ValueError("a duration is a positive number of whole seconds")

    def to_json(self) -> dict[str, Any]:
        if self.duration is not None:
            return {"duration": duration_iso(self.duration)}
        return {"working_days": self.working_days}


@dataclass(frozen=True)
class Level:
    level: int
    audience: str
    after: Rule


@dataclass(frozen=True)
class CalendarSettings:
    cuti_bersama: bool = True
    weekend: frozenset[int] = frozenset({5, 6})  # Monday=0, as WEEKDAYS
    holidays_added: frozenset[date] = frozenset()
    holidays_removed: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Policy:
    defaults: dict[str, Rule]
    categories: dict[str, dict[str, Rule]]
    reminder: Rule | None
    escalation: tuple[Level, ...]
    calendar: CalendarSettings = field(default_factory=CalendarSettings)

    def __post_init__(self) -> None:
        if set(self.defaults) != set(STAGES):
            raise ValueError("defaults need a rule for every stage")
        if self.reminder is not None and self.reminder.working_days is None:
            raise ValueError("the reminder is counted in working days")


# -- defaults ---------------------------------------------------------------------------------------------

# Resolution tiers of pemda SOPs (domain.md 2.2): simple 2, normative 5, standard 14 (the default), investigative 60.
_TIERS = {
    2: ("garbage", "street_light", "illegal_parking", "fallen_tree"),
    5: ("traffic_light_sign", "congestion", "street_vendor", "illegal_billboard", "dengue", "flood_drainage",
        "water_supply", "beggars_homeless", "civil_registry", "public_facility"),
    60: ("misconduct",),
}
_EMERGENCIES = {
    "fire": {"verification": "PT15M", "first_response": "PT1H", "resolution": "PT6H"},
    "disaster": {"verification": "PT1H", "first_response": "PT3H", "resolution": "P2D"},
}


def default_policy() -> Policy:
    """LAPOR!-SP4N times; only categories that differ from the 14-working-day standard get an entry."""
    categories: dict[str, dict[str, Rule]] = {
        code: {"resolution": Rule(working_days=days)} for days, codes in _TIERS.items() for code in codes}
    for code, stages in _EMERGENCIES.items():
        categories[code] = {stage: Rule(duration=parse_duration(text)) for stage, text in stages.items()}
    return Policy(
        defaults={"verification": Rule(working_days=3), "first_response": Rule(working_days=5),
                  "resolution": Rule(working_days=14), "auto_close": Rule(working_days=10)},
        categories=categories,
        reminder=Rule(working_days=1),
        escalation=(Level(1, "unit_head", Rule(working_days=0)), Level(2, "coordinator", Rule(working_days=2)),
                    Level(3, "leadership", Rule(working_days=3))),
    )


# -- durations --------------------------------------------------------------------------------------------

_DURATION = re.compile(r"P(?:(\d{1,6})D)?(?:T(?=\d)(?:(\d{1,8})H)?(?:(\d{1,8})M)?(?:(\d{1,8})S)?)?")
_CALENDAR_UNITS = re.compile(r"P[^T]*[YMW]")  # years, months, weeks: not a fixed number of seconds for us


def parse_duration(text: str) -> timedelta:
    """ISO 8601 days, hours, minutes and seconds (``P1DT12H``, ``PT15M``); ValueError otherwise."""
    match = _DURATION.fullmatch(text)
    if not match or text in ("P", "PT"):
        raise ValueError("duration_unit" if _CALENDAR_UNITS.match(text) else "duration_format")
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def duration_iso(value: timedelta) -> str:
    days, rest = divmod(int(value.total_seconds()), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    clock = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    return "P" + (f"{days}D" if days else "") + (f"T{clock}" if clock else "")


# -- the JSON document ------------------------------------------------------------------------------------

def policy_to_json(policy: Policy) -> dict[str, Any]:
    cal = policy.calendar
    return {
        "defaults": {stage: policy.defaults[stage].to_json() for stage in STAGES if stage in policy.defaults},
        "categories": {code: {stage: rules[stage].to_json() for stage in STAGES if stage in rules}
                       for code, rules in sorted(policy.categories.items())},
        "reminder": policy.reminder.to_json() if policy.reminder else None,
        "escalation": [{"level": lv.level, "audience": lv.audience, "after": lv.after.to_json()}
                       for lv in policy.escalation],
        "calendar": {
            "cuti_bersama": cal.cuti_bersama,
            "weekend": [WEEKDAYS[d] for d in sorted(cal.weekend)],
            "holidays_added": [d.isoformat() for d in sorted(cal.holidays_added)],
            "holidays_removed": [d.isoformat() for d in sorted(cal.holidays_removed)],
        },
    }


_WORDS: dict[str, tuple[str, str]] = {
    "model_type": ("Harus berupa objek JSON.", "Must be a JSON object."),
    "list_type": ("Harus berupa daftar.", "Must be a list."),
    "int_type": ("Harus berupa bilangan bulat.", "Must be an integer."),
    "bool_type": ("Harus true atau false.", "Must be true or false."),
    "string_type": ("Harus berupa teks.", "Must be a string."),
    "missing": ("Wajib diisi.", "This field is required."),
    "extra_forbidden": ("Isian ini tidak dikenal.", "This field is not recognised."),
    "unknown_category": ("Kategori ini tidak ada di pemda ini.", "This regional government has no such category."),
    "unknown_stage": ("Tahap tidak dikenal; gunakan " + ", ".join(STAGES) + ".",
                      "Unknown stage; use " + ", ".join(STAGES) + "."),
    "rule_exactly_one": ("Isi tepat satu dari working_days atau duration.",
                         "Give exactly one of working_days or duration."),
    "working_days_only": ("Pengingat dihitung dalam hari kerja (working_days).",
                          "The reminder is counted in working days (working_days)."),
    "out_of_range": ("Harus antara {low} dan {high}.", "Must be between {low} and {high}."),
    "duration_format": ("Durasi harus ISO 8601, mis. PT2H atau P1DT12H.",
                        "The duration must be ISO 8601, e.g. PT2H or P1DT12H."),
    "duration_unit": ("Gunakan hanya hari, jam, menit atau detik (D, H, M, S); tahun, bulan dan minggu tidak diterima.",
                      "Use days, hours, minutes or seconds only (D, H, M, S); no years, months or weeks."),
    "duration_range": ("Durasi harus antara PT1S dan P365D.", "The duration must be between PT1S and P365D."),
    "unknown_audience": ("Tujuan eskalasi tidak dikenal; gunakan " + ", ".join(AUDIENCES) + ".",
                         "Unknown escalation audience; use " + ", ".join(AUDIENCES) + "."),
    "level_sequence": ("Level harus berurutan 1, 2, 3, ... tanpa loncatan.",
                       "Levels must run 1, 2, 3, ... without gaps."),
    "too_few": ("Paling sedikit {low} isian.", "At least {low} entries."),
    "too_many": ("Paling banyak {high} isian.", "At most {high} entries."),
    "date_format": ("Tanggal harus berformat YYYY-MM-DD.", "Dates must be YYYY-MM-DD."),
    "date_overlap": ("Tanggal ini juga ada di holidays_added.", "This date is also in holidays_added."),
    "weekday": ("Hari harus salah satu dari " + ", ".join(WEEKDAYS) + ".",
                "Days must be one of " + ", ".join(WEEKDAYS) + "."),
}
_TOP_KEYS = ("defaults", "categories", "reminder", "escalation", "calendar")
_CALENDAR_KEYS = ("cuti_bersama", "weekend", "holidays_added", "holidays_removed")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Problems:
    """Collects every invalid field, so one 422 lists them all."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, path: str, code: str, **bounds: int) -> None:
        words = _WORDS[code]
        self.errors.append(FieldError(path or "body", code, {
            "id": words[0].format(**bounds), "en": words[1].format(**bounds)}))

    def object(self, value: Any, path: str, keys: Collection[str] | None, required: Collection[str] = ()) -> bool:
        """True when ``value`` is an object; keys outside ``keys`` (None: any) and missing ``required`` recorded."""
        if not isinstance(value, dict):
            self.add(path, "model_type")
            return False
        for key in value:
            if keys is not None and key not in keys:
                self.add(_at(path, key), "extra_forbidden")
        for key in required:
            if key not in value:
                self.add(_at(path, key), "missing")
        return True

    def integer(self, value: Any, path: str, low: int, high: int) -> int | None:
        if type(value) is not int:  # bool is an int to Python, not to a JSON client
            self.add(path, "int_type")
        elif not low <= value <= high:
            self.add(path, "out_of_range", low=low, high=high)
        else:
            return value
        return None

    def bounded_list(self, value: Any, path: str, high: int) -> list[Any]:
        if not isinstance(value, list):
            self.add(path, "list_type")
            return []
        if len(value) > high:
            self.add(path, "too_many", high=high)
            return []  # not worth itemising a list that is refused anyway
        return value


def _at(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def parse_policy(doc: Any, known_categories: Collection[str]) -> Policy:
    """The policy in ``doc``, or a 422 listing every invalid field (dotted paths, Indonesian and English)."""
    problems = _Problems()
    if not problems.object(doc, "", _TOP_KEYS, _TOP_KEYS):
        raise ProblemError("validation_failed", errors=problems.errors)
    defaults = _stage_rules(doc.get("defaults"), "defaults", problems, required=True)
    categories: dict[str, dict[str, Rule]] = {}
    if "categories" in doc and problems.object(doc["categories"], "categories", None):
        for code, rules in doc["categories"].items():
            if code not in known_categories:
                problems.add(_at("categories", code), "unknown_category")
            categories[code] = _stage_rules(rules, _at("categories", code), problems, required=False)
    reminder = None
    if doc.get("reminder") is not None:
        reminder = _rule(doc["reminder"], "reminder", problems, REMINDER_RANGE)
        if reminder is not None and reminder.working_days is None:
            problems.add("reminder", "working_days_only")
    escalation = _ladder(doc.get("escalation"), problems) if "escalation" in doc else ()
    calendar = _calendar(doc.get("calendar"), problems) if "calendar" in doc else CalendarSettings()
    if problems.errors:
        raise ProblemError("validation_failed", errors=problems.errors)
    return Policy(defaults=defaults, categories=categories, reminder=reminder, escalation=escalation,
                  calendar=calendar)


def _stage_rules(value: Any, path: str, problems: _Problems, required: bool) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    if not problems.object(value, path, None, STAGES if required else ()):  # unknown stages: below
        return rules
    for stage, raw in value.items():
        if stage not in STAGES:
            problems.add(_at(path, stage), "unknown_stage")
        elif (rule := _rule(raw, _at(path, stage), problems,
                            WORKING_DAYS_RANGE.get(stage, DEFAULT_WORKING_DAYS_RANGE))) is not None:
            rules[stage] = rule
    return rules


def _rule(value: Any, path: str, problems: _Problems, days_range: tuple[int, int]) -> Rule | None:
    if not problems.object(value, path, ("working_days", "duration")):
        return None
    if ("working_days" in value) == ("duration" in value):
        problems.add(path, "rule_exactly_one")
        return None
    if "working_days" in value:
        days = problems.integer(value["working_days"], _at(path, "working_days"), *days_range)
        return None if days is None else Rule(working_days=days)
    text, where = value["duration"], _at(path, "duration")
    if not isinstance(text, str):
        problems.add(where, "string_type")
        return None
    try:
        duration = parse_duration(text)
    except ValueError as err:
        problems.add(where, str(err))
        return None
    if not MIN_DURATION <= duration <= MAX_DURATION:
        problems.add(where, "duration_range")
        return None
    return Rule(duration=duration)


def _ladder(value: Any, problems: _Problems) -> tuple[Level, ...]:
    levels: list[Level] = []
    items = problems.bounded_list(value, "escalation", MAX_LEVELS)
    if isinstance(value, list) and not value:
        problems.add("escalation", "too_few", low=1)
    for index, item in enumerate(items):
        path = _at("escalation", index)
        keys = ("level", "audience", "after")
        if not problems.object(item, path, keys, keys):
            continue
        level = problems.integer(item.get("level"), _at(path, "level"), 1, MAX_LEVELS) if "level" in item else None
        if level is not None and level != index + 1:
            problems.add(_at(path, "level"), "level_sequence")
        audience = item.get("audience")
        if "audience" in item and audience not in AUDIENCES:
            problems.add(_at(path, "audience"), "unknown_audience")
        after = _rule(item["after"], _at(path, "after"), problems, DEFAULT_WORKING_DAYS_RANGE) \
            if "after" in item else None
        if level == index + 1 and audience in AUDIENCES and after is not None:
            levels.append(Level(level, audience, after))
    return tuple(levels)


def _calendar(value: Any, problems: _Problems) -> CalendarSettings:
    if not problems.object(value, "calendar", _CALENDAR_KEYS, _CALENDAR_KEYS):
        return CalendarSettings()
    cuti_bersama = value.get("cuti_bersama", True)
    if not isinstance(cuti_bersama, bool):
        problems.add("calendar.cuti_bersama", "bool_type")
    weekend: set[int] = set()
    for index, name in enumerate(problems.bounded_list(value.get("weekend", []), "calendar.weekend",
                                                       MAX_WEEKEND_DAYS)):
        if name in WEEKDAYS:
            weekend.add(WEEKDAYS.index(name))
        else:
            problems.add(f"calendar.weekend.{index}", "weekday")
    added = _dates(value.get("holidays_added", []), "calendar.holidays_added", problems)
    removed = _dates(value.get("holidays_removed", []), "calendar.holidays_removed", problems)
    both = set(added.values()) & set(removed.values())
    for index, day in removed.items():
        if day in both:
            problems.add(f"calendar.holidays_removed.{index}", "date_overlap")
    return CalendarSettings(cuti_bersama=cuti_bersama is True, weekend=frozenset(weekend),
                            holidays_added=frozenset(added.values()), holidays_removed=frozenset(removed.values()))


def _dates(value: Any, path: str, problems: _Problems) -> dict[int, date]:
    """Valid dates by their index in the list (the index names the field of a later error)."""
    found: dict[int, date] = {}
    for index, text in enumerate(problems.bounded_list(value, path, MAX_DATES)):
        try:
            if not isinstance(text, str) or not _DATE.fullmatch(text):
                raise ValueError(text)
            found[index] = date.fromisoformat(text)
        except ValueError:
            problems.add(_at(path, index), "date_format")
    return found


# -- deadlines --------------------------------------------------------------------------------------------

def calendar_for(policy: Policy, timezone: str) -> WorkCalendar:
    cal = policy.calendar
    return WorkCalendar(timezone, weekend=cal.weekend, cuti_bersama=cal.cuti_bersama,
                        holidays_added=cal.holidays_added, holidays_removed=cal.holidays_removed)


def rule_for(policy: Policy, category: str, stage: str) -> Rule:
    """The category's own rule for the stage, else the tenant default."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    override = policy.categories.get(category, {}).get(stage)
    return override if override is not None else policy.defaults[stage]


@dataclass(frozen=True)
class Deadline:
    stage: str
    due_at: datetime
    remind_at: datetime | None
    ladder: tuple[tuple[int, str, datetime], ...]  # (level, audience, at)

    def to_json(self) -> dict[str, Any]:
        return {"stage": self.stage, "due_at": iso(self.due_at),
                "remind_at": iso(self.remind_at) if self.remind_at else None,
                "ladder": [{"level": lv, "audience": who, "at": iso(at)} for lv, who, at in self.ladder]}


def deadline(policy: Policy, category: str, stage: str, start: datetime, timezone: str) -> Deadline:
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("naive datetime: pass an aware (UTC) instant")
    start = start.astimezone(UTC)
    rule, calendar = rule_for(policy, category, stage), calendar_for(policy, timezone)
    if rule.duration is not None:
        due = start + rule.duration
    else:
        due = calendar.add_working_days(start, rule.working_days or 0)

    remind: datetime | None = None
    if policy.reminder is not None:
        if rule.duration is not None:
            remind = start + (due - start) / 2
        else:
            remind = calendar.working_days_before(due, policy.reminder.working_days or 0)
        if remind <= start:
            remind = None

    ladder: list[tuple[int, str, datetime]] = []
    at = due
    for level in policy.escalation:
        at = _after(at, level.after, rule, calendar)
        ladder.append((level.level, level.audience, at))
    return Deadline(stage=stage, due_at=due, remind_at=remind, ladder=tuple(ladder))


def _after(previous: datetime, after: Rule, stage_rule: Rule, calendar: WorkCalendar) -> datetime:
    if after.duration is not None:
        return previous + after.duration
    days = after.working_days or 0
    if stage_rule.duration is not None:
        return previous + days * stage_rule.duration  # the emergency clock; 0 days is still "at once"
    return calendar.working_days_after(previous, days)
