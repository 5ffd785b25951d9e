"""Photo use cases: hand the reporter an upload slot, then clean what lands in the bucket."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import unquote_plus

from chalicelib import clock
from chalicelib.adapters import photo_storage
from chalicelib.config import get_settings
from chalicelib.domain import photos as rules
from chalicelib.domain.identity import Caller
from chalicelib.domain.reports import is_reporter, view_for
from chalicelib.domain.workflow import OPEN_AT_UNIT, actor_role
from chalicelib.errors import ProblemError
from chalicelib.observability import logger
from chalicelib.services.reports import access_of, load


def add_photo(tenant_code: str, ref: str, request: Any, caller: Caller | None,
              receipt: str | None) -> dict[str, Any]:
    """A presigned POST for one more photo; only the reporter may add one (anyone else: 404)."""
    from ulid import ULID

    from chalicelib.domain.commands import CreatePhoto, parse
    from chalicelib.store import reports as store
    from chalicelib.store.models import PhotoAttribute

    report = load(tenant_code, ref)
    access = access_of(report)
    kind = "intake"
    if not is_reporter(access, caller, receipt):
        # Officers of the unit handling it add "after" photos: the proof that goes with ``resolve``.
        if view_for(access, caller, receipt) is None:
            raise ProblemError("report_not_found")
        if actor_role(access, caller, receipt) != "officer" or report.status not in OPEN_AT_UNIT:
            raise ProblemError("forbidden")
        kind = "after"
    command = parse(CreatePhoto, request)
    settings = get_settings()
    upload_ttl = timedelta(seconds=settings.upload_url_ttl_seconds)
    now = clock.now()
    photo_id = str(ULID())

    def append(current: Any) -> bool:
        # Lapsed slots are dropped while we are writing anyway; rejected ones stay to show why.
        kept = [p for p in current.photos
                if not rules.is_lapsed(p.status, clock.parse_iso(p.created_at), now, upload_ttl)]
        # Reporter's and officers' photos count apart: five "before" photos must not block the proof of work.
        if sum(1 for p in kept if p.kind == kind and rules.holds_a_place(p.status)) >= rules.MAX_PHOTOS_PER_REPORT:
            raise ProblemError("too_many_photos")
        kept.append(PhotoAttribute(id=photo_id, status="pending", content_type=command.content_type,
                                   kind=kind, uploaded_by=caller.sub if kind == "after" and caller else None,
                                   created_at=clock.iso(now)))
        current.photos = kept
        current.updated_at = clock.iso(now)
        return True

    try:
        store.change(report.tenant, report.report_id, append)
    except store.StaleWrite:
        raise ProblemError("conflict", headers={"Retry-After": "1"}) from None
    key = rules.upload_key(report.tenant, report.report_id, photo_id)
    upload = photo_storage.presigned_upload(key, command.content_type, rules.MAX_PHOTO_BYTES,
                                            settings.upload_url_ttl_seconds)
    return {"photo_id": photo_id, "upload": upload, "max_bytes": rules.MAX_PHOTO_BYTES,
            "expires_in": settings.upload_url_ttl_seconds}


def _finish(tenant: str, report_id: str, photo_id: str, counters: dict[str, int] | None = None,
            **changes: Any) -> None:
    """Decide a pending photo; ``counters`` are billed in the same write (so once: pending -> decided is once)."""
    from chalicelib.store import reports as store
    from chalicelib.store import usage

    def apply(current: Any) -> bool:
        for photo in current.photos:
            if photo.id == photo_id and photo.status == "pending":
                for name, value in changes.items():
                    setattr(photo, name, value)
                photo.processed_at = current.updated_at = clock.iso(clock.now())
                return True
        return False  # already decided by an earlier delivery

    store.change(tenant, report_id, apply,
                 usage=usage.increment(tenant, counters, clock.now(), photo_id) if counters else None)


def process_upload(key: str) -> str:
    """Check, strip and re-encode one uploaded original; returns what happened (for logs and tests).

    Safe to run twice for the same key: a decided photo is left as it is.
    """
    from chalicelib.adapters.images import PhotoRejected, clean
    from chalicelib.store import reports as store

    key = unquote_plus(key)
    parsed = rules.parse_upload_key(key)
    if parsed is None:
        return "ignored"
    tenant, report_id, photo_id = parsed
    report = store.get(tenant, report_id)
    photo = next((p for p in (report.photos if report else []) if p.id == photo_id), None)
    if report is None or photo is None:
        photo_storage.delete(key)  # nobody asked for this upload
        logger().warning("orphan upload removed", extra={"tenant": tenant})
        return "orphan"
    if photo.status != "pending":
        photo_storage.delete(key)
        return "duplicate"
    size = photo_storage.size_of(key)
    if size is None:
        return "missing"
    outcome = "ready"
    try:
        if size > rules.MAX_PHOTO_BYTES:
            raise PhotoRejected("too_large")  # never download what is too big
        cleaned = clean(photo_storage.read(key))
    except PhotoRejected as rejected:
        outcome = "rejected"
        _finish(tenant, report_id, photo_id, status="rejected", reason=rejected.reason)
    else:
        photo_storage.write(rules.display_key(tenant, report_id, photo_id), cleaned.display, "image/jpeg")
        photo_storage.write(rules.thumbnail_key(tenant, report_id, photo_id), cleaned.thumbnail, "image/jpeg")
        stored = len(cleaned.display) + len(cleaned.thumbnail)
        _finish(tenant, report_id, photo_id, counters={"photos_stored": 1, "photo_bytes": stored}, status="ready",
                width=cleaned.width, height=cleaned.height, bytes=stored)
    photo_storage.delete(key)  # the original may carry GPS and device data: it is never kept
    logger().info("photo processed", extra={"tenant": tenant, "report_id": report_id, "photo_id": photo_id,
                                            "outcome": outcome})
    return outcome
