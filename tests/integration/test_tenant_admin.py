"""Bringing a pemda on and running it: onboarding, suspension, units, staff, API keys and the audit log."""

from __future__ import annotations

import copy
import json

from tests.integration.conftest import report_body

# Kabupaten Karo again, as a new tenant "tanahkaro": a rough outline around Kabanjahe (lat 3.10, lon 98.49).
AREA = {"type": "Polygon", "coordinates": [[[98.3, 2.9], [98.7, 2.9], [98.7, 3.3], [98.3, 3.3], [98.3, 2.9]]]}
DOCUMENT = {
    "code": "tanahkaro",
    "names": {"id": "Pemerintah Kabupaten Tanah Karo", "en": "Tanah Karo Regency Government"},
    "timezone": "Asia/Jakarta",
    "code_prefix": "TKR",
    "service_area": AREA,
    "calendar": {"holidays_added": ["2027-02-02"]},
    "units": [{"code": "DLH-TKR", "name": "Dinas Lingkungan Hidup Tanah Karo", "type": "DLH"},
              {"code": "INSP-TKR", "name": "Inspektorat Tanah Karo", "type": "INSPEKTORAT"},
              {"code": "DISTAN-TKR", "name": "Dinas Pertanian Tanah Karo", "type": "DISTAN"}],
    "categories": {"garbage": {"unit": "DLH-TKR"}, "agriculture": {"unit": "DISTAN-TKR"},
                   "congestion": {"enabled": False}},
    "limits": {"anonymous_reports_per_hour": 50},
    "admin": {"username": "admin.tanahkaro", "email": "kominfo@tanahkaro.example", "name": "Admin Tanah Karo"},
}
INSIDE = {"lat": 3.10, "lon": 98.49}


def _onboard(stack, document=None):
    response = stack.call("POST", "/v1/tenants", document or DOCUMENT, user="admin.platform")
    assert response.status_code == 201, response.json_body
    return response.json_body


def _new_admin(stack, created):
    stack.sign_in_new(created["admin"]["username"], created["admin"]["temporary_password"])
    return created["admin"]["username"]


def test_a_platform_admin_onboards_a_pemda_whose_admin_can_sign_in_and_work(stack):
    created = _onboard(stack)
    assert created["tenant"]["code"] == "tanahkaro" and created["tenant"]["status"] == "active"
    assert {u["code"] for u in created["tenant"]["units"]} == {"DLH-TKR", "INSP-TKR", "DISTAN-TKR"}
    admin = _new_admin(stack, created)
    profile = stack.call("GET", "/v1/tenants/tanahkaro").json_body
    assert profile["name"] == "Pemerintah Kabupaten Tanah Karo" and profile["tracking_code_prefix"] == "TKR"
    categories = {c["code"] for c in stack.call("GET", "/v1/tenants/tanahkaro/categories").json_body}
    assert "congestion" not in categories and "garbage" in categories
    report = stack.call("POST", "/v1/tenants/tanahkaro/reports", report_body(location=INSIDE), user="warga.ani")
    assert report.status_code == 201 and report.json_body["agency"] == "DLH-TKR"
    assert report.json_body["tracking_code"].startswith("TKR-")
    switched_off = stack.call("POST", "/v1/tenants/tanahkaro/reports",
                              report_body(location=INSIDE, category="congestion"), user="warga.ani")
    assert switched_off.status_code == 422 and switched_off.json_body["code"] == "unknown_category"
    assert stack.call("GET", "/v1/tenants/tanahkaro/inbox", user=admin).status_code == 200
    policy = stack.call("GET", "/v1/tenants/tanahkaro/sla-policy", user=admin).json_body
    assert "2027-02-02" in policy["calendar"]["holidays_added"]
    # Only the platform admin onboards; the new tenant's admin is no platform admin.
    assert stack.call("POST", "/v1/tenants", {**DOCUMENT, "code": "lain"}, user=admin).status_code == 403


def test_a_second_onboarding_with_the_same_code_is_a_409_and_overwrites_nothing(stack):
    _onboard(stack)
    again = stack.call("POST", "/v1/tenants", {**DOCUMENT, "names": {"id": "Penimpa"},
                                               "admin": {"username": "admin.lain"}}, user="admin.platform")
    assert again.status_code == 409 and again.json_body["code"] == "tenant_exists"
    assert stack.call("GET", "/v1/tenants/tanahkaro").json_body["name"] == "Pemerintah Kabupaten Tanah Karo"
    existing = stack.call("POST", "/v1/tenants", {**DOCUMENT, "code": "kupang", "admin": {"username": "admin.x"}},
                          user="admin.platform")
    assert existing.status_code == 409
    assert stack.call("GET", "/v1/tenants/kupang").json_body["name"] == "Kota Kupang"


def test_a_bad_onboarding_document_lists_every_problem_with_its_path_and_creates_nothing(stack):
    bad = copy.deepcopy(DOCUMENT)
    bad.update(timezone="Europe/Berlin", code="Bad Code")
    bad["units"][1]["type"] = "POLICE"
    bad["categories"]["misconduct"] = {"unit": "DLH-TKR"}
    bad["service_area"] = {"type": "Polygon", "coordinates": [[[98.3, 2.9], [98.7, 2.9], [98.3, 2.9]]]}
    bad["escalation"] = [{"level": 1, "audience": "the_moon", "after": {"working_days": 0}}]
    response = stack.call("POST", "/v1/tenants", bad, user="admin.platform", headers={"Accept-Language": "en"})
    assert response.status_code == 422 and response.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"] for e in response.json_body["errors"]}
    assert {"code", "timezone", "units.1.type", "categories.misconduct.unit", "service_area.coordinates",
            "escalation.0.audience"} <= fields, fields
    listed = [t["code"] for t in stack.call("GET", "/v1/tenants", user="admin.platform").json_body["items"]]
    assert "tanahkaro" not in listed and "Bad Code" not in listed


def test_a_suspended_tenant_answers_403_everywhere_keeps_its_data_and_comes_back(stack):
    report = stack.call("POST", "/v1/tenants/kupang/reports", report_body(), user="warga.ani").json_body
    suspended = stack.call("POST", "/v1/tenants/kupang/suspend", {"reason": "Tagihan belum dibayar"},
                           user="admin.platform")
    assert suspended.status_code == 200 and suspended.json_body["status"] == "suspended"
    for method, path, user in (("GET", "/v1/tenants/kupang", None), ("GET", "/v1/tenants/kupang/reports", None),
                               ("GET", f"/v1/tenants/kupang/reports/{report['id']}", "warga.ani"),
                               ("POST", "/v1/tenants/kupang/reports", "warga.ani"),
                               ("GET", "/v1/tenants/kupang/inbox", "admin.kupang"),
                               ("GET", "/v1/tenants/kupang/staff", "admin.kupang")):
        body = report_body() if method == "POST" else None
        response = stack.call(method, path, body, user=user)
        assert response.status_code == 403 and response.json_body["code"] == "tenant_suspended", path
    assert stack.call("GET", "/v1/tenants/karo").status_code == 200  # others are untouched
    assert stack.call("POST", "/v1/tenants/kupang/resume", user="admin.kupang").status_code == 403
    resumed = stack.call("POST", "/v1/tenants/kupang/resume", user="admin.platform")
    assert resumed.status_code == 200 and resumed.json_body["status"] == "active"
    again = stack.call("GET", f"/v1/tenants/kupang/reports/{report['id']}", user="warga.ani")
    assert again.status_code == 200 and again.json_body["id"] == report["id"]
    actions = [e["action"] for e in stack.call("GET", "/v1/tenants/kupang/audit", user="admin.kupang")
               .json_body["items"]]
    assert actions[:2] == ["tenant.resume", "tenant.suspend"]


def test_patch_changes_only_what_it_sends(stack):
    response = stack.call("PATCH", "/v1/tenants/karo", {"names": {"id": "Kabupaten Karo (baru)"},
                                                       "limits": {"anonymous_reports_per_hour": 10}},
                          user="admin.platform")
    assert response.status_code == 200, response.json_body
    assert response.json_body["names"]["id"] == "Kabupaten Karo (baru)"
    assert response.json_body["timezone"] == "Asia/Jakarta" and response.json_body["limits"] == {
        "anonymous_reports_per_hour": 10}
    assert stack.call("PATCH", "/v1/tenants/karo", {"code": "other"}, user="admin.platform").status_code == 422
    assert stack.call("PATCH", "/v1/tenants/karo", {"timezone": "Asia/Makassar"}, user="admin.karo").status_code == 403


def test_a_tenant_admin_manages_units_but_never_removes_one_still_in_use(stack):
    units = stack.call("GET", "/v1/tenants/langkat/units", user="admin.langkat").json_body["units"]
    added = [*units, {"code": "UPT-DLH-STABAT", "name": "UPT Kebersihan Stabat", "type": "DLH"}]
    response = stack.call("PUT", "/v1/tenants/langkat/units", {"units": added}, user="admin.langkat")
    assert response.status_code == 200, response.json_body
    assert "UPT-DLH-STABAT" in {u["code"] for u in response.json_body["units"]}
    primary = {u["type"]: u["code"] for u in response.json_body["units"] if u["primary"]}
    assert primary["DLH"] == "DLH"  # the first DLH unit stays the default one
    without_dlh = [u for u in added if u["code"] != "DLH"]  # petugas.langkat.dlh still works there
    refused = stack.call("PUT", "/v1/tenants/langkat/units", {"units": without_dlh}, user="admin.langkat")
    assert refused.status_code == 422 and refused.json_body["errors"][0]["code"] == "unit_in_use"
    assert stack.call("PUT", "/v1/tenants/langkat/units", {"units": added}, user="petugas.langkat.dlh"
                      ).status_code == 403
    entry = stack.call("GET", "/v1/tenants/langkat/audit", user="admin.langkat").json_body["items"][0]
    assert entry["action"] == "tenant.update" and entry["actor"]["role"] == "tenant_admin"
    assert "UPT-DLH-STABAT" in json.dumps(entry["after"]) and "UPT-DLH-STABAT" not in json.dumps(entry["before"])


def test_a_tenant_admin_creates_an_officer_who_can_be_assigned_and_disabled(stack):
    response = stack.call("POST", "/v1/tenants/kupang/staff", {"username": "petugas.kupang.baru", "role": "officer",
                                                               "agency": "DLH", "name": "Yohanes"},
                          user="admin.kupang")
    assert response.status_code == 201, response.json_body
    officer = response.json_body
    stack.sign_in_new("petugas.kupang.baru", officer["temporary_password"])
    listed = stack.call("GET", "/v1/tenants/kupang/staff?agency=DLH&role=officer", user="supervisor.kupang").json_body
    assert {"petugas.kupang.baru", "petugas.kupang.dlh"} <= {p["username"] for p in listed["items"]}
    assert all("temporary_password" not in p for p in listed["items"])
    report = stack.call("POST", "/v1/tenants/kupang/reports", report_body(), user="warga.ani").json_body
    path = f"/v1/tenants/kupang/reports/{report['id']}/transitions"
    assert stack.call("POST", path, {"action": "verify"}, user="admin.kupang").status_code == 200
    assigned = stack.call("POST", path, {"action": "assign", "assignee": officer["id"]}, user="supervisor.kupang")
    assert assigned.status_code == 200 and assigned.json_body["assignee"] == officer["id"]
    assert stack.call("POST", path, {"action": "acknowledge"}, user="petugas.kupang.baru").status_code == 200
    disabled = stack.call("DELETE", f"/v1/tenants/kupang/staff/{officer['id']}", user="admin.kupang")
    assert disabled.status_code == 200 and disabled.json_body["status"] == "disabled"
    # The token issued before is refused, and the history still names the officer.
    assert stack.call("GET", "/v1/tenants/kupang/inbox", user="petugas.kupang.baru").status_code == 401
    history = stack.call("GET", f"/v1/tenants/kupang/reports/{report['id']}/history", user="admin.kupang").json_body
    assert officer["id"] in [e["actor"]["id"] for e in history["items"]]
    again = stack.call("POST", path, {"action": "assign", "assignee": officer["id"]}, user="supervisor.kupang")
    assert again.status_code == 422
    audit = stack.call("GET", "/v1/tenants/kupang/audit", user="admin.kupang").json_body["items"]
    assert [e["action"] for e in audit[:2]] == ["staff.disable", "staff.create"]
    assert officer["temporary_password"] not in json.dumps(audit)


def test_staff_of_another_tenant_cannot_manage_or_list_staff(stack):
    assert stack.call("GET", "/v1/tenants/kupang/staff", user="admin.karo").status_code == 403
    created = stack.call("POST", "/v1/tenants/kupang/staff", {"username": "x.y.z", "role": "officer",
                                                              "agency": "DLH"}, user="admin.karo")
    assert created.status_code == 403
    karo_officer = stack.sub("petugas.karo.dlh")
    assert stack.call("DELETE", f"/v1/tenants/kupang/staff/{karo_officer}", user="admin.kupang").status_code == 404
    assert stack.call("GET", "/v1/tenants/karo/staff", user="admin.karo").status_code == 200


def test_an_api_key_is_shown_once_kept_as_a_hash_and_revocable(stack):
    created = stack.call("POST", "/v1/tenants/kupang/api-keys", {"name": "Aplikasi Kupang"}, user="admin.kupang")
    assert created.status_code == 201, created.json_body
    key = created.json_body["key"]
    listed = stack.call("GET", "/v1/tenants/kupang/api-keys", user="admin.kupang").json_body["items"]
    assert key not in json.dumps(listed) and listed[0]["status"] == "active"
    ok = stack.call("GET", "/v1/tenants/kupang/reports", headers={"X-Api-Key": key})
    assert ok.status_code == 200
    elsewhere = stack.call("GET", "/v1/tenants/karo/reports", headers={"X-Api-Key": key})
    assert elsewhere.status_code == 403 and elsewhere.json_body["code"] == "invalid_api_key"
    forged = stack.call("GET", "/v1/tenants/kupang/reports", headers={"X-Api-Key": key[:-4] + "AAAA"})
    assert forged.status_code == 403
    revoked = stack.call("DELETE", f"/v1/tenants/kupang/api-keys/{created.json_body['id']}", user="admin.kupang")
    assert revoked.status_code == 200 and revoked.json_body["status"] == "revoked"
    assert stack.call("GET", "/v1/tenants/kupang/reports", headers={"X-Api-Key": key}).status_code == 403
    audit = json.dumps(stack.call("GET", "/v1/tenants/kupang/audit", user="admin.kupang").json_body)
    assert key not in audit and "api_key.revoke" in audit
