"""Tenants kept apart: every route, called by tenant A's people with tenant B's ids, gives nothing of B away.

The matrix enumerates the app's routes: a route added later without an entry in ``MATRIX`` fails
``test_every_route_has_an_isolation_case``. Tenant A is ``karo``, tenant B is ``kupang``.

For each route, A's staff (tenant_admin, supervisor, officer) call it:
- on B's path with B's real ids: the answer is 403 or 404 and is the same answer as for ids that
  do not exist in B (so the status, code and text never reveal that B's item exists), and no B id,
  tracking code or description appears in it;
- on A's own path with B's ids (report ids, tracking codes, staff ids, API key ids, receipts): 404,
  the same as for ids that exist nowhere.
Routes that are public by design (B's public feed, B's profile) answer A's token exactly as they
answer an anonymous caller: a token of A adds nothing in B.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.integration.conftest import SharedSeed, report_body

A, B = "karo", "kupang"
A_STAFF = ("admin.karo", "supervisor.karo", "petugas.karo.dlh")
GHOST_REPORT = "01JZZZZZZZZZZZZZZZZZZZZZZZ"  # a well-formed id that exists in no tenant
GHOST_CODE = "KPG-ZZZZZZ"


@dataclass(frozen=True)
class Case:
    """How one route is probed: ``kind`` is ``scoped`` (403/404 to A), ``public`` (same as anonymous),
    ``platform`` (platform_admin only), ``personal`` (the caller's own items, which A's people have none
    of in B) or ``filing`` (anyone may file a report in any tenant)."""

    kind: str
    body: dict[str, Any] | None = None
    query: str = ""
    ids_in_own_tenant: bool = True  # also call A's path with B's ids
    headers: dict[str, str] = field(default_factory=dict)


_UNITS = {"units": [{"code": "DLH", "name": "Dinas Lingkungan Hidup", "type": "DLH", "primary": True}]}
MATRIX: dict[tuple[str, str], Case] = {
    ("GET", "/v1/health"): Case("public"),
    ("GET", "/v1/tenants"): Case("platform"),
    ("POST", "/v1/tenants"): Case("platform", body={"code": "baru"}),
    ("GET", "/v1/usage"): Case("platform"),
    ("GET", "/v1/tenants/{tenant}"): Case("public"),
    ("PATCH", "/v1/tenants/{tenant}"): Case("platform", body={"names": {"id": "Kota X", "en": "X City"}}),
    ("GET", "/v1/tenants/{tenant}/admin"): Case("platform"),
    ("POST", "/v1/tenants/{tenant}/suspend"): Case("platform", body={"reason": "uji"}),
    ("POST", "/v1/tenants/{tenant}/resume"): Case("platform", body={}),
    ("GET", "/v1/tenants/{tenant}/categories"): Case("public"),
    ("PUT", "/v1/tenants/{tenant}/categories"): Case("scoped", body={"categories": {"garbage": {"enabled": False}}}),
    ("GET", "/v1/tenants/{tenant}/reports"): Case("public"),
    ("POST", "/v1/tenants/{tenant}/reports"): Case("filing"),
    ("GET", "/v1/tenants/{tenant}/reports/{report_id}"): Case("public"),
    ("GET", "/v1/tenants/{tenant}/reports/{report_id}/history"): Case("scoped"),
    ("POST", "/v1/tenants/{tenant}/reports/{report_id}/photos"): Case(
        "scoped", body={"content_type": "image/jpeg", "size": 1000}),
    ("POST", "/v1/tenants/{tenant}/reports/{report_id}/transitions"): Case(
        "scoped", body={"action": "verify", "note": "uji"}),
    ("GET", "/v1/tenants/{tenant}/inbox"): Case("scoped"),
    ("GET", "/v1/tenants/{tenant}/agencies/{agency}/reports"): Case("scoped"),
    ("GET", "/v1/tenants/{tenant}/me/reports"): Case("personal"),
    ("GET", "/v1/tenants/{tenant}/me/notifications"): Case("personal"),
    ("GET", "/v1/tenants/{tenant}/notification-channels"): Case("scoped"),
    ("PUT", "/v1/tenants/{tenant}/notification-channels"): Case("scoped", body={"channels": []}),
    ("GET", "/v1/tenants/{tenant}/sla-policy"): Case("scoped"),
    ("PUT", "/v1/tenants/{tenant}/sla-policy"): Case("scoped", body={}),
    ("GET", "/v1/tenants/{tenant}/routing"): Case("scoped"),
    ("PUT", "/v1/tenants/{tenant}/routing"): Case("scoped", body={}),
    ("GET", "/v1/tenants/{tenant}/areas"): Case("scoped"),
    ("PUT", "/v1/tenants/{tenant}/areas"): Case("scoped", body={"type": "FeatureCollection", "features": []}),
    ("GET", "/v1/tenants/{tenant}/units"): Case("scoped"),
    ("PUT", "/v1/tenants/{tenant}/units"): Case("scoped", body=_UNITS),
    ("GET", "/v1/tenants/{tenant}/staff"): Case("scoped"),
    ("POST", "/v1/tenants/{tenant}/staff"): Case(
        "scoped", body={"username": "petugas.baru", "role": "officer", "agency": "DLH"}),
    ("PATCH", "/v1/tenants/{tenant}/staff/{staff_id}"): Case("scoped", body={"name": "Nama Baru"}),
    ("DELETE", "/v1/tenants/{tenant}/staff/{staff_id}"): Case("scoped"),
    ("GET", "/v1/tenants/{tenant}/api-keys"): Case("scoped"),
    ("POST", "/v1/tenants/{tenant}/api-keys"): Case("scoped", body={"name": "Aplikasi lain"}),
    ("DELETE", "/v1/tenants/{tenant}/api-keys/{key_id}"): Case("scoped"),
    ("GET", "/v1/tenants/{tenant}/audit"): Case("scoped"),
    ("GET", "/v1/tenants/{tenant}/usage"): Case("scoped"),
    ("GET", "/v1/tenants/{tenant}/invoices/{month}"): Case("scoped"),
    ("GET", "/v1/tenants/{tenant}/stats"): Case("scoped"),
    ("GET", "/v1/tenants/{tenant}/exports/reports.csv"): Case("public"),
    ("GET", "/v1/tenants/{tenant}/exports/reports.geojson"): Case("public"),
    ("GET", "/v1/tenants/{tenant}/stats/public"): Case("public"),
    ("POST", "/v1/tenants/{tenant}/reports/{report_id}/supports"): Case("scoped"),
    ("DELETE", "/v1/tenants/{tenant}/reports/{report_id}/supports"): Case("scoped"),
    ("GET", "/v1/tenants/{tenant}/reports/{report_id}/comments"): Case("public"),
    ("POST", "/v1/tenants/{tenant}/reports/{report_id}/comments"): Case("scoped", body={"text": "uji"}),
    ("POST", "/v1/tenants/{tenant}/reports/{report_id}/comments/{comment_id}/hide"): Case(
        "scoped", body={"reason": "spam"}),
    ("GET", "/v1/openapi.json"): Case("public"),  # the same document for everyone; no tenant data in it
    # Open311 names the tenant in jurisdiction_id, not in the path: probed by test_open311_* below.
    ("GET", "/open311/v2/discovery.json"): Case("open311"),
    ("GET", "/open311/v2/discovery.xml"): Case("open311"),
    ("GET", "/open311/v2/services.json"): Case("open311"),
    ("GET", "/open311/v2/services.xml"): Case("open311"),
    ("GET", "/open311/v2/services/{service_file}"): Case("open311"),
    ("GET", "/open311/v2/requests.json"): Case("open311"),
    ("GET", "/open311/v2/requests.xml"): Case("open311"),
    ("POST", "/open311/v2/requests.json"): Case("open311"),
    ("POST", "/open311/v2/requests.xml"): Case("open311"),
    ("GET", "/open311/v2/requests/{request_file}"): Case("open311"),
    ("GET", "/open311/v2/tokens/{token_file}"): Case("open311"),
}


def _routes() -> set[tuple[str, str]]:
    from app import app

    return {(method, path) for path, methods in app.routes.items() for method in methods}


def test_every_route_has_an_isolation_case():
    missing = _routes() - set(MATRIX)
    assert not missing, f"routes without an isolation case: {sorted(missing)}"
    assert not set(MATRIX) - _routes(), "a case for a route that does not exist"


@dataclass
class TenantB:
    """What tenant B holds, and every string that would betray it."""

    report_id: str
    tracking_code: str
    receipt: str
    staff_id: str
    key_id: str
    api_key: str
    cursor: str
    secrets: list[str]
    comment_id: str = GHOST_REPORT  # a comment of B's (on its public report), when the fixture wrote one

    def ids(self, real: bool) -> dict[str, str]:
        if real:
            return {"report_id": self.report_id, "agency": "DLH", "staff_id": self.staff_id,
                    "key_id": self.key_id, "month": "2026-12", "comment_id": self.comment_id}
        return {"report_id": GHOST_REPORT, "agency": "DLH", "staff_id": "00000000-0000-0000-0000-000000000000",
                "key_id": "k0000000000000000000000", "month": "2026-12", "comment_id": GHOST_REPORT}


@pytest.fixture(scope="module")
def _tenant_b_seed() -> SharedSeed:
    return SharedSeed(_hold_tenant_b)


@pytest.fixture
def tenant_b(stack, _tenant_b_seed) -> TenantB:
    """B's data, written once per module through the API and restored for each case (the cases only read
    it, or change it where the change is the failure they look for)."""
    return _tenant_b_seed.apply(stack)


def _hold_tenant_b(stack) -> TenantB:
    reports = f"/v1/tenants/{B}/reports"
    confidential = stack.call("POST", reports, report_body(privacy="confidential", description="Rahasia kupang X7"),
                              user="warga.ani").json_body
    anonymous = stack.call("POST", reports, report_body(description="Anonim kupang Q9")).json_body
    public = stack.call("POST", reports, report_body(description="Publik kupang"), user="warga.budi").json_body
    comment = stack.call("POST", f"{reports}/{public['id']}/comments", {"text": "Komentar kupang K4"},
                         user="warga.ani").json_body
    stack.drain_stream()
    stack.drain_notifications()
    page = stack.call("GET", f"{reports}?limit=1").json_body
    staff = stack.call("GET", f"/v1/tenants/{B}/staff", user="admin.kupang").json_body["items"]
    key = stack.call("POST", f"/v1/tenants/{B}/api-keys", {"name": "Aplikasi Kupang"}, user="admin.kupang").json_body
    officer = next(s for s in staff if s["role"] == "officer")
    return TenantB(report_id=confidential["id"], tracking_code=confidential["tracking_code"],
                   receipt=anonymous["receipt"], staff_id=officer["id"], key_id=key["id"], api_key=key["key"],
                   cursor=page["next_cursor"],
                   secrets=[confidential["id"], confidential["tracking_code"], anonymous["id"], anonymous["receipt"],
                            "Rahasia kupang X7", "Anonim kupang Q9", officer["id"], officer["username"], key["id"],
                            key["key"], comment["id"], "Komentar kupang K4"],
                   comment_id=comment["id"])


def _path(template: str, tenant: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: tenant if m.group(1) == "tenant" else ids[m.group(1)], template)


def _answer(response: Any) -> tuple[int, Any]:
    """What a caller learns: the status and the body, less what changes per request."""
    body = response.json_body if response.body else None
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k not in ("instance", "request_id")}
    return response.status_code, body


def _assert_reveals_nothing(response: Any, b: TenantB, where: str) -> None:
    text = json.dumps(_answer(response))  # ``instance`` echoes the caller's own path, ids it sent included
    for secret in b.secrets:
        assert secret not in text, f"{where} reveals {secret!r}"


SCOPED = sorted(k for k, c in MATRIX.items() if c.kind == "scoped")


@pytest.mark.parametrize(("method", "template"), SCOPED, ids=[f"{m} {p}" for m, p in SCOPED])
def test_a_tenants_staff_get_nothing_of_another_tenant(stack, tenant_b, method, template):
    case = MATRIX[(method, template)]
    for user in A_STAFF:
        real = stack.call(method, _path(template, B, tenant_b.ids(True)) + case.query, case.body, user=user)
        where = f"{user} {method} {template}"
        assert real.status_code in (403, 404), f"{where}: {real.status_code} {real.body!r}"
        assert real.headers["content-type"].startswith("application/problem+json")
        _assert_reveals_nothing(real, tenant_b, where)
        ghost = stack.call(method, _path(template, B, tenant_b.ids(False)) + case.query, case.body, user=user)
        assert _answer(real) == _answer(ghost), f"{where}: B's real ids answer differently from ids that do not exist"


WITH_IDS = sorted(k for k, c in MATRIX.items()
                  if c.kind in ("scoped", "public") and re.search(r"\{(report_id|staff_id|key_id)\}", k[1]))


@pytest.mark.parametrize(("method", "template"), WITH_IDS, ids=[f"{m} {p}" for m, p in WITH_IDS])
def test_another_tenants_ids_on_ones_own_tenant_are_not_found(stack, tenant_b, method, template):
    case = MATRIX[(method, template)]
    for ref in (tenant_b.report_id, tenant_b.tracking_code):
        for user in (*A_STAFF, None) if case.kind == "public" else A_STAFF:
            ids = {**tenant_b.ids(True), "report_id": ref}
            headers = {"X-Report-Receipt": tenant_b.receipt}
            real = stack.call(method, _path(template, A, ids), case.body, user=user, headers=headers)
            where = f"{user} {method} {template} with B's {ref}"
            assert real.status_code in (403, 404), f"{where}: {real.status_code} {real.body!r}"
            _assert_reveals_nothing(real, tenant_b, where)
            ghost_ids = {**tenant_b.ids(False), "report_id": GHOST_REPORT if ref == tenant_b.report_id else GHOST_CODE}
            ghost = stack.call(method, _path(template, A, ghost_ids), case.body, user=user, headers=headers)
            assert _answer(real) == _answer(ghost), where


PUBLIC = sorted(k for k, c in MATRIX.items() if c.kind == "public")


@pytest.mark.parametrize(("method", "template"), PUBLIC, ids=[f"{m} {p}" for m, p in PUBLIC])
def test_a_public_route_of_another_tenant_answers_a_token_as_it_answers_anyone(stack, tenant_b, method, template):
    path = _path(template, B, tenant_b.ids(True))
    anonymous = stack.call(method, path)
    for user in A_STAFF:
        assert _answer(stack.call(method, path, user=user)) == _answer(anonymous), f"{user} {method} {template}"
    _assert_reveals_nothing_private(anonymous, tenant_b)


def _assert_reveals_nothing_private(response: Any, b: TenantB) -> None:
    text = response.body.decode() if isinstance(response.body, bytes) else str(response.body)
    for secret in (b.receipt, "Rahasia kupang X7", b.api_key, b.staff_id):
        assert secret not in text


PERSONAL = sorted(k for k, c in MATRIX.items() if c.kind == "personal")


@pytest.mark.parametrize(("method", "template"), PERSONAL, ids=[f"{m} {p}" for m, p in PERSONAL])
def test_ones_own_items_in_another_tenant_never_include_its_peoples(stack, tenant_b, method, template):
    for user in A_STAFF:
        for headers in ({}, {"X-Report-Receipt": tenant_b.receipt}):
            response = stack.call(method, _path(template, B, tenant_b.ids(True)), user=user, headers=headers)
            where = f"{user} {method} {template} {headers}"
            if headers:  # a receipt belongs to the anonymous reporter: it is not a signed-in caller's
                assert response.status_code in (200, 403, 404), where
            else:
                assert response.status_code == 200, where
            if response.status_code == 200:
                assert response.json_body["items"] == [], where
            _assert_reveals_nothing(response, tenant_b, where)


PLATFORM = sorted(k for k, c in MATRIX.items() if c.kind == "platform")


@pytest.mark.parametrize(("method", "template"), PLATFORM, ids=[f"{m} {p}" for m, p in PLATFORM])
def test_platform_routes_are_closed_to_every_tenants_staff(stack, tenant_b, method, template):
    case = MATRIX[(method, template)]
    for user in (*A_STAFF, "admin.kupang"):
        response = stack.call(method, _path(template, B, tenant_b.ids(True)), case.body, user=user)
        assert response.status_code == 403, f"{user} {method} {template}: {response.status_code}"
        _assert_reveals_nothing(response, tenant_b, f"{user} {method} {template}")
    assert stack.call("GET", f"/v1/tenants/{B}").status_code == 200  # nothing was suspended or changed


def test_a_report_filed_in_another_tenant_by_a_tenants_staff_gives_them_no_desk_rights_there(stack, tenant_b):
    filed = stack.call("POST", f"/v1/tenants/{B}/reports", report_body(), user="admin.karo")
    assert filed.status_code == 201
    seen = stack.call("GET", f"/v1/tenants/{B}/reports/{tenant_b.report_id}", user="admin.karo")
    assert seen.status_code == 404  # B's confidential report stays hidden
    inbox = stack.call("GET", f"/v1/tenants/{B}/inbox", user="admin.karo")
    assert inbox.status_code == 403


def test_another_tenants_api_key_opens_nothing(stack, tenant_b):
    for path in (f"/v1/tenants/{A}/reports", f"/v1/tenants/{A}/reports/{tenant_b.report_id}", f"/v1/tenants/{A}"):
        response = stack.call("GET", path, headers={"X-Api-Key": tenant_b.api_key})
        assert response.status_code == 403 and response.json_body["code"] == "invalid_api_key"
        _assert_reveals_nothing(response, tenant_b, path)
    garbage = stack.call("GET", f"/v1/tenants/{A}/reports", headers={"X-Api-Key": "adn_karo_k1_nope"})
    assert _answer(garbage)[0] == 403  # an unknown key answers the same way


def test_another_tenants_cursor_pages_only_ones_own_tenant(stack, tenant_b):
    stack.call("POST", f"/v1/tenants/{A}/reports", report_body(location={"lat": 3.1, "lon": 98.5},
                                                             description="Laporan Karo"), user="warga.ani")
    response = stack.call("GET", f"/v1/tenants/{A}/reports?cursor={tenant_b.cursor}", user="admin.karo")
    assert response.status_code in (200, 400)
    _assert_reveals_nothing(response, tenant_b, "karo list with kupang's cursor")
    for item in (response.json_body.get("items") or []) if response.status_code == 200 else []:
        assert item["id"] not in tenant_b.secrets


def test_a_tenants_counts_never_include_another_tenants_reports(stack, tenant_b):
    usage = stack.call("GET", f"/v1/tenants/{A}/usage", user="admin.karo").json_body
    assert usage["counters"]["reports_created"] == 0
    listed = stack.call("GET", f"/v1/tenants/{A}/reports", user="admin.karo").json_body
    assert listed["items"] == []


OPEN311 = sorted(k for k, c in MATRIX.items() if c.kind == "open311")


def _open311_path(template: str, ref: str, fmt: str) -> str:
    return re.sub(r"\{\w+_file\}", f"{ref}.{fmt}", template.replace(".json", f".{fmt}").replace(".xml", f".{fmt}"))


@pytest.mark.parametrize(("method", "template"), OPEN311, ids=[f"{m} {p}" for m, p in OPEN311])
def test_open311_in_ones_own_jurisdiction_gives_nothing_of_another_tenant(stack, tenant_b, method, template):
    """A's jurisdiction with B's ids, codes, receipts and keys answers as it does for ids that exist nowhere;
    a token of A's staff adds nothing; nothing of B appears."""
    from urllib.parse import urlencode

    fmt = "xml" if template.endswith(".xml") else "json"
    for real_ref, ghost_ref in ((tenant_b.report_id, GHOST_REPORT), (tenant_b.tracking_code, GHOST_CODE)):
        answers = []
        for ref in (real_ref, ghost_ref):
            path = _open311_path(template, "garbage" if "services/" in template else ref, fmt)
            query = urlencode({"jurisdiction_id": A, "service_request_id": ref})
            body = urlencode({"jurisdiction_id": A, "api_key": tenant_b.api_key, "service_code": "garbage",
                              "lat": "3.1", "long": "98.5", "description": ref}).encode() if method == "POST" else b""
            for user in (None, *A_STAFF):
                response = stack.call(method, f"{path}?{query}", user=user, raw=body,
                                      headers={"Content-Type": "application/x-www-form-urlencoded",
                                               "X-Report-Receipt": tenant_b.receipt})
                where = f"{user} {method} {template} with {ref}"
                assert response.status_code in (200, 403, 404), where
                assert not response.headers["content-type"].startswith("application/problem+json"), where
                text = response.body.decode() if isinstance(response.body, bytes) else str(response.body)
                for secret in tenant_b.secrets:
                    if secret != ref:  # the id asked for may be echoed by nothing but the caller's own path
                        assert secret not in text, f"{where} reveals {secret!r}"
                answers.append((response.status_code, text.replace(ref, "<ref>")))
        assert len(set(answers)) == 1, f"{method} {template}: B's ids answer differently from ids that do not exist"


def test_open311_in_another_tenants_jurisdiction_shows_only_what_it_shows_everyone(stack, tenant_b):
    for fmt in ("json", "xml"):
        listed = stack.call("GET", f"/open311/v2/requests.{fmt}?jurisdiction_id={B}")
        assert listed.status_code == 200
        for user in A_STAFF:
            again = stack.call("GET", f"/open311/v2/requests.{fmt}?jurisdiction_id={B}", user=user)
            assert (again.status_code, again.body) == (listed.status_code, listed.body)
        _assert_reveals_nothing_private(listed, tenant_b)
        text = listed.body.decode()
        assert tenant_b.report_id not in text and tenant_b.tracking_code not in text  # confidential: never listed
        one = stack.call("GET", f"/open311/v2/requests/{tenant_b.report_id}.{fmt}?jurisdiction_id={B}",
                         user="admin.karo")
        ghost = stack.call("GET", f"/open311/v2/requests/{GHOST_REPORT}.{fmt}?jurisdiction_id={B}",
                           user="admin.karo")
        assert one.status_code == 404 and (one.status_code, one.body) == (ghost.status_code, ghost.body)
    karo_key = stack.call("POST", f"/v1/tenants/{A}/api-keys", {"name": "Karo app"}, user="admin.karo").json_body["key"]
    from urllib.parse import urlencode

    filed = stack.call("POST", "/open311/v2/requests.json", raw=urlencode({
        "jurisdiction_id": B, "api_key": karo_key, "service_code": "garbage", "lat": "-10.1772",
        "long": "123.607"}).encode(), headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert filed.status_code == 403  # A's key files nothing in B
