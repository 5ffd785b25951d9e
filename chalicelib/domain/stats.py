"""Agency performance figures as pure rules: what one change of a report adds to the aggregates, which
aggregate items a window reads, and the figures (shares, percentiles) read back from them.

Aggregates are numbers added to per period and dimension: ``day#2026-12-05#unit#DLH``,
``month#2026-12#area#ALAK``, ``...#unassigned`` (reports no unit holds); the whole tenant is the sum
of its units and ``unassigned`` (``tenant_total``), not items of its own. A window reads day items (day: 1, week: 7)
or month items (month: 1, year: 12): its cost is bounded by the number of units and areas, never by
the number of reports. Durations go into mergeable log-bucket histograms (DDSketch's logarithmic
mapping, 2 % relative accuracy): bucket counts add across days, units and redeliveries-free updates,
and a quantile read from the summed buckets is within 2 % of the exact one.

Counters (per period and dimension):
- ``received`` (created), ``verified`` (verify), ``dispatched`` (to ``dispatched``), ``resolved``,
  ``reopened`` (a dispute or any move out of ``resolved`` back to work), ``closed``;
- ``stage_done#<stage>`` / ``stage_in_sla#<stage>``: stages that ended, and those that ended by their due time;
- ``rating_count``, ``rating_sum``, ``rating#<1-5>``; ``escalated#<level>``;
- histogram buckets ``ttfr#<k>`` (submission to first response: acknowledge or answer) and ``ttr#<k>``
  (submission to resolution), in seconds.
Gauges (``gauge#<dimension>``, what is true now): ``overdue``, open reports whose current stage is breached.

No AWS here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

WINDOWS = ("day", "week", "month", "year")
RELATIVE_ACCURACY = 0.02
OPEN = ("submitted", "on_hold", "dispatched", "acknowledged", "in_progress", "resolved")
FIRST_RESPONSE_ACTIONS = ("acknowledge", "answer")
HISTOGRAMS = ("ttfr", "ttr")
STAGES = ("verification", "first_response", "resolution", "auto_close")


@lru_cache(maxsize=1)
def _mapping() -> Any:
    from ddsketch.mapping import LogarithmicMapping  # deferred: only the stream handler and stats reads need it

    return LogarithmicMapping(RELATIVE_ACCURACY)


def bucket(seconds: float) -> int:
    """The histogram bucket of a duration (durations under a second count as one second)."""
    return int(_mapping().key(max(1.0, seconds)))


def bucket_value(key: int) -> float:
    return float(_mapping().value(key))


def _parse(text: Any) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


@dataclass
class Changes:
    """What one report change adds: counters per (period-less) dimension, dated by ``at``."""

    counts: list[tuple[datetime, dict[str, int]]] = field(default_factory=list)
    gauges: dict[str, int] = field(default_factory=dict)

    def add(self, at: datetime, **amounts: int) -> None:
        self.counts.append((at, dict(amounts)))

    def empty(self) -> bool:
        return not self.counts and not any(self.gauges.values())


def _overdue(item: dict[str, Any] | None) -> bool:
    return bool(item and item.get("status") in OPEN and item.get("breached") and item.get("stage"))


def changes_of(old: dict[str, Any] | None, new: dict[str, Any] | None) -> Changes:
    """What the change old -> new of one report adds (plain stream images; either may be None)."""
    found = Changes()
    if new is None:
        return found
    last = new.get("last_event") or {}
    moved = old is None or (last.get("id") and last.get("id") != (old.get("last_event") or {}).get("id"))
    at = _parse(last.get("at")) or _parse(new.get("updated_at")) or _parse(new.get("created_at"))
    created = _parse(new.get("created_at"))
    if at is None or created is None:
        return found
    before, after = (old or {}).get("status"), new.get("status")
    if old is None:
        found.add(created, received=1)
    if moved and old is not None:
        action = last.get("action")
        if action == "verify":
            found.add(at, verified=1)
        if after == "dispatched" and before != "dispatched":
            found.add(at, dispatched=1)
        if after == "resolved" and before != "resolved":
            found.add(at, resolved=1, **{f"ttr#{bucket((at - created).total_seconds())}": 1})
        if (before == "resolved" and after in OPEN and after != "resolved") or action == "dispute":
            found.add(at, reopened=1)
        # A first response ends the first-response stage (a reassignment starts that clock again).
        if action in FIRST_RESPONSE_ACTIONS and old.get("stage") == "first_response":
            found.add(at, **{f"ttfr#{bucket((at - created).total_seconds())}": 1})
    if old is not None and after == "closed" and before != "closed":
        closed_at = _parse(new.get("closed_at")) or at
        rating = new.get("rating")
        extra = {"rating_count": 1, "rating_sum": int(rating), f"rating#{int(rating)}": 1} if rating else {}
        found.add(closed_at, closed=1, **extra)
    old_stage = (old or {}).get("stage"), int((old or {}).get("stage_seq") or 0)
    new_stage = new.get("stage"), int(new.get("stage_seq") or 0)
    if old is not None and old_stage[0] and old_stage != new_stage:
        ended = at if moved else (_parse(new.get("closed_at")) or at)
        due = _parse(old.get("due_at"))
        in_sla = due is not None and ended <= due
        found.add(ended, **{f"stage_done#{old_stage[0]}": 1, f"stage_in_sla#{old_stage[0]}": int(in_sla)})
    level, was = int(new.get("escalation_level") or 0), int((old or {}).get("escalation_level") or 0)
    if old is not None and old_stage == new_stage and level > was:
        found.add(_parse(new.get("escalated_at")) or at, **{f"escalated#{n}": 1 for n in range(was + 1, level + 1)})
    found.gauges["overdue"] = int(_overdue(new)) - int(_overdue(old))
    return found


UNASSIGNED = "unassigned"  # the dimension of a report no unit holds (yet)


def dimensions(item: dict[str, Any] | None) -> list[str]:
    """The dimensions a report counts in: its unit (``unassigned`` without one) and its area.

    Every change counts in exactly one of ``unassigned`` and ``unit#*``, so the tenant's total is their
    sum (``tenant_total``), read from the items a window reads anyway: writing it as items of its own
    would cost two more items in every change's transaction (four write units).
    """
    dims = [f"unit#{item['agency']}"] if item and item.get("agency") else [UNASSIGNED]
    if item and item.get("area"):
        dims.append(f"area#{item['area']}")
    return dims


def tenant_total(by_dimension: dict[str, dict[str, int]]) -> dict[str, int]:
    """The tenant's counters: the sum of its units' and of ``unassigned`` (areas overlap them: not added)."""
    total: dict[str, int] = {}
    for dim, counters in by_dimension.items():
        if dim == UNASSIGNED or dim.startswith("unit#"):
            for name, value in counters.items():
                total[name] = total.get(name, 0) + value
    return total


def period_keys(at: datetime, timezone: str) -> tuple[str, str]:
    local = at.astimezone(ZoneInfo(timezone))
    return f"day#{local.date().isoformat()}", f"month#{local.strftime('%Y-%m')}"


def item_updates(old: dict[str, Any] | None, new: dict[str, Any] | None,
                 timezone: str) -> dict[str, dict[str, int]]:
    """{aggregate key: {attribute: amount}} for one change, merged so no item appears twice."""
    changes = changes_of(old, new)
    updates: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    dims = dimensions(new or old)
    for at, amounts in changes.counts:
        for period in period_keys(at, timezone):
            for dim in dims:
                for name, value in amounts.items():
                    updates[f"{period}#{dim}"][name] += value
    for name, value in changes.gauges.items():
        if not value:
            continue
        # A report that moved unit leaves the old unit's gauge and joins the new one's.
        if value < 0 or not _overdue(old):
            for dim in dimensions(old if value < 0 else new):
                updates[f"gauge#{dim}"][name] += value
    return {key: {k: v for k, v in amounts.items() if v} for key, amounts in updates.items()
            if any(amounts.values())}


# -- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    name: str
    start: date
    end: date  # inclusive

    def periods(self) -> list[str]:
        """The aggregate periods this window sums: day items for day/week, month items for month/year."""
        if self.name in ("day", "week"):
            days = (self.end - self.start).days + 1
            return [f"day#{(self.start + timedelta(days=n)).isoformat()}" for n in range(days)]
        months = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            months.append(f"month#{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months


def window(name: str, on: date) -> Window:
    """The day, the ISO week (Monday to Sunday), the month or the year that contains ``on``."""
    if name == "day":
        return Window(name, on, on)
    if name == "week":
        start = on - timedelta(days=on.weekday())
        return Window(name, start, start + timedelta(days=6))
    if name == "month":
        start = on.replace(day=1)
        following = (start.replace(year=start.year + 1, month=1) if start.month == 12
                     else start.replace(month=start.month + 1))
        return Window(name, start, following - timedelta(days=1))
    if name == "year":
        return Window(name, on.replace(month=1, day=1), on.replace(month=12, day=31))
    raise ValueError(name)


def quantile(buckets: dict[int, int], q: float) -> float | None:
    """The q-quantile of the durations whose bucket counts are given (DDSketch's rank rule)."""
    total = sum(buckets.values())
    if total <= 0:
        return None
    rank = q * (total - 1)
    seen = 0
    for key in sorted(buckets):
        seen += buckets[key]
        if seen > rank:
            return bucket_value(key)
    return bucket_value(max(buckets))


def _histogram(totals: dict[str, int], name: str) -> dict[int, int]:
    prefix = f"{name}#"
    return {int(k[len(prefix):]): v for k, v in totals.items() if k.startswith(prefix) and v}


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def figures(totals: dict[str, int], overdue: int) -> dict[str, Any]:
    """The figures of one dimension from its summed counters."""
    stages = {}
    for stage in STAGES:
        done = totals.get(f"stage_done#{stage}", 0)
        within = totals.get(f"stage_in_sla#{stage}", 0)
        stages[stage] = {"finished": done, "within_sla": within,
                         "within_sla_percent": None if not done else within * 100 // done}
    ttfr, ttr = _histogram(totals, "ttfr"), _histogram(totals, "ttr")
    ratings = totals.get("rating_count", 0)
    return {
        "received": totals.get("received", 0), "verified": totals.get("verified", 0),
        "dispatched": totals.get("dispatched", 0), "resolved": totals.get("resolved", 0),
        "reopened": totals.get("reopened", 0), "closed": totals.get("closed", 0), "overdue_now": overdue,
        "sla": stages,
        "first_response_hours": {"count": sum(ttfr.values()), "median": _hours(quantile(ttfr, 0.5)),
                                 "p90": _hours(quantile(ttfr, 0.9))},
        "resolution_hours": {"count": sum(ttr.values()), "median": _hours(quantile(ttr, 0.5)),
                             "p90": _hours(quantile(ttr, 0.9))},
        "ratings": {"count": ratings,
                    "average": None if not ratings else round(totals.get("rating_sum", 0) / ratings, 2),
                    "distribution": {str(n): totals.get(f"rating#{n}", 0) for n in range(1, 6)}},
        "escalations": {k.split("#", 1)[1]: v for k, v in sorted(totals.items()) if k.startswith("escalated#")},
    }


def sla_shares(totals: dict[str, int]) -> tuple[int, int]:
    """(stages finished within SLA, stages finished) over every stage."""
    done = sum(totals.get(f"stage_done#{s}", 0) for s in STAGES)
    within = sum(totals.get(f"stage_in_sla#{s}", 0) for s in STAGES)
    return within, done
