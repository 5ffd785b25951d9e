"""S3 "object created" notifications, delivered through SQS, for uploaded photo originals."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.observability import logger


def _keys(body: str) -> list[str]:
    notification = json.loads(body)
    if notification.get("Event") == "s3:TestEvent":
        return []
    return [r["s3"]["object"]["key"] for r in notification.get("Records", [])
            if str(r.get("eventName", "")).startswith("ObjectCreated")]


def handle(event: dict[str, Any]) -> dict[str, Any]:
    """Process each message; failed ones are reported back so only they are retried (then dead-lettered)."""
    from chalicelib.services.photos import process_upload

    failures = []
    for record in event.get("Records", []):
        try:
            for key in _keys(record["body"]):
                process_upload(key)
        except Exception:
            logger().exception("photo upload failed", extra={"message_id": record.get("messageId")})
            failures.append({"itemIdentifier": record.get("messageId")})
    return {"batchItemFailures": failures}
