"""Community use cases: support a report ("me too"), comment on it, moderate comments, merge duplicates' supporters.

The rules are in ``domain/community.py``; here they meet the caller, the report and the store. A
report the caller may not see is a 404 whatever they ask of it (the same answer as a report that does
not exist), before any other check can tell them more.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from chalicelib import clock
from chalicelib.domain import community as rules
from chalicelib.domain.identity import Caller
from chalicelib.domain.reports import is_reporter, view_for
from chalicelib.errors import ProblemError
from chalicelib.observability import logger
from chalicelib.services import cursors
from chalicelib.services.access import signed_in
from chalicelib.services.reports import access_of, load, valid_idempotency_key

_ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
_MERGE_BATCH = 25  # supporters per transaction: 2 items each, plus the two reports' counts (DynamoDB's limit: 100)
_MERGE_ATTEMPTS = 20  # consecutive steps cancelled by concurrent writers before the record is retried


def _visible(tenant_code: str, ref: str, caller: Caller | None, receipt: str | None = None) -> Any:
    """The report, when the caller may see it at all; otherwise 404 as if it did not exist."""
    report = load(tenant_code, ref)
    if view_for(access_of(report), caller, receipt) is None:
        raise ProblemError("report_not_found")
    return report


def _citizen(caller: Caller | None) -> Caller:
    """A signed-in citizen: staff accounts act through the workflow, not as the public."""
    who = signed_in(caller)
    if who.is_staff:
        raise ProblemError("forbidden")
    return who


# -- supports ---------------------------------------------------------------------------------


def _support_view(report: Any, supported: bool, count: int) -> dict[str, Any]:
    return {"report_id": report.report_id, "tracking_code": report.tracking_code, "supported": supported,
            "support_count": max(0, count)}


def support(tenant_code: str, ref: str, caller: Caller | None) -> tuple[dict[str, Any], int]:
    """Add the caller's support: 201 the first time, 200 when they support it already (nothing counted)."""
    from chalicelib.store import community as store

    who = _citizen(caller)
    report = _visible(tenant_code, ref, who)
    refusal = rules.support_refusal(status=report.status, privacy=report.privacy,
                                    own_report=is_reporter(access_of(report), who, None))
    if refusal == "report_finished" and store.supports(report.tenant, report.report_id, who.sub):
        refusal = None  # a repeat of a support given while it was open: answered as a repeat
        status = 200
    elif refusal:
        raise ProblemError(refusal, extra={"report_status": report.status})
    else:
        try:
            store.add_support(report.tenant, report.report_id, who.sub, clock.iso(clock.now()))
            status = 201
        except store.AlreadyDone:
            status = 200
        except store.ReportFinished:
            raise ProblemError("report_finished") from None
    logger().info("report supported", extra={"tenant": report.tenant, "report_id": report.report_id,
                                             "new": status == 201})
    return _support_view(report, True, store.support_count(report.tenant, report.report_id)), status


def withdraw(tenant_code: str, ref: str, caller: Caller | None) -> dict[str, Any]:
    """Withdraw the caller's support; withdrawing one not given (or given twice) changes nothing."""
    from chalicelib.store import community as store

    who = _citizen(caller)
    report = _visible(tenant_code, ref, who)
    try:
        store.remove_support(report.tenant, report.report_id, who.sub)
    except store.AlreadyDone:
        pass
    return _support_view(report, False, store.support_count(report.tenant, report.report_id))


def merge_duplicate(new: dict[str, Any]) -> int:
    """Move a rejected duplicate's supporters to its original and tell its reporter; safe to repeat.

    Called by the reports stream for the record in which the report became a duplicate. Each step moves
    up to ``_MERGE_BATCH`` supporters in one transaction whose conditions fail if any of them moved
    already, so a redelivered record finds nobody left to move and an identical notice in the inbox.
    Returns how many supporters were moved or dropped.
    """
    from chalicelib.store import community as store
    from chalicelib.store import notifications as inbox
    from chalicelib.store import reports as report_store

    tenant, duplicate_id, original_id = str(new["tenant"]), str(new["report_id"]), str(new["duplicate_of"])
    original = report_store.get(tenant, original_id)
    if original is None:
        logger().warning("duplicate's original is gone", extra={"tenant": tenant, "report_id": duplicate_id})
        return 0
    at = str((new.get("last_event") or {}).get("at") or new.get("updated_at"))
    handled = cancelled = 0
    while True:
        batch = store.supporters(tenant, duplicate_id, _MERGE_BATCH)
        if not batch:
            break
        on_original = {sub for sub in batch if store.supports(tenant, original_id, sub)}
        move, drop = rules.merge_plan(batch, on_original, original.reporter_sub)
        try:
            store.move_supporters(tenant, duplicate_id, original_id, move, drop, at)
        except store.AlreadyDone:
            cancelled += 1  # someone withdrew or supported meanwhile: read again
            if cancelled >= _MERGE_ATTEMPTS:
                raise
            continue
        handled += len(batch)
    mailbox = rules.reporter_mailbox(new.get("reporter_sub"), new.get("receipt_hash"))
    event_id = str((new.get("last_event") or {}).get("id") or duplicate_id)
    if mailbox:
        from chalicelib.domain.notifications import RETENTION

        nid = f"{at}#merged-{event_id.rsplit('#', 1)[-1]}"
        message = rules.merged_message(str(new.get("tracking_code")), original.tracking_code)
        expires = int(clock.parse_iso(at).timestamp() + RETENTION.total_seconds())
        inbox.put_counted(tenant, [mailbox], nid, report_id=duplicate_id, tracking_code=str(new.get("tracking_code")),
                          kind=rules.MERGED, message=message, at=at, expires=expires)
    logger().info("duplicate merged", extra={"tenant": tenant, "report_id": duplicate_id, "original": original_id,
                                             "supporters": handled})
    return handled


# -- comments ---------------------------------------------------------------------------------


def _encode(comment_id: str | None) -> str | None:
    return cursors.encode("after", comment_id)


def _decode(cursor: str | None) -> str | None:
    return cursors.decode(cursor, "after", lambda value: bool(_ULID.match(value)))


def comment_view(item: Any, report: Any, caller: Caller | None, moderator: bool) -> dict[str, Any]:
    """The public shape (text, time, whether it is the caller's own); staff also see who and why hidden."""
    author = item.sub
    body: dict[str, Any] = {
        "id": item.comment_id,
        "text": item.text,
        "at": item.at,
        "mine": caller is not None and caller.sub == author,
        # Named only on a public report: on an anonymous one it would tie the comment to the reporter.
        "by_reporter": report.privacy == "public" and bool(report.reporter_sub) and author == report.reporter_sub,
        "hidden": item.hidden_at is not None,
    }
    if moderator:
        anonymous_reporter = report.privacy == "anonymous" and author == report.reporter_sub
        body.update(author=None if anonymous_reporter else author, hidden_at=item.hidden_at,
                    hidden_reason=item.hidden_reason, hidden_note=item.hidden_note, hidden_by=item.hidden_by)
    return body


def _moderator(report: Any, caller: Caller | None) -> bool:
    from chalicelib.services.workflow import role_of

    return caller is not None and caller.is_staff and rules.may_moderate(role_of(report, caller))


def comments(tenant_code: str, ref: str, caller: Caller | None, receipt: str | None, limit: int,
             cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """A report's comments, oldest first; hidden ones only for the report's staff (marked)."""
    from chalicelib.store import community as store

    report = _visible(tenant_code, ref, caller, receipt)
    after = _decode(cursor)
    moderator = _moderator(report, caller)
    if rules.comment_refusal(privacy=report.privacy):
        return [], None  # no comments are ever taken on a confidential report
    page = store.list_comments(report.tenant, report.report_id, limit=limit, after=after, include_hidden=moderator)
    return [comment_view(c, report, caller, moderator) for c in page.items], _encode(page.last_id)


def add_comment(tenant_code: str, ref: str, body: Any, caller: Caller | None,
                idempotency_key: str | None) -> tuple[dict[str, Any], int]:
    """A citizen's comment: 201; a retry with the same Idempotency-Key returns the same comment."""
    from ulid import ULID

    from chalicelib.domain.billing import LIMIT_WINDOW_TTL, hour_window, seconds_to_next_hour
    from chalicelib.domain.commands import parse
    from chalicelib.store import community as store
    from chalicelib.store import usage
    from chalicelib.store.models import CommunityModel

    who = _citizen(caller)
    report = _visible(tenant_code, ref, who)
    command = parse(rules.NewComment, body)  # bad input is answered before anything is written
    refusal = rules.comment_refusal(privacy=report.privacy)
    if refusal:
        raise ProblemError(refusal, extra={"report_status": report.status})
    moment = clock.now()
    at = clock.iso(moment)
    comment_id = str(ULID())  # the real time: ids sort in the order comments came, even under a test clock
    key = store.report_key(report.tenant, report.report_id)
    comment = CommunityModel(key, f"{store.COMMENT}{comment_id}", tenant=report.tenant, report_id=report.report_id,
                             at=at, sub=who.sub, comment_id=comment_id, text=command.text)
    claim = None
    if idempotency_key is not None:
        valid_idempotency_key(idempotency_key)
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        key_hash = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
        claim = CommunityModel(key, f"{store.CLAIM}{who.sub}#{key_hash}", tenant=report.tenant,
                               report_id=report.report_id, at=at, sub=who.sub, comment_id=comment_id,
                               payload_hash=digest, expires=int(moment.timestamp()) + 24 * 3600)
    window_start = moment.replace(minute=0, second=0, microsecond=0)
    throttle = usage.Throttle(tenant=report.tenant, name=f"comments#{who.sub}", window=hour_window(moment),
                              limit=rules.COMMENTS_PER_HOUR,
                              expires=int(window_start.timestamp() + LIMIT_WINDOW_TTL.total_seconds()))
    try:
        store.add_comment(comment, claim, throttle)
    except store.KeyAlreadyUsed:
        assert claim is not None
        first = store.get_item(report.tenant, report.report_id, claim.item)
        if first is None or first.payload_hash != claim.payload_hash:
            raise ProblemError("idempotency_key_reused") from None
        earlier = store.get_item(report.tenant, report.report_id, f"{store.COMMENT}{first.comment_id}")
        if earlier is None:
            raise ProblemError("comment_not_found") from None
        return comment_view(earlier, report, who, False), 201
    except usage.LimitReached:
        raise ProblemError("comment_rate_limited",
                           headers={"Retry-After": str(seconds_to_next_hour(moment))}) from None
    logger().info("comment added", extra={"tenant": report.tenant, "report_id": report.report_id,
                                          "comment_id": comment_id})
    return comment_view(comment, report, who, False), 201


def hide_comment(tenant_code: str, ref: str, comment_id: str, body: Any, caller: Caller | None) -> dict[str, Any]:
    """Staff of the report hide a comment with a reason; its author gets an inbox message saying why."""
    from chalicelib.domain.commands import parse
    from chalicelib.domain.notifications import RETENTION, user_box
    from chalicelib.store import community as store
    from chalicelib.store.models import NotificationModel
    from chalicelib.store.notifications import mailbox_key

    who = signed_in(caller)
    report = _visible(tenant_code, ref, who)
    if not _moderator(report, who):
        raise ProblemError("forbidden")
    item = store.get_item(report.tenant, report.report_id, f"{store.COMMENT}{comment_id}") \
        if _ULID.match(comment_id) else None
    if item is None:
        raise ProblemError("comment_not_found")
    command = parse(rules.HideComment, body)
    moment = clock.now()
    at = clock.iso(moment)
    notice = None
    if item.sub and item.hidden_at is None:
        message = rules.hidden_message(report.tracking_code, command.reason)
        notice = NotificationModel(mailbox_key(report.tenant, user_box(item.sub)), f"{at}#comment-hidden-{comment_id}",
                                   expires=int((moment + RETENTION).timestamp()), tenant=report.tenant,
                                   report_id=report.report_id, tracking_code=report.tracking_code,
                                   type=rules.COMMENT_HIDDEN, title=message["title"], body=message["body"], at=at)
    try:
        store.hide_comment(item, reason=command.reason, note=command.note, by=who.sub, at=at, notice=notice)
    except store.AlreadyDone:
        pass  # hidden before (by another moderator, or a retry): the author was told then
    hidden = store.get_item(report.tenant, report.report_id, f"{store.COMMENT}{comment_id}") or item
    logger().info("comment hidden", extra={"tenant": report.tenant, "report_id": report.report_id,
                                           "comment_id": comment_id, "reason": command.reason})
    return comment_view(hidden, report, who, True)
