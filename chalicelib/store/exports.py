"""Export jobs and the one read they make: the public index, a page at a time, within a creation range."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pynamodb.exceptions import PutError, UpdateError

from chalicelib.store.models import ExportJobModel, ReportModel


def _conditional_failed(err: Exception) -> bool:
    return getattr(err, "cause_response_code", None) == "ConditionalCheckFailedException"


def get(tenant: str, job_id: str) -> ExportJobModel | None:
    try:
        return ExportJobModel.get(tenant, job_id, consistent_read=True)
    except ExportJobModel.DoesNotExist:
        return None


def create(job: ExportJobModel) -> bool:
    """Write a new job; False when a job with this id exists already (asked before: nothing to start)."""
    try:
        job.save(condition=ExportJobModel.job_id.does_not_exist())
    except PutError as err:
        if _conditional_failed(err):
            return False
        raise
    return True


def forget(job: ExportJobModel) -> None:
    """Remove a pending job whose message could not be sent, so the next request starts it afresh."""
    try:
        job.delete(condition=ExportJobModel.status == "pending")
    except Exception:  # best effort: a stale pending job is queued again by a later request
        return


def claim_requeue(job: ExportJobModel, queued_before: str, now: str) -> bool:
    """Take the right to send a stale pending job's message again (one request wins, the others wait)."""
    try:
        job.update(actions=[ExportJobModel.queued_at.set(now)],
                   condition=(ExportJobModel.status == "pending") & (ExportJobModel.queued_at < queued_before))
    except UpdateError as err:
        if _conditional_failed(err):
            return False
        raise
    return True


def finish(tenant: str, job_id: str, *, finished_at: str, rows: int, size: int, parts: int, pages: int) -> None:
    """Mark the job ready (a redelivered job that finishes again writes the same figures)."""
    ExportJobModel(tenant, job_id).update(
        actions=[ExportJobModel.status.set("ready"), ExportJobModel.finished_at.set(finished_at),
                 ExportJobModel.rows.set(rows), ExportJobModel.bytes.set(size), ExportJobModel.parts.set(parts),
                 ExportJobModel.pages.set(pages)],
        condition=ExportJobModel.job_id.exists())


def public_pages(tenant: str, low_id: str, high_id: str, page_size: int) -> Iterator[list[dict[str, Any]]]:
    """Publicly listed reports with ids from ``low_id`` to ``high_id``, oldest first, one Query page at a time.

    ``public_feed`` is sparse (only listed reports carry ``feed``), so confidential reports are not even read.
    """
    start: dict[str, Any] | None = None
    while True:
        result = ReportModel.public_feed.query(tenant, ReportModel.report_id.between(low_id, high_id),
                                               scan_index_forward=True, limit=page_size, page_size=page_size,
                                               last_evaluated_key=start)
        items = [report.attribute_values for report in result]
        start = result.last_evaluated_key
        if items:
            yield items
        if not start or len(items) < page_size:
            return
