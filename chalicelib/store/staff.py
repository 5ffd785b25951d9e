"""The staff directory of a tenant (mirrors Cognito, which cannot list users by a custom attribute)."""

from __future__ import annotations

import time

from chalicelib.store.models import StaffModel

_DISABLED_CACHE_SECONDS = 60
_disabled: dict[tuple[str, str], tuple[float, bool]] = {}


def get(tenant: str, sub: str) -> StaffModel | None:
    try:
        return StaffModel.get(tenant, sub, consistent_read=True)
    except StaffModel.DoesNotExist:
        return None


def of_tenant(tenant: str) -> list[StaffModel]:
    return list(StaffModel.query(tenant))


def is_disabled(tenant: str, sub: str) -> bool:
    """True when the directory says this account was disabled; cached a minute per container (one read)."""
    hit = _disabled.get((tenant, sub))
    if hit and time.monotonic() - hit[0] < _DISABLED_CACHE_SECONDS:
        return hit[1]
    try:
        entry = StaffModel.get(tenant, sub, attributes_to_get=["status"])
        disabled = entry.status == "disabled"
    except StaffModel.DoesNotExist:
        disabled = False  # accounts made outside the directory (older seeds) are judged by Cognito alone
    _disabled[(tenant, sub)] = (time.monotonic(), disabled)
    return disabled


def forget(tenant: str, sub: str) -> None:
    _disabled.pop((tenant, sub), None)


def clear_cache() -> None:
    _disabled.clear()
