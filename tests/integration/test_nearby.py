"""Reports by place: nearest first within a radius, the map view (points and clusters), possible duplicates."""

from __future__ import annotations

import math
from typing import Any

import pytest

from chalicelib.domain.geoindex import haversine_m
from tests.integration.conftest import KUPANG, report_body

REPORTS = "/v1/tenants/kupang/reports"
LAT, LON = KUPANG["lat"], KUPANG["lon"]


def at(east_m: float = 0.0, north_m: float = 0.0) -> dict[str, float]:
    """A point so many metres east and north of the Kupang test point."""
    lat = LAT + math.degrees(north_m / 6_371_008.8)
    lon = LON + math.degrees(east_m / 6_371_008.8) / math.cos(math.radians(LAT))
    return {"lat": round(lat, 7), "lon": round(lon, 7)}


def file(stack: Any, where: dict[str, float], user: str | None = "warga.ani", tenant: str = "kupang",
         **fields: Any) -> dict[str, Any]:
    response = stack.call("POST", f"/v1/tenants/{tenant}/reports", report_body(location=where, **fields), user=user)
    assert response.status_code == 201, response.json_body
    return response.json_body


def near(stack: Any, query: str, tenant: str = "kupang", user: str | None = None) -> Any:
    return stack.call("GET", f"/v1/tenants/{tenant}/reports?near={LAT},{LON}&{query}", user=user)


def ids(body: dict[str, Any]) -> list[str]:
    return [item["id"] for item in body["items"]]


def test_nearby_reports_come_nearest_first_each_with_its_distance(stack):
    far = file(stack, at(east_m=300))
    closest = file(stack, at(north_m=40))
    middle = file(stack, at(east_m=-150, north_m=50))
    file(stack, at(east_m=2_000))  # outside the radius

    response = near(stack, "radius_m=500")

    assert response.status_code == 200, response.json_body
    body = response.json_body
    assert ids(body) == [closest["id"], middle["id"], far["id"]]
    for item, expected in zip(body["items"], (40, math.hypot(150, 50), 300), strict=True):
        assert item["distance_m"] == pytest.approx(expected, abs=0.5)
        assert item["view"] == "public" and item["description"]
    assert body["next_cursor"] is None
    assert body["near"] == {"lat": LAT, "lon": LON, "radius_m": 500.0}


def test_the_radius_is_a_closed_bound_measured_on_the_sphere(stack):
    report = file(stack, at(east_m=120, north_m=35))
    exact = haversine_m(LAT, LON, report["location"]["lat"], report["location"]["lon"])

    inside = near(stack, f"radius_m={exact + 0.01:.3f}").json_body
    outside = near(stack, f"radius_m={exact - 0.01:.3f}").json_body

    assert ids(inside) == [report["id"]] and inside["items"][0]["distance_m"] == round(exact, 1)
    assert ids(outside) == []


def test_category_and_status_filters_combine_with_near(stack):
    garbage = file(stack, at(north_m=10))
    verified = file(stack, at(north_m=20))
    light = file(stack, at(north_m=30), category="street_light", description="Lampu jalan mati di depan pasar")
    assert stack.call("POST", f"{REPORTS}/{verified['id']}/transitions", {"action": "verify"},
                      user="admin.kupang").status_code == 200

    assert ids(near(stack, "radius_m=100&category=garbage").json_body) == [garbage["id"], verified["id"]]
    assert ids(near(stack, "radius_m=100&status=dispatched").json_body) == [verified["id"]]
    assert ids(near(stack, "radius_m=100&category=garbage&status=submitted").json_body) == [garbage["id"]]
    assert ids(near(stack, "radius_m=100&category=street_light").json_body) == [light["id"]]
    assert near(stack, "radius_m=100&category=nope").status_code == 404
    assert near(stack, "radius_m=100&status=nope").status_code == 400


def test_the_cursor_pages_through_nearest_first_without_gaps_or_repeats(stack):
    made = [file(stack, at(east_m=25 * n))["id"] for n in range(1, 6)]

    seen, cursor, pages = [], None, 0
    while True:
        query = "radius_m=1000&limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = near(stack, query).json_body
        seen += ids(body)
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert seen == made and pages == 3
    bad = near(stack, "radius_m=1000&cursor=bm90LWEtY3Vyc29y")
    assert bad.status_code == 400 and bad.json_body["code"] == "invalid_cursor"


def test_confidential_reports_are_never_found_by_location(stack):
    public = file(stack, at(north_m=5))
    hidden = file(stack, at(north_m=6), privacy="confidential")
    misconduct = file(stack, at(north_m=7), category="misconduct", description="Pungutan liar di kantor kelurahan")
    secret = {hidden["id"], misconduct["id"]}

    found = set(ids(near(stack, "radius_m=50").json_body))
    boxed = stack.call("GET", f"{REPORTS}?bbox={LON - 0.001},{LAT - 0.001},{LON + 0.001},{LAT + 0.001}").json_body
    clusters = stack.call("GET", f"{REPORTS}?bbox={LON - 0.01},{LAT - 0.01},{LON + 0.01},{LAT + 0.01}"
                                 "&cluster=true").json_body
    duplicate = file(stack, at(north_m=8))

    assert found == {public["id"]} and set(ids(boxed)) == {public["id"]}
    assert clusters["total"] == 1
    assert [d["id"] for d in duplicate["possible_duplicates"]] == [public["id"]]
    assert not secret & {d["id"] for d in duplicate["possible_duplicates"]}


def test_another_tenants_reports_are_never_found_by_location(stack):
    kupang = file(stack, at(north_m=5))
    karo = file(stack, {"lat": 3.1, "lon": 98.5}, tenant="karo")

    # Karo's list asked about Kupang's streets (and the reverse) finds nothing of the other tenant.
    from_karo = stack.call("GET", f"/v1/tenants/karo/reports?near={LAT},{LON}&radius_m=5000", user="admin.karo")
    box = f"bbox={LON - 0.01},{LAT - 0.01},{LON + 0.01},{LAT + 0.01}"
    karo_box = stack.call("GET", f"/v1/tenants/karo/reports?{box}", user="admin.karo").json_body
    karo_clusters = stack.call("GET", f"/v1/tenants/karo/reports?{box}&cluster=true", user="admin.karo").json_body
    from_kupang = stack.call("GET", f"{REPORTS}?near=3.1,98.5&radius_m=5000").json_body

    assert from_karo.status_code == 200 and from_karo.json_body["items"] == []
    assert karo_box["items"] == [] and karo_clusters == {**karo_clusters, "clusters": [], "total": 0}
    assert from_kupang["items"] == []
    assert kupang["id"] not in str(from_karo.json_body) and karo["id"] not in str(from_kupang)
    # A Kupang cursor means nothing in Karo's list: it pages Karo's own (empty) answer.
    file(stack, at(east_m=10))
    cursor = near(stack, "radius_m=100&limit=1").json_body["next_cursor"]
    paged = stack.call("GET", f"/v1/tenants/karo/reports?near={LAT},{LON}&radius_m=100&cursor={cursor}")
    assert paged.status_code == 200 and paged.json_body["items"] == []


def test_a_map_box_lists_only_the_reports_inside_it_and_pages_them(stack):
    inside = [file(stack, at(east_m=20 * n, north_m=10))["id"] for n in range(5)]
    file(stack, at(east_m=600))  # east of the box
    box = f"bbox={LON - 0.001},{LAT - 0.001},{LON + 0.003},{LAT + 0.001}"

    everything = stack.call("GET", f"{REPORTS}?{box}&limit=100").json_body
    seen, cursor = [], None
    while True:
        body = stack.call("GET", f"{REPORTS}?{box}&limit=2" + (f"&cursor={cursor}" if cursor else "")).json_body
        assert len(body["items"]) <= 2
        seen += ids(body)
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert sorted(ids(everything)) == sorted(inside)
    assert seen == ids(everything)


def test_a_map_box_too_large_for_points_is_refused_with_a_hint_to_cluster(stack):
    response = stack.call("GET", f"{REPORTS}?bbox=123.52,-10.26,123.70,-10.12")

    assert response.status_code == 400
    assert response.json_body["code"] == "bbox_too_large" and response.json_body["hint"] == "cluster=true"
    assert response.headers["content-type"].startswith("application/problem+json")
    huge = stack.call("GET", f"{REPORTS}?bbox=120,-12,125,-8&cluster=true")
    assert huge.status_code == 400 and huge.json_body["code"] == "bbox_too_large"


def test_a_zoomed_out_map_gets_counts_per_cell_not_points(stack):
    for n in range(4):
        file(stack, at(east_m=3 * n))  # one street corner
    for n in range(3):
        file(stack, at(east_m=6_000 + 3 * n, north_m=3_000))  # another part of town
    file(stack, at(east_m=-4_000), category="street_light", description="Lampu jalan mati di depan pasar")

    body = stack.call("GET", f"{REPORTS}?bbox=123.52,-10.26,123.70,-10.12&cluster=true").json_body
    garbage = stack.call("GET", f"{REPORTS}?bbox=123.52,-10.26,123.70,-10.12&cluster=true&category=garbage").json_body

    assert "items" not in body and body["total"] == 8
    counts = sorted(c["count"] for c in body["clusters"])
    assert counts == [1, 3, 4]
    corner = next(c for c in body["clusters"] if c["count"] == 4)
    assert haversine_m(corner["lat"], corner["lon"], LAT, LON) < 10
    assert set(corner) == {"cell", "lat", "lon", "count", "cell_center"}
    assert garbage["total"] == 7 and sorted(c["count"] for c in garbage["clusters"]) == [3, 4]


@pytest.mark.parametrize(("query", "field"), [
    (f"near={LAT},{LON}&bbox=123.6,-10.2,123.61,-10.17", "bbox"),
    (f"near={LAT},{LON}&radius_m=0", "radius_m"),
    (f"near={LAT},{LON}&radius_m=5001", "radius_m"),
    (f"near={LAT},{LON}&radius_m=abc", "radius_m"),
    ("near=-10.17", "near"),
    ("near=-100,123.6", "near"),
    ("near=nan,inf", "near"),
    ("radius_m=100", "radius_m"),
    ("bbox=123.61,-10.2,123.6,-10.17", "bbox"),
    ("bbox=123.6,-10.2,123.61", "bbox"),
    ("cluster=true", "cluster"),
    ("bbox=123.6,-10.2,123.61,-10.17&cluster=yes", "cluster"),
])
def test_bad_place_queries_are_400_problems_naming_the_field(stack, query, field):
    response = stack.call("GET", f"{REPORTS}?{query}", headers={"Accept-Language": "en"})

    assert response.status_code == 400, response.json_body
    assert response.json_body["code"] == "invalid_query"
    assert [e["field"] for e in response.json_body["errors"]] == [field]


def test_a_new_report_lists_open_reports_of_its_category_nearby_as_possible_duplicates(stack):
    first = file(stack, at(north_m=20))
    second = file(stack, at(north_m=-10), user=None)
    file(stack, at(north_m=5), category="street_light", description="Lampu jalan mati di depan pasar")
    file(stack, at(north_m=80))  # beyond the default 50 m
    rejected = file(stack, at(north_m=1))
    assert stack.call("POST", f"{REPORTS}/{rejected['id']}/transitions", {"action": "reject", "reason": "spam"},
                      user="admin.kupang").status_code == 200

    new = file(stack, at())

    duplicates = new["possible_duplicates"]
    assert [d["id"] for d in duplicates] == [second["id"], first["id"]]
    assert [d["distance_m"] for d in duplicates] == [pytest.approx(10, abs=0.5), pytest.approx(20, abs=0.5)]
    for duplicate in duplicates:
        assert set(duplicate) == {"id", "tracking_code", "category", "status", "distance_m", "location",
                                  "created_at"}
        assert duplicate["category"] == "garbage" and duplicate["status"] == "submitted"
    assert "receipt" not in str(duplicates) and "reporter" not in str(duplicates)


def test_at_most_five_duplicates_are_suggested_nearest_first(stack):
    made = [file(stack, at(east_m=5 * n))["id"] for n in range(1, 8)]

    new = file(stack, at())

    assert [d["id"] for d in new["possible_duplicates"]] == made[:5]


def test_each_tenant_sets_the_duplicate_radius_per_category(stack):
    old = file(stack, at(north_m=80))
    assert file(stack, at())["possible_duplicates"] == []

    changed = stack.call("PUT", "/v1/tenants/kupang/categories",
                         {"categories": {"garbage": {"duplicate_radius_m": 100}}}, user="admin.kupang")
    assert changed.status_code == 200, changed.json_body
    assert changed.json_body["categories"]["garbage"]["duplicate_radius_m"] == 100
    listed = {c["code"]: c for c in stack.call("GET", "/v1/tenants/kupang/categories").json_body}
    assert listed["garbage"]["duplicate_radius_m"] == 100 and listed["street_light"]["duplicate_radius_m"] == 50

    again = file(stack, at(north_m=-1))
    assert old["id"] in [d["id"] for d in again["possible_duplicates"]]
    # Karo keeps its own radius: a report as far apart there finds nothing.
    karo_first = file(stack, {"lat": 3.1, "lon": 98.5}, tenant="karo")
    karo_second = file(stack, {"lat": round(3.1 + math.degrees(80 / 6_371_008.8), 7), "lon": 98.5}, tenant="karo")
    assert karo_first["id"] and karo_second["possible_duplicates"] == []


@pytest.mark.parametrize("radius", [0, 1001, "50", 12.5, True, None])
def test_a_duplicate_radius_out_of_bounds_is_a_422_and_changes_nothing(stack, radius):
    response = stack.call("PUT", "/v1/tenants/kupang/categories",
                          {"categories": {"garbage": {"duplicate_radius_m": radius}}}, user="admin.kupang")

    assert response.status_code == 422
    assert [e["field"] for e in response.json_body["errors"]] == ["categories.garbage.duplicate_radius_m"]
    listed = {c["code"]: c for c in stack.call("GET", "/v1/tenants/kupang/categories").json_body}
    assert listed["garbage"]["duplicate_radius_m"] == 50
