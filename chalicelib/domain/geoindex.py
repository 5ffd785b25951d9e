"""Where reports are, as keys DynamoDB can query: H3 cells, distances, and the cells covering a circle or a box.

A publicly listed report carries two index keys (``store/reports.py``):

- ``geo`` = ``<tenant>#<H3 cell at PARTITION_RES>`` (about 36 km², so a city is a few dozen partitions);
- ``geo_key`` = ``<H3 cell at POINT_RES>#<report id>`` (cells of about 1 m², unique per report).

H3 numbers a cell's descendants contiguously: every resolution-15 cell under a cell ``c`` lies between
``c``'s first child (digits below ``c`` all 0) and its last (all 6), and no other resolution-15 cell
lies between them (digit 7 is never used). So "the reports in cell ``c``" is one Query: the partition of
``c``'s parent and ``geo_key BETWEEN lo AND hi``. (A descendant may lie a little outside its
ancestor's hexagon, so distances to a cell allow for that: ``reach_m``.) A circle or a box is covered
by a handful of cells chosen so that every point inside lies in one of them; what they hold beyond
the shape is filtered out by exact distance (haversine) or coordinates: that overlap is the read
amplification.

Pure rules: no AWS. ``h3`` (Uber's library, C with manylinux wheels) is imported when first needed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

EARTH_RADIUS_M = 6_371_008.8  # the IUGG mean radius
PARTITION_RES = 6
POINT_RES = 15
# Near search: radius bounds (the contract), and the resolutions a cover may use.
MIN_RADIUS_M = 1
MAX_RADIUS_M = 5_000
MIN_COVER_RES, MAX_COVER_RES = PARTITION_RES, 14
STEP_START_M, STEP_GROWTH = 50.0, 3.0
# Duplicate suggestions: a category's radius (tenant setting) and how many are shown.
DEFAULT_DUPLICATE_RADIUS_M = 50
MIN_DUPLICATE_RADIUS_M, MAX_DUPLICATE_RADIUS_M = 1, 1_000
MAX_DUPLICATES = 5
# Map view: a box of points at most this wide or high; clustered counts over a box up to the second.
MAX_POINTS_BOX_SIDE_M = 5_000
MAX_CLUSTER_BOX_SIDE_M = 50_000
MAX_BOX_CELLS = 32  # cells read for a box of points: one Query each
MAX_CLUSTER_CELLS = 64  # clusters a zoomed-out map gets, about
MAX_PARTITION_READS = 120  # partitions a cluster request may read (one Query each, or more pages)
# How far a cell's reports can be from its centre, as a multiple of its circumradius. H3's hierarchy is
# logical, not exact containment: a resolution-15 cell counts as a descendant of a coarse cell whose
# hexagon it may poke slightly out of (by about 4 % of the circumradius, measured in the unit tests).
REACH = 1.15
_SLACK_M = 1.0
_HEX15 = re.compile(r"^8f[0-9a-f]{13}$")
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{1,17})?|\.\d{1,17})$")


def _h3() -> Any:
    import h3

    return h3


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres on the mean Earth sphere."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


# -- keys of one report -------------------------------------------------------------------------------


def point_cell(lat: float, lon: float) -> str:
    return str(_h3().latlng_to_cell(lat, lon, POINT_RES))


def partition_of(cell: str) -> str:
    return str(_h3().cell_to_parent(cell, PARTITION_RES))


def partition_key(tenant: str, partition: str) -> str:
    return f"{tenant}#{partition}"


def report_keys(tenant: str, report_id: str, lat: float, lon: float) -> tuple[str, str]:
    """(``geo``, ``geo_key``) of a listed report at (lat, lon)."""
    cell = point_cell(lat, lon)
    return partition_key(tenant, partition_of(cell)), f"{cell}#{report_id}"


def valid_geo_key(value: str, report_id_pattern: re.Pattern[str]) -> bool:
    """A ``geo_key`` as this API hands it out in a cursor: a real resolution-15 cell and a report id."""
    cell, _, report_id = value.partition("#")
    return bool(_HEX15.match(cell)) and bool(report_id_pattern.match(report_id)) and _h3().is_valid_cell(cell)


def cell_of_key(geo_key: str) -> str:
    return geo_key.split("#", 1)[0]


# -- cells and their ranges ---------------------------------------------------------------------------

_RES_SHIFT = 52
_RES_MASK = 0xF << _RES_SHIFT


def descendant_bounds(cell: str) -> tuple[str, str]:
    """The first and last resolution-15 cell under ``cell``, as the hex strings ``geo_key`` starts with."""
    value = int(cell, 16)
    res = (value & _RES_MASK) >> _RES_SHIFT
    value = (value & ~_RES_MASK) | (POINT_RES << _RES_SHIFT)
    lo = hi = value
    for digit in range(res + 1, POINT_RES + 1):
        shift = 3 * (POINT_RES - digit)
        lo &= ~(0b111 << shift)  # digit 0
        hi = (hi & ~(0b111 << shift)) | (6 << shift)  # digit 6, the last one used
    return f"{lo:015x}", f"{hi:015x}"


@dataclass(frozen=True)
class CellRange:
    """One cell to read: its partition, its ``geo_key`` bounds, and how near/far its points can be."""

    cell: str
    partition: str
    lo: str  # geo_key >= lo
    hi: str  # geo_key <= hi (a report id follows "#", which sorts below "~")
    min_m: float = 0.0
    max_m: float = math.inf

    @property
    def whole_partition(self) -> bool:
        return self.cell == self.partition


def cell_range(cell: str, min_m: float = 0.0, max_m: float = math.inf) -> CellRange:
    h3 = _h3()
    res = h3.get_resolution(cell)
    partition = cell if res == PARTITION_RES else str(h3.cell_to_parent(cell, PARTITION_RES))
    lo, hi = descendant_bounds(cell)
    return CellRange(cell=cell, partition=partition, lo=lo, hi=f"{hi}#~", min_m=min_m, max_m=max_m)


@lru_cache(maxsize=4096)
def _circumradius_m(cell: str) -> float:
    h3 = _h3()
    lat, lon = h3.cell_to_latlng(cell)
    return max(haversine_m(lat, lon, v_lat, v_lon) for v_lat, v_lon in h3.cell_to_boundary(cell))


def reach_m(cell: str) -> float:
    """No report indexed under ``cell`` is farther than this from its centre."""
    return _circumradius_m(cell) * REACH + _SLACK_M


def _metres_to_degrees(lat: float, metres: float) -> tuple[float, float]:
    dlat = math.degrees(metres / EARTH_RADIUS_M)
    dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
    return dlat, dlon


@dataclass(frozen=True)
class Box:
    west: float
    south: float
    east: float
    north: float

    @property
    def width_m(self) -> float:
        mid = (self.south + self.north) / 2
        return haversine_m(mid, self.west, mid, self.east)

    @property
    def height_m(self) -> float:
        return haversine_m(self.south, self.west, self.north, self.west)

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east


def _cells_over(box: Box, res: int) -> list[str]:
    """Every cell at ``res`` whose reports may lie in ``box``: those whose centre lies in the box grown
    by a cell's reach (2.5 average edges is more than any cell's at that resolution)."""
    h3 = _h3()
    margin = 2.5 * h3.average_hexagon_edge_length(res, unit="m")
    dlat, dlon = _metres_to_degrees(max(abs(box.south), abs(box.north)), margin)
    south, north = max(box.south - dlat, -89.9), min(box.north + dlat, 89.9)
    west, east = box.west - dlon, box.east + dlon
    shape = h3.LatLngPoly([(south, west), (south, east), (north, east), (north, west)])
    return sorted(str(c) for c in h3.h3shape_to_cells(shape, res))


def _box_distance_m(box: Box, lat: float, lon: float) -> float:
    """Distance from (lat, lon) to the nearest point of ``box`` (0 inside), in metres."""
    near_lat = min(max(lat, box.south), box.north)
    near_lon = min(max(lon, box.west), box.east)
    return haversine_m(lat, lon, near_lat, near_lon)


def near_resolution(radius_m: float) -> int:
    """The finest resolution whose cells' edges are a third of the radius or more: about 7-15 cells
    cover the circle and reach little beyond it (coarser cells mean fewer Queries but read farther)."""
    h3 = _h3()
    for res in range(MAX_COVER_RES, MIN_COVER_RES - 1, -1):
        if h3.average_hexagon_edge_length(res, unit="m") >= radius_m / 3:
            return res
    return MIN_COVER_RES


def first_step(radius_m: float) -> float:
    """The first circle a nearest-first search reads: radius/27, at least STEP_START_M."""
    return min(radius_m, max(radius_m / 27, STEP_START_M))


def next_step(step_m: float, radius_m: float, found: int, wanted: int) -> float:
    """The next, larger circle: sized by the density seen so far (area in proportion to what is still
    wanted, with a margin), and at least twice as wide, so a sparse area takes few steps."""
    by_density = step_m * math.sqrt(wanted / max(found, 1)) * 1.3
    return min(radius_m, max(step_m * 2, by_density))


def cover_circle(lat: float, lon: float, radius_m: float, res: int | None = None) -> list[CellRange]:
    """The cells that may hold a point within ``radius_m`` of (lat, lon), nearest possible first."""
    h3 = _h3()
    res = near_resolution(radius_m) if res is None else res
    dlat, dlon = _metres_to_degrees(lat, radius_m)
    box = Box(lon - dlon, lat - dlat, lon + dlon, lat + dlat)
    ranges = []
    for cell in _cells_over(box, res):
        c_lat, c_lon = h3.cell_to_latlng(cell)
        centre = haversine_m(lat, lon, c_lat, c_lon)
        reach = reach_m(cell)
        if centre - reach <= radius_m:
            ranges.append(cell_range(cell, max(0.0, centre - reach), centre + reach))
    return sorted(ranges, key=lambda r: (r.min_m, r.cell))


def box_resolution(box: Box, most_cells: int, finest: int = MAX_COVER_RES, coarsest: int = 0) -> int:
    """The finest resolution at which about ``most_cells`` cells tile ``box``."""
    h3 = _h3()
    area = max(box.width_m, 1.0) * max(box.height_m, 1.0)
    for res in range(finest, coarsest - 1, -1):
        if area / h3.average_hexagon_area(res, unit="m^2") <= most_cells:
            return res
    return coarsest


def cover_box(box: Box, res: int) -> list[CellRange]:
    """The cells at ``res`` (>= PARTITION_RES) that may overlap ``box``, in ``geo`` then ``geo_key`` order."""
    h3 = _h3()
    ranges = []
    for cell in _cells_over(box, res):
        c_lat, c_lon = h3.cell_to_latlng(cell)
        if _box_distance_m(box, c_lat, c_lon) <= reach_m(cell):
            ranges.append(cell_range(cell))
    return sorted(ranges, key=lambda r: (r.partition, r.lo))


def cluster_cell(geo_key: str, res: int) -> str:
    return str(_h3().cell_to_parent(cell_of_key(geo_key), res))


# -- parsing the query string -------------------------------------------------------------------------


class BadGeoQuery(ValueError):
    """A malformed or out-of-range geo parameter: (field, code, id text, en text)."""

    def __init__(self, field: str, code: str, id_text: str, en_text: str) -> None:
        super().__init__(field, code)
        self.field, self.code, self.id_text, self.en_text = field, code, id_text, en_text


def _numbers(raw: str, count: int, field: str, shape_id: str, shape_en: str) -> list[float]:
    parts = raw.split(",")
    if len(parts) != count or not all(_NUMBER.match(p.strip()) for p in parts):
        raise BadGeoQuery(field, "invalid_format", f"Format: {shape_id}.", f"Format: {shape_en}.")
    return [float(p) for p in parts]


def _check_lat_lon(field: str, lat: float, lon: float) -> None:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise BadGeoQuery(field, "out_of_range", "Lintang -90..90, bujur -180..180.",
                          "Latitude -90..90, longitude -180..180.")


def parse_near(raw: str) -> tuple[float, float]:
    """``near=LAT,LON`` in decimal degrees."""
    lat, lon = _numbers(raw, 2, "near", "near=LINTANG,BUJUR (derajat desimal)", "near=LAT,LON (decimal degrees)")
    _check_lat_lon("near", lat, lon)
    return lat, lon


def parse_radius(raw: str | None, default: float) -> float:
    """``radius_m`` in whole or decimal metres, MIN_RADIUS_M..MAX_RADIUS_M."""
    if raw is None:
        return default
    if not re.match(r"^\d{1,7}(\.\d{1,3})?$", raw):
        raise BadGeoQuery("radius_m", "invalid_format", "Radius dalam meter, mis. 250.",
                          "A radius in metres, e.g. 250.")
    value = float(raw)
    if not MIN_RADIUS_M <= value <= MAX_RADIUS_M:
        raise BadGeoQuery("radius_m", "out_of_range", f"Radius {MIN_RADIUS_M}-{MAX_RADIUS_M} meter.",
                          f"The radius must be {MIN_RADIUS_M}-{MAX_RADIUS_M} metres.")
    return value


def parse_bbox(raw: str) -> Box:
    """``bbox=W,S,E,N`` (west, south, east, north) in decimal degrees, as GeoJSON orders a bbox."""
    west, south, east, north = _numbers(raw, 4, "bbox", "bbox=BARAT,SELATAN,TIMUR,UTARA",
                                        "bbox=WEST,SOUTH,EAST,NORTH")
    _check_lat_lon("bbox", south, west)
    _check_lat_lon("bbox", north, east)
    if not (west < east and south < north):
        raise BadGeoQuery("bbox", "invalid_box", "Barat < timur dan selatan < utara.",
                          "West must be less than east and south less than north.")
    return Box(west, south, east, north)


def parse_duplicate_radius(value: Any) -> int | None:
    """A category's duplicate radius in whole metres; None when invalid."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if MIN_DUPLICATE_RADIUS_M <= value <= MAX_DUPLICATE_RADIUS_M else None
