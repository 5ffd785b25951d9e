"""Open data export jobs, one SQS message each (``{"tenant", "job_id"}``), sent by the export GET."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.observability import logger


def handle(event: dict[str, Any]) -> dict[str, Any]:
    """Write each job's file; a failed job comes back (and after five receives goes to the dead-letter queue)."""
    from chalicelib.services.exports import run

    failures = []
    for record in event.get("Records", []):
        try:
            message = json.loads(record["body"])
            tenant, job_id = str(message["tenant"]), str(message["job_id"])
        except (json.JSONDecodeError, KeyError, TypeError):
            logger().error("malformed export job dropped", extra={"message_id": record.get("messageId")})
            continue
        try:
            run(tenant, job_id)
        except Exception:
            logger().exception("export job failed; will retry",
                               extra={"message_id": record.get("messageId"), "tenant": tenant, "job_id": job_id})
            failures.append({"itemIdentifier": record.get("messageId")})
    return {"batchItemFailures": failures}
