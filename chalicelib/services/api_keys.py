"""Client-app API keys of a tenant: create (the key is shown once), list (hash never shown), revoke, check."""

from __future__ import annotations

import time
from typing import Any

from chalicelib import clock
from chalicelib.domain import api_keys as rules
from chalicelib.domain.identity import Caller
from chalicelib.errors import FieldError, ProblemError
from chalicelib.services.onboarding import desk_actor

_CHECK_CACHE_SECONDS = 60
_checked: dict[str, tuple[float, str | None]] = {}  # key digest -> (when, tenant or None when refused)


def view(item: Any) -> dict[str, Any]:
    return {"id": item.key_id, "name": item.name, "hint": item.hint, "created_at": item.created_at,
            "revoked_at": item.revoked_at, "status": "revoked" if item.revoked_at else "active"}


def list_keys(code: str, caller: Caller | None) -> list[dict[str, Any]]:
    from chalicelib.store.models import ApiKeyModel

    tenant, _ = desk_actor(code, caller)
    return [view(k) for k in ApiKeyModel.query(tenant.code)]


def create(code: str, caller: Caller | None, document: Any) -> dict[str, Any]:
    from chalicelib.domain.commands import parse
    from chalicelib.domain.documents import NewApiKey

    tenant, actor = desk_actor(code, caller)
    parse(NewApiKey, document)  # the documented shape first (OpenAPI)
    name = document.get("name") if isinstance(document, dict) else None
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 80 or set(document) - {"name"}:
        raise ProblemError("validation_failed", errors=[FieldError("name", "invalid_name", {
            "id": "Nama aplikasi 1-80 karakter.", "en": "An app name of 1-80 characters."})])
    return issue(tenant.code, name.strip(), actor)


def issue(tenant: str, name: str, actor: Any) -> dict[str, Any]:
    """Create a key for ``tenant`` (also used by the demo seed); the only time the key itself is returned."""
    from pynamodb.transactions import TransactWrite

    from chalicelib.adapters import gateway_keys
    from chalicelib.store import audit
    from chalicelib.store.models import ApiKeyModel
    from chalicelib.store.reports import _connection

    key = rules.new_key(tenant)
    item = ApiKeyModel(tenant, key.key_id, name=name, key_hash=rules.digest(key.value), hint=rules.hint(key.value),
                       created_at=clock.iso(clock.now()), created_by=actor.id)
    item.gateway_key_id = gateway_keys.register(key.value, f"{tenant}-{key.key_id}")
    with TransactWrite(connection=_connection()) as tx:
        tx.save(item, condition=ApiKeyModel.key_id.does_not_exist())
        tx.save(audit.entry(tenant, actor, "api_key.create", target=key.key_id, after=view(item)))
    return {**view(item), "key": key.value}


def revoke(code: str, caller: Caller | None, key_id: str) -> dict[str, Any]:
    from pynamodb.transactions import TransactWrite

    from chalicelib.adapters import gateway_keys
    from chalicelib.store import audit
    from chalicelib.store.models import ApiKeyModel
    from chalicelib.store.reports import _connection

    tenant, actor = desk_actor(code, caller)
    try:
        item = ApiKeyModel.get(tenant.code, key_id) if len(key_id) <= 32 else None
    except ApiKeyModel.DoesNotExist:
        item = None
    if item is None:
        raise ProblemError("not_found")
    if item.revoked_at is None:
        before = view(item)
        item.revoked_at = clock.iso(clock.now())
        gateway_keys.revoke(item.gateway_key_id)
        with TransactWrite(connection=_connection()) as tx:
            tx.save(item, condition=ApiKeyModel.key_id.exists())
            tx.save(audit.entry(tenant.code, actor, "api_key.revoke", target=key_id, before=before,
                                after=view(item)))
        _checked.clear()
    return view(item)


def authenticate(tenant_code: str, presented: str) -> str:
    """The key's id when it is a live key of this tenant; one 401 for every other case (no hint of why)."""
    from chalicelib.store.models import ApiKeyModel

    key = rules.parse(presented)
    if key is None or key.tenant != tenant_code:
        raise ProblemError("invalid_api_key")
    digest = rules.digest(key.value)
    hit = _checked.get(digest)
    if hit and time.monotonic() - hit[0] < _CHECK_CACHE_SECONDS:
        if hit[1] is None:
            raise ProblemError("invalid_api_key")
        return key.key_id
    try:
        item = ApiKeyModel.get(tenant_code, key.key_id)
        ok = item.revoked_at is None and rules.matches(key.value, item.key_hash)
    except ApiKeyModel.DoesNotExist:
        ok = False
    _checked[digest] = (time.monotonic(), tenant_code if ok else None)
    if not ok:
        raise ProblemError("invalid_api_key")
    return key.key_id


def clear_cache() -> None:
    _checked.clear()


def count_request(tenant_code: str) -> None:
    """One billable API-key request (metered per tenant and month)."""
    from chalicelib.store import usage

    usage.count(tenant_code, "api_requests", 1)
