"""The outbound delivery queue: one SQS message per delivery, sent in batches."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings

_SQS_BATCH = 10  # SendMessageBatch's limit


def enqueue(deliveries: list[dict[str, Any]]) -> None:
    """Queue every delivery or raise: a partial failure retries the whole event (receivers drop repeats)."""
    queue_url = get_settings().delivery_queue_url
    if not queue_url:
        raise RuntimeError("DELIVERY_QUEUE_URL is not set")  # retried, then dead-lettered: visible, not silent
    sqs = client("sqs")
    for start in range(0, len(deliveries), _SQS_BATCH):
        chunk = deliveries[start:start + _SQS_BATCH]
        result = sqs.send_message_batch(QueueUrl=queue_url, Entries=[
            {"Id": str(i), "MessageBody": json.dumps(d, ensure_ascii=False)} for i, d in enumerate(chunk)])
        if result.get("Failed"):
            raise RuntimeError(f"{len(result['Failed'])} deliveries not enqueued")
