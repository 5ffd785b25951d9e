"""Every DynamoDB call the API makes for a tenant, judged as IAM would judge it under the data role.

The API signs its PynamoDB calls with a tenant session (``adapters/tenant_scope.py``); moto accepts any
keys, so this guard plays IAM: it reads each call's partition keys and asks ``tests/iam_policy.py``
whether ``TenantDataRole`` tagged with that tenant allows it. A call the real role would refuse (a
500 in the cloud, or a cross-tenant read that only the application's own checks stopped) is recorded
as a violation and fails the test that made it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import botocore.client

from tests.iam_policy import allowed

_ITEM_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                 "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}


@cache
def _hash_keys() -> dict[str, tuple[str, dict[str, str]]]:
    """Table name -> (partition key attribute, {index name: its partition key attribute})."""
    from chalicelib.store.models import ALL_MODELS

    return {m.Meta.table_name: (m._hash_key_attribute().attr_name,
                                {name: index._hash_key_attribute().attr_name for name, index in m._indexes.items()})
            for m in ALL_MODELS}


def _value(attribute: dict[str, Any]) -> str:
    (_, value), = attribute.items()
    return str(value)


def _query_key(params: dict[str, Any], attribute: str) -> str | None:
    names = {v: k for k, v in (params.get("ExpressionAttributeNames") or {}).items()}
    placeholder = names.get(attribute, attribute)
    match = re.search(rf"{re.escape(placeholder)}\s*=\s*(:\w+)", params.get("KeyConditionExpression", ""))
    return _value(params["ExpressionAttributeValues"][match.group(1)]) if match else None


def requests_of(operation: str, params: dict[str, Any]) -> list[tuple[str, str, str | None, list[str]]]:
    """(IAM action, table name, index name, partition keys) for each authorisation IAM makes of a call."""
    keys = _hash_keys()
    if operation in ("TransactWriteItems", "TransactGetItems"):
        found = []
        for item in params["TransactItems"]:
            (kind, body), = item.items()
            hash_key = keys[body["TableName"]][0]
            key = body.get("Key") or body.get("Item")
            found.append((f"dynamodb:{_ITEM_ACTIONS[kind]}", body["TableName"], None, [_value(key[hash_key])]))
        return found
    if operation in ("BatchGetItem", "BatchWriteItem"):
        found = []
        for table, entries in params["RequestItems"].items():
            hash_key = keys[table][0]
            if operation == "BatchGetItem":
                values = [_value(k[hash_key]) for k in entries["Keys"]]
            else:
                values = [_value((e.get("PutRequest", {}).get("Item") or e["DeleteRequest"]["Key"])[hash_key])
                          for e in entries]
            found.append((f"dynamodb:{operation}", table, None, values))
        return found
    table, index = params.get("TableName", "?"), params.get("IndexName")
    if table not in keys:
        return [(f"dynamodb:{operation}", table, index, [])]
    hash_key = keys[table][1][index] if index else keys[table][0]
    if operation == "Query":
        value = _query_key(params, hash_key)
        return [("dynamodb:Query", table, index, [value] if value else [])]
    if operation in ("GetItem", "PutItem", "UpdateItem", "DeleteItem"):
        item = params.get("Key") or params.get("Item")
        return [(f"dynamodb:{operation}", table, None, [_value(item[hash_key])])]
    return [(f"dynamodb:{operation}", table, index, [])]  # Scan, DescribeTable...: never allowed to a tenant


class TenantGuard:
    def __init__(self, stage: str) -> None:
        self.stage = stage
        self.violations: list[str] = []
        self.scoped_calls = 0

    def judge(self, client: Any, operation: str, params: dict[str, Any]) -> None:
        from chalicelib.adapters.tenant_scope import TenantScopedCredentials, current_tenant
        from chalicelib.config import get_settings

        tenant = current_tenant()
        if tenant is None or client.meta.service_model.service_name != "dynamodb":
            return
        credentials = client._request_signer._credentials
        if not isinstance(credentials, TenantScopedCredentials):
            # Outside the tenant's session: only Powertools' idempotency records, keyed by payload hash.
            if params.get("TableName") != get_settings().idempotency_table:
                self.violations.append(f"{operation} on {params.get('TableName')} escaped {tenant}'s session")
            return
        self.scoped_calls += 1
        for action, table, index, leading in requests_of(operation, params):
            suffix = table.removeprefix(f"aduan-{self.stage}-")
            if not allowed(action, suffix, leading, tenant, stack=f"aduan-{self.stage}", index=index):
                self.violations.append(f"{action} on {table}{'/' + index if index else ''} keys {leading} "
                                       f"refused to tenant {tenant}")


@contextmanager
def guarded(stage: str = "dev") -> Iterator[TenantGuard]:
    guard = TenantGuard(stage)
    real = botocore.client.BaseClient._make_api_call

    def spy(self: Any, operation: str, params: dict[str, Any]) -> Any:
        guard.judge(self, operation, params)
        return real(self, operation, params)

    botocore.client.BaseClient._make_api_call = spy  # type: ignore[method-assign]
    try:
        yield guard
    finally:
        botocore.client.BaseClient._make_api_call = real  # type: ignore[method-assign]
