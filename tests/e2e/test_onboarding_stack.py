"""A new pemda brought on over the real local stack: the operator's YAML, its admin, a unit, an officer,
reports through their life, and an invoice that counts exactly what happened."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import Api, cognito, jpeg_with_gps, sign_in, upload, wait_for_photo

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "tenant-tanahkaro.yaml"
INSIDE = {"lat": 3.10, "lon": 98.49}
TENANT = "/v1/tenants/tanahkaro"


def _admin_cli(stack_file: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    command = Path(sys.executable).parent / "aduan-admin"  # the console script pyproject.toml declares
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k not in ("USER_POOL_ID",)}
    return subprocess.run([str(command), "--stack", str(stack_file), *argv],  # noqa: S603 - our own command
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False)


def _first_sign_in(stack: dict[str, Any], username: str, temporary: str, new: str) -> str:
    idp = cognito(stack)
    first = idp.initiate_auth(ClientId=stack["user_pool_client_id"], AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": username, "PASSWORD": temporary})
    assert first["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    idp.respond_to_auth_challenge(ClientId=stack["user_pool_client_id"], ChallengeName="NEW_PASSWORD_REQUIRED",
                                  Session=first["Session"],
                                  ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": new})
    return sign_in(stack, username, new)["IdToken"]


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _until(check: Any, timeout: float = 45.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"not reached within {timeout:.0f} s")


def test_a_new_pemda_is_onboarded_from_yaml_works_its_reports_and_is_billed_exactly(
        stack: dict[str, Any], api: Api, tmp_path: Path) -> None:
    stack_file = tmp_path / "stack.json"
    stack_file.write_text(json.dumps(stack))
    done = _admin_cli(stack_file, "onboard", str(EXAMPLE))
    assert done.returncode == 0, done.stderr
    created = json.loads(done.stdout)
    admin = _first_sign_in(stack, "admin.tanahkaro", created["admin"]["temporary_password"], "AdminBaru2027!")

    # The new admin adds a unit and an officer of it.
    units = _ok(api.call("GET", f"{TENANT}/units", token=admin))["units"]
    units.append({"code": "DISHUB-TKR", "name": "Dinas Perhubungan Tanah Karo", "type": "DISHUB"})
    _ok(api.call("PUT", f"{TENANT}/units", {"units": units}, token=admin))
    _ok(api.call("PUT", f"{TENANT}/categories", {"categories": {"street_light": {"unit": "DISHUB-TKR"}}},
                 token=admin))
    officer = _ok(api.call("POST", f"{TENANT}/staff", {"username": "petugas.tkr.dishub", "role": "officer",
                                                        "agency": "DISHUB-TKR", "name": "Petugas Dishub"},
                           token=admin), 201)
    officer_token = _first_sign_in(stack, "petugas.tkr.dishub", officer["temporary_password"], "Petugas2027!")

    # Citizens file reports there; one goes through its whole life.
    citizen = next(u for u in stack["demo_users"] if u["role"] == "citizen")
    citizen_token = sign_in(stack, citizen["username"], citizen["password"])["IdToken"]
    filed = [_ok(api.call("POST", f"{TENANT}/reports", {
        "category": "street_light", "description": f"Lampu jalan mati nomor {n}", "location": INSIDE,
        "address": "Jl. Veteran, Kabanjahe"}, token=citizen_token, headers={"Idempotency-Key": f"e2e-tkr-{n}"}), 201)
        for n in range(3)]
    retried = api.call("POST", f"{TENANT}/reports", {
        "category": "street_light", "description": "Lampu jalan mati nomor 0", "location": INSIDE,
        "address": "Jl. Veteran, Kabanjahe"}, token=citizen_token, headers={"Idempotency-Key": "e2e-tkr-0"})
    assert retried.json()["id"] == filed[0]["id"]  # a retry is the same report, and is not billed again
    assert {r["agency"] for r in filed} == {"DISHUB-TKR"} and filed[0]["tracking_code"].startswith("TKR-")
    path = f"{TENANT}/reports/{filed[0]['id']}/transitions"
    _ok(api.call("POST", path, {"action": "verify"}, token=admin))
    _ok(api.call("POST", path, {"action": "acknowledge"}, token=officer_token))
    report_path = f"{TENANT}/reports/{filed[0]['id']}"
    slot = _ok(api.call("POST", f"{report_path}/photos", {"content_type": "image/jpeg"}, token=officer_token), 201)
    upload(slot, jpeg_with_gps())
    assert wait_for_photo(api, report_path, slot["photo_id"], token=officer_token)["status"] == "ready"
    _ok(api.call("POST", path, {"action": "resolve", "note": "Lampu sudah diganti", "photo_ids": [slot["photo_id"]]},
                 token=officer_token))
    closed = _ok(api.call("POST", path, {"action": "confirm", "rating": 4}, token=citizen_token))
    assert closed["status"] == "closed"

    # The invoice counts exactly the three reports, and the SLA timers the stream started.
    month = time.strftime("%Y-%m", time.gmtime())

    def billed() -> dict[str, Any] | None:
        invoice = _ok(api.call("GET", f"{TENANT}/invoices/{month}", token=admin))
        return invoice if invoice["counters"]["sla_timers_started"] >= 4 else None

    invoice = _until(billed)
    assert invoice["counters"]["reports_created"] == 3 and invoice["counters"]["photos_stored"] == 1
    assert invoice["counters"]["photo_bytes"] > 0
    lines = {line["item"]: line for line in invoice["lines"]}
    assert lines["reports_created"]["used"] == 3 and lines["reports_created"]["amount"] == 0  # within quota
    assert invoice["subtotal"] == 5_000_000 and invoice["tax"] == 550_000 and invoice["total"] == 5_550_000
    csv = api.call("GET", f"{TENANT}/invoices/{month}?format=csv", token=admin)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    html = api.call("GET", f"{TENANT}/invoices/{month}", token=admin, headers={"Accept": "text/html"})
    assert html.status_code == 200 and "5.550.000" in html.text
    listed = _admin_cli(stack_file, "tenants", "--json")
    assert listed.returncode == 0, listed.stderr
    row = next(r for r in json.loads(listed.stdout)["tenants"] if r["tenant"] == "tanahkaro")
    assert row["total"] == invoice["total"]

    # The leadership's dashboard shows the same reports in the unit that handled them.
    def counted() -> dict[str, Any] | None:
        figures = _ok(api.call("GET", f"{TENANT}/stats?window=month", token=admin))
        unit = figures["units"].get("DISHUB-TKR")
        return figures if unit and unit["received"] == 3 and unit["closed"] == 1 else None

    figures = _until(counted)
    unit = figures["units"]["DISHUB-TKR"]
    assert unit["verified"] == 1 and unit["resolved"] == 1 and unit["reopened"] == 0
    assert unit["ratings"]["count"] == 1 and unit["ratings"]["average"] == 4.0
    assert unit["resolution_hours"]["count"] == 1 and unit["first_response_hours"]["count"] == 1
    assert figures["total"]["received"] == 3 and figures["total"]["grade"]["grade"] in ("Baik", "Sedang", "Kurang")
    assert _ok(api.call("GET", f"{TENANT}/stats?window=week", token=officer_token))["total"]["received"] == 3
