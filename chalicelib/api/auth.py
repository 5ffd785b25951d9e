"""From an Authorization header to a verified Caller, or a 401."""

from __future__ import annotations

from chalicelib.config import get_settings
from chalicelib.domain.identity import Caller
from chalicelib.errors import ProblemError

_INVALID = {"WWW-Authenticate": 'Bearer realm="aduan", error="invalid_token"'}


def caller_from_header(header: str | None) -> Caller | None:
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ProblemError("invalid_token", headers=_INVALID)
    from chalicelib.adapters.tokens import KeysUnavailable, TokenRejected, verify_id_token

    try:
        claims = verify_id_token(token.strip(), get_settings())
    except TokenRejected:
        raise ProblemError("invalid_token", headers=_INVALID) from None
    except KeysUnavailable:
        raise ProblemError("auth_unavailable", headers={"Retry-After": "5"}) from None
    groups = claims.get("cognito:groups") or []
    caller = Caller(
        sub=str(claims["sub"]),
        roles=frozenset(str(g) for g in groups if isinstance(g, str)),
        tenant=claims.get("custom:tenant") or None,
        agency=claims.get("custom:agency") or None,
    )
    from chalicelib.services.staff import disabled

    if disabled(caller):  # a token issued before the account was disabled
        raise ProblemError("invalid_token", headers=_INVALID)
    return caller
