"""Lifecycle events (SNS -> SQS, raw delivery) into inbox messages and outbound deliveries."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.observability import logger


def _event(body: str) -> Any:
    data = json.loads(body)
    if isinstance(data, dict) and data.get("Type") == "Notification" and isinstance(data.get("Message"), str):
        data = json.loads(data["Message"])  # a subscription without raw delivery wraps it in SNS's envelope
    return data


def handle(event: dict[str, Any]) -> dict[str, Any]:
    """Each record on its own: a failure retries only it; an event that breaks the contract is dropped."""
    from chalicelib.domain.notifications import MalformedEvent
    from chalicelib.services.notifications import Dropped, handle_event

    failures = []
    for record in event.get("Records", []):
        message_id = record.get("messageId")
        try:
            handle_event(_event(record["body"]))
        except (MalformedEvent, json.JSONDecodeError, KeyError, TypeError) as err:
            # Retrying cannot fix it; dead-lettering it would only hide real failures among these.
            logger().error("malformed lifecycle event dropped",
                           extra={"message_id": message_id, "reason": type(err).__name__, "detail": str(err)[:100]})
        except Dropped as err:
            logger().warning("lifecycle event dropped", extra={"message_id": message_id, "reason": str(err)})
        except Exception:
            logger().exception("lifecycle event failed", extra={"message_id": message_id})
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}
