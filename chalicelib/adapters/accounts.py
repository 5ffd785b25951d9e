"""Staff accounts in the Cognito user pool: create, change group and unit, disable, enable.

Thin calls on the shared lazily created client; the directory (store/staff.py) mirrors what is here.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings

GROUPS = ("officer", "supervisor", "tenant_admin", "platform_admin")


class UsernameTaken(Exception):
    """Cognito already has a user with this name (in any tenant: names are unique per pool)."""


class NoSuchAccount(Exception):
    pass


def _pool() -> str:
    return get_settings().user_pool_id


def temporary_password() -> str:
    """Meets the pool's policy (10+ characters, upper, lower, digit); the user must change it at first sign-in."""
    alphabet = string.ascii_letters + string.digits
    while True:
        word = "".join(secrets.choice(alphabet) for _ in range(14))
        if any(c.islower() for c in word) and any(c.isupper() for c in word) and any(c.isdigit() for c in word):
            return word


def _attributes(tenant: str, agency: str | None, email: str | None, name: str | None) -> list[dict[str, str]]:
    attributes = [{"Name": "custom:tenant", "Value": tenant}, {"Name": "custom:agency", "Value": agency or ""}]
    if email:
        attributes.append({"Name": "email", "Value": email})
    if name:
        attributes.append({"Name": "name", "Value": name})
    return attributes


def create(username: str, *, tenant: str, role: str, agency: str | None, email: str | None,
           name: str | None, password: str) -> str:
    """Create the account with a temporary password (no invitation mail: the admin hands it over); its sub."""
    cognito = client("cognito-idp")
    try:
        response = cognito.admin_create_user(
            UserPoolId=_pool(), Username=username, TemporaryPassword=password, MessageAction="SUPPRESS",
            UserAttributes=_attributes(tenant, agency, email, name))
    except cognito.exceptions.UsernameExistsException:
        raise UsernameTaken(username) from None
    cognito.admin_add_user_to_group(UserPoolId=_pool(), Username=username, GroupName=role)
    attributes = {a["Name"]: a["Value"] for a in response["User"].get("Attributes", [])}
    return str(attributes["sub"])


def exists(username: str) -> bool:
    cognito = client("cognito-idp")
    try:
        cognito.admin_get_user(UserPoolId=_pool(), Username=username)
    except cognito.exceptions.UserNotFoundException:
        return False
    return True


def delete(username: str) -> None:
    """Only to undo an account this very request created (onboarding that lost a race)."""
    cognito = client("cognito-idp")
    cognito.admin_delete_user(UserPoolId=_pool(), Username=username)


def change(username: str, *, tenant: str, old_role: str, role: str, agency: str | None, email: str | None,
           name: str | None) -> None:
    cognito = client("cognito-idp")
    cognito.admin_update_user_attributes(UserPoolId=_pool(), Username=username,
                                         UserAttributes=_attributes(tenant, agency, email, name))
    if role != old_role:
        cognito.admin_add_user_to_group(UserPoolId=_pool(), Username=username, GroupName=role)
        cognito.admin_remove_user_from_group(UserPoolId=_pool(), Username=username, GroupName=old_role)


def disable(username: str) -> None:
    """No new sign-ins and no token refresh; tokens already issued are refused by the directory check."""
    cognito = client("cognito-idp")
    cognito.admin_disable_user(UserPoolId=_pool(), Username=username)
    cognito.admin_user_global_sign_out(UserPoolId=_pool(), Username=username)


def enable(username: str) -> None:
    client("cognito-idp").admin_enable_user(UserPoolId=_pool(), Username=username)


def describe(username: str) -> dict[str, Any]:
    cognito = client("cognito-idp")
    try:
        user = cognito.admin_get_user(UserPoolId=_pool(), Username=username)
    except cognito.exceptions.UserNotFoundException:
        raise NoSuchAccount(username) from None
    return {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
