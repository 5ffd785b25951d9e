"""Agency performance: the stream keeps the aggregates (``report_changed``), staff read a window of them.

Reading costs a bounded number of items whatever the number of reports: one Query per period of the
window (1 for a day or a month, 7 for a week, 12 for a year) returning one item per unit and area,
one Query for the gauges, and at most ``MOST_OVERDUE`` reports per unit from the units' due-date index.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from chalicelib import clock
from chalicelib.domain import grading, stats
from chalicelib.domain.identity import Caller
from chalicelib.errors import ProblemError, query_error
from chalicelib.services.access import signed_in

STATS_ROLES = frozenset({"officer", "supervisor", "tenant_admin"})
MOST_OVERDUE = 10


def report_changed(old: dict[str, Any] | None, new: dict[str, Any] | None, event_id: str,
                   usage: Sequence[Any] = ()) -> bool:
    """Add one stream record's change to the aggregates, and ``usage`` increments to the billing counters,
    once (False: a redelivery, nothing added)."""
    from chalicelib.store import stats as store
    from chalicelib.store.tenants import get_tenant

    item = new or old or {}
    tenant = get_tenant(str(item.get("tenant")))
    timezone = tenant.timezone if tenant is not None and tenant.timezone else "Asia/Jakarta"
    updates = stats.item_updates(old, new, timezone)
    return store.apply(str(item.get("tenant")), event_id, updates, clock.now(), usage)


def _tenant_for(tenant_code: str, caller: Caller | None) -> Any:
    from chalicelib.services.tenants import require_tenant

    who = signed_in(caller)
    if "platform_admin" in who.roles:
        return require_tenant(tenant_code, allow_suspended=True)
    tenant = require_tenant(tenant_code)
    if not who.is_staff_of(tenant.code) or not who.roles & STATS_ROLES:
        raise ProblemError("forbidden")
    return tenant


def _window(name: str | None, on: str | None, timezone: str) -> stats.Window:
    chosen = name or "month"
    if chosen not in stats.WINDOWS:
        raise query_error("window", "unknown_window", "Jendela harus day, week, month atau year.",
                          "The window must be day, week, month or year.")
    if on is None:
        day = clock.now().astimezone(__import__("zoneinfo").ZoneInfo(timezone)).date()
    else:
        try:
            day = date.fromisoformat(on)
        except ValueError:
            raise query_error("date", "invalid_date", "Tanggal harus berformat YYYY-MM-DD.",
                              "The date must be YYYY-MM-DD.") from None
        if len(on) != 10:
            raise query_error("date", "invalid_date", "Tanggal harus berformat YYYY-MM-DD.",
                              "The date must be YYYY-MM-DD.")
    return stats.window(chosen, day)


def _with_grade(totals: dict[str, int], overdue: int, thresholds: grading.Thresholds) -> dict[str, Any]:
    figures = stats.figures(totals, overdue)
    within, done = stats.sla_shares(totals)
    within_pct = grading.percent(within, done)
    resolved_pct = grading.percent(figures["resolved"], figures["received"])
    figures["grade"] = {"grade": grading.grade(thresholds, within_pct, resolved_pct),
                        "within_sla_percent": within_pct, "resolved_percent": resolved_pct}
    return figures


def _most_overdue(tenant: Any) -> list[dict[str, Any]]:
    from chalicelib.services.routing import units_of
    from chalicelib.store import reports

    now = clock.now()
    found = []
    for agency in sorted(units_of(tenant)):
        page = reports.list_unit(tenant.code, agency, status=None, overdue=True, now=clock.iso(now),
                                 limit=MOST_OVERDUE, after=None)
        found.extend(page.items)
    found.sort(key=lambda r: r.due_at or "")
    rows = []
    for report in found[:MOST_OVERDUE]:
        due = clock.parse_iso(report.due_at) if report.due_at else now
        rows.append({"id": report.report_id, "tracking_code": report.tracking_code, "category": report.category,
                     "agency": report.agency, "area": report.area, "status": report.status, "stage": report.stage,
                     "due_at": report.due_at, "overdue_hours": round((now - due).total_seconds() / 3600, 1),
                     "escalation_level": int(report.escalation_level or 0)})
    return rows


def read(tenant_code: str, caller: Caller | None, window_name: str | None, on: str | None) -> dict[str, Any]:
    """The figures of a window per unit, per area and for the whole tenant, with the grade they imply."""
    from chalicelib.store import stats as store

    tenant = _tenant_for(tenant_code, caller)
    timezone = tenant.timezone or "Asia/Jakarta"
    chosen = _window(window_name, on, timezone)
    thresholds = grading.of(tenant.grading.as_dict() if tenant.grading else None)
    summed: dict[str, dict[str, int]] = {}
    items_read = 0
    for period in chosen.periods():
        found, read = store.read_prefix(tenant.code, f"{period}#")
        items_read += read
        for dim, counters in found.items():
            into = summed.setdefault(dim, {})
            for name, value in counters.items():
                into[name] = into.get(name, 0) + value
    gauges, read = store.read_prefix(tenant.code, "gauge#")
    items_read += read
    dims = set(summed) | set(gauges)

    def of(dim: str) -> dict[str, Any]:
        return _with_grade(summed.get(dim, {}), max(0, gauges.get(dim, {}).get("overdue", 0)), thresholds)

    total_gauges = stats.tenant_total(gauges)

    overdue = _most_overdue(tenant)
    items_read += len(overdue)
    return {
        "tenant": tenant.code,
        "window": {"name": chosen.name, "start": chosen.start.isoformat(), "end": chosen.end.isoformat(),
                   "timezone": timezone},
        "total": _with_grade(stats.tenant_total(summed), max(0, total_gauges.get("overdue", 0)), thresholds),
        "units": {d.split("#", 1)[1]: of(d) for d in sorted(dims) if d.startswith("unit#")},
        "areas": {d.split("#", 1)[1]: of(d) for d in sorted(dims) if d.startswith("area#")},
        "most_overdue": overdue,
        "grading": grading.to_json(thresholds),
        "items_read": items_read,
    }
