"""Reading a tenant's audit log (its desk and the platform admin)."""

from __future__ import annotations

import json
import re
from typing import Any

from chalicelib.domain.identity import Caller
from chalicelib.services import cursors
from chalicelib.services.onboarding import desk_actor

_ENTRY_ID = re.compile(r"^[0-9T:.Z-]{20,30}#[0-9A-HJKMNP-TV-Z]{26}$")


def _json(text: str | None) -> Any:
    return json.loads(text) if text else None


def view(item: Any) -> dict[str, Any]:
    return {"id": item.entry_id, "at": item.at, "actor": {"id": item.actor, "role": item.role},
            "action": item.action, "target": item.target, "before": _json(item.before), "after": _json(item.after)}


def read(code: str, caller: Caller | None, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    from chalicelib.store import audit

    tenant, _ = desk_actor(code, caller)
    before = cursors.decode(cursor, "before", lambda value: bool(_ENTRY_ID.match(value)))
    page = audit.newest(tenant.code, limit=limit, before=before)
    return [view(i) for i in page.items], cursors.encode("before", page.last_id)
