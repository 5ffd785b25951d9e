"""The public dashboard: per agency unit, the last 30 days and the last 12 months, from the stream's aggregates.

Cost is constant per request: one Query over the day items of 30 days and one over the month items of
12 months (each returns at most one item per period and dimension), whatever the number of reports.

What is published, and why:
- per unit only, never per area or report: aggregates say nothing of a report's content, and no report
  is listed or identified here;
- counts include confidential reports of ordinary categories (a unit's workload is its workload, and
  leaving them out would flatter it), but units that receive sensitive reports (the Inspectorate,
  which handles misconduct / whistle-blowing) are left out entirely, and so is the tenant's total that
  would contain them: how many misconduct reports a pemda's Inspectorate receives and settles, day by
  day, can point at who reported or who was reported in a small administration.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from chalicelib import clock
from chalicelib.domain import opendata as rules
from chalicelib.domain.routing import SENSITIVE_UNIT_TYPE, unit_type


def _published(units: dict[str, Any], code: str) -> bool:
    return unit_type(units, code) != SENSITIVE_UNIT_TYPE and code != SENSITIVE_UNIT_TYPE


def read(tenant_code: str) -> dict[str, Any]:
    from chalicelib.services.routing import units_of
    from chalicelib.services.tenants import require_tenant
    from chalicelib.store import stats as store

    tenant = require_tenant(tenant_code)
    timezone = tenant.timezone or "Asia/Jakarta"
    today = clock.now().astimezone(ZoneInfo(timezone)).date()
    units = units_of(tenant)
    day_low, day_high = rules.day_span(today, 30)
    first_month, month_low, month_high = rules.month_span(today)
    windows: dict[str, dict[str, dict[str, int]]] = {}
    items_read = 0
    for name, (low, high) in (("last_30_days", (day_low, day_high)), ("last_12_months", (month_low, month_high))):
        found, read = store.read_between(tenant.code, low, high)
        items_read += read
        windows[name] = {code: totals for code, totals in rules.sum_by_unit(found).items()
                         if _published(units, code)}
    codes = sorted(set(windows["last_30_days"]) | set(windows["last_12_months"]))
    published_total: dict[str, dict[str, int]] = {name: {} for name in windows}
    for name, by_unit in windows.items():
        for totals in by_unit.values():
            rules.add_counters(published_total[name], totals)

    def name_of(code: str) -> str | None:
        for unit in units.values():
            if isinstance(unit, dict) and unit.get("code") == code:
                return unit.get("name")
        return None

    return {
        "tenant": tenant.code,
        "timezone": timezone,
        "windows": {
            "last_30_days": {"from": day_low.split("#")[1], "to": today.isoformat()},
            "last_12_months": {"from": first_month.isoformat(), "to": today.isoformat()},
        },
        "units": [{"code": code, "name": name_of(code),
                   **{name: rules.public_figures(windows[name].get(code, {})) for name in windows}}
                  for code in codes],
        "total": {name: rules.public_figures(published_total[name]) for name in windows},
        "excluded": {"unit_types": [SENSITIVE_UNIT_TYPE],
                     "reason": {"id": "Unit penerima laporan sensitif (pengaduan pelanggaran) tidak ditampilkan.",
                                "en": "Units receiving sensitive (misconduct) reports are not shown."}},
        "items_read": items_read,
    }
