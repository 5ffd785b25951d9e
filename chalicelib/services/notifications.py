"""Notifications: lifecycle events into inbox messages and outbound deliveries; the inbox; channel config.

Flow: the lifecycle topic feeds the notifications queue -> ``handle_event`` writes one inbox message
per recipient mailbox (idempotent), then enqueues one delivery per matching outbound channel on the
deliveries queue -> ``deliver`` sends each one (webhook or email). A failing channel is retried by
its own queue message and finally dead-lettered; it never holds back the inbox or other channels.

A redelivered event writes no second inbox message and, once its deliveries were enqueued (marked
in the ``outbox#channels`` mailbox, which no caller can read), enqueues none again. Outbound delivery
is still at least once: a crash between enqueueing and marking, or a retried send, repeats a delivery
with the same ``id`` (``X-Aduan-Delivery``) for the receiver to drop it by.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from chalicelib.adapters import delivery_queue
from chalicelib.domain import notifications as rules
from chalicelib.domain.identity import Caller
from chalicelib.domain.reports import hash_receipt
from chalicelib.observability import count, logger
from chalicelib.services import cursors
from chalicelib.services.access import require_desk

_DELIVERY_TEXT = ("id", "channel", "tenant", "type", "report_id", "tracking_code", "at")


class Dropped(Exception):
    """The event or delivery refers to something that is gone (tenant, report, channel): retrying cannot help."""


# -- events -> inbox + deliveries -------------------------------------------------------------


def facts_of(report: Any, tenant: Any) -> rules.ReportFacts:
    from chalicelib.services.tenants import unit_for

    return rules.ReportFacts(
        tenant=report.tenant, report_id=report.report_id, tracking_code=report.tracking_code,
        category=report.category, agency=report.agency, status=report.status, reporter_sub=report.reporter_sub,
        receipt_hash=report.receipt_hash, privacy=report.privacy, assignee=report.assignee,
        inspectorate=unit_for(tenant, "INSPEKTORAT")["code"], timezone=tenant.timezone or "UTC",
    )


def _delivery_id(nid: str, channel_id: str) -> str:
    return hashlib.sha256(f"{nid}|{channel_id}".encode()).hexdigest()[:32]


def outbound(event: dict[str, Any], facts: rules.ReportFacts, mailboxes: list[str], channels: list[dict[str, Any]],
             nid: str, message: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    """One delivery per channel that speaks for at least one recipient; the channel itself is looked up later."""
    deliveries = []
    for channel in channels:
        audiences = set(channel.get("audiences") or [])
        recipients = [{"mailbox": box, "audience": rules.audience_of(box, facts)} for box in mailboxes]
        recipients = [r for r in recipients if r["audience"] in audiences]
        if not recipients or not channel.get("id"):
            continue
        deliveries.append({
            "id": _delivery_id(nid, str(channel["id"])), "channel": str(channel["id"]), "type": event["type"],
            "tenant": facts.tenant, "report_id": facts.report_id, "tracking_code": facts.tracking_code,
            "at": event["at"], "recipients": recipients, "title": message["title"], "body": message["body"],
        })
    return deliveries


def handle_event(raw: Any) -> dict[str, int]:
    """Handle one lifecycle event. MalformedEvent and Dropped mean "drop it"; anything else is retried."""
    from chalicelib.store import notifications as inbox_store
    from chalicelib.store import reports as report_store
    from chalicelib.store.tenants import get_tenant

    event = rules.validate_event(raw)
    tenant = get_tenant(event["tenant"])
    if tenant is None:
        raise Dropped("unknown tenant")
    report = report_store.get(tenant.code, event["report_id"])
    if report is None:
        raise Dropped("unknown report")
    facts = facts_of(report, tenant)
    mailboxes = rules.recipients(event, facts)
    if not mailboxes:
        return {"written": 0, "deliveries": 0}
    message = rules.render(event, facts)
    nid = rules.notification_id(event)
    expires = rules.expires_at(event)
    # One transaction with the billing counter: a redelivered event writes and counts nothing again.
    written = inbox_store.put_counted(tenant.code, mailboxes, nid, report_id=facts.report_id,
                                      tracking_code=facts.tracking_code, kind=event["type"], message=message,
                                      at=event["at"], expires=expires)
    # After the inbox: a channel that cannot even be enqueued retries the event, whose inbox writes are no-ops.
    deliveries = outbound(event, facts, mailboxes, [dict(c) for c in (tenant.channels or [])], nid, message)
    if deliveries and inbox_store.exists(tenant.code, rules.OUTBOX, nid):
        deliveries = []  # a redelivered event: its deliveries were enqueued the first time
    if deliveries:
        delivery_queue.enqueue(deliveries)
        # Recorded only after enqueueing: a crash in between sends twice (same delivery id) rather than never.
        inbox_store.put(tenant.code, rules.OUTBOX, nid, report_id=facts.report_id, tracking_code=facts.tracking_code,
                        kind=event["type"], message=message, at=event["at"], expires=expires)
    if written:
        count("NotificationsWritten", tenant.code)
    logger().info("lifecycle event notified", extra={
        "tenant": tenant.code, "report_id": facts.report_id, "event_type": event["type"],
        "recipients": len(mailboxes), "written": written, "deliveries": len(deliveries)})
    return {"written": written, "deliveries": len(deliveries)}


# -- deliveries -------------------------------------------------------------------------------


def _email_text(delivery: dict[str, Any]) -> tuple[str, str]:
    title, body = delivery["title"], delivery["body"]
    subject = f"[Aduan] {title['id']}"
    text = (f"{title['id']}\n\n{body['id']}\n\n-- English --\n\n{title['en']}\n\n{body['en']}\n\n"
            "Pesan otomatis dari Aduan; mohon tidak membalas email ini.\n"
            "An automatic message from Aduan; please do not reply to this email.\n")
    return subject, text


def _payload(delivery: dict[str, Any]) -> dict[str, Any]:
    """What a webhook receives: the mailbox keys (``user#<sub>``, ``receipt#<hash>``...) and the message."""
    return {key: delivery[key] for key in ("id", "type", "tenant", "report_id", "tracking_code", "at",
                                            "recipients", "title", "body")}


def resolve(delivery: Any, channels: Callable[[str], list[dict[str, Any]]]) -> dict[str, Any]:
    """The channel, as configured now, that a queued delivery goes through (``channels``: tenant -> list)."""
    if not isinstance(delivery, dict) or not all(isinstance(delivery.get(k), str) for k in _DELIVERY_TEXT):
        raise rules.MalformedEvent("not a delivery")
    if not isinstance(delivery.get("recipients"), list):
        raise rules.MalformedEvent("no recipients")
    for part in ("title", "body"):
        if not isinstance(delivery.get(part), dict) or not {"id", "en"} <= set(delivery[part]):
            raise rules.MalformedEvent(f"no {part}")
    channel = next((c for c in channels(delivery["tenant"]) if c.get("id") == delivery["channel"]), None)
    if channel is None:
        raise Dropped("channel removed")
    if channel.get("type") not in ("webhook", "email"):
        raise Dropped("unknown channel type")
    return channel


def send(channel: dict[str, Any], delivery: dict[str, Any]) -> str:
    """Send one delivery through its channel; raises (to be retried) when the channel does not take it."""
    from chalicelib.adapters import email, webhooks

    if channel["type"] == "webhook":
        webhooks.post(str(channel["url"]), str(channel["secret"]), _payload(delivery), delivery_id=delivery["id"])
    else:
        subject, text = _email_text(delivery)
        email.send([str(a) for a in channel.get("to") or []], subject, text)
    return str(channel["type"])


def deliver(delivery: Any) -> str:
    """Resolve and send one queued delivery (see ``resolve`` and ``send``)."""
    from chalicelib.store.tenants import channels_of

    channel = resolve(delivery, channels_of)
    return send(channel, delivery)


# -- the inbox --------------------------------------------------------------------------------


def encode_cursor(nid: str | None) -> str | None:
    return cursors.encode("before", nid)


def decode_cursor(cursor: str | None) -> str | None:
    return cursors.decode(cursor, "before", rules.valid_notification_id)


def inbox(tenant_code: str, caller: Caller | None, receipt: str | None, limit: int,
          cursor: str | None) -> tuple[list[Any], str | None]:
    """The caller's messages in this tenant, newest first, and the cursor of the next page."""
    from chalicelib.services.tenants import require_tenant
    from chalicelib.store import notifications as inbox_store

    tenant = require_tenant(tenant_code)
    before = decode_cursor(cursor)
    mailboxes = rules.mailboxes_for(caller, tenant.code, hash_receipt(receipt) if receipt else None)
    if not mailboxes:
        return [], None
    page = inbox_store.list_inbox(tenant.code, mailboxes, limit=limit, before=before)
    return page.items, encode_cursor(page.last_nid)


def notification_view(item: Any, lang: str) -> dict[str, Any]:
    title, body = item.title.as_dict(), item.body.as_dict()
    return {"id": item.nid, "type": item.type, "report_id": item.report_id, "tracking_code": item.tracking_code,
            "title": title.get(lang) or title.get("id"), "body": body.get(lang) or body.get("id"), "at": item.at}


# -- channel configuration --------------------------------------------------------------------


def get_channels(tenant_code: str, caller: Caller) -> dict[str, Any]:
    """The tenant's outbound channels without their secrets (tenant_admin of the tenant, platform_admin)."""
    from chalicelib.domain.channels import public_view
    from chalicelib.store.tenants import channels_of

    tenant = require_desk(tenant_code, caller)
    return {"channels": [public_view(c) for c in channels_of(tenant.code)]}


def replace_channels(tenant_code: str, caller: Caller, body: Any) -> dict[str, Any]:
    """Replace every channel at once (422 on any invalid field); a webhook sent without a secret keeps its own."""
    from chalicelib.domain.channels import parse_channels, public_view
    from chalicelib.store.tenants import channels_of, update_tenant

    tenant = require_desk(tenant_code, caller)
    channels = parse_channels(body, channels_of(tenant.code))
    update_tenant(tenant.code, channels=channels)
    logger().info("notification channels replaced", extra={
        "tenant": tenant.code, "channels": [c["id"] for c in channels]})
    return {"channels": [public_view(c) for c in channels]}
