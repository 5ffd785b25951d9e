"""The geo index rules: distances, cell ranges, and covers that miss no point of a circle or a box."""

from __future__ import annotations

import math
import random

import h3
import pytest

from chalicelib.domain import geoindex as g

KUPANG = (-10.1772, 123.607)


def offset(lat: float, lon: float, bearing_deg: float, metres: float) -> tuple[float, float]:
    """The point ``metres`` from (lat, lon) along ``bearing_deg`` on the sphere (the direct problem)."""
    d = metres / g.EARTH_RADIUS_M
    b = math.radians(bearing_deg)
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), math.degrees(l2)


def test_haversine_agrees_with_known_distances():
    assert g.haversine_m(0, 0, 1, 0) == pytest.approx(111_195, abs=1)  # one degree of a meridian
    assert g.haversine_m(*KUPANG, *KUPANG) == 0
    # Kupang to Jakarta (Monas) is about 1,890 km.
    assert g.haversine_m(*KUPANG, -6.1754, 106.8272) == pytest.approx(1_890_000, rel=0.01)
    assert g.haversine_m(0, 179.9, 0, -179.9) == pytest.approx(22_239, abs=1)  # across the antimeridian


@pytest.mark.parametrize("metres", [1, 37.5, 999, 4_999])
def test_haversine_inverts_the_direct_problem(metres):
    lat, lon = offset(*KUPANG, 63, metres)
    assert g.haversine_m(*KUPANG, lat, lon) == pytest.approx(metres, abs=1e-6)


@pytest.mark.parametrize("res", [6, 9, 12, 13])
def test_a_cells_range_holds_exactly_its_resolution_15_descendants(res):
    cell = h3.latlng_to_cell(*KUPANG, res)
    lo, hi = g.descendant_bounds(cell)
    if res >= 12:
        children = sorted(h3.cell_to_children(cell, 15))
        assert (lo, hi) == (children[0], children[-1])
    # Neighbours' descendants fall outside the range, however near the point.
    for neighbour in h3.grid_ring(cell, 1):
        inner = h3.cell_to_center_child(neighbour, 15)
        assert not lo <= inner <= hi
    assert lo <= h3.latlng_to_cell(*KUPANG, 15) <= hi


def test_a_reports_keys_start_with_its_tenant_and_sort_within_its_cells():
    geo, key = g.report_keys("kupang", "01JABCDEFGHJKMNPQRSTVWXYZ0", *KUPANG)
    cell = key.split("#")[0]
    assert geo == f"kupang#{h3.cell_to_parent(cell, g.PARTITION_RES)}"
    assert h3.get_resolution(cell) == 15 and key.endswith("#01JABCDEFGHJKMNPQRSTVWXYZ0")
    covering = g.cell_range(h3.cell_to_parent(cell, 10))
    assert covering.lo <= key <= covering.hi and covering.partition == geo.split("#")[1]


@pytest.mark.parametrize("res", [6, 9, 12])
def test_a_cells_descendants_stay_within_its_reach(res):
    # H3's hierarchy is logical: children poke out of their parent's hexagon a little, never past its reach.
    for cell in h3.grid_disk(h3.latlng_to_cell(*KUPANG, res), 1):
        lat, lon = h3.cell_to_latlng(cell)
        reach = g.reach_m(cell)
        for child in h3.cell_to_children(cell, min(res + 4, 15)):
            for vertex in h3.cell_to_boundary(child):
                assert g.haversine_m(lat, lon, *vertex) <= reach


@pytest.mark.parametrize("radius", [1, 7, 50, 120, 500, 1_000, 2_500, 5_000])
def test_a_circle_cover_misses_no_point_inside_the_circle(radius):
    rng = random.Random(radius)
    for _ in range(3):
        centre = offset(*KUPANG, rng.uniform(0, 360), rng.uniform(0, 3_000))
        cover = g.cover_circle(*centre, radius)
        assert len(cover) <= 20  # a few Queries, whatever the radius
        ranges = [(c.lo, c.hi) for c in cover]
        for _ in range(300):
            bearing, distance = rng.uniform(0, 360), radius * math.sqrt(rng.random())
            point = offset(*centre, bearing, distance)
            key = g.point_cell(*point) + "#X"
            assert any(lo <= key <= hi for lo, hi in ranges), (centre, point)
            holder = next(c for c in cover if c.lo <= key <= c.hi)
            assert holder.min_m <= distance <= holder.max_m


def test_a_circle_cover_is_ordered_nearest_possible_first():
    cover = g.cover_circle(*KUPANG, 800)
    assert [c.min_m for c in cover] == sorted(c.min_m for c in cover)
    assert cover[0].min_m == 0


@pytest.mark.parametrize(("width", "height"), [(30, 30), (400, 250), (2_000, 3_000), (5_000, 5_000)])
def test_a_box_cover_misses_no_point_inside_the_box(width, height):
    rng = random.Random(width)
    dlat = math.degrees(height / g.EARTH_RADIUS_M)
    dlon = math.degrees(width / g.EARTH_RADIUS_M) / math.cos(math.radians(KUPANG[0]))
    box = g.Box(KUPANG[1], KUPANG[0], KUPANG[1] + dlon, KUPANG[0] + dlat)
    res = g.box_resolution(box, g.MAX_BOX_CELLS, coarsest=g.PARTITION_RES)
    cover = g.cover_box(box, res)
    assert len(cover) <= 3 * g.MAX_BOX_CELLS
    assert [(c.partition, c.lo) for c in cover] == sorted((c.partition, c.lo) for c in cover)
    for _ in range(500):
        lat, lon = rng.uniform(box.south, box.north), rng.uniform(box.west, box.east)
        key = g.point_cell(lat, lon) + "#X"
        assert any(c.lo <= key <= c.hi for c in cover)


def test_near_covers_use_cells_a_third_as_wide_as_the_circle():
    assert g.near_resolution(50) == 11  # 29 m edges
    assert g.near_resolution(1) == 14
    assert g.near_resolution(555) == 9  # 201 m edges
    assert g.near_resolution(5_000) == g.PARTITION_RES


def test_clusters_get_coarser_as_the_map_zooms_out():
    city = g.Box(123.52, -10.26, 123.70, -10.12)
    street = g.Box(123.60, -10.18, 123.61, -10.17)
    coarse = g.box_resolution(city, g.MAX_CLUSTER_CELLS, coarsest=0)
    fine = g.box_resolution(street, g.MAX_CLUSTER_CELLS, coarsest=0)
    assert coarse < fine
    assert city.width_m * city.height_m / h3.average_hexagon_area(coarse, unit="m^2") <= g.MAX_CLUSTER_CELLS


@pytest.mark.parametrize(("raw", "expected"), [("-10.1772,123.607", (-10.1772, 123.607)), ("0,0", (0.0, 0.0)),
                                               ("+3.1, 98.5", (3.1, 98.5))])
def test_near_parses_decimal_degrees(raw, expected):
    assert g.parse_near(raw) == expected


@pytest.mark.parametrize(("raw", "code"), [("-10.1", "invalid_format"), ("a,b", "invalid_format"),
                                           ("1e3,5", "invalid_format"), ("-91,10", "out_of_range"),
                                           ("10,181", "out_of_range"), ("nan,nan", "invalid_format")])
def test_bad_near_values_are_refused(raw, code):
    with pytest.raises(g.BadGeoQuery) as err:
        g.parse_near(raw)
    assert err.value.code == code and err.value.field == "near"


@pytest.mark.parametrize(("raw", "ok"), [(None, True), ("1", True), ("5000", True), ("250.5", True), ("0", False),
                                         ("0.5", False), ("5000.001", False), ("-5", False), ("1e3", False)])
def test_the_radius_is_bounded(raw, ok):
    if ok:
        assert g.MIN_RADIUS_M <= g.parse_radius(raw, 1_000) <= g.MAX_RADIUS_M
    else:
        with pytest.raises(g.BadGeoQuery):
            g.parse_radius(raw, 1_000)


def test_a_bbox_is_west_south_east_north():
    box = g.parse_bbox("123.6,-10.2,123.61,-10.17")
    assert (box.west, box.south, box.east, box.north) == (123.6, -10.2, 123.61, -10.17)
    assert box.contains(-10.18, 123.605) and not box.contains(-10.18, 123.62)
    assert box.width_m == pytest.approx(1_095, abs=5) and box.height_m == pytest.approx(3_336, abs=5)
    for bad in ("123.61,-10.2,123.6,-10.17", "123.6,-10.17,123.61,-10.2", "123.6,-10.2,123.61"):
        with pytest.raises(g.BadGeoQuery):
            g.parse_bbox(bad)


@pytest.mark.parametrize(("value", "parsed"), [(50, 50), (1, 1), (1_000, 1_000), (0, None), (1_001, None),
                                               ("50", None), (12.5, None), (True, None), (None, None)])
def test_a_duplicate_radius_is_whole_metres_within_bounds(value, parsed):
    assert g.parse_duplicate_radius(value) == parsed


def test_a_nearest_first_search_starts_small_and_grows_by_the_density_it_saw():
    assert g.first_step(5_000) == pytest.approx(5_000 / 27) and g.first_step(300) == 50 and g.first_step(20) == 20
    assert g.next_step(100, 5_000, found=20, wanted=21) == 200  # nearly there: at least twice as wide
    assert g.next_step(100, 5_000, found=1, wanted=21) == pytest.approx(100 * math.sqrt(21) * 1.3)
    assert g.next_step(100, 5_000, found=0, wanted=101) == pytest.approx(100 * math.sqrt(101) * 1.3)
    assert g.next_step(4_000, 5_000, found=0, wanted=21) == 5_000  # never past the radius asked for
