"""Routing rules: category -> agency type -> the tenant's unit, refined by the area the point falls in."""

from __future__ import annotations

import pytest

from chalicelib.adapters.polygons import explain_invalid
from chalicelib.domain.routing import AreaIndex, agency_type_for, may_handle, parse_areas, route, tenant_unit_codes
from chalicelib.domain.taxonomy import CATEGORIES
from chalicelib.errors import ProblemError

UNITS = {"DLH": {"code": "DLH-KPG", "name": "DLH Kota Kupang"}, "PUPR": {"code": "PUPR-KPG", "name": "PUPR"},
         "INSPEKTORAT": {"code": "ITKO", "name": "Inspektorat"},
         "UPT-ALAK": {"code": "UPT-ALAK", "name": "UPT Kebersihan Alak", "type": "DLH"}}


def _square(lon: float, lat: float, size: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size],
                                                [lon, lat + size], [lon, lat]]]}


def _feature(code: str, geometry: dict, units: dict, level: str = "kecamatan") -> dict:
    return {"type": "Feature", "geometry": geometry,
            "properties": {"code": code, "name": code.title(), "level": level, "units": units}}


def test_a_category_goes_to_its_national_agency_type_unless_the_tenant_repoints_it():
    assert agency_type_for(CATEGORIES["street_light"], None) == "DISHUB"
    assert agency_type_for(CATEGORIES["street_light"], {"street_light": "PUPR"}) == "PUPR"
    assert agency_type_for(CATEGORIES["street_light"], {"street_light": "NOT-A-TYPE"}) == "DISHUB"


def test_misconduct_always_goes_to_the_inspectorate_whatever_the_tenant_configured():
    misconduct = CATEGORIES["misconduct"]
    assert agency_type_for(misconduct, {"misconduct": "DLH"}) == "INSPEKTORAT"
    assert route(misconduct, {"misconduct": "DLH"}, UNITS, None).unit == "ITKO"
    assert may_handle(misconduct, "ITKO", UNITS) and not may_handle(misconduct, "DLH-KPG", UNITS)


def test_a_tenants_units_include_extra_ones_such_as_a_upt():
    assert {"DLH-KPG", "PUPR-KPG", "UPT-ALAK", "DISHUB"} <= tenant_unit_codes(UNITS)


def test_the_smallest_area_containing_the_point_decides_the_unit():
    areas = parse_areas({"type": "FeatureCollection", "features": [
        _feature("kec", _square(123.50, -10.30, 0.2), {"DLH": "DLH-KPG"}),
        _feature("kel", _square(123.55, -10.25, 0.05), {"DLH": "UPT-ALAK"}, level="kelurahan"),
    ]}, tenant_unit_codes(UNITS), explain_invalid)
    index = AreaIndex(areas)
    inside_both = index.locate(-10.22, 123.57)
    assert inside_both is not None and inside_both.code == "kel"
    assert route(CATEGORIES["garbage"], None, UNITS, inside_both).unit == "UPT-ALAK"
    assert route(CATEGORIES["road_damage"], None, UNITS, inside_both).unit == "PUPR-KPG"  # no PUPR rule there
    assert index.locate(-10.12, 123.69).code == "kec"
    assert index.locate(-9.0, 124.0) is None


@pytest.mark.parametrize(("feature", "field"), [
    (_feature("x", {"type": "Point", "coordinates": [1, 2]}, {}), "features.0.geometry"),
    (_feature("x", {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}, {}),
     "features.0.geometry"),  # a bow tie: self-intersecting
    (_feature("x y", _square(0, 0, 1), {}), "features.0.properties.code"),
    (_feature("x", _square(0, 0, 1), {"DLH": "NOPE"}), "features.0.properties.units"),
    (_feature("x", _square(0, 0, 1), {"INSPEKTORAT": "ITKO"}), "features.0.properties.units.INSPEKTORAT"),
])
def test_bad_areas_are_refused_with_the_field_at_fault(feature, field):
    with pytest.raises(ProblemError) as refused:
        parse_areas({"type": "FeatureCollection", "features": [feature]}, tenant_unit_codes(UNITS), explain_invalid)
    assert refused.value.status == 422 and field in [e.field for e in refused.value.errors]


def test_two_areas_with_one_code_are_refused():
    twice = [_feature("x", _square(0, 0, 1), {}), _feature("x", _square(2, 2, 1), {})]
    with pytest.raises(ProblemError):
        parse_areas({"type": "FeatureCollection", "features": twice}, set(), explain_invalid)


def test_a_point_in_a_hole_of_an_area_is_not_in_that_area():
    ring = [[123.5, -10.3], [123.7, -10.3], [123.7, -10.1], [123.5, -10.1], [123.5, -10.3]]
    hole = [[123.55, -10.25], [123.65, -10.25], [123.65, -10.15], [123.55, -10.15], [123.55, -10.25]]
    areas = parse_areas({"type": "FeatureCollection", "features": [
        _feature("donut", {"type": "Polygon", "coordinates": [ring, hole]}, {"DLH": "DLH-KPG"})]},
        tenant_unit_codes(UNITS), explain_invalid)
    index = AreaIndex(areas)
    assert index.locate(-10.28, 123.52).code == "donut"
    assert index.locate(-10.2, 123.6) is None


def test_a_point_placed_for_an_area_by_name_lies_inside_it_even_when_the_area_is_concave():
    # A U shape: its bounding box's centre lies in the notch, outside the area.
    u_shape = {"type": "Polygon", "coordinates": [[[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3],
                                                   [0, 0]]]}
    (spec,) = parse_areas({"type": "FeatureCollection", "features": [_feature("u", u_shape, {})]}, set(),
                          explain_invalid)
    index = AreaIndex([spec])
    lat, lon = index.interior_point(spec)
    assert index.locate(lat, lon) == spec


def test_every_geometry_is_judged_in_one_call_and_each_verdict_lands_on_its_feature():
    asked: list[list[dict]] = []

    def judge(geometries: list[dict]) -> list[str | None]:
        asked.append(geometries)
        return [None, "Self-intersection[0.5 0.5]"]

    with pytest.raises(ProblemError) as refused:
        parse_areas({"type": "FeatureCollection", "features": [
            _feature("a", _square(0, 0, 1), {}), _feature("b", _square(2, 2, 1), {})]}, set(), judge)
    assert len(asked) == 1 and len(asked[0]) == 2
    assert [e.field for e in refused.value.errors] == ["features.1.geometry"]


def test_an_outline_whose_rings_are_not_positions_is_refused_without_asking_the_checker():
    def judge(geometries: list[dict]) -> list[str | None]:
        raise AssertionError("only well-formed outlines are sent to be judged")

    broken = {"type": "Polygon", "coordinates": [[[0, 0], [1, "x"], [1, 1], [0, 0]]]}
    with pytest.raises(ProblemError) as refused:
        parse_areas({"type": "FeatureCollection", "features": [_feature("a", broken, {})]}, set(), judge)
    assert [e.code for e in refused.value.errors] == ["invalid_geometry"]
