"""The reports table's stream: start and stop SLA timers, publish lifecycle events.

Everything here follows from what was persisted, never from the request: a request that dies after
writing the report still gets its timer and its notification, because the stream delivers the
change. Every step is safe to repeat, since Lambda redelivers a batch that failed:

- a timer's schedule and execution names come from the report id, stage and stage sequence, so
  starting it twice makes one schedule or starts one execution;
- an event carries the id of its history entry, so the notifier writes each message once;
- a duplicate's supporters move to the original under conditions that fail once they moved, and the
  reporter's notice is a conditional put named after the change (``services/community.merge_duplicate``).

A timer is stopped only when a request moved the report on (a new ``last_event``). When the timer
itself closed the stage (auto-close), the execution finishes on its own, and this handler writes the
close's history entry and announces it (``services/sla.record_auto_close``).
"""

from __future__ import annotations

from typing import Any

from chalicelib.observability import logger


def _plain(image: dict[str, Any] | None) -> dict[str, Any] | None:
    if not image:
        return None
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    return {key: deserializer.deserialize(value) for key, value in image.items()}


def _stage(item: dict[str, Any] | None) -> tuple[str, int] | None:
    if not item or not item.get("stage"):
        return None
    return str(item["stage"]), int(item.get("stage_seq") or 0)


def _event_id(item: dict[str, Any] | None) -> str | None:
    last = (item or {}).get("last_event") or {}
    return str(last["id"]) if last.get("id") else None


def apply_change(old: dict[str, Any] | None, new: dict[str, Any] | None, event_id: str | None = None) -> None:
    from chalicelib.adapters import lifecycle_topic, timers
    from chalicelib.services import metering

    item = new or old or {}
    tenant, report_id = str(item.get("tenant")), str(item.get("report_id"))
    old_stage, new_stage = _stage(old), _stage(new)
    moved_by_request = _event_id(new) != _event_id(old)
    if old_stage and old_stage != new_stage and (moved_by_request or new is None):
        timers.stop(tenant=tenant, report_id=report_id, stage=old_stage[0], seq=old_stage[1])
    if new is not None and new_stage and new_stage != old_stage:
        ladder = [{"level": int(step["level"]), "audience": str(step["audience"]), "at": str(step["at"])}
                  for step in new.get("ladder") or []]
        timers.start(tenant=tenant, report_id=report_id, stage=new_stage[0], seq=new_stage[1],
                     due_at=str(new["due_at"]), remind_at=new.get("remind_at"), ladder=ladder,
                     agency=new.get("agency"), category=new.get("category"), listed=bool(new.get("feed")))
    # Billing and dashboards: after the start, so a crash in between is counted on redelivery; once per
    # stream record (its event id), in one transaction.
    if event_id:
        from chalicelib.services import stats

        stats.report_changed(old, new, event_id, metering.timer_increments(old, new, event_id))
    else:
        metering.report_changed(old, new)
    from chalicelib.services import sla

    if sla.closed_by_timer(old, new):
        sla.record_auto_close(old or {}, new or {})  # the timer only closes: its history entry and announcement
    from chalicelib.domain.community import is_merge

    if is_merge(old, new):
        from chalicelib.services import community

        community.merge_duplicate(new or {})  # supporters to the original, the reporter told: safe to repeat
    if new is not None and moved_by_request and _event_id(new):
        last = new["last_event"]
        lifecycle_topic.publish({
            "type": "report.transitioned", "tenant": tenant, "report_id": report_id, "event_id": str(last["id"]),
            "action": last.get("action"), "from": last.get("from"), "to": last.get("to"), "role": last.get("role"),
            "agency": last.get("agency"), "assignee": last.get("assignee"), "note": last.get("note"),
            "at": last.get("at"),
        })


def handle(event: dict[str, Any]) -> dict[str, Any]:
    """Records in order; at the first failure, that record and all after it are handed back to retry."""
    records = event.get("Records", [])
    for index, record in enumerate(records):
        change = record.get("dynamodb", {})
        try:
            apply_change(_plain(change.get("OldImage")), _plain(change.get("NewImage")), record.get("eventID"))
        except Exception:
            logger().exception("report change failed", extra={"event_id": record.get("eventID")})
            return {"batchItemFailures": [{"itemIdentifier": r.get("dynamodb", {}).get("SequenceNumber")}
                                          for r in records[index:]]}
    return {"batchItemFailures": []}
