"""Reports: create, read, list by index, and change under optimistic locking."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.store import usage as metering
from chalicelib.store.models import IdempotencyModel, ReportEventModel, ReportModel, TrackingCodeModel

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


_AT_DESK = ("submitted", "on_hold")
_OPEN_AT_UNIT = ("dispatched", "acknowledged", "in_progress", "resolved")
NO_DUE = "9999-12-31T23:59:59.999Z"  # open but no clock (no SLA for this stage): listed after every due one
FINISHED_PREFIX = "~"  # sorts after every timestamp, so ``due_key < now`` (overdue) never matches


def _listing_keys(report: ReportModel, listed: bool) -> None:
    """Keep the sparse index keys in step with the report's privacy, status, unit and deadline."""
    if listed:
        report.feed = report.tenant
        report.feed_category = f"{report.tenant}#{report.category}"
        report.feed_status = f"{report.tenant}#{report.status}"
        report.feed_category_status = f"{report.tenant}#{report.category}#{report.status}"
        if report.geo is None or report.geo_key is None:  # a report never moves: computed once
            from chalicelib.domain.geoindex import report_keys

            report.geo, report.geo_key = report_keys(report.tenant, report.report_id, float(report.lat),
                                                     float(report.lon))
    else:
        report.feed = report.feed_category = report.feed_status = report.feed_category_status = None
        report.geo = report.geo_key = None  # never findable by location
    _queue_keys(report)


def _queue_keys(report: ReportModel) -> None:
    """The staff lists: the desk's while it waits there, a unit's once dispatched, ordered by due time."""
    status = report.status
    report.desk = f"{report.tenant}#{status}" if status in _AT_DESK else None
    dispatched = status in _OPEN_AT_UNIT or (status == "closed" and report.agency is not None)
    report.unit = f"{report.tenant}#{report.agency}" if status in _OPEN_AT_UNIT and report.agency else None
    report.unit_status = f"{report.tenant}#{report.agency}#{status}" if dispatched and report.agency else None
    if status in _AT_DESK or status in _OPEN_AT_UNIT:
        report.due_key = f"{report.due_at or NO_DUE}#{report.report_id}"
    else:
        report.due_key = f"{FINISHED_PREFIX}{report.closed_at or report.updated_at}#{report.report_id}"


@lru_cache(maxsize=1)
def _connection() -> Connection:
    """One transaction connection per container: a botocore client is costly to build."""
    return Connection(region=ReportModel.Meta.region)


def create(report: ReportModel, listed: bool, new_code: Callable[[], str],
           event: ReportEventModel | None = None, usage: metering.Increment | None = None,
           throttle: metering.Throttle | None = None) -> ReportModel:
    """Write the report, claim its tracking code, start its history and count it, in one transaction.

    ``usage`` (``reports_created``) is counted with the write, so only a report that exists counts.
    ``throttle`` takes one use of a window in the same transaction: a full window (``LimitReached``)
    writes nothing, and a failed create uses none of it. A clash on the tracking code draws another
    one and tries again; a clash with a concurrent transaction on a counter item is retried as is.
    """
    if report.reporter_sub:
        report.reporter_key = f"{report.tenant}#{report.reporter_sub}"
    _listing_keys(report, listed)
    connection = _connection()
    # Item order in the request: puts (report, code, event), then updates (usage, throttle).
    throttle_at = 2 + (event is not None) + (usage is not None)
    codes = conflicts = 0
    while codes < _MAX_CODE_ATTEMPTS:
        report.tracking_code = new_code()
        code = TrackingCodeModel(report.tenant, report.tracking_code, report_id=report.report_id)
        try:
            with TransactWrite(connection=connection) as tx:
                tx.save(report, condition=ReportModel.report_id.does_not_exist())
                tx.save(code, condition=TrackingCodeModel.code.does_not_exist())
                if event is not None:
                    tx.save(event, condition=ReportEventModel.event_id.does_not_exist())
                if usage is not None:
                    metering.add_increment(tx, usage)
                if throttle is not None:
                    metering.add_throttle(tx, throttle)
            return report
        except TransactWriteError as err:
            reasons = metering.reasons_of(err)
            if throttle is not None and len(reasons) > throttle_at and reasons[throttle_at] == "ConditionalCheckFailed":
                raise metering.LimitReached(throttle.key) from err
            if metering.is_conflict(err) and conflicts < metering.CONFLICT_RETRIES:
                metering.pause(conflicts)
                conflicts += 1
                continue
            if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed" and reasons[0] != "ConditionalCheckFailed":
                codes += 1
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


def whole(tenant: str, keys: list[Any], index_attr: str | None = None, hash_value: str | None = None
          ) -> list[ReportModel]:
    """The full items of an index page, in its order (BatchGetItem, 100 keys a call).

    The listing indexes project keys only (models.py), so a page is fetched after its Query. An index is
    eventually consistent: a report that left the partition since (another status, no longer listed,
    gone) is dropped rather than shown where it no longer belongs.
    """
    if not keys:
        return []
    found = {r.report_id: r for r in ReportModel.batch_get([(tenant, k.report_id) for k in keys])}
    kept = [found[k.report_id] for k in keys if k.report_id in found]
    if index_attr is None:
        return kept
    return [r for r in kept if getattr(r, index_attr) == hash_value]


def _page(index: Any, hash_value: str, index_attr: str, tenant: str, limit: int, after: str | None) -> Page:
    last_key = None
    if after:
        last_key = {"tenant": {"S": tenant}, "report_id": {"S": after}, index_attr: {"S": hash_value}}
    result = index.query(hash_value, scan_index_forward=False, limit=limit + 1, page_size=limit + 1,
                         last_evaluated_key=last_key)
    keys = list(result)
    more = len(keys) > limit
    keys = keys[:limit]
    return Page(items=whole(tenant, keys, index_attr, hash_value),
                last_id=keys[-1].report_id if more and keys else None)


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


class KeyAlreadyUsed(Exception):
    """The transition's Idempotency-Key was claimed before: this request is a retry."""


def save_with_event(report: ReportModel, event: ReportEventModel,
                    claim: IdempotencyModel | None = None) -> ReportModel:
    """A transition: the report (version-checked), its history entry and the key's claim, all or nothing."""
    _listing_keys(report, report.feed is not None)
    try:
        with TransactWrite(connection=_connection()) as tx:
            tx.save(report)
            tx.save(event, condition=ReportEventModel.event_id.does_not_exist())
            if claim is not None:
                tx.save(claim, condition=IdempotencyModel.id.does_not_exist())
    except TransactWriteError as err:
        reasons = [r.code if r else None for r in (err.cancellation_reasons or [])]
        if claim is not None and len(reasons) > 2 and reasons[2] == "ConditionalCheckFailed":
            raise KeyAlreadyUsed(claim.id) from err
        if reasons and reasons[0] == "ConditionalCheckFailed":
            raise StaleWrite(report.report_id) from err
        raise
    return report


def record_once(event: ReportEventModel) -> bool:
    """Put a history entry unless it is there already (False): its id names the change it records."""
    try:
        event.save(condition=ReportEventModel.event_id.does_not_exist())
    except PutError as err:
        if getattr(err, "cause_response_code", None) == "ConditionalCheckFailedException":
            return False
        raise
    return True


def claimed(key_id: str) -> IdempotencyModel | None:
    try:
        return IdempotencyModel.get(key_id, consistent_read=True)
    except IdempotencyModel.DoesNotExist:
        return None


def history(tenant: str, report_id: str, limit: int = 500) -> list[ReportEventModel]:
    """A report's events, oldest first."""
    return list(ReportEventModel.query(f"{tenant}#{report_id}", limit=limit, consistent_read=True))


@dataclass
class QueuePage:
    items: list[ReportModel]
    last_key: str | None  # the due_key to continue after, set when more items follow


def _queue_page(index: Any, hash_attr: str, hash_value: str, tenant: str, limit: int, after: str | None,
                range_condition: Any = None) -> QueuePage:
    last_key = None
    if after:
        report_id = after.rsplit("#", 1)[-1]
        last_key = {"tenant": {"S": tenant}, "report_id": {"S": report_id}, hash_attr: {"S": hash_value},
                    "due_key": {"S": after}}
    result = index.query(hash_value, range_condition, scan_index_forward=True, limit=limit + 1,
                         page_size=limit + 1, last_evaluated_key=last_key)
    keys = list(result)
    more = len(keys) > limit
    keys = keys[:limit]
    return QueuePage(items=whole(tenant, keys, hash_attr, hash_value),
                     last_key=keys[-1].due_key if more and keys else None)


def list_desk(tenant: str, status: str, *, limit: int, after: str | None) -> QueuePage:
    """Reports waiting at the complaint desk, the one due soonest first."""
    return _queue_page(ReportModel.desk_queue, "desk", f"{tenant}#{status}", tenant, limit, after)


def list_unit(tenant: str, agency: str, *, status: str | None, overdue: bool | None, now: str, limit: int,
              after: str | None) -> QueuePage:
    """A unit's reports (open ones, or those in one status), the one due soonest first."""
    condition = None
    if overdue is True:
        condition = ReportModel.due_key < now
    elif overdue is False:
        condition = ReportModel.due_key >= now
    if status is None:
        return _queue_page(ReportModel.unit_queue, "unit", f"{tenant}#{agency}", tenant, limit, after, condition)
    return _queue_page(ReportModel.unit_status_queue, "unit_status", f"{tenant}#{agency}#{status}", tenant, limit,
                       after, condition)


def save(report: ReportModel, usage: metering.Increment | None = None) -> ReportModel:
    """Save a changed report; the version condition makes a concurrent change fail with StaleWrite.

    With ``usage`` the report and the counters are written in one transaction (a billable change
    counts exactly when it is written).
    """
    _listing_keys(report, report.feed is not None)
    if usage is not None:
        try:
            with TransactWrite(connection=_connection()) as tx:
                tx.save(report)
                metering.add_increment(tx, usage)
        except TransactWriteError as err:
            if metering.reasons_of(err)[:1] == ["ConditionalCheckFailed"] or metering.is_conflict(err):
                raise StaleWrite(report.report_id) from err  # reload and decide again
            raise
        return report
    try:
        report.save()
    except (PutError, UpdateError) as err:
        if getattr(err, "cause_response_code", None) == "ConditionalCheckFailedException":
            raise StaleWrite(report.report_id) from err
        raise
    return report


def change(tenant: str, report_id: str, mutate: Callable[[ReportModel], bool],
           usage: metering.Increment | None = None) -> ReportModel | None:
    """Load, mutate and save, starting over when another writer got there first.

    ``mutate`` returns False when nothing needs writing (an idempotent redelivery, say). ``usage`` is
    counted with the write that mutate asked for, and only then.
    """
    for _ in range(_MAX_UPDATE_ATTEMPTS):
        report = get(tenant, report_id)
        if report is None:
            return None
        if not mutate(report):
            return report
        try:
            return save(report, usage)
        except StaleWrite:
            continue
    raise StaleWrite(report_id)
