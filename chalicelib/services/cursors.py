"""Opaque page cursors, in one place: a position in a list, base64url JSON, checked before any query uses it."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

from chalicelib.errors import ProblemError


def encode(field: str, position: str | None) -> str | None:
    """The cursor for the page after ``position`` (None at the end of the list)."""
    if position is None:
        return None
    return base64.urlsafe_b64encode(json.dumps({field: position}).encode()).decode().rstrip("=")


def decode(cursor: str | None, field: str, valid: Callable[[str], bool]) -> str | None:
    """The position a cursor holds; 400 ``invalid_cursor`` for anything this API did not hand out."""
    if cursor is None:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        position = data[field]
    except (ValueError, KeyError, TypeError):
        raise ProblemError("invalid_cursor") from None
    if not isinstance(position, str) or not valid(position):
        raise ProblemError("invalid_cursor")
    return position
