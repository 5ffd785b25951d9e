"""Reports: create, read, list by index, and change under optimistic locking."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.store.models import ReportModel, TrackingCodeModel

_MAX_CODE_ATTEMPTS = 5
_MAX_UPDATE_ATTEMPTS = 5


class StaleWrite(Exception):
    """Someone else changed the report first; reload and decide again."""


class CodeSpaceExhausted(Exception):
    """Could not find a free tracking code; the code space of the tenant needs widening."""


@dataclass
class Page:
    items: list[ReportModel]
    last_id: str | None  # set when more items follow


def _listing_keys(report: ReportModel, listed: bool) -> None:
    """Keep the sparse index keys in step with the report's privacy and status."""
    if listed:
        report.feed = report.tenant
        report.feed_category = f"{report.tenant}#{report.category}"
        report.feed_status = f"{report.tenant}#{report.status}"
        report.feed_category_status = f"{report.tenant}#{report.category}#{report.status}"
    else:
        report.feed = report.feed_category = report.feed_status = report.feed_category_status = None


@lru_cache(maxsize=1)
def _connection() -> Connection:
    """One transaction connection per container: a botocore client is costly to build."""
    return Connection(region=ReportModel.Meta.region)


def create(report: ReportModel, listed: bool, new_code: Callable[[], str]) -> ReportModel:
    """Write the report and claim its tracking code in one transaction, retrying on a code clash."""
    if report.reporter_sub:
        report.reporter_key = f"{report.tenant}#{report.reporter_sub}"
    _listing_keys(report, listed)
    connection = _connection()
    for _ in range(_MAX_CODE_ATTEMPTS):
        report.tracking_code = new_code()
        code = TrackingCodeModel(report.tenant, report.tracking_code, report_id=report.report_id)
        try:
            with TransactWrite(connection=connection) as tx:
                tx.save(report, condition=ReportModel.report_id.does_not_exist())
                tx.save(code, condition=TrackingCodeModel.code.does_not_exist())
            return report
        except TransactWriteError as err:
            reasons = [r.code if r else None for r in (err.cancellation_reasons or [])]
            if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed" and reasons[0] != "ConditionalCheckFailed":
                continue  # the code is taken: draw another
            raise
    raise CodeSpaceExhausted(report.tenant)


def get(tenant: str, report_id: str) -> ReportModel | None:
    try:
        return ReportModel.get(tenant, report_id, consistent_read=True)
    except ReportModel.DoesNotExist:
        return None


def id_for_tracking_code(tenant: str, code: str) -> str | None:
    try:
        return TrackingCodeModel.get(tenant, code).report_id
    except TrackingCodeModel.DoesNotExist:
        return None


def _page(index: Any, hash_value: str, index_attr: str, tenant: str, limit: int, after: str | None) -> Page:
    last_key = None
    if after:
        last_key = {"tenant": {"S": tenant}, "report_id": {"S": after}, index_attr: {"S": hash_value}}
    result = index.query(hash_value, scan_index_forward=False, limit=limit + 1, page_size=limit + 1,
                         last_evaluated_key=last_key)
    items = list(result)
    more = len(items) > limit
    items = items[:limit]
    return Page(items=items, last_id=items[-1].report_id if more and items else None)


def list_public(tenant: str, *, category: str | None, status: str | None, limit: int, after: str | None) -> Page:
    """Publicly listed reports, newest first; filtered by category or status through its own index."""
    if category and status:
        return _page(ReportModel.public_by_category_status, f"{tenant}#{category}#{status}",
                     "feed_category_status", tenant, limit, after)
    if category:
        return _page(ReportModel.public_by_category, f"{tenant}#{category}", "feed_category", tenant, limit, after)
    if status:
        return _page(ReportModel.public_by_status, f"{tenant}#{status}", "feed_status", tenant, limit, after)
    return _page(ReportModel.public_feed, tenant, "feed", tenant, limit, after)


def list_by_reporter(tenant: str, sub: str, *, limit: int, after: str | None) -> Page:
    return _page(ReportModel.by_reporter, f"{tenant}#{sub}", "reporter_key", tenant, limit, after)


def save(report: ReportModel) -> ReportModel:
    """Save a changed report; the version condition makes a concurrent change fail with StaleWrite."""
    _listing_keys(report, report.feed is not None)
    try:
        report.save()
    except (PutError, UpdateError) as err:
        if getattr(err, "cause_response_code", None) == "ConditionalCheckFailedException":
            raise StaleWrite(report.report_id) from err
        raise
    return report


def change(tenant: str, report_id: str, mutate: Callable[[ReportModel], bool]) -> ReportModel | None:
    """Load, mutate and save, starting over when another writer got there first.

    ``mutate`` returns False when nothing needs writing (an idempotent redelivery, say).
    """
    for _ in range(_MAX_UPDATE_ATTEMPTS):
        report = get(tenant, report_id)
        if report is None:
            return None
        if not mutate(report):
            return report
        try:
            return save(report)
        except StaleWrite:
            continue
    raise StaleWrite(report_id)
