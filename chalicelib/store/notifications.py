"""Inbox messages: written once per event and mailbox, read newest first across a caller's mailboxes."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.store.models import NotificationModel


@dataclass
class InboxPage:
    items: list[NotificationModel]
    last_nid: str | None  # set when more items follow


def mailbox_key(tenant: str, mailbox: str) -> str:
    return f"{tenant}#{mailbox}"


def put(tenant: str, mailbox: str, nid: str, *, report_id: str, tracking_code: str, kind: str,
        message: dict[str, dict[str, str]], at: str, expires: int) -> bool:
    """Write one message; False when this event is already in this mailbox (a redelivery)."""
    item = NotificationModel(mailbox_key(tenant, mailbox), nid, expires=expires, tenant=tenant, report_id=report_id,
                             tracking_code=tracking_code, type=kind, title=message["title"], body=message["body"],
                             at=at)
    try:
        item.save(condition=NotificationModel.mailbox.does_not_exist())
    except PutError as err:
        if getattr(err, "cause_response_code", None) == "ConditionalCheckFailedException":
            return False
        raise
    return True


_PUTS_PER_TRANSACTION = 99  # DynamoDB's 100 items, less the counter


def put_counted(tenant: str, mailboxes: list[str], nid: str, *, report_id: str, tracking_code: str, kind: str,
                message: dict[str, dict[str, str]], at: str, expires: int) -> int:
    """Write one message per mailbox and count them (``notifications_inbox``) in one transaction.

    Returns how many were written. A mailbox that already holds this event (a redelivery) fails its
    condition; the transaction is then run again without it, so what is counted is exactly what is
    written, once.
    """
    from chalicelib import clock
    from chalicelib.store import usage

    written = 0
    for start in range(0, len(mailboxes), _PUTS_PER_TRANSACTION):
        pending = mailboxes[start:start + _PUTS_PER_TRANSACTION]
        conflicts = 0
        while pending:
            items = [NotificationModel(mailbox_key(tenant, box), nid, expires=expires, tenant=tenant,
                                       report_id=report_id, tracking_code=tracking_code, type=kind,
                                       title=message["title"], body=message["body"], at=at) for box in pending]
            counted = usage.increment(tenant, {"notifications_inbox": len(items)}, clock.parse_iso(at), nid)
            try:
                with TransactWrite(connection=usage.transaction_connection()) as tx:
                    for item in items:
                        tx.save(item, condition=NotificationModel.mailbox.does_not_exist())
                    usage.add_increment(tx, counted)
            except TransactWriteError as err:
                reasons = usage.reasons_of(err)
                taken = {i for i, reason in enumerate(reasons[:len(pending)]) if reason == "ConditionalCheckFailed"}
                if taken:
                    pending = [box for i, box in enumerate(pending) if i not in taken]
                    continue
                if usage.is_conflict(err) and conflicts < usage.CONFLICT_RETRIES:
                    usage.pause(conflicts)
                    conflicts += 1
                    continue
                raise
            written += len(pending)
            break
    return written


def exists(tenant: str, mailbox: str, nid: str) -> bool:
    try:
        NotificationModel.get(mailbox_key(tenant, mailbox), nid, consistent_read=True, attributes_to_get=["nid"])
    except NotificationModel.DoesNotExist:
        return False
    return True


def _newest(key: str, limit: int, before: str | None) -> list[NotificationModel]:
    condition: Any = NotificationModel.nid < before if before else None
    return list(NotificationModel.query(key, condition, scan_index_forward=False, limit=limit, page_size=limit))


def list_inbox(tenant: str, mailboxes: list[str], *, limit: int, before: str | None) -> InboxPage:
    """The newest ``limit`` messages of all these mailboxes, older than ``before`` (a previous page's last id).

    Each mailbox is read newest first, at most ``limit + 1`` items, and the lists are merged. The same
    event in two of the caller's mailboxes (the desk and the supervisors, say) is one message to them:
    equal ids collapse, which also keeps ``nid < cursor`` from skipping a twin on the next page.
    """
    streams = [_newest(mailbox_key(tenant, box), limit + 1, before) for box in mailboxes]
    merged: list[NotificationModel] = []
    seen: set[str] = set()
    for item in heapq.merge(*streams, key=lambda n: n.nid, reverse=True):
        if item.nid in seen:
            continue
        seen.add(item.nid)
        merged.append(item)
        if len(merged) > limit:
            break
    # Any mailbox holding more than ``limit`` items puts at least limit + 1 distinct ids into the merge,
    # so "more than limit merged" is exactly "another page exists".
    more = len(merged) > limit
    items = merged[:limit]
    return InboxPage(items=items, last_nid=items[-1].nid if more and items else None)
