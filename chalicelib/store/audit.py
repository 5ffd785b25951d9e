"""The audit log: one append-only entry per admin change, usually written in the change's own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib import clock
from chalicelib.domain.audit import Actor, as_text
from chalicelib.store.models import AuditModel


def entry(tenant: str, actor: Actor, action: str, *, target: str | None = None, before: Any = None,
          after: Any = None) -> AuditModel:
    """An entry to save (alone, or with the change in one TransactWrite); secrets are redacted here."""
    from ulid import ULID

    at = clock.iso(clock.now())
    return AuditModel(tenant, f"{at}#{ULID()}", at=at, actor=actor.id, role=actor.role, action=action,
                      target=target, before=as_text(before), after=as_text(after))


def record(tenant: str, actor: Actor, action: str, **parts: Any) -> AuditModel:
    """Save an entry on its own (after a change outside DynamoDB, such as a Cognito account)."""
    item = entry(tenant, actor, action, **parts)
    item.save(condition=AuditModel.entry_id.does_not_exist())
    return item


@dataclass
class AuditPage:
    items: list[AuditModel]
    last_id: str | None


def newest(tenant: str, *, limit: int, before: str | None) -> AuditPage:
    condition = AuditModel.entry_id < before if before else None
    items = list(AuditModel.query(tenant, condition, scan_index_forward=False, limit=limit + 1,
                                  page_size=limit + 1))
    more = len(items) > limit
    items = items[:limit]
    return AuditPage(items=items, last_id=items[-1].entry_id if more and items else None)
