"""Supports and comments (the ``community`` table), and their counts on the report.

A support is an item ``support#<sub>`` under the report's key. It is written or deleted in one
transaction with ``ADD support_count`` on the report, so the count never drifts from the items, and
that update also bumps the report's ``version``: a request that loaded the report before and saves it
whole (a transition) fails its version check and reloads instead of writing back an old count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.reports import STATUSES
from chalicelib.domain.workflow import FINISHED
from chalicelib.store import usage
from chalicelib.store.models import CommunityModel, NotificationModel, ReportModel

SUPPORT = "support#"
COMMENT = "comment#"
CLAIM = "claim#"
_OPEN = tuple(status for status in STATUSES if status not in FINISHED)  # where a new support may land


class AlreadyDone(Exception):
    """The support exists already (add), is gone already (remove), or the comment is hidden already."""


class ReportFinished(Exception):
    """The report was closed or rejected meanwhile: it takes no new support."""


class KeyAlreadyUsed(Exception):
    """A comment's Idempotency-Key was claimed before: this request is a retry."""


class Busy(Exception):
    """Other writers kept meeting this one; the caller may retry later."""


def report_key(tenant: str, report_id: str) -> str:
    return f"{tenant}#{report_id}"


def _count(delta: int) -> Any:
    return NumberAttribute(attr_name="support_count").add(delta)


def _report_ref(tenant: str, report_id: str) -> ReportModel:
    # A key-only instance whose version is set: the update bumps ``version`` (ADD 1) without requiring
    # a particular value, so concurrent supports never wait on each other.
    ref = ReportModel(tenant, report_id)
    ref.version = 0
    return ref


def _run(build: Any) -> None:
    """Run a transaction again while it only met a concurrent one; condition failures are the caller's."""
    for attempt in range(usage.CONFLICT_RETRIES + 1):
        try:
            with TransactWrite(connection=usage.transaction_connection()) as tx:
                build(tx)
            return
        except TransactWriteError as err:
            reasons = usage.reasons_of(err)
            if "ConditionalCheckFailed" in reasons or not usage.is_conflict(err) or attempt == usage.CONFLICT_RETRIES:
                raise
            usage.pause(attempt)


def support_count(tenant: str, report_id: str) -> int:
    try:
        item = ReportModel.get(tenant, report_id, consistent_read=True, attributes_to_get=["support_count"])
    except ReportModel.DoesNotExist:
        return 0
    return int(item.support_count or 0)


def add_support(tenant: str, report_id: str, sub: str, at: str) -> None:
    """One more supporter; AlreadyDone when they support it already, ReportFinished when it is closed."""
    item = CommunityModel(report_key(tenant, report_id), f"{SUPPORT}{sub}", tenant=tenant, report_id=report_id,
                          at=at, sub=sub)

    def build(tx: TransactWrite) -> None:
        tx.save(item, condition=CommunityModel.item.does_not_exist())
        tx.update(_report_ref(tenant, report_id), actions=[_count(1)], add_version_condition=False,
                  condition=ReportModel.status.is_in(*_OPEN))

    try:
        _run(build)
    except TransactWriteError as err:
        reasons = usage.reasons_of(err)
        if reasons[:1] == ["ConditionalCheckFailed"]:
            raise AlreadyDone(sub) from err
        if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
            raise ReportFinished(report_id) from err
        raise


def remove_support(tenant: str, report_id: str, sub: str) -> None:
    """One supporter fewer; AlreadyDone when they were not (or no longer) supporting it."""
    item = CommunityModel(report_key(tenant, report_id), f"{SUPPORT}{sub}")

    def build(tx: TransactWrite) -> None:
        tx.delete(item, condition=CommunityModel.item.exists())
        tx.update(_report_ref(tenant, report_id), actions=[_count(-1)], add_version_condition=False,
                  condition=ReportModel.report_id.exists())

    try:
        _run(build)
    except TransactWriteError as err:
        if usage.reasons_of(err)[:1] == ["ConditionalCheckFailed"]:
            raise AlreadyDone(sub) from err
        raise


def supports(tenant: str, report_id: str, sub: str) -> bool:
    try:
        CommunityModel.get(report_key(tenant, report_id), f"{SUPPORT}{sub}", consistent_read=True,
                           attributes_to_get=["item"])
    except CommunityModel.DoesNotExist:
        return False
    return True


def supporters(tenant: str, report_id: str, limit: int) -> list[str]:
    """Up to ``limit`` supporters of a report (the first ones by id)."""
    found = CommunityModel.query(report_key(tenant, report_id), CommunityModel.item.startswith(SUPPORT),
                                 consistent_read=True, limit=limit, page_size=limit, attributes_to_get=["item", "sub"])
    return [str(item.sub) for item in found]


def move_supporters(tenant: str, duplicate_id: str, original_id: str, move: list[str], drop: list[str],
                    at: str) -> None:
    """Supporters leave the duplicate (all of ``move`` and ``drop``) and ``move`` join the original, at once.

    Every delete requires the support to still be there and every put requires it to be new, so a
    redelivered stream record, or a withdrawal or support that got in first, cancels the whole step
    (``AlreadyDone``): the caller reads again and plans anew. Nothing is ever moved twice.
    """
    def build(tx: TransactWrite) -> None:
        for sub in (*move, *drop):
            tx.delete(CommunityModel(report_key(tenant, duplicate_id), f"{SUPPORT}{sub}"),
                      condition=CommunityModel.item.exists())
        for sub in move:
            tx.save(CommunityModel(report_key(tenant, original_id), f"{SUPPORT}{sub}", tenant=tenant,
                                   report_id=original_id, at=at, sub=sub),
                    condition=CommunityModel.item.does_not_exist())
        tx.update(_report_ref(tenant, duplicate_id), actions=[_count(-(len(move) + len(drop)))],
                  add_version_condition=False, condition=ReportModel.report_id.exists())
        if move:
            tx.update(_report_ref(tenant, original_id), actions=[_count(len(move))], add_version_condition=False,
                      condition=ReportModel.report_id.exists())

    try:
        _run(build)
    except TransactWriteError as err:
        if "ConditionalCheckFailed" in usage.reasons_of(err):
            raise AlreadyDone(duplicate_id) from err
        raise


# -- comments ---------------------------------------------------------------------------------


@dataclass
class CommentPage:
    items: list[CommunityModel]
    last_id: str | None  # set when more items follow


def add_comment(comment: CommunityModel, claim: CommunityModel | None, throttle: usage.Throttle) -> None:
    """The comment, its Idempotency-Key's claim and one use of the author's hourly window, all or nothing.

    ``KeyAlreadyUsed`` for a retry (the claim exists), ``usage.LimitReached`` when the window is full.
    """
    def build(tx: TransactWrite) -> None:
        tx.save(comment, condition=CommunityModel.item.does_not_exist())
        if claim is not None:
            tx.save(claim, condition=CommunityModel.item.does_not_exist())
        usage.add_throttle(tx, throttle)

    try:
        _run(build)
    except TransactWriteError as err:
        reasons = usage.reasons_of(err)
        if claim is not None and len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
            raise KeyAlreadyUsed(claim.item) from err
        if reasons and reasons[-1] == "ConditionalCheckFailed":
            raise usage.LimitReached(throttle.key) from err
        raise


def get_item(tenant: str, report_id: str, item: str) -> CommunityModel | None:
    try:
        return CommunityModel.get(report_key(tenant, report_id), item, consistent_read=True)
    except CommunityModel.DoesNotExist:
        return None


def list_comments(tenant: str, report_id: str, *, limit: int, after: str | None,
                  include_hidden: bool) -> CommentPage:
    """Comments oldest first; hidden ones only for staff. ``after``: the last comment id of the page before."""
    condition = CommunityModel.item.startswith(COMMENT)
    last_key = None
    if after:
        last_key = {"report_key": {"S": report_key(tenant, report_id)}, "item": {"S": f"{COMMENT}{after}"}}
    visible = None if include_hidden else CommunityModel.hidden_at.does_not_exist()
    # ``limit`` counts what passes the filter: PynamoDB reads on until it has that many or the end.
    result = CommunityModel.query(report_key(tenant, report_id), condition, filter_condition=visible,
                                  scan_index_forward=True, limit=limit + 1, page_size=limit + 1,
                                  last_evaluated_key=last_key, consistent_read=True)
    items = list(result)
    more = len(items) > limit
    items = items[:limit]
    return CommentPage(items=items, last_id=str(items[-1].comment_id) if more and items else None)


def hide_comment(comment: CommunityModel, *, reason: str, note: str | None, by: str, at: str,
                 notice: NotificationModel | None) -> None:
    """Hide a comment and put the author's notice in their inbox, together; AlreadyDone when it was hidden."""
    def build(tx: TransactWrite) -> None:
        tx.update(comment, actions=[CommunityModel.hidden_at.set(at), CommunityModel.hidden_reason.set(reason),
                                    CommunityModel.hidden_by.set(by)]
                  + ([CommunityModel.hidden_note.set(note)] if note else []),
                  condition=CommunityModel.item.exists() & CommunityModel.hidden_at.does_not_exist())
        if notice is not None:
            tx.save(notice, condition=NotificationModel.mailbox.does_not_exist())

    try:
        _run(build)
    except TransactWriteError as err:
        if usage.reasons_of(err)[:1] == ["ConditionalCheckFailed"]:
            raise AlreadyDone(comment.item) from err
        raise
