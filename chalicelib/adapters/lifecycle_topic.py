"""Publishing lifecycle events to the SNS topic that the notifier (and anyone else) subscribes to."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings


def publish(event: dict[str, Any]) -> None:
    client("sns").publish(
        TopicArn=get_settings().lifecycle_topic_arn,
        Message=json.dumps(event, ensure_ascii=False, separators=(",", ":")),
        MessageAttributes={"type": {"DataType": "String", "StringValue": str(event["type"])}},
    )
