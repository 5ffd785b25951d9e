"""Submitting reports: who gets what back, and what a report looks like."""

from __future__ import annotations

import re

from tests.integration.conftest import report_body

REPORTS = "/v1/tenants/kupang/reports"


def test_anyone_can_check_the_service_is_up(stack):
    response = stack.call("GET", "/v1/health")
    assert response.status_code == 200
    assert response.json_body == {"status": "ok"}


def test_a_tenant_profile_tells_a_client_how_to_sign_in(stack):
    profile = stack.call("GET", "/v1/tenants/kupang").json_body
    assert profile["code"] == "kupang"
    assert profile["name"] == "Kota Kupang"
    assert profile["timezone"] == "Asia/Makassar"
    assert profile["service_area"]["type"] == "Polygon"
    auth = profile["auth"]
    assert auth["user_pool_id"] == stack.resources.user_pool_id
    assert auth["client_id"] == stack.resources.user_pool_client_id
    assert auth["issuer"].endswith("/" + stack.resources.user_pool_id)
    assert auth["region"] == "ap-southeast-3"


def test_an_unknown_tenant_is_a_404_problem(stack):
    response = stack.call("GET", "/v1/tenants/atlantis")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json_body["code"] == "tenant_not_found"
    assert stack.call("GET", "/v1/tenants/NOT a code!/categories").status_code == 404


def test_categories_name_the_tenants_own_unit_in_two_languages(stack):
    categories = {c["code"]: c for c in stack.call("GET", "/v1/tenants/kupang/categories").json_body}
    assert len(categories) == 25
    garbage = categories["garbage"]
    assert garbage["name"] == {"id": "Sampah dan kebersihan", "en": "Garbage and cleanliness"}
    assert garbage["agency"] == {"code": "DLH", "name": "Dinas Lingkungan Hidup Kota Kupang"}
    assert garbage["sensitive"] is False
    assert categories["misconduct"]["sensitive"] is True
    assert categories["misconduct"]["agency"]["code"] == "INSPEKTORAT"


def test_a_signed_in_citizen_gets_a_tracking_code_and_no_receipt(stack):
    response = stack.call("POST", REPORTS, report_body(), user="warga.ani")
    assert response.status_code == 201
    report = response.json_body
    assert re.fullmatch(r"KPG-[0-9A-HJKMNP-TV-Z]{6}", report["tracking_code"])
    assert report["status"] == "submitted"
    assert report["privacy"] == "public"
    assert report["category"] == "garbage"
    assert report["agency"] == "DLH"
    assert report["location"] == {"lat": -10.1772, "lon": 123.607}
    assert report["address"] == "Jl. Ahmad Yani, Oeba"
    assert report["photos"] == []
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", report["created_at"])
    assert report["updated_at"] == report["created_at"]
    assert "receipt" not in report
    assert response.headers["location"] == f"{REPORTS}/{report['id']}"


def test_an_anonymous_reporter_gets_a_receipt_once_and_it_opens_the_full_view(stack):
    created = stack.call("POST", REPORTS, report_body()).json_body
    receipt = created["receipt"]
    assert len(receipt) >= 24
    path = f"{REPORTS}/{created['id']}"
    mine = stack.call("GET", path, headers={"X-Report-Receipt": receipt}).json_body
    assert mine["view"] == "full"
    assert "receipt" not in mine
    assert stack.call("GET", path).json_body["view"] == "public"
    assert stack.call("GET", path, headers={"X-Report-Receipt": receipt + "x"}).json_body["view"] == "public"


def test_a_report_can_be_found_by_its_tracking_code(stack):
    created = stack.call("POST", REPORTS, report_body(), user="warga.ani").json_body
    code = created["tracking_code"]
    found = stack.call("GET", f"{REPORTS}/{code.lower()}")
    assert found.status_code == 200
    assert found.json_body["id"] == created["id"]
    assert stack.call("GET", f"{REPORTS}/KPG-0000000").status_code == 404


def test_a_sensitive_category_is_confidential_whatever_the_client_asked(stack):
    body = report_body(category="misconduct", description="Pungli di kantor kelurahan", privacy="public")
    report = stack.call("POST", REPORTS, body).json_body
    assert report["privacy"] == "confidential"
    assert report["agency"] == "INSPEKTORAT"


def test_tracking_codes_are_unique_within_a_tenant(stack):
    codes = {stack.call("POST", REPORTS, report_body()).json_body["tracking_code"] for _ in range(15)}
    assert len(codes) == 15


def test_each_tenant_uses_its_own_prefix(stack):
    body = report_body(location={"lat": 3.1003, "lon": 98.4917}, category="agriculture")
    report = stack.call("POST", "/v1/tenants/karo/reports", body).json_body
    assert report["tracking_code"].startswith("KRO-")
    assert report["tenant"] == "karo"
