"""Every bearer token is verified: signature, issuer, audience, use and expiry."""

from __future__ import annotations

import base64
import gzip
import json
import time
from pathlib import Path

import moto.cognitoidp
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.integration.conftest import report_body

REPORTS = "/v1/tenants/kupang/reports"


def _claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _sign_with_motos_key(claims: dict) -> str:
    """A token signed by the very key the pool uses: only the claims decide whether it passes."""
    path = Path(moto.cognitoidp.__file__).parent / "resources" / "jwks-private.json.gz"
    key = RSAKey.import_key(json.loads(gzip.decompress(path.read_bytes())))
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def _assert_401(response):
    assert response.status_code == 401, response.body
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json_body["code"] in ("invalid_token", "unauthenticated")


def _with(stack, token, path="/v1/tenants/kupang/me/reports", method="GET", body=None):
    return stack.call(method, path, body, headers={"Authorization": f"Bearer {token}"})


def test_a_real_token_is_accepted(stack):
    assert _with(stack, stack.token("warga.ani")).status_code == 200


def test_a_token_signed_by_motos_key_with_the_same_claims_is_accepted(stack):
    # Proves the helper below signs exactly as the pool does, so the rejections are about the claims.
    assert _with(stack, _sign_with_motos_key(_claims(stack.token("warga.ani")))).status_code == 200


def test_a_token_with_a_tampered_payload_is_rejected(stack):
    head, _, signature = stack.token("warga.ani").split(".")
    claims = _claims(stack.token("warga.ani")) | {"cognito:groups": ["platform_admin"]}
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    _assert_401(_with(stack, f"{head}.{forged_payload}.{signature}"))


def test_a_token_signed_with_another_key_is_rejected(stack):
    stranger = RSAKey.generate_key(2048, parameters={"kid": "dummy"})
    token = jwt.encode({"alg": "RS256", "kid": "dummy"}, _claims(stack.token("warga.ani")), stranger)
    _assert_401(_with(stack, token))


def test_an_expired_token_is_rejected(stack):
    claims = _claims(stack.token("warga.ani"))
    claims.update(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)
    _assert_401(_with(stack, _sign_with_motos_key(claims)))


def test_a_token_for_another_client_issuer_or_use_is_rejected(stack):
    claims = _claims(stack.token("warga.ani"))
    _assert_401(_with(stack, _sign_with_motos_key(claims | {"aud": "another-client"})))
    _assert_401(_with(stack, _sign_with_motos_key(claims | {"iss": "https://evil.example/pool"})))
    _assert_401(_with(stack, _sign_with_motos_key(claims | {"token_use": "access"})))


def test_an_unsigned_token_is_rejected(stack):
    claims = _claims(stack.token("warga.ani"))
    head = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').decode().rstrip("=")
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    _assert_401(_with(stack, f"{head}.{body}."))


def test_garbage_in_the_authorization_header_is_a_401_not_a_crash(stack):
    for header in ("Bearer", "Bearer not.a.jwt", "Bearer a.b", "Basic dXNlcjpwYXNz", "Bearer \u00e9.\u00e9.\u00e9"):
        _assert_401(stack.call("GET", "/v1/tenants/kupang/me/reports", headers={"Authorization": header}))


def test_a_bad_token_is_a_401_even_where_signing_in_is_optional(stack):
    _assert_401(_with(stack, "x.y.z", path=REPORTS, method="POST", body=report_body()))
    assert stack.call("GET", REPORTS).json_body["items"] == []


def test_when_the_signing_keys_cannot_be_fetched_the_answer_is_a_503_not_a_401(stack, monkeypatch):
    from chalicelib.adapters import tokens
    from chalicelib.config import reset_settings

    token = stack.token("warga.ani")
    tokens.clear_cache()
    monkeypatch.setenv("COGNITO_JWKS_URL", "http://127.0.0.1:9/nothing-listens-here")
    reset_settings()
    response = _with(stack, token)
    assert response.status_code == 503
    assert response.json_body["code"] == "auth_unavailable"
    reset_settings()
