"""Open data rules: the export's range, its job id, what a row may hold, and how it is written."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from ulid import ULID

from chalicelib.domain import opendata as rules
from chalicelib.domain.report_ids import id_bounds

TODAY = date(2026, 12, 6)
ITEM = {"report_id": "01KE5Q86005KP3SE6QDDPT01JK", "tracking_code": "KPG-ABC123", "category": "garbage",
        "agency": "DLH", "area": "ALAK", "status": "dispatched", "description": "Sampah, \"banyak\"\nsekali",
        "address": "Jl. Ahmad Yani", "lat": -10.1772, "lon": 123.607, "privacy": "anonymous", "feed": "kupang",
        "created_at": "2026-11-10T01:00:00.000Z", "updated_at": "2026-11-10T01:00:00.000Z",
        "reporter_sub": "sub-ani", "receipt_hash": "h4sh", "assignee": "sub-officer", "rating": 2,
        "last_event": {"note": "Pak Budi menelepon"}}


def test_a_range_is_two_local_dates_in_order_at_most_366_days_and_not_past_today():
    assert rules.parse_range("2026-01-01", "2026-12-06", TODAY).days == 340
    assert rules.parse_range("2025-12-06", "2026-12-06", TODAY).days == 366
    for start, end, code in (("2025-12-05", "2026-12-06", "range_too_long"), ("2026-02-01", "2026-01-01",
                             "range_reversed"), ("2026-12-01", "2026-12-07", "range_in_future"),
                             (None, "2026-12-01", "missing"), ("2026-1-1", "2026-12-01", "invalid_date"),
                             ("2026-02-30", "2026-03-01", "invalid_date")):
        with pytest.raises(rules.RangeError) as caught:
            rules.parse_range(start, end, TODAY)
        assert caught.value.code == code, (start, end)


def test_the_range_is_read_in_the_tenants_time_zone_as_report_ids():
    low, high = rules.utc_bounds(rules.ExportRange(date(2026, 11, 1), date(2026, 11, 30)), "Asia/Makassar")
    assert low == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)  # midnight WITA
    assert high == datetime(2026, 11, 30, 15, 59, 59, 999000, tzinfo=UTC)
    first, last = id_bounds(low, high)
    inside = str(ULID.from_datetime(datetime(2026, 11, 15, tzinfo=UTC)))
    before = str(ULID.from_datetime(datetime(2026, 10, 31, 15, 59, 59, tzinfo=UTC)))
    after = str(ULID.from_datetime(datetime(2026, 11, 30, 16, 0, tzinfo=UTC)))
    assert first <= inside <= last and before < first and after > last
    assert first == str(ULID.from_datetime(low))[:10] + "0" * 16


def test_the_job_id_names_format_range_and_day_so_asking_twice_is_one_job():
    chosen = rules.ExportRange(date(2026, 1, 1), date(2026, 6, 30))
    assert rules.job_id("csv", chosen, TODAY) == rules.job_id("csv", chosen, TODAY)
    assert rules.job_id("csv", chosen, TODAY) != rules.job_id("geojson", chosen, TODAY)
    assert rules.job_id("csv", chosen, TODAY) != rules.job_id("csv", chosen, date(2026, 12, 7))


def test_a_row_holds_no_personal_data_and_a_confidential_report_none_at_all():
    row = rules.row(ITEM)
    assert row is not None and list(row) == list(rules.COLUMNS)
    text = json.dumps(row)
    for secret in ("sub-ani", "h4sh", "sub-officer", "Pak Budi", "rating", "anonymous"):
        assert secret not in text
    assert rules.row({**ITEM, "privacy": "confidential"}) is None
    assert rules.row({**ITEM, "feed": None}) is None  # not listed publicly: not exported either


def test_csv_escapes_commas_quotes_and_newlines_and_neutralises_formulas():
    lines = rules.csv_header() + rules.csv_line(rules.row(ITEM)) + rules.csv_line(
        rules.row({**ITEM, "description": "=HYPERLINK(\"http://x\")", "address": "+62 812", "area": "@SUM(A1)"}))
    parsed = list(csv.DictReader(io.StringIO(lines.lstrip("\ufeff"), newline="")))
    assert parsed[0]["description"] == "Sampah, \"banyak\"\nsekali"
    assert parsed[1]["description"] == "'=HYPERLINK(\"http://x\")"
    assert parsed[1]["address"] == "'+62 812" and parsed[1]["area"] == "'@SUM(A1)"
    assert parsed[1]["lat"] == "-10.1772"  # numbers stay numbers
    assert rules.csv_cell("description", "-1") == "'-1" and rules.csv_cell("description", "\tx") == "'\tx"


def test_geojson_is_a_feature_collection_of_lon_lat_points():
    row = rules.row(ITEM)
    text = (rules.geojson_head("kupang", rules.ExportRange(date(2026, 11, 1), date(2026, 11, 30)), "t")
            + rules.geojson_feature(row, first=True) + rules.geojson_feature(row, first=False) + rules.GEOJSON_TAIL)
    parsed = json.loads(text)
    assert parsed["type"] == "FeatureCollection" and len(parsed["features"]) == 2
    assert parsed["features"][0]["geometry"] == {"type": "Point", "coordinates": [123.607, -10.1772]}


def test_public_figures_are_counts_shares_medians_and_the_average_rating():
    items = {"day#2026-12-01#unit#DLH": {"received": 3, "resolved": 2, "stage_done#resolution": 2,
                                         "stage_in_sla#resolution": 1, "rating_count": 2, "rating_sum": 9},
             "day#2026-12-02#unit#DLH": {"received": 1},
             "day#2026-12-02#area#ALAK": {"received": 1}, "day#2026-12-02#all": {"received": 4}}
    by_unit = rules.sum_by_unit(items)
    assert set(by_unit) == {"DLH"}
    figures = rules.public_figures(by_unit["DLH"])
    assert figures["received"] == 4 and figures["resolved"] == 2
    assert figures["resolved_within_sla_percent"] == 50.0 and figures["average_rating"] == 4.5
    assert figures["median_resolution_hours"] is None


def test_windows_are_30_day_items_and_the_12_months_to_this_one():
    assert rules.day_span(TODAY, 30) == ("day#2026-11-07", "day#2026-12-06#~")
    assert rules.month_span(TODAY) == (date(2026, 1, 1), "month#2026-01", "month#2026-12#~")
    assert rules.month_span(date(2026, 3, 9))[0] == date(2025, 4, 1)
