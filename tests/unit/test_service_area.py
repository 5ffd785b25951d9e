"""A report's point must fall inside the tenant's service area."""

from __future__ import annotations

import pytest

from chalicelib.domain.geo import contains
from devstack.seed import TENANTS

SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
                                             [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]]}


@pytest.mark.parametrize("lat, lon, inside", [
    (1, 1, True), (9.9, 9.9, True), (5, 5, False), (5, 3, True), (-1, 5, False), (5, 11, False), (11, 11, False),
])
def test_a_point_is_inside_a_polygon_but_not_its_holes(lat, lon, inside):
    assert contains(SQUARE, lat, lon) is inside


def test_a_multipolygon_contains_points_in_any_part():
    islands = {"type": "MultiPolygon", "coordinates": [
        [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]], [[[5, 5], [6, 5], [6, 6], [5, 6], [5, 5]]]]}
    assert contains(islands, 0.5, 0.5) and contains(islands, 5.5, 5.5)
    assert not contains(islands, 3, 3)


def test_other_geometries_are_refused():
    with pytest.raises(ValueError):
        contains({"type": "Point", "coordinates": [0, 0]}, 0, 0)


@pytest.mark.parametrize("code, town", [
    ("kupang", (-10.1772, 123.6070)), ("karo", (3.1003, 98.4917)), ("langkat", (3.7368, 98.4520))])
def test_each_demo_tenant_contains_its_real_town_centre(code, town):
    tenant = next(t for t in TENANTS if t["code"] == code)
    assert contains(tenant["service_area"], *town)
    assert not contains(tenant["service_area"], -6.2088, 106.8456)  # Jakarta
