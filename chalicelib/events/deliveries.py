"""Outbound deliveries (one SQS message each): a signed webhook or an email.

A failing channel comes back through its own message (batchItemFailures) and after five receives
goes to the dead-letter queue. The sends of a batch run side by side, so one slow receiver (up to the
5 s webhook timeout) neither delays the others nor runs the function out of time.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

from chalicelib.observability import logger

_WORKERS = 10  # the event source's batch size: every record of a batch at once


def _context(record: dict[str, Any], delivery: Any) -> dict[str, Any]:
    """What a log line may say: ids only (URLs may carry tokens, addresses are people's)."""
    context = {"message_id": record.get("messageId"),
               "receive_count": (record.get("attributes") or {}).get("ApproximateReceiveCount")}
    if isinstance(delivery, dict):
        context.update(tenant=delivery.get("tenant"), channel=delivery.get("channel"))
    return context


def handle(event: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.adapters.aws import client
    from chalicelib.domain.notifications import MalformedEvent
    from chalicelib.services.notifications import Dropped, resolve, send
    from chalicelib.store.tenants import channels_of

    channels = cache(channels_of)  # one read per tenant per batch
    failed: list[str] = []
    jobs: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]] = []  # (message id, channel, ...)
    for record in event.get("Records", []):
        delivery: Any = None
        try:
            delivery = json.loads(record["body"])
            channel = resolve(delivery, channels)
            jobs.append((record.get("messageId"), channel, delivery, _context(record, delivery)))
        except (MalformedEvent, json.JSONDecodeError, KeyError, TypeError) as err:
            logger().error("malformed delivery dropped",
                           extra={**_context(record, delivery), "reason": type(err).__name__})
        except Dropped as err:
            logger().warning("delivery dropped", extra={**_context(record, delivery), "reason": str(err)})
        except Exception:
            logger().exception("delivery failed; will retry", extra=_context(record, delivery))
            failed.append(record.get("messageId"))
    if any(channel["type"] == "email" for _, channel, _, _ in jobs):
        client("ses")  # built here, once: creating boto3 clients from several threads at once is unsafe

    def run(job: tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]) -> str | None:
        _, channel, delivery, context = job
        try:
            kind = send(channel, delivery)
        except Exception as err:
            logger().warning("delivery failed; will retry", extra={**context, "reason": type(err).__name__})
            return None
        logger().info("notification delivered", extra={**context, "channel_type": kind})
        return kind

    if jobs:
        with ThreadPoolExecutor(max_workers=min(_WORKERS, len(jobs))) as pool:
            sent = list(pool.map(run, jobs))
        failed += [job[0] for job, kind in zip(jobs, sent, strict=True) if kind is None]
        failed += _count_sent([(job, kind) for job, kind in zip(jobs, sent, strict=True) if kind is not None])
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}


def _count_sent(sent: list[tuple[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]], str]]) -> list[str]:
    """Bill each sent delivery once (a mark per delivery id), here on the handler's thread.

    A count that fails hands its message back: the send repeats with the same delivery id (receivers drop
    repeats) and the count is made then. Message ids of those are returned.
    """
    from chalicelib.services.metering import delivered

    failed = []
    for (message_id, _, delivery, context), kind in sent:
        try:
            delivered(delivery, kind)
        except Exception as err:
            logger().warning("delivery not counted; will retry", extra={**context, "reason": type(err).__name__})
            failed.append(message_id)
    return failed
