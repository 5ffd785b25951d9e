"""The real local stack (moto server + chalice local + the upload poller), driven over HTTP like a phone would.

One stack serves every end-to-end test (see conftest.py); tests create their own reports so order does not matter.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import free_port
from tests.e2e.helpers import (
    Api,
    assert_clean_jpeg,
    assert_problem,
    claims_of,
    demo_user,
    jpeg_with_gps,
    moto_signing_key,
    report_body,
    sign,
    sign_in,
    upload,
    upload_object_exists,
    wait_for_photo,
    with_payload,
)

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
KUPANG_REPORTS = "/v1/tenants/kupang/reports"
STACK_KEYS = {"api_url", "aws_endpoint_url", "region", "user_pool_id", "user_pool_client_id", "demo_users",
              "api_keys", "open311_api_keys"}
USER_KEYS = {"username", "password", "role", "tenant", "agency"}


def _submit(api: Api, body: dict[str, Any] | None = None, token: str | None = None) -> dict[str, Any]:
    response = api.call("POST", KUPANG_REPORTS, body or report_body(), token=token)
    assert response.status_code == 201, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    return dict(response.json())


def _photo_slot(api: Api, report_id: str, token: str | None = None, receipt: str | None = None) -> dict[str, Any]:
    response = api.call("POST", f"{KUPANG_REPORTS}/{report_id}/photos", {"content_type": "image/jpeg"},
                        token=token, receipt=receipt)
    assert response.status_code == 201, response.text
    slot = dict(response.json())
    assert slot["photo_id"] and slot["upload"]["url"] and slot["upload"]["fields"]["key"]
    return slot


def _check_cleaned(stack: dict[str, Any], slot: dict[str, Any], photo: dict[str, Any]) -> None:
    """The served copies carry no metadata, and the original is gone from the bucket."""
    assert photo["status"] == "ready", photo
    assert photo["url"] and photo["thumbnail_url"] and photo["reason"] is None
    display = requests.get(photo["url"], timeout=15)
    thumbnail = requests.get(photo["thumbnail_url"], timeout=15)
    assert display.status_code == 200 and thumbnail.status_code == 200
    assert_clean_jpeg(display.content, max_side=2048)
    assert_clean_jpeg(thumbnail.content, max_side=320)
    assert not upload_object_exists(stack, slot), "the original upload (with GPS) must be deleted"


# -- the stack itself ------------------------------------------------------------------------


def test_stack_file_describes_the_stack(stack: dict[str, Any], api: Api) -> None:
    assert set(stack) == STACK_KEYS
    assert stack["region"] == "ap-southeast-3"
    assert stack["api_url"].startswith("http://127.0.0.1:")
    assert stack["aws_endpoint_url"].startswith("http://127.0.0.1:")
    assert stack["demo_users"] and all(set(u) == USER_KEYS for u in stack["demo_users"])
    assert {u["role"] for u in stack["demo_users"]} >= {"citizen", "tenant_admin", "officer", "platform_admin"}
    assert any(u["username"] == "admin.platform" and u["role"] == "platform_admin" for u in stack["demo_users"])
    tenants = {u["tenant"] for u in stack["demo_users"] if u["role"] == "tenant_admin"}
    assert set(stack["api_keys"]) == tenants  # a tenant_admin and an API key for every demo tenant
    for tenant, key in stack["api_keys"].items():
        listed = api.call("GET", f"/v1/tenants/{tenant}/reports", headers={"X-Api-Key": key})
        assert listed.status_code == 200, listed.text
    wrong = api.call("GET", "/v1/tenants/kupang/reports", headers={"X-Api-Key": stack["api_keys"]["karo"]})
    assert wrong.status_code == 403  # a key opens only its own tenant
    health = api.call("GET", "/v1/health")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    # Step Functions really runs states: the switch run.py sets is in moto's config.
    config = requests.get(f"{stack['aws_endpoint_url']}/moto-api/config", timeout=5).json()
    assert config["lambda"]["use_docker"] is False


# -- a signed-in citizen ---------------------------------------------------------------------


def test_signed_in_citizen_reports_with_a_photo(stack: dict[str, Any], api: Api,
                                                citizen: dict[str, Any]) -> None:
    token = citizen["id_token"]

    tenant = api.call("GET", "/v1/tenants/kupang")
    assert tenant.status_code == 200, tenant.text
    profile = tenant.json()
    assert profile["code"] == "kupang"
    assert profile["auth"]["user_pool_id"] == stack["user_pool_id"]
    assert profile["auth"]["client_id"] == stack["user_pool_client_id"]
    categories = api.call("GET", "/v1/tenants/kupang/categories")
    assert categories.status_code == 200
    assert "garbage" in {c["code"] for c in categories.json()}

    created = _submit(api, report_body(address="Jl. Soekarno, Kupang"), token=token)
    assert created["status"] == "submitted" and created["category"] == "garbage"
    assert created["tracking_code"].startswith("KPG-")
    assert created["view"] == "full" and created["reporter"] is not None
    assert "receipt" not in created  # a signed-in reporter needs no receipt
    report_path = f"{KUPANG_REPORTS}/{created['id']}"

    slot = _photo_slot(api, created["id"], token=token)
    upload(slot, jpeg_with_gps())
    photo = wait_for_photo(api, report_path, slot["photo_id"], token=token)
    _check_cleaned(stack, slot, photo)

    by_code = api.call("GET", f"{KUPANG_REPORTS}/{created['tracking_code'].lower()}", token=token)
    assert by_code.status_code == 200 and by_code.json()["id"] == created["id"]

    mine = api.call("GET", "/v1/tenants/kupang/me/reports", token=token)
    assert mine.status_code == 200, mine.text
    listed = {r["id"]: r for r in mine.json()["items"]}
    assert created["id"] in listed
    assert listed[created["id"]]["photos"][0]["status"] == "ready"

    public = api.call("GET", KUPANG_REPORTS)
    assert public.status_code == 200
    shown = next(r for r in public.json()["items"] if r["id"] == created["id"])
    assert shown["view"] == "public" and "reporter" not in shown


def test_my_reports_needs_sign_in(api: Api) -> None:
    assert_problem(api.call("GET", "/v1/tenants/kupang/me/reports"), 401, "unauthenticated")


# -- an anonymous reporter -------------------------------------------------------------------


def test_anonymous_reporter_uses_the_receipt(stack: dict[str, Any], api: Api) -> None:
    created = _submit(api, report_body(category="road_damage", description="Jalan berlubang dekat sekolah"))
    receipt = created["receipt"]
    assert receipt and created["reporter"] is None
    report_path = f"{KUPANG_REPORTS}/{created['id']}"

    full = api.call("GET", report_path, receipt=receipt)
    assert full.status_code == 200 and full.json()["view"] == "full"
    assert "receipt" not in full.json()  # shown once, at creation
    public = api.call("GET", report_path)
    assert public.status_code == 200 and public.json()["view"] == "public"
    wrong = api.call("GET", report_path, receipt=receipt[:-2] + ("AA" if not receipt.endswith("AA") else "BB"))
    assert wrong.json()["view"] == "public"

    # Without the receipt nobody may add a photo: the report is public, so it is a refusal, not a 404.
    assert_problem(api.call("POST", f"{report_path}/photos", {"content_type": "image/jpeg"}), 403, "forbidden")

    slot = _photo_slot(api, created["id"], receipt=receipt)
    upload(slot, jpeg_with_gps((640, 480)))
    photo = wait_for_photo(api, report_path, slot["photo_id"], receipt=receipt)
    _check_cleaned(stack, slot, photo)

    # The public sees the cleaned photo too, never the reporter.
    seen = api.call("GET", report_path).json()
    assert [p["id"] for p in seen["photos"]] == [slot["photo_id"]] and "reporter" not in seen


# -- bad input -------------------------------------------------------------------------------


def test_malformed_json_is_400(api: Api, citizen: dict[str, Any]) -> None:
    for raw in ('{"category": "garbage",', "not json at all", '{"lat": NaN}'):
        assert_problem(api.call("POST", KUPANG_REPORTS, data=raw, token=citizen["id_token"]), 400, "malformed_json")


def test_wrong_types_are_422_with_field_errors(api: Api) -> None:
    body = {"category": 7, "description": ["Sampah"], "location": {"lat": "-10.17", "lon": 123.6}}
    problem = assert_problem(api.call("POST", KUPANG_REPORTS, body), 422, "validation_failed")
    fields = {e["field"] for e in problem["errors"]}
    assert {"category", "description", "location.lat"} <= fields, problem["errors"]
    assert all(e["code"] and e["message"] for e in problem["errors"])

    english = api.call("POST", KUPANG_REPORTS, {"category": "garbage"}, headers={"Accept-Language": "en"})
    problem = assert_problem(english, 422, "validation_failed")
    assert {"description", "location"} <= {e["field"] for e in problem["errors"]}
    assert english.headers.get("Content-Language") == "en"

    outside = report_body(location={"lat": 3.10, "lon": 98.49})  # Kabanjahe, Karo: not Kupang
    assert_problem(api.call("POST", KUPANG_REPORTS, outside), 422, "outside_service_area")
    assert_problem(api.call("POST", KUPANG_REPORTS, report_body(category="no_such_thing")), 422,
                   "unknown_category")


def test_rejected_uploads_say_why(stack: dict[str, Any], api: Api, citizen: dict[str, Any]) -> None:
    token = citizen["id_token"]
    created = _submit(api, token=token)
    report_path = f"{KUPANG_REPORTS}/{created['id']}"

    text = _photo_slot(api, created["id"], token=token)
    upload(text, b"Ini bukan foto, hanya catatan teks.\n" * 50, filename="catatan.jpg")
    # Over 10 MB: a JPEG start-of-image marker, then noise.
    big = _photo_slot(api, created["id"], token=token)
    upload(big, b"\xff\xd8\xff\xe0" + os.urandom(10 * 1024 * 1024 + 4096), filename="besar.jpg")

    for slot, reason in ((text, "not_an_image"), (big, "too_large")):
        photo = wait_for_photo(api, report_path, slot["photo_id"], token=token)
        assert photo["status"] == "rejected", photo
        assert photo["reason"] == reason and photo["reason_message"], photo
        assert photo["url"] is None and photo["thumbnail_url"] is None
        assert not upload_object_exists(stack, slot)

    # Rejected photos are not shown to the public.
    assert api.call("GET", report_path).json()["photos"] == []

    assert_problem(api.call("POST", f"{report_path}/photos", {"content_type": "application/pdf"}, token=token),
                   422, "validation_failed")


# -- tokens ----------------------------------------------------------------------------------


def test_forged_tokens_are_401(api: Api, citizen: dict[str, Any]) -> None:
    from joserfc.jwk import RSAKey

    token = citizen["id_token"]
    claims = claims_of(token)
    assert api.call("GET", "/v1/tenants/kupang/me/reports", token=token).status_code == 200

    tampered = with_payload(token, {**claims, "sub": "00000000-0000-0000-0000-000000000000"})
    staff = with_payload(token, {**claims, "cognito:groups": ["tenant_admin"], "custom:tenant": "kupang"})
    stranger = sign(claims, RSAKey.generate_key(2048))  # same claims and kid, someone else's key
    for forged in (tampered, staff, stranger, "not.a.jwt", token + "x"):
        response = api.call("GET", "/v1/tenants/kupang/me/reports", token=forged)
        assert_problem(response, 401, "invalid_token")
        assert "Bearer" in response.headers.get("WWW-Authenticate", "")
    # A bad token is refused even where signing in is optional, rather than treated as anonymous.
    assert_problem(api.call("POST", KUPANG_REPORTS, report_body(), token=stranger), 401, "invalid_token")


def test_expired_token_is_401(api: Api, citizen: dict[str, Any]) -> None:
    key = moto_signing_key()
    claims = claims_of(citizen["id_token"])
    now = int(time.time())

    # Control: re-signed with moto's key and fresh times it is accepted, so only expiry differs below.
    fresh = sign({**claims, "iat": now - 60, "auth_time": now - 60, "exp": now + 3600}, key)
    assert api.call("GET", "/v1/tenants/kupang/me/reports", token=fresh).status_code == 200

    expired = sign({**claims, "iat": now - 7200, "auth_time": now - 7200, "exp": now - 3600}, key)
    assert_problem(api.call("GET", "/v1/tenants/kupang/me/reports", token=expired), 401, "invalid_token")


# -- who may see what ------------------------------------------------------------------------


def test_another_tenant_never_sees_the_report(stack: dict[str, Any], api: Api, citizen: dict[str, Any]) -> None:
    token = citizen["id_token"]
    created = _submit(api, token=token)
    admin = demo_user(stack, "tenant_admin", "karo")
    karo_admin = sign_in(stack, admin["username"], admin["password"])["IdToken"]

    for ref in (created["id"], created["tracking_code"]):
        for who in (None, token, karo_admin):
            assert_problem(api.call("GET", f"/v1/tenants/karo/reports/{ref}", token=who), 404, "report_not_found")
    karo_feed = api.call("GET", "/v1/tenants/karo/reports", token=karo_admin)
    assert created["id"] not in {r["id"] for r in karo_feed.json()["items"]}
    assert_problem(api.call("GET", "/v1/tenants/nowhere/reports"), 404, "tenant_not_found")


def test_confidential_report_stays_hidden(stack: dict[str, Any], api: Api, citizen: dict[str, Any],
                                          other_citizen: dict[str, Any]) -> None:
    token = citizen["id_token"]
    created = _submit(api, report_body(category="misconduct", description="Pungli di loket pelayanan",
                                       privacy="public"), token=token)
    assert created["privacy"] == "confidential"  # whatever the client asked for
    report_path = f"{KUPANG_REPORTS}/{created['id']}"

    assert_problem(api.call("GET", report_path), 404, "report_not_found")
    assert_problem(api.call("GET", f"{KUPANG_REPORTS}/{created['tracking_code']}"), 404, "report_not_found")
    assert_problem(api.call("GET", report_path, token=other_citizen["id_token"]), 404, "report_not_found")
    for query in ("", "?category=misconduct", "?status=submitted", "?category=misconduct&status=submitted"):
        feed = api.call("GET", f"{KUPANG_REPORTS}{query}")
        assert feed.status_code == 200, feed.text
        assert created["id"] not in {r["id"] for r in feed.json()["items"]}

    own = api.call("GET", report_path, token=token)
    assert own.status_code == 200 and own.json()["view"] == "full"


def test_unknown_report_and_bad_paging_are_problems(api: Api) -> None:
    assert_problem(api.call("GET", f"{KUPANG_REPORTS}/01ARZ3NDEKTSV4RRFFQ69G5FAV"), 404, "report_not_found")
    assert_problem(api.call("GET", f"{KUPANG_REPORTS}?limit=0"), 400, "invalid_query")
    assert_problem(api.call("GET", f"{KUPANG_REPORTS}?cursor=bm9wZQ"), 400, "invalid_cursor")
    assert_problem(api.call("POST", KUPANG_REPORTS, data="x=1",
                            headers={"Content-Type": "application/x-www-form-urlencoded"}), 415,
                   "unsupported_media_type")


def test_a_second_stack_on_a_taken_port_says_so(stack: dict[str, Any], api: Api, tmp_path: Any) -> None:
    api_port = int(stack["api_url"].rsplit(":", 1)[1])
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_ENDPOINT_URL", "MOTO_PORT")}
    result = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "devstack.run", "--api-port", str(api_port), "--aws-port", str(free_port()),
         "--stack-file", str(tmp_path / "stack.json")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"Port {api_port}" in result.stdout and "already in use" in result.stdout
    assert not (tmp_path / "stack.json").exists()
    assert api.call("GET", "/v1/health").status_code == 200  # the running stack is untouched
