"""Open data as pure rules: the export's date range, its job id, which reports and fields it holds,
and how one row is written as CSV or as a GeoJSON feature.

Only publicly listed reports are exported (public and anonymous; confidential never), and only the
fields below: no reporter, receipt, assignee, officer notes, rating or any other personal data. Text a
spreadsheet would run as a formula (a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return) is neutralised with a leading apostrophe (OWASP's advice for CSV injection).

No AWS here.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain.stats import _histogram, _hours, quantile

FORMATS = ("csv", "geojson")
MAX_DAYS = 366
# The fields of an exported report, in CSV column order; nothing else ever leaves.
COLUMNS = ("id", "tracking_code", "category", "agency", "area", "status", "description", "address", "lat", "lon",
           "created_at", "updated_at", "resolved_at", "closed_at")
TEXT_COLUMNS = frozenset({"description", "address", "tracking_code", "category", "agency", "area", "status"})
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json"}


class RangeError(ValueError):
    """A bad ``from``/``to``: which parameter, a stable code, and words in both languages."""

    def __init__(self, field: str, code: str, id_text: str, en_text: str) -> None:
        super().__init__(code)
        self.field, self.code, self.id_text, self.en_text = field, code, id_text, en_text


@dataclass(frozen=True)
class ExportRange:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _day(name: str, text: str | None) -> date:
    if text is None:
        raise RangeError(name, "missing", f"Parameter {name} wajib diisi (YYYY-MM-DD).",
                         f"The {name} parameter is required (YYYY-MM-DD).")
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise RangeError(name, "invalid_date", "Tanggal harus berformat YYYY-MM-DD.",
                         "The date must be YYYY-MM-DD.") from None


def parse_range(start: str | None, end: str | None, today: date) -> ExportRange:
    """``from`` and ``to`` (inclusive, the tenant's local dates): ordered, at most ``MAX_DAYS``, not in the future."""
    first, last = _day("from", start), _day("to", end)
    if last < first:
        raise RangeError("to", "range_reversed", "Tanggal to tidak boleh sebelum from.",
                         "The to date must not be before the from date.")
    if last > today:
        raise RangeError("to", "range_in_future", "Tanggal to tidak boleh melewati hari ini.",
                         "The to date must not be after today.")
    chosen = ExportRange(first, last)
    if chosen.days > MAX_DAYS:
        raise RangeError("to", "range_too_long", f"Rentang paling lama {MAX_DAYS} hari.",
                         f"The range may span at most {MAX_DAYS} days.")
    return chosen


def utc_bounds(chosen: ExportRange, timezone: str) -> tuple[datetime, datetime]:
    """The first and last instant (UTC) of the range in the tenant's time zone."""
    zone = ZoneInfo(timezone)
    low = datetime.combine(chosen.start, time.min, zone).astimezone(UTC)
    high = datetime.combine(chosen.end + timedelta(days=1), time.min, zone).astimezone(UTC) - timedelta(milliseconds=1)
    return low, high


def job_id(fmt: str, chosen: ExportRange, as_of: date) -> str:
    """Derived from what is asked (format, range) and the day it is asked: asking twice starts one job, and
    a file is made again at most once a day (statuses change; a year-old file would mislead)."""
    return f"reports_{chosen.start.isoformat()}_{chosen.end.isoformat()}_{as_of.strftime('%Y%m%d')}.{fmt}"


def file_name(tenant: str, fmt: str, chosen: ExportRange) -> str:
    return f"aduan-{tenant}-reports-{chosen.start.isoformat()}-{chosen.end.isoformat()}.{fmt}"


def row(item: dict[str, Any]) -> dict[str, Any] | None:
    """The exported fields of one report (plain values), or None when it may not be exported at all."""
    if item.get("privacy") not in ("public", "anonymous") or not item.get("feed"):
        return None
    found = {name: item.get(name) for name in COLUMNS if name not in ("id", "lat", "lon")}
    found["id"] = item.get("report_id")
    found["lat"] = float(item["lat"])
    found["lon"] = float(item["lon"])
    return {name: found.get(name) for name in COLUMNS}


def csv_cell(name: str, value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    if name in TEXT_COLUMNS and text.startswith(_FORMULA_STARTS):
        return "'" + text  # shown as text, never run as a formula
    return text


class _Line:
    """One CSV writer reused for every line (building one per row costs more than the row itself).

    Not for sharing between threads: a process runs one export job at a time.
    """

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")  # RFC 4180

    def __call__(self, values: list[str]) -> str:
        self.buffer.seek(0)
        self.buffer.truncate()
        self.writer.writerow(values)
        return self.buffer.getvalue()


_csv = _Line()


def csv_header() -> str:
    return "\ufeff" + _csv(list(COLUMNS))  # the byte-order mark makes spreadsheets read UTF-8


def csv_line(exported: dict[str, Any]) -> str:
    return _csv([csv_cell(name, exported.get(name)) for name in COLUMNS])


def geojson_head(tenant: str, chosen: ExportRange, generated_at: str) -> str:
    meta = json.dumps({"tenant": tenant, "from": chosen.start.isoformat(), "to": chosen.end.isoformat(),
                       "generated_at": generated_at}, ensure_ascii=False)
    return '{"type":"FeatureCollection","metadata":' + meta + ',"features":['


def geojson_feature(exported: dict[str, Any], first: bool) -> str:
    properties = {k: v for k, v in exported.items() if k not in ("lat", "lon")}
    feature = {"type": "Feature", "id": exported["id"],
               "geometry": {"type": "Point", "coordinates": [exported["lon"], exported["lat"]]},  # [lon, lat]
               "properties": properties}
    return ("" if first else ",") + json.dumps(feature, ensure_ascii=False)


GEOJSON_TAIL = "]}"


# -- the public dashboard ---------------------------------------------------------------------------

PUBLIC_WINDOWS = {"last_30_days": 30, "last_365_days": 365}


def day_span(today: date, days: int) -> tuple[str, str]:
    """Sort-key bounds of the day items of the ``days`` days up to and including ``today``."""
    return f"day#{(today - timedelta(days=days - 1)).isoformat()}", f"day#{today.isoformat()}#~"


def month_span(today: date) -> tuple[date, str, str]:
    """The first day and sort-key bounds of the month items of the 12 calendar months up to ``today``'s.

    Month items are what the stream keeps for long windows, so "365 days" is read as the current month
    and the eleven before it: 12 items per unit, whatever the number of reports.
    """
    year, month = (today.year, today.month - 11) if today.month > 11 else (today.year - 1, today.month + 1)
    first = date(year, month, 1)
    return first, f"month#{first.strftime('%Y-%m')}", f"month#{today.strftime('%Y-%m')}#~"


def sum_by_unit(items: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """{unit code: summed counters} from aggregate items keyed ``<granularity>#<period>#unit#<code>``."""
    summed: dict[str, dict[str, int]] = {}
    for key, counters in items.items():
        parts = key.split("#", 3)
        if len(parts) != 4 or not parts[2] == "unit":
            continue  # the tenant's total and areas are not published (see public_figures)
        into = summed.setdefault(parts[3], {})
        for name, value in counters.items():
            into[name] = into.get(name, 0) + value
    return summed


def add_counters(into: dict[str, int], more: dict[str, int]) -> None:
    for name, value in more.items():
        into[name] = into.get(name, 0) + value


def public_figures(totals: dict[str, int]) -> dict[str, Any]:
    """The figures anyone may see for one unit (or a sum of units): counts, shares, medians, average rating."""
    done = totals.get("stage_done#resolution", 0)
    within = totals.get("stage_in_sla#resolution", 0)
    ratings = totals.get("rating_count", 0)
    return {
        "received": totals.get("received", 0),
        "resolved": totals.get("resolved", 0),
        "resolved_within_sla_percent": None if not done else round(within * 100 / done, 1),
        "median_first_response_hours": _hours(quantile(_histogram(totals, "ttfr"), 0.5)),
        "median_resolution_hours": _hours(quantile(_histogram(totals, "ttr"), 0.5)),
        "average_rating": None if not ratings else round(totals.get("rating_sum", 0) / ratings, 2),
        "ratings": ratings,
    }
