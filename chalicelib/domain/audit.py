"""What an audit entry may hold: every admin change, before and after, with secrets taken out.

Secrets (webhook secrets, API keys, passwords) never reach the audit log: a key that names one is kept
with the value replaced by ``"[redacted]"``, so a reader still sees *that* it changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

REDACTED = "[redacted]"
_SECRET_KEYS = frozenset({"secret", "password", "temporary_password", "key", "api_key", "key_hash", "token"})


@dataclass(frozen=True)
class Actor:
    """Who made a change: a signed-in admin (their sub and role) or the operator's command-line tool."""

    id: str
    role: str  # platform_admin | tenant_admin | operator


def redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (REDACTED if k in _SECRET_KEYS and v not in (None, "") else redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def as_text(value: Any) -> str | None:
    """The redacted value as compact JSON text (how entries are stored), or None."""
    if value is None:
        return None
    return json.dumps(redact(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
