"""Placeholder: filled in with the lifecycle work (issue 3)."""

from __future__ import annotations

from typing import Any


def handle(event: dict[str, Any]) -> dict[str, Any]:
    return {"batchItemFailures": []}
