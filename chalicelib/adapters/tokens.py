"""Cognito ID token verification: RS256 signature against the pool's JWKS, issuer, audience, use, expiry.

The JWKS is fetched once per container and again only when a token names a key we do not know
(key rotation), at most once a minute.

Cognito signs with one algorithm, RS256, so the signature is checked with ``cryptography``'s RSA
PKCS#1 v1.5 / SHA-256 verifier directly, the key built from the JWK's ``n`` and ``e``. A JOSE library
(joserfc, PyJWT) imports every algorithm it supports to do the same: ~50 ms on a cold container's first
signed-in request, against ~13 ms for the one primitive. Only RS256 headers and RSA signing keys are
accepted, so no other algorithm can be smuggled in.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
import urllib.request
from typing import Any

from chalicelib.config import Settings

_JWKS_REFRESH_SECONDS = 60
_LEEWAY_SECONDS = 30
_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")
_jwks_cache: dict[str, tuple[float, dict[str, Any]]] = {}


class TokenRejected(Exception):
    """The token is malformed, forged, expired or meant for another pool or client."""


class KeysUnavailable(Exception):
    """The JWKS could not be fetched: our problem, not the caller's."""


def _b64(part: str) -> bytes:
    """Strict unpadded base64url (RFC 7515 section 2): anything else is not a JWS part."""
    if not _B64URL.match(part):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _rsa_signing_keys(jwks: Any) -> dict[str, Any]:
    """The JWKS's RSA signature keys by kid, as ``cryptography`` public keys."""
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicNumbers

    keys: dict[str, Any] = {}
    for jwk in jwks.get("keys", []) if isinstance(jwks, dict) else []:
        if not isinstance(jwk, dict) or jwk.get("kty") != "RSA" or jwk.get("use", "sig") != "sig":
            continue
        if jwk.get("alg", "RS256") != "RS256" or not isinstance(jwk.get("kid"), str):
            continue
        numbers = RSAPublicNumbers(int.from_bytes(_b64(jwk["e"]), "big"), int.from_bytes(_b64(jwk["n"]), "big"))
        keys[jwk["kid"]] = numbers.public_key()
    return keys


def _fetch_jwks(url: str) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (URL comes from settings)
            return _rsa_signing_keys(json.loads(response.read()))
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise KeysUnavailable(type(err).__name__) from None


def _key_set(url: str, kid: str | None) -> dict[str, Any]:
    cached = _jwks_cache.get(url)
    fresh = cached is not None and time.monotonic() - cached[0] < _JWKS_REFRESH_SECONDS
    if cached is not None and (kid in cached[1] or fresh):
        return cached[1]
    keys = _fetch_jwks(url)
    _jwks_cache[url] = (time.monotonic(), keys)
    return keys


def _header(token: str) -> dict[str, Any]:
    value = json.loads(_b64(token.split(".")[0]))
    if not isinstance(value, dict):
        raise ValueError("header is not an object")
    return value


def _verified_payload(token: str, keys: dict[str, Any], kid: Any) -> dict[str, Any]:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from cryptography.hazmat.primitives.hashes import SHA256

    key = keys.get(kid) if isinstance(kid, str) else None
    if key is None:
        raise TokenRejected("unknown_key")
    head, body, signature = token.split(".")
    try:
        key.verify(_b64(signature), f"{head}.{body}".encode("ascii"), PKCS1v15(), SHA256())
    except InvalidSignature:
        raise TokenRejected("signature") from None
    claims = json.loads(_b64(body))
    if not isinstance(claims, dict):
        raise ValueError("claims are not an object")
    return claims


def verify_id_token(token: str, settings: Settings, now: float | None = None) -> dict[str, Any]:
    """The verified claims of a Cognito ID token, or TokenRejected."""
    if token.count(".") != 2 or not settings.user_pool_id:
        raise TokenRejected("malformed")
    try:
        header = _header(token)
        if header.get("alg") != "RS256":
            raise TokenRejected("algorithm")
        if header.get("crit") is not None:  # no extension is understood here (RFC 7515 section 4.1.11)
            raise TokenRejected("critical_header")
        claims = _verified_payload(token, _key_set(settings.jwks_url, header.get("kid")), header.get("kid"))
    except (TokenRejected, KeysUnavailable):
        raise
    except (ValueError, KeyError, TypeError, UnicodeError, binascii.Error) as err:
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
