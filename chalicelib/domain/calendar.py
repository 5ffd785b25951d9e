"""The working-day calendar ("hari kerja") of one tenant, and deadlines counted in working days.

A day is a *local* date in the tenant's time zone (WIB ``Asia/Jakarta``, WITA ``Asia/Makassar``, WIT
``Asia/Jayapura``). A date is **not** a working day when it is a weekend day, a national holiday, a cuti
bersama day (ASN collective leave, the ``government`` category of the ``holidays`` package; switchable), or a
date the tenant added (regional days, disaster closures). A date in ``holidays_removed`` **is** a working day,
whatever it is otherwise, weekend included: the tenant says "we work that day" (e.g. a Saturday make-up day).

Deadlines live on a grid of local midnights:

- ``add_working_days(start, n)``: ``start`` is an aware datetime (UTC in practice). The day something
  happens never counts ("H+n"): the deadline is the END of the n-th working day strictly after the local date
  of ``start``, i.e. the local midnight that follows it, returned as an aware UTC datetime. ``n == 0`` means
  the end of the start's own day if it is a working day, else the end of the next working day.
- ``working_days_after(due, n)`` / ``working_days_before(due, n)``: move a deadline n working days along
  the grid. A deadline's *last day* is the day that ends at it (the local date just before ``due``); the
  result is the end of the working day n working days after / before the last working day on or before it.
  ``working_days_after(due, 0)`` is ``due`` itself.
- ``working_days_between(start, end)``: the working days strictly after the start's local date that end
  at or before ``end``; ``working_days_between(s, add_working_days(s, n)) == n`` for ``n >= 1``.

National holidays come from the ``holidays`` package (pinned in requirements.txt; cuti bersama only exists
for years whose SKB has been published, and Islamic dates of later years are estimates; update yearly).
Its answers for 2020-2035 are kept in ``holidays_id.json`` (``python -m devstack.holiday_table``; a unit
test holds the table to the pinned package), so a cold request computing its first deadline reads 30 KB
of JSON instead of importing every country the package knows; other years ask the package itself.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# A calendar with no working day at all (7-day weekend, a year of closures) must fail, not spin.
MAX_STEPS = 3660
TENANT_HOLIDAY = "tenant"
_ONE_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)


_TABLE = Path(__file__).with_name("holidays_id.json")


@functools.cache
def _table() -> Mapping[str, Any]:
    years: Mapping[str, Any] = json.loads(_TABLE.read_text(encoding="utf-8"))["years"]
    return years


@functools.lru_cache(maxsize=64)
def national_holidays(year: int, cuti_bersama: bool) -> Mapping[date, str]:
    """Indonesia's national holidays of one year (plus cuti bersama when asked), names in Bahasa Indonesia."""
    categories = ("public", "government") if cuti_bersama else ("public",)
    tabled = _table().get(str(year))
    if tabled is not None:
        return {date.fromisoformat(day): name for day, name in tabled["+".join(categories)].items()}
    # Beyond the table: the package itself (lazy; its import costs a cold request ~60-120 ms).
    from holidays.countries.indonesia import Indonesia

    # language is explicit: without it the names follow the process locale (English under C.UTF-8).
    found = Indonesia(categories=categories, years=year, language="id")
    return dict(found)  # a plain dict: HolidayBase would grow new years on lookup


@dataclass(frozen=True)
class WorkCalendar:
    timezone: str
    weekend: frozenset[int] = frozenset({5, 6})  # Monday=0
    cuti_bersama: bool = True
    holidays_added: frozenset[date] = frozenset()
    holidays_removed: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown time zone {self.timezone!r}") from err
        if not self.weekend <= set(range(7)):
            raise ValueError("weekend days are 0 (Monday) to 6 (Sunday)")
        if self.holidays_added & self.holidays_removed:
            raise ValueError("a date cannot be both added and removed")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # ZoneInfo caches instances itself

    # -- days --------------------------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays_removed:
            return True
        if day in self.holidays_added or day.weekday() in self.weekend:
            return False
        return day not in national_holidays(day.year, self.cuti_bersama)

    def holiday_name(self, day: date) -> str | None:
        """The national holiday's name, ``"tenant"`` for an added date, else None (plain weekends too)."""
        if day in self.holidays_removed:
            return None
        if day in self.holidays_added:
            return TENANT_HOLIDAY
        return national_holidays(day.year, self.cuti_bersama).get(day)

    # -- instants ----------------------------------------------------------------------------------------

    def local_date(self, moment: datetime) -> date:
        _require_aware(moment)
        return moment.astimezone(self.zone).date()

    def end_of(self, day: date) -> datetime:
        """The local midnight that ends ``day``, in UTC."""
        return datetime.combine(day + _ONE_DAY, time(), tzinfo=self.zone).astimezone(UTC)

    def add_working_days(self, start: datetime, days: int) -> datetime:
        _require_days(days)
        return self.end_of(self._walk(self.local_date(start), days, +1))

    def working_days_after(self, due: datetime, days: int) -> datetime:
        _require_days(days)
        if days == 0:
            return due.astimezone(UTC)
        return self.end_of(self._walk(self._last_working_day(due), days, +1))

    def working_days_before(self, due: datetime, days: int) -> datetime:
        _require_days(days)
        return self.end_of(self._walk(self._last_working_day(due), days, -1))

    def working_days_between(self, start: datetime, end: datetime) -> int:
        first = self.local_date(start) + _ONE_DAY
        last = self.local_date(end - _TICK)  # the last day that has ended by ``end``
        if last < first:
            return 0
        if (last - first).days > MAX_STEPS:
            raise ValueError(f"span longer than {MAX_STEPS} days")
        return sum(self.is_working_day(first + timedelta(days=i)) for i in range((last - first).days + 1))

    # -- helpers -----------------------------------------------------------------------------------------

    def _last_working_day(self, due: datetime) -> date:
        """The last working day on or before the day that ends at ``due``."""
        return self._walk(self.local_date(due - _TICK), 0, -1)

    def _walk(self, day: date, count: int, direction: int) -> date:
        """The ``count``-th working day after (or before) ``day``; for 0, ``day`` itself or the nearest one."""
        if count == 0 and self.is_working_day(day):
            return day
        found = 0
        for _ in range(MAX_STEPS):
            day += direction * _ONE_DAY
            if self.is_working_day(day):
                found += 1
                if found >= max(count, 1):
                    return day
        raise ValueError(f"fewer than {max(count, 1)} working days within {MAX_STEPS} days")


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: pass an aware (UTC) instant")


def _require_days(days: int) -> None:
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ValueError("days must be a non-negative integer")
