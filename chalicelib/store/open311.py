"""Open311 reads: publicly listed reports created in a time window, newest first, from the feed indexes.

Report ids are ULIDs (time first), so "created between" is a key condition on the index's range key
``report_id``: the items read are the items in the window, not the whole feed filtered. The indexes hold
keys (and ``status`` where a partition is filtered by it): the answer, once merged, is fetched whole
with ``listed``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chalicelib.store.models import ReportModel


def between(tenant: str, kind: str, value: str | None, lo: str, hi: str, statuses: tuple[str, ...] | None,
            page_size: int) -> Iterator[Any]:
    """Listed reports with ``lo <= report_id <= hi`` from one partition, newest first, read page by page.

    ``kind``: ``feed`` (every listed report), ``category`` (``value`` = category code), ``status``
    (``value`` = workflow status) or ``category_status`` (``value`` = ``category#status``). ``statuses``
    filters a partition by status (server side: read, then dropped). The items carry keys (and
    ``status``) only: ``listed`` fetches the ones kept.
    """
    condition = ReportModel.report_id.between(lo, hi)
    filters = ReportModel.status.is_in(*statuses) if statuses else None
    if kind == "category":
        index: Any = ReportModel.public_by_category
        key = f"{tenant}#{value}"
    elif kind == "status":
        index, key = ReportModel.public_by_status, f"{tenant}#{value}"
    elif kind == "category_status":
        index, key = ReportModel.public_by_category_status, f"{tenant}#{value}"
    else:
        index, key = ReportModel.public_feed, tenant
    return iter(index.query(key, condition, filter_condition=filters, scan_index_forward=False,
                            page_size=page_size))


def listed(tenant: str, keys: list[Any]) -> list[Any]:
    """The full items of ``keys`` (index entries), in their order; those no longer publicly listed are dropped."""
    from chalicelib.store.reports import whole

    return [r for r in whole(tenant, keys) if r.feed is not None]
