"""Inbox messages: written once per event and mailbox, read newest first across a caller's mailboxes."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import PutError

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
