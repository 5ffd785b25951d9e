"""Reports by place: nearest first within a radius, a map box (points or clustered counts), possible duplicates.

Everything reads the ``public_geo`` index, which only publicly listed reports carry, so a confidential
report is never found by location. Cells are read one Query each (``store/geo.py``); the page shown
is then read whole with one BatchGetItem and checked again (the index is eventually consistent).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from chalicelib.domain import geoindex as rules
from chalicelib.errors import ProblemError, query_error
from chalicelib.services import cursors

OPEN_STATUSES = ("submitted", "on_hold", "dispatched", "acknowledged", "in_progress")
DEFAULT_RADIUS_M = 1_000.0
_ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
_NEAR_POSITION = re.compile(r"^(\d{1,10}):([0-9A-HJKMNP-TV-Z]{26})$")


def _bad(err: rules.BadGeoQuery) -> ProblemError:
    return query_error(err.field, err.code, err.id_text, err.en_text)


@dataclass(frozen=True)
class Found:
    spot: Any  # store.geo.Spot
    distance_m: float

    @property
    def order(self) -> tuple[int, str]:
        """Nearest first; the report id breaks ties, so a page boundary is exact."""
        return round(self.distance_m * 1000), self.spot.report_id


def nearest(tenant: str, lat: float, lon: float, radius_m: float, *, category: str | None,
            statuses: tuple[str, ...] | None, limit: int, after: tuple[int, str] | None = None,
            counter: Any = None, coarser: int = 0) -> tuple[list[Found], bool]:
    """Up to ``limit`` listed reports within ``radius_m``, nearest first, after ``after``; and whether more follow.

    The circle grows in steps (``domain.geoindex.next_step``): once a step's circle holds more than
    ``limit`` reports past the cursor, those are the nearest (anything else is outside that circle), so
    a page in a dense city reads a small circle, not the whole radius. Each step reads its own few cells
    (``coarser`` levels coarser than usual: fewer Queries, more entries each).
    """
    step = rules.first_step(radius_m)
    if after is not None:
        step = min(radius_m, max(step, after[0] / 1000 * 1.5))  # nothing to find inside the cursor's circle
    while True:
        res = max(rules.MIN_COVER_RES, rules.near_resolution(step) - coarser)
        found = _within(tenant, lat, lon, step, res, category, statuses, after, counter)
        if len(found) > limit or step >= radius_m:
            break
        step = rules.next_step(step, radius_m, len(found), limit + 1)
    found.sort(key=lambda f: f.order)
    return found[:limit], len(found) > limit


def _within(tenant: str, lat: float, lon: float, radius_m: float, res: int, category: str | None,
            statuses: tuple[str, ...] | None, after: tuple[int, str] | None, counter: Any) -> list[Found]:
    from chalicelib.store import geo

    found: list[Found] = []
    for cell in rules.cover_circle(lat, lon, radius_m, res):
        if after is not None and cell.max_m * 1000 < after[0]:
            continue  # every report in it comes before the cursor
        for spot in geo.spots(tenant, cell, category=category, statuses=statuses, counter=counter):
            distance = rules.haversine_m(lat, lon, spot.lat, spot.lon)
            if distance > radius_m:
                continue
            hit = Found(spot, distance)
            if after is None or hit.order > after:
                found.append(hit)
    return found


def _listed(tenant: str, report_ids: list[str], counter: Any = None) -> dict[str, Any]:
    """The full reports of a page that are still publicly listed."""
    from chalicelib.store import geo

    return {rid: r for rid, r in geo.reports(tenant, report_ids, counter).items() if r.feed is not None}


# -- GET /reports?near= | ?bbox= ----------------------------------------------------------------------


def search(tenant_code: str, *, near: str | None, radius: str | None, bbox: str | None, cluster: str | None,
           category: str | None, status: str | None, limit: int, cursor: str | None, lang: str,
           counter: Any = None) -> dict[str, Any]:
    """The public list by place. ``near`` and ``bbox`` exclude each other; bad input is a 400 problem."""
    from chalicelib.services.reports import check_filters
    from chalicelib.services.tenants import require_tenant

    if near is not None and bbox is not None:
        raise query_error("bbox", "exclusive", "Pakai near atau bbox, tidak keduanya.",
                          "Use near or bbox, not both.")
    if radius is not None and near is None:
        raise query_error("radius_m", "needs_near", "radius_m hanya bersama near.", "radius_m needs near.")
    if cluster not in (None, "true", "false"):
        raise query_error("cluster", "invalid_format", "cluster=true atau false.", "cluster=true or false.")
    if cluster == "true" and bbox is None:
        raise query_error("cluster", "needs_bbox", "cluster hanya bersama bbox.", "cluster needs bbox.")
    tenant = require_tenant(tenant_code)
    try:
        if near is not None:
            lat, lon = rules.parse_near(near)
            radius_m = rules.parse_radius(radius, DEFAULT_RADIUS_M)
        else:
            box = rules.parse_bbox(str(bbox))
    except rules.BadGeoQuery as err:
        raise _bad(err) from None
    check_filters(tenant, category, status)
    statuses = (status,) if status else None
    if near is not None:
        return _near_page(tenant.code, lat, lon, radius_m, category, statuses, limit, cursor, lang, counter)
    if cluster == "true":
        if cursor is not None:
            raise ProblemError("invalid_cursor")
        return _clusters(tenant.code, box, category, statuses, counter)
    return _box_page(tenant.code, box, category, statuses, limit, cursor, lang, counter)


def _near_page(tenant: str, lat: float, lon: float, radius_m: float, category: str | None,
               statuses: tuple[str, ...] | None, limit: int, cursor: str | None, lang: str,
               counter: Any) -> dict[str, Any]:
    from chalicelib.services.views import report_view

    position = cursors.decode(cursor, "near", lambda value: bool(_NEAR_POSITION.match(value)))
    after = None
    if position is not None:
        match = _NEAR_POSITION.match(position)
        assert match is not None
        after = (int(match.group(1)), match.group(2))
    page, more = nearest(tenant, lat, lon, radius_m, category=category, statuses=statuses, limit=limit, after=after,
                         counter=counter)
    full = _listed(tenant, [f.spot.report_id for f in page], counter)
    items = []
    for hit in page:
        report = full.get(hit.spot.report_id)
        if report is not None:
            items.append({**report_view(report, "public", lang), "distance_m": round(hit.distance_m, 1)})
    last = page[-1].order if more and page else None
    return {"items": items, "next_cursor": cursors.encode("near", f"{last[0]}:{last[1]}" if last else None),
            "near": {"lat": lat, "lon": lon, "radius_m": radius_m}}


def _box_too_large(limit_m: int, hint: bool) -> ProblemError:
    extra = {"max_side_m": limit_m}
    if hint:
        extra["hint"] = "cluster=true"
    return ProblemError("bbox_too_large", extra=extra)


def _in_box(tenant: str, box: rules.Box, cells: list[rules.CellRange], category: str | None,
            statuses: tuple[str, ...] | None, after: str | None, page_size: int | None,
            counter: Any) -> Iterator[Any]:
    """The box's listed reports in (partition, geo_key) order, after the cursor's ``geo_key``."""
    from chalicelib.store import geo

    after_partition = rules.partition_of(rules.cell_of_key(after)) if after else None
    for cell in cells:
        start = None
        if after is not None and after_partition is not None:
            if (cell.partition, cell.hi) < (after_partition, after):
                continue  # wholly before the cursor
            if cell.partition == after_partition and cell.lo <= after:
                start = after
        with closing(geo.spots(tenant, cell, category=category, statuses=statuses, start_after=start,
                               counter=counter, page_size=page_size)) as found:
            for spot in found:
                if box.contains(spot.lat, spot.lon):
                    yield spot


def _box_page(tenant: str, box: rules.Box, category: str | None, statuses: tuple[str, ...] | None, limit: int,
              cursor: str | None, lang: str, counter: Any) -> dict[str, Any]:
    from chalicelib.services.views import report_view

    if max(box.width_m, box.height_m) > rules.MAX_POINTS_BOX_SIDE_M:
        raise _box_too_large(rules.MAX_POINTS_BOX_SIDE_M, hint=True)
    after = cursors.decode(cursor, "box", lambda value: rules.valid_geo_key(value, _ULID))
    res = rules.box_resolution(box, rules.MAX_BOX_CELLS, coarsest=rules.PARTITION_RES)
    page: list[Any] = []
    with closing(_in_box(tenant, box, rules.cover_box(box, res), category, statuses, after, limit + 1,
                         counter)) as found:
        for spot in found:
            page.append(spot)
            if len(page) > limit:
                break
    more = len(page) > limit
    page = page[:limit]
    full = _listed(tenant, [s.report_id for s in page], counter)
    items = [report_view(full[s.report_id], "public", lang) for s in page if s.report_id in full]
    return {"items": items, "next_cursor": cursors.encode("box", page[-1].geo_key if more and page else None)}


def _clusters(tenant: str, box: rules.Box, category: str | None, statuses: tuple[str, ...] | None,
              counter: Any) -> dict[str, Any]:
    """Counts per H3 cell (about MAX_CLUSTER_CELLS of them over the box), placed at their reports' mean."""
    import h3

    if max(box.width_m, box.height_m) > rules.MAX_CLUSTER_BOX_SIDE_M:
        raise _box_too_large(rules.MAX_CLUSTER_BOX_SIDE_M, hint=False)
    res = rules.box_resolution(box, rules.MAX_CLUSTER_CELLS, finest=rules.MAX_COVER_RES, coarsest=0)
    read_res = rules.box_resolution(box, rules.MAX_BOX_CELLS, coarsest=rules.PARTITION_RES)
    cells = rules.cover_box(box, read_res)
    if len({c.partition for c in cells}) > rules.MAX_PARTITION_READS:
        raise _box_too_large(rules.MAX_CLUSTER_BOX_SIDE_M, hint=False)
    sums: dict[str, list[float]] = {}
    with closing(_in_box(tenant, box, cells, category, statuses, None, None, counter)) as found:
        for spot in found:
            key = rules.cluster_cell(spot.geo_key, res)
            acc = sums.setdefault(key, [0.0, 0.0, 0])
            acc[0] += spot.lat
            acc[1] += spot.lon
            acc[2] += 1
    clusters = []
    for cell, (lat_sum, lon_sum, n) in sorted(sums.items()):
        c_lat, c_lon = h3.cell_to_latlng(cell)
        clusters.append({"cell": cell, "lat": round(lat_sum / n, 6), "lon": round(lon_sum / n, 6), "count": int(n),
                         "cell_center": {"lat": round(c_lat, 6), "lon": round(c_lon, 6)}})
    return {"clusters": clusters, "resolution": res, "total": sum(c["count"] for c in clusters)}


# -- possible duplicates when a report is created -----------------------------------------------------


def duplicate_radius(tenant: Any, category: str) -> int:
    from chalicelib.services.tenants import category_settings

    value = category_settings(tenant).get(category, {}).get("duplicate_radius_m")
    return int(value) if value is not None else rules.DEFAULT_DUPLICATE_RADIUS_M


def possible_duplicates(tenant: Any, category: str, lat: float, lon: float) -> list[dict[str, Any]]:
    """Up to five open, listed reports of the same category within the category's radius, nearest first.

    Public facts only: never a reporter, never a confidential report (the index has none).
    """
    radius = duplicate_radius(tenant, category)
    # On the create path: cells two levels coarser, so 1-3 Queries (about 2.4 for 50 m) instead of 7-12.
    page, _ = nearest(tenant.code, lat, lon, radius, category=category, statuses=OPEN_STATUSES,
                      limit=rules.MAX_DUPLICATES, coarser=2)
    # Answered from the index entries (which carry what a suggestion shows): no BatchGetItem on the create
    # path. The index is sparse: an entry exists only while its report is publicly listed.
    return [{"id": hit.spot.report_id, "tracking_code": hit.spot.tracking_code, "category": hit.spot.category,
             "status": hit.spot.status, "distance_m": round(hit.distance_m, 1),
             "location": {"lat": hit.spot.lat, "lon": hit.spot.lon}, "created_at": hit.spot.created_at}
            for hit in page if hit.spot.status in OPEN_STATUSES and hit.spot.category == category]
