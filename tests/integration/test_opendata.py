"""Open data: exports hold exactly the public reports of a range, redacted, written by a job in parts; the
public dashboard publishes per-unit figures from the aggregates at a bounded cost."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
import requests

from tests.integration.conftest import report_body
from tests.integration.journeys import resolved

REPORTS = "/v1/tenants/kupang/reports"
EXPORT = "/v1/tenants/kupang/exports/reports"
NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


@pytest.fixture
def at(monkeypatch):
    """Move the product's clock: ``at(moment)``; the export is asked for at ``NOW``."""
    from chalicelib import clock

    def move(moment: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: moment)

    return move


def _file(stack: Any, path: str, **headers: str) -> tuple[Any, dict[str, Any]]:
    """Ask, run the job, ask again: (the file's bytes as text, the ready answer)."""
    first = stack.call("GET", path, headers=headers)
    assert first.status_code == 202, first.json_body
    stack.drain_exports()
    ready = stack.call("GET", path)
    assert ready.status_code == 303, ready.json_body
    assert ready.headers["location"] == ready.json_body["url"]
    fetched = requests.get(ready.json_body["url"], timeout=10)
    assert fetched.status_code == 200
    return fetched.content.decode("utf-8"), ready.json_body


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))


def _filed(stack: Any, at: Any, moment: datetime, **body: Any) -> dict[str, Any]:
    at(moment)
    user = body.pop("user", "warga.ani")
    response = stack.call("POST", REPORTS, report_body(**body), user=user)
    assert response.status_code == 201, response.json_body
    return response.json_body


@pytest.fixture
def november(stack, at) -> dict[str, Any]:
    """Reports before, in and after 1-20 November (Kupang time), of every privacy."""
    made = {
        "before": _filed(stack, at, datetime(2026, 10, 31, 15, 59, tzinfo=UTC), description="Oktober WITA"),
        "first": _filed(stack, at, datetime(2026, 10, 31, 16, 1, tzinfo=UTC), description="Awal November"),
        "tricky": _filed(stack, at, datetime(2026, 11, 10, 2, 0, tzinfo=UTC),
                         description='=HYPERLINK("http://jahat.example","klik"), "kutip"\nbaris baru',
                         address="+62 Jl. Timor Raya, Oesapa"),
        "anonymous": _filed(stack, at, datetime(2026, 11, 12, 2, 0, tzinfo=UTC), user=None,
                            description="Lampu jalan mati, pelapor anonim"),
        "confidential": _filed(stack, at, datetime(2026, 11, 13, 2, 0, tzinfo=UTC), privacy="confidential",
                               description="Rahasia: pungutan liar di pasar"),
        "misconduct": _filed(stack, at, datetime(2026, 11, 14, 2, 0, tzinfo=UTC), category="misconduct",
                             description="Pegawai meminta uang"),
        "after": _filed(stack, at, datetime(2026, 11, 20, 16, 30, tzinfo=UTC), description="Sudah 21 November"),
    }
    at(NOW)
    return made


def test_a_csv_export_holds_exactly_the_public_reports_of_the_range_redacted(stack, november):
    text, ready = _file(stack, f"{EXPORT}.csv?from=2026-11-01&to=2026-11-20")
    rows = _rows(text)
    assert [r["id"] for r in rows] == [november[k]["id"] for k in ("first", "tricky", "anonymous")]  # oldest first
    assert ready["rows"] == 3 and ready["status"] == "ready"
    assert list(rows[0]) == ["id", "tracking_code", "category", "agency", "area", "status", "description", "address",
                             "lat", "lon", "created_at", "updated_at", "resolved_at", "closed_at"]
    tricky = rows[1]
    # A formula is text; its commas, quotes and newline come back as they were written.
    assert tricky["description"] == "'" + november["tricky"]["description"]
    assert tricky["address"] == "'+62 Jl. Timor Raya, Oesapa"
    assert float(tricky["lat"]) == -10.1772 and float(tricky["lon"]) == 123.607
    for secret in ("Rahasia", "Pegawai meminta", november["anonymous"]["receipt"], stack.sub("warga.ani"),
                   "reporter", "receipt", "rating"):
        assert secret not in text


def test_a_geojson_export_is_a_feature_collection_of_lon_lat_points(stack, november):
    text, _ = _file(stack, f"{EXPORT}.geojson?from=2026-11-01&to=2026-11-20")
    collection = json.loads(text)
    assert collection["type"] == "FeatureCollection"
    assert {f["id"] for f in collection["features"]} == {november[k]["id"] for k in ("first", "tricky", "anonymous")}
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"] == {"type": "Point", "coordinates": [123.607, -10.1772]}  # [lon, lat]
        assert "reporter" not in feature["properties"] and "privacy" not in feature["properties"]
    assert "Rahasia" not in text and "Pegawai" not in text


def test_asking_twice_starts_one_job(stack, november):
    path = f"{EXPORT}.csv?from=2026-11-01&to=2026-11-20"
    first, second = stack.call("GET", path), stack.call("GET", path, user="warga.budi")
    assert first.status_code == second.status_code == 202
    assert first.json_body == second.json_body and first.json_body["status"] == "pending"
    assert first.headers["location"] == path and int(first.headers["retry-after"]) > 0
    assert stack.drain_exports() == 1  # one message, one job
    assert stack.call("GET", path).status_code == 303
    assert stack.drain_exports() == 0  # a ready file starts nothing


def test_a_redelivered_job_writes_the_same_file(stack, november):
    from chalicelib.store.models import ExportJobModel

    path = f"{EXPORT}.geojson?from=2026-11-01&to=2026-11-20"
    text, ready = _file(stack, path)
    job = ExportJobModel.get("kupang", ready["job_id"])
    # Redelivered while the first run was still working (not yet ready): the job runs again, same key.
    job.update(actions=[ExportJobModel.status.set("pending")])
    sqs = boto3.client("sqs")
    for _ in range(2):  # ...and once more after it finished: nothing to do
        sqs.send_message(QueueUrl=stack.resources.export_queue_url,
                         MessageBody=json.dumps({"tenant": "kupang", "job_id": ready["job_id"]}))
    assert stack.drain_exports() == 2
    again = stack.call("GET", path).json_body
    assert again["url"] != "" and requests.get(again["url"], timeout=10).text == text
    assert again["rows"] == ready["rows"] == 3


def test_a_big_export_is_written_in_parts_one_page_at_a_time(stack, at, monkeypatch):
    from moto.s3 import models as s3_models

    from chalicelib.config import reset_settings
    from chalicelib.store.models import ExportJobModel

    monkeypatch.setenv("EXPORT_PAGE_SIZE", "3")
    monkeypatch.setenv("EXPORT_PART_BYTES", "1024")
    reset_settings()
    # moto enforces S3's 5 MiB minimum for every part but the last; ours is lowered for the test, so is moto's.
    monkeypatch.setattr(s3_models, "S3_UPLOAD_PART_MIN_SIZE", 1024)
    try:
        made = [_filed(stack, at, datetime(2026, 11, 2, 1, n, tzinfo=UTC),
                       description=f"Laporan nomor {n} " + "x" * 300) for n in range(10)]
        at(NOW)
        text, ready = _file(stack, f"{EXPORT}.csv?from=2026-11-01&to=2026-11-27")
    finally:
        monkeypatch.delenv("EXPORT_PAGE_SIZE")
        monkeypatch.delenv("EXPORT_PART_BYTES")
        reset_settings()
    assert [r["id"] for r in _rows(text)] == [m["id"] for m in made]
    job = ExportJobModel.get("kupang", ready["job_id"])
    assert job.pages == 4  # 10 reports, 3 per Query
    assert job.parts >= 3 and job.bytes == len(text.encode("utf-8"))


@pytest.mark.parametrize(("query", "status", "field"), [
    ("", 400, "from"), ("?from=2026-11-01", 400, "to"), ("?from=2026-11-1&to=2026-11-20", 400, "from"),
    ("?from=2026-02-30&to=2026-03-01", 400, "from"), ("?from=2026-11-20&to=2026-11-01", 422, "to"),
    ("?from=2025-11-01&to=2026-11-27", 422, "to"), ("?from=2026-11-01&to=2026-11-29", 422, "to")])
def test_a_bad_range_is_refused_and_starts_nothing(stack, at, query, status, field):
    at(NOW)  # 28 November in Kupang: the 29th is in the future
    response = stack.call("GET", f"{EXPORT}.csv{query}", headers={"Accept-Language": "en"})
    assert response.status_code == status, response.json_body
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in response.json_body["errors"]] == [field]
    assert stack.drain_exports() == 0


def test_an_unknown_tenant_has_no_export(stack, at):
    at(NOW)
    response = stack.call("GET", "/v1/tenants/atlantis/exports/reports.csv?from=2026-11-01&to=2026-11-20")
    assert response.status_code == 404 and response.json_body["code"] == "tenant_not_found"


def test_another_tenants_export_never_holds_this_ones_reports(stack, november):
    karo_report = _filed_in_karo(stack)
    text, _ = _file(stack, "/v1/tenants/karo/exports/reports.csv?from=2026-11-01&to=2026-11-28")
    assert [r["id"] for r in _rows(text)] == [karo_report["id"]]
    for made in november.values():
        assert made["id"] not in text and made["tracking_code"] not in text
    kupang, _ = _file(stack, f"{EXPORT}.csv?from=2026-11-01&to=2026-11-28")
    assert karo_report["id"] not in kupang


def _filed_in_karo(stack: Any) -> dict[str, Any]:
    response = stack.call("POST", "/v1/tenants/karo/reports",
                          report_body(location={"lat": 3.1, "lon": 98.5}, description="Laporan Karo"),
                          user="warga.budi")
    assert response.status_code == 201, response.json_body
    return response.json_body


# -- the public dashboard --------------------------------------------------------------------------


def test_public_stats_per_unit_match_known_reports_and_leave_out_the_inspectorate(stack):
    resolved(stack, rating=4)
    stack.call("POST", REPORTS, report_body(), user="warga.budi")
    stack.call("POST", REPORTS, report_body(privacy="confidential", description="Rahasia DLH"), user="warga.budi")
    misconduct = stack.call("POST", REPORTS, report_body(category="misconduct", description="Pegawai minta uang"),
                            user="warga.budi").json_body
    stack.drain_stream()
    response = stack.call("GET", "/v1/tenants/kupang/stats/public")  # no sign-in
    assert response.status_code == 200, response.json_body
    assert response.headers["cache-control"].startswith("public")
    figures = response.json_body
    units = {u["code"]: u for u in figures["units"]}
    assert set(units) == {"DLH"}  # the Inspectorate's misconduct report is not published, not even as a count
    for window in ("last_30_days", "last_12_months"):
        dlh = units["DLH"][window]
        assert dlh["received"] == 3 and dlh["resolved"] == 1  # the confidential DLH report counts, unnamed
        assert dlh["average_rating"] == 4.0 and dlh["ratings"] == 1
        assert dlh["resolved_within_sla_percent"] == 100.0
        assert dlh["median_first_response_hours"] is not None and dlh["median_resolution_hours"] is not None
        assert figures["total"][window]["received"] == 3  # the total leaves the Inspectorate out too
    text = response.body.decode() if isinstance(response.body, bytes) else str(response.body)
    for secret in (misconduct["id"], misconduct["tracking_code"], "Rahasia", "Pegawai", "INSPEKTORAT\""):
        assert secret not in text.replace('"unit_types": ["INSPEKTORAT"]', "")


def test_public_stats_read_the_same_number_of_items_whatever_the_number_of_reports(stack):
    def items_read() -> int:
        stack.drain_stream()
        body = stack.call("GET", "/v1/tenants/kupang/stats/public").json_body
        return int(body["items_read"])

    stack.call("POST", REPORTS, report_body(), user="warga.ani")
    few = items_read()
    for _ in range(6):
        stack.call("POST", REPORTS, report_body(), user="warga.budi")
    many = items_read()
    assert 0 < few == many <= 2 * 3  # one day item and one month item per dimension (tenant, unit, area)


def test_public_stats_of_another_tenant_never_count_this_ones_reports(stack):
    stack.call("POST", REPORTS, report_body(), user="warga.ani")
    stack.drain_stream()
    karo = stack.call("GET", "/v1/tenants/karo/stats/public").json_body
    assert karo["units"] == [] and karo["total"]["last_30_days"]["received"] == 0
    assert karo["items_read"] == 0


def test_a_day_without_reports_is_read_as_zeroes_not_errors(stack, at):
    at(NOW + timedelta(days=400))
    body = stack.call("GET", "/v1/tenants/kupang/stats/public").json_body
    assert body["units"] == [] and body["total"]["last_12_months"]["received"] == 0
    assert body["windows"]["last_30_days"]["to"] == (NOW + timedelta(days=400)).date().isoformat()
