"""How a report looks to the outside (public and full views); also what idempotent replays return."""

from __future__ import annotations

from typing import Any

from chalicelib import clock
from chalicelib.adapters.photo_storage import presigned_download
from chalicelib.config import get_settings
from chalicelib.domain import photos as photo_rules
from chalicelib.domain.photos import REJECTION_REASONS
from chalicelib.domain.workflow import allowed_actions


def _photo(report: Any, photo: Any, lang: str) -> dict[str, Any]:
    ttl = get_settings().photo_url_ttl_seconds
    ready = photo.status == "ready"
    reason = message = None
    if photo.status == "rejected" and photo.reason:
        words = REJECTION_REASONS.get(photo.reason, {})
        reason, message = photo.reason, words.get(lang, words.get("en", photo.reason))
    return {
        "id": photo.id,
        "status": photo.status,
        "kind": photo.kind,
        "url": presigned_download(photo_rules.display_key(report.tenant, report.report_id, photo.id), ttl)
        if ready else None,
        "thumbnail_url": presigned_download(photo_rules.thumbnail_key(report.tenant, report.report_id, photo.id),
                                            ttl) if ready else None,
        "reason": reason,  # a stable code, e.g. not_an_image
        "reason_message": message,  # the same for people, in the request's language
    }


def report_view(report: Any, view: str, lang: str = "id", role: str | None = None) -> dict[str, Any]:
    """``public`` shows what anyone may see; ``full`` adds every photo and, for named reports, the reporter."""
    photos = [p for p in (report.photos or []) if view == "full" or p.status == "ready"]
    body: dict[str, Any] = {
        "id": report.report_id,
        "tracking_code": report.tracking_code,
        "tenant": report.tenant,
        "category": report.category,
        "agency": report.agency,
        "description": report.description,
        "location": {"lat": float(report.lat), "lon": float(report.lon)},
        "address": report.address,
        "privacy": report.privacy,
        "status": report.status,
        "created_at": report.created_at,
        "updated_at": report.updated_at,
        "photos": [_photo(report, p, lang) for p in photos],
        "area": report.area,
        "stage": report.stage,
        "due_at": report.due_at,
        "escalation_level": int(report.escalation_level or 0),
        "breached": breached(report),
        "reopen_count": int(report.reopen_count or 0),
        "rating": int(report.rating) if report.rating is not None else None,
        "resolved_at": report.resolved_at,
        "closed_at": report.closed_at,
        "duplicate_of": report.duplicate_of,
        "support_count": max(0, int(report.support_count or 0)),  # "me too"s: public, and in staff queues
        "view": view,
    }
    if view == "full":
        # An anonymous reporter is hidden from everyone, staff included.
        named = report.privacy != "anonymous" and report.reporter_sub
        body["reporter"] = {"id": report.reporter_sub} if named else None
        body["handoff"] = report.handoff
        body["answers"] = report.answers.as_dict() if report.answers else None
    if view == "full" and role in ("desk", "supervisor", "officer") and report.privacy != "anonymous":
        # Contact details a reporter without an account left for the desk (e.g. through Open311).
        body["contact"] = report.contact.as_dict() if report.contact else None
        body["external_media_url"] = report.external_media_url
    if role in ("desk", "supervisor", "officer"):
        body["assignee"] = report.assignee
    if role is not None:
        body["actions"] = allowed_actions(report.status, role)
    return body


def breached(report: Any) -> bool:
    """Recorded by the timer, or visible already: the timer may run a moment after the deadline."""
    if report.breached:
        return True
    return bool(report.due_at) and clock.iso(clock.now()) > str(report.due_at)


def etag(report: Any) -> str:
    return f'"{report.version}"'
