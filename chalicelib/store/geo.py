"""The public_geo index: listed reports of one H3 cell, and the full items of a page.

Every Query names one partition (``<tenant>#<res-6 cell>``) and, below a whole partition, a
``geo_key`` range, so it reads that cell's reports and nothing else (``domain/geoindex.py``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.geoindex import CellRange, partition_key
from chalicelib.store.models import ReportModel


@dataclass(frozen=True)
class Spot:
    """One index entry: enough to filter, measure and find the report."""

    report_id: str
    geo_key: str
    lat: float
    lon: float
    category: str
    status: str
    tracking_code: str
    created_at: str


@dataclass
class ReadCounter:
    """Items DynamoDB read (``ScannedCount``: before filters) and Queries made, for the benches."""

    items: int = 0
    queries: int = 0


def _filter(category: str | None, statuses: Sequence[str] | None) -> Any:
    condition = None
    if category is not None:
        condition = ReportModel.category == category
    if statuses:
        status_condition = ReportModel.status.is_in(*statuses)
        condition = status_condition if condition is None else condition & status_condition
    return condition


def spots(tenant: str, cell: CellRange, *, category: str | None = None, statuses: Sequence[str] | None = None,
          start_after: str | None = None, counter: ReadCounter | None = None,
          page_size: int | None = None) -> Iterator[Spot]:
    """The listed reports of one cell in ``geo_key`` order (after ``start_after`` when given)."""
    lo = cell.lo if start_after is None or start_after < cell.lo else start_after
    condition = None if cell.whole_partition and start_after is None else ReportModel.geo_key.between(lo, cell.hi)
    result = ReportModel.public_geo.query(partition_key(tenant, cell.partition), condition,
                                          filter_condition=_filter(category, statuses), page_size=page_size)
    try:
        for item in result:
            if start_after is not None and item.geo_key <= start_after:
                continue
            yield Spot(report_id=item.report_id, geo_key=item.geo_key, lat=float(item.lat), lon=float(item.lon),
                       category=item.category, status=item.status, tracking_code=item.tracking_code,
                       created_at=item.created_at)
    finally:
        if counter is not None:
            counter.queries += 1
            counter.items += result.page_iter.total_scanned_count  # the pages' ScannedCount, summed


def reports(tenant: str, report_ids: Sequence[str], counter: ReadCounter | None = None) -> dict[str, ReportModel]:
    """The full items of a page (BatchGetItem, at most 100 keys a call), by report id."""
    if not report_ids:
        return {}
    found = {r.report_id: r for r in ReportModel.batch_get([(tenant, rid) for rid in dict.fromkeys(report_ids)])}
    if counter is not None:
        counter.items += len(found)
    return found
