"""Stand-ins for Lambda event source mappings: poll a queue, call the same handler Lambda would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3


class _Context:
    """The parts of a Lambda context our handlers read."""

    function_name = "aduan-dev-process_photo_uploads"
    aws_request_id = "local"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:local:000000000000:function:aduan-dev-process_photo_uploads"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 60_000


def poll_once(queue_url: str, queue_arn: str, handler: Callable[[dict[str, Any], Any], Any],
              wait_seconds: int = 0, region: str | None = None) -> int:
    """One receive-invoke-delete round, honouring partial batch failures. Returns messages handled."""
    sqs = boto3.client("sqs", region_name=region)
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds,
                                   AttributeNames=["All"]).get("Messages", [])
    if not messages:
        return 0
    event = {"Records": [{
        "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
        "attributes": m.get("Attributes", {}), "messageAttributes": {}, "md5OfBody": m.get("MD5OfBody", ""),
        "eventSource": "aws:sqs", "eventSourceARN": queue_arn, "awsRegion": sqs.meta.region_name,
    } for m in messages]}
    try:
        result = handler(event, _Context())
        failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
    except Exception:
        failed = {m["MessageId"] for m in messages}  # like Lambda: the whole batch comes back
    done = [m for m in messages if m["MessageId"] not in failed]
    if done:
        sqs.delete_message_batch(QueueUrl=queue_url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)])
    return len(messages)
