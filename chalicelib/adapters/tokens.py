"""Cognito ID token verification: RS256 signature against the pool's JWKS, issuer, audience, use, expiry.

The JWKS is fetched once per container and again only when a token names a key we do not know
(key rotation), at most once a minute.
"""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

from chalicelib.config import Settings

_JWKS_REFRESH_SECONDS = 60
_LEEWAY_SECONDS = 30
_jwks_cache: dict[str, tuple[float, Any]] = {}


class TokenRejected(Exception):
    """The token is malformed, forged, expired or meant for another pool or client."""


class KeysUnavailable(Exception):
    """The JWKS could not be fetched: our problem, not the caller's."""


def _fetch_jwks(url: str) -> Any:
    from joserfc.jwk import KeySet

    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (URL comes from settings)
            return KeySet.import_key_set(json.loads(response.read()))
    except (OSError, ValueError) as err:
        raise KeysUnavailable(type(err).__name__) from None


def _key_set(url: str, kid: str | None) -> Any:
    cached = _jwks_cache.get(url)
    fresh = cached is not None and time.monotonic() - cached[0] < _JWKS_REFRESH_SECONDS
    if cached is not None:
        known = {key.kid for key in cached[1].keys}
        if kid in known or fresh:
            return cached[1]
    key_set = _fetch_jwks(url)
    _jwks_cache[url] = (time.monotonic(), key_set)
    return key_set


def _header(token: str) -> dict[str, Any]:
    import base64

    head = token.split(".")[0]
    padded = head + "=" * (-len(head) % 4)
    value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    if not isinstance(value, dict):
        raise ValueError("header is not an object")
    return value


def verify_id_token(token: str, settings: Settings, now: float | None = None) -> dict[str, Any]:
    """The verified claims of a Cognito ID token, or TokenRejected."""
    from joserfc import jwt
    from joserfc.errors import JoseError

    if token.count(".") != 2 or not settings.user_pool_id:
        raise TokenRejected("malformed")
    try:
        header = _header(token)
        if header.get("alg") != "RS256":
            raise TokenRejected("algorithm")
        key_set = _key_set(settings.jwks_url, header.get("kid"))
        claims: dict[str, Any] = dict(jwt.decode(token, key_set, algorithms=["RS256"]).claims)
    except (TokenRejected, KeysUnavailable):
        raise
    except (JoseError, ValueError, KeyError, TypeError, UnicodeError) as err:
        raise TokenRejected(type(err).__name__) from None
    moment = time.time() if now is None else now
    if claims.get("iss") != settings.issuer:
        raise TokenRejected("issuer")
    if claims.get("token_use") != "id":
        raise TokenRejected("token_use")
    if claims.get("aud") != settings.user_pool_client_id:
        raise TokenRejected("audience")
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)) or exp + _LEEWAY_SECONDS < moment:
        raise TokenRejected("expired")
    iat = claims.get("iat")
    if isinstance(iat, (int, float)) and iat - _LEEWAY_SECONDS > moment:
        raise TokenRejected("issued_in_future")
    return claims


def clear_cache() -> None:
    _jwks_cache.clear()
