"""Client API keys in API Gateway's usage plan, so the gateway throttles each client app before Lambda runs.

Our own table keeps only the key's hash; API Gateway needs the value itself to match ``x-api-key``.
Without a configured usage plan (unit tests) nothing is registered.
"""

from __future__ import annotations

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings


def register(value: str, name: str) -> str | None:
    """Add the key to the usage plan; returns API Gateway's key id, or None when no plan is configured."""
    plan = get_settings().usage_plan_id
    if not plan:
        return None
    gateway = client("apigateway")
    key_id = str(gateway.create_api_key(name=name[:128], value=value, enabled=True)["id"])
    gateway.create_usage_plan_key(usagePlanId=plan, keyId=key_id, keyType="API_KEY")
    return key_id


def revoke(key_id: str | None) -> None:
    plan = get_settings().usage_plan_id
    if not plan or not key_id:
        return
    gateway = client("apigateway")
    gateway.delete_usage_plan_key(usagePlanId=plan, keyId=key_id)
    gateway.update_api_key(apiKey=key_id, patchOperations=[{"op": "replace", "path": "/enabled", "value": "false"}])
