"""Open data exports: ask for a file (``request``), and the job that writes it (``run``).

The GET starts at most one job per tenant, format, range and day (the job id is derived from them, and
the job item is created with a condition), answers ``202`` while it runs and ``303`` to a short-lived
presigned link once the file is ready. The job reads the public index one page at a time and streams
the file to S3 in multipart parts, so neither memory nor the 6 MB response limit grows with the range.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib import clock
from chalicelib.config import get_settings
from chalicelib.domain import opendata as rules
from chalicelib.domain.report_ids import id_bounds
from chalicelib.errors import FieldError, ProblemError, query_error
from chalicelib.observability import logger

JOB_DAYS = 2  # a job item (and its id's day) is kept this long; the bucket keeps files for as long
STALE_PENDING = timedelta(minutes=20)  # longer than the job function's 15 minutes: its message was lost


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def _range(tenant: Any, start: str | None, end: str | None) -> rules.ExportRange:
    today = clock.now().astimezone(ZoneInfo(tenant.timezone or "Asia/Jakarta")).date()
    try:
        return rules.parse_range(start, end, today)
    except rules.RangeError as err:
        if err.code in ("missing", "invalid_date"):
            raise query_error(err.field, err.code, err.id_text, err.en_text) from None
        raise ProblemError("invalid_export_range", errors=[
            FieldError(err.field, err.code, {"id": err.id_text, "en": err.en_text})]) from None


def _pending(job: Any, path: str) -> Answer:
    retry = str(get_settings().export_retry_after_seconds)
    return Answer(202, {"status": "pending", "job_id": job.job_id, "format": job.format, "from": job.start,
                        "to": job.end, "requested_at": job.requested_at},
                  {"Location": path, "Retry-After": retry, "Cache-Control": "no-store"})


def _ready(job: Any) -> Answer:
    from chalicelib.adapters.export_files import presigned_download

    ttl = get_settings().export_url_ttl_seconds
    url = presigned_download(job.file_key, ttl)
    return Answer(303, {"status": "ready", "job_id": job.job_id, "format": job.format, "from": job.start,
                        "to": job.end, "url": url, "expires_in": ttl, "rows": int(job.rows or 0),
                        "bytes": int(job.bytes or 0), "generated_at": job.finished_at},
                  {"Location": url, "Cache-Control": "no-store"})


def _send(job: Any) -> None:
    from chalicelib.adapters.export_files import enqueue

    enqueue({"tenant": job.tenant, "job_id": job.job_id})


def request(tenant_code: str, fmt: str, start: str | None, end: str | None) -> Answer:
    """Start (once) or report on the export of ``fmt`` for the range; anyone may ask."""
    from chalicelib.adapters.export_files import key_for
    from chalicelib.services.tenants import require_tenant
    from chalicelib.store import exports as store
    from chalicelib.store.models import ExportJobModel

    tenant = require_tenant(tenant_code)
    chosen = _range(tenant, start, end)
    moment = clock.now()
    as_of = moment.astimezone(ZoneInfo(tenant.timezone or "Asia/Jakarta")).date()
    job_id = rules.job_id(fmt, chosen, as_of)
    path = (f"/v1/tenants/{tenant.code}/exports/reports.{fmt}"
            f"?from={chosen.start.isoformat()}&to={chosen.end.isoformat()}")
    job = store.get(tenant.code, job_id)
    if job is None:
        now = clock.iso(moment)
        job = ExportJobModel(tenant.code, job_id, format=fmt, start=chosen.start.isoformat(),
                             end=chosen.end.isoformat(), status="pending", requested_at=now, queued_at=now,
                             file_key=key_for(tenant.code, job_id),
                             expires=int((moment + timedelta(days=JOB_DAYS)).timestamp()))
        if store.create(job):
            try:
                _send(job)
            except Exception:
                logger().exception("export job not queued", extra={"job_id": job_id})
                store.forget(job)
                raise ProblemError("export_unavailable", headers={"Retry-After": "5"}) from None
            return _pending(job, path)
        job = store.get(tenant.code, job_id)  # created by a request a moment ago
        if job is None:
            raise ProblemError("export_unavailable", headers={"Retry-After": "5"})
    if job.status == "ready":
        return _ready(job)
    if job.queued_at < clock.iso(moment - STALE_PENDING) and store.claim_requeue(
            job, clock.iso(moment - STALE_PENDING), clock.iso(moment)):
        _send(job)  # its message was lost or dead-lettered: one more try, sent by one request only
    return _pending(job, path)


def run(tenant_code: str, job_id: str) -> bool:
    """Write the job's file (again, if asked again): True when a file was written, False when nothing was due."""
    from chalicelib.adapters.export_files import MultipartFile
    from chalicelib.store import exports as store
    from chalicelib.store.tenants import get_tenant

    job = store.get(tenant_code, job_id)
    if job is None or job.status == "ready":
        return False  # expired, or a redelivery of a finished job: the file is there
    tenant = get_tenant(tenant_code)
    timezone = (tenant.timezone if tenant is not None else None) or "Asia/Jakarta"
    settings = get_settings()
    chosen = rules.ExportRange(clock.parse_iso(job.start + "T00:00:00Z").date(),
                               clock.parse_iso(job.end + "T00:00:00Z").date())
    low, high = id_bounds(*rules.utc_bounds(chosen, timezone))
    out = MultipartFile(job.file_key, rules.CONTENT_TYPES[job.format], rules.file_name(tenant_code, job.format, chosen),
                        settings.export_part_bytes)
    rows = pages = 0
    try:
        # The header names the job's own request time, not the time it ran: a rerun writes the same bytes.
        out.write(rules.csv_header() if job.format == "csv"
                  else rules.geojson_head(tenant_code, chosen, job.requested_at))
        for page in store.public_pages(tenant_code, low, high, settings.export_page_size):
            pages += 1
            for item in page:
                exported = rules.row(item)
                if exported is None:
                    continue
                out.write(rules.csv_line(exported) if job.format == "csv"
                          else rules.geojson_feature(exported, first=rows == 0))
                rows += 1
        if job.format == "geojson":
            out.write(rules.GEOJSON_TAIL)
        out.close()
    except Exception:
        out.abort()
        raise
    store.finish(tenant_code, job_id, finished_at=clock.iso(clock.now()), rows=rows, size=out.size,
                 parts=out.parts, pages=pages)
    logger().info("export written", extra={"tenant": tenant_code, "job_id": job_id, "rows": rows, "bytes": out.size,
                                           "parts": out.parts, "pages": pages})
    return True
