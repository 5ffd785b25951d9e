"""Bad input gets a clear problem+json answer, the right status, and changes nothing."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from tests.integration.conftest import report_body

REPORTS = "/v1/tenants/kupang/reports"


def _problem(response, status, code):
    assert response.status_code == status, response.body
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json_body
    assert body["status"] == status and body["code"] == code
    assert body["title"] and body["detail"]
    return body


def _nothing_was_created(stack):
    assert stack.call("GET", REPORTS).json_body["items"] == []
    assert stack.call("GET", "/v1/tenants/kupang/me/reports", user="warga.ani").json_body["items"] == []


def test_malformed_json_is_a_400(stack):
    _problem(stack.call("POST", REPORTS, raw=b'{"category": "garbage",'), 400, "malformed_json")
    _problem(stack.call("POST", REPORTS, raw=b'{"location": {"lat": NaN, "lon": 1}}'), 400, "malformed_json")
    _problem(stack.call("POST", REPORTS, raw=b"\xff\xfe"), 400, "malformed_json")
    _nothing_was_created(stack)


@pytest.mark.parametrize("body, field", [
    ({"category": 7}, "category"),
    ({"description": ["a"]}, "description"),
    ({"location": {"lat": "-10.1", "lon": 123.6}}, "location.lat"),
    ({"location": [123.6, -10.1]}, "location"),
    ({"location": {"lat": -100, "lon": 123.6}}, "location.lat"),
    ({"privacy": "secret"}, "privacy"),
    ({"description": "   "}, "description"),
    ({"colour": "red"}, "colour"),
])
def test_wrong_types_and_values_are_422_with_the_field_named(stack, body, field):
    problem = _problem(stack.call("POST", REPORTS, report_body(**body), user="warga.ani"), 422, "validation_failed")
    assert field in [e["field"] for e in problem["errors"]]
    _nothing_was_created(stack)


def test_missing_fields_are_each_listed(stack):
    problem = _problem(stack.call("POST", REPORTS, {}), 422, "validation_failed")
    assert {e["field"] for e in problem["errors"]} == {"category", "description", "location"}
    assert all(e["code"] == "missing" for e in problem["errors"])


def test_a_body_that_is_not_an_object_is_a_422(stack):
    _problem(stack.call("POST", REPORTS, [report_body()]), 422, "validation_failed")
    _problem(stack.call("POST", REPORTS, raw=b'"garbage"'), 422, "validation_failed")


def test_a_description_over_4000_characters_is_a_422(stack):
    problem = _problem(stack.call("POST", REPORTS, report_body(description="x" * 4001)), 422, "validation_failed")
    assert problem["errors"][0]["field"] == "description"
    assert stack.call("POST", REPORTS, report_body(description="x" * 4000)).status_code == 201


def test_an_unknown_category_in_a_body_is_a_422(stack):
    _problem(stack.call("POST", REPORTS, report_body(category="unicorns")), 422, "unknown_category")
    _nothing_was_created(stack)


def test_a_location_outside_the_service_area_is_a_422(stack):
    jakarta = {"lat": -6.2, "lon": 106.8}
    _problem(stack.call("POST", REPORTS, report_body(location=jakarta)), 422, "outside_service_area")
    _nothing_was_created(stack)


def test_a_body_over_one_megabyte_is_a_413(stack):
    huge = json.dumps(report_body(address="x" * (1024 * 1024))).encode()
    _problem(stack.call("POST", REPORTS, raw=huge), 413, "payload_too_large")


def test_a_body_that_is_not_json_is_a_415(stack):
    response = stack.call("POST", REPORTS, raw=b"category=garbage",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    _problem(response, 415, "unsupported_media_type")


def test_a_report_for_an_unknown_tenant_or_report_is_a_404(stack):
    unknown = _problem(stack.call("POST", "/v1/tenants/atlantis/reports", report_body()), 404, "tenant_not_found")
    assert unknown["instance"] == "/v1/tenants/atlantis/reports"
    _problem(stack.call("GET", f"{REPORTS}/01JZZZZZZZZZZZZZZZZZZZZZZZ"), 404, "report_not_found")
    _problem(stack.call("GET", f"{REPORTS}/..%2F..%2Fetc"), 404, "report_not_found")


def test_problems_speak_english_when_asked_and_indonesian_by_default(stack):
    default = stack.call("POST", REPORTS, report_body(category="unicorns")).json_body
    english = stack.call("POST", REPORTS, report_body(category="unicorns"),
                         headers={"Accept-Language": "en-US,en;q=0.9,id;q=0.5"})
    assert default["title"] == "Kategori tidak dikenal"
    assert english.json_body["title"] == "Unknown category"
    assert english.headers["content-language"] == "en"
    fields = stack.call("POST", REPORTS, {}, headers={"Accept-Language": "en"}).json_body["errors"]
    assert fields[0]["message"] == "This field is required."


def test_a_method_the_route_does_not_have_is_a_405_problem(stack):
    response = stack.call("DELETE", "/v1/health")
    _problem(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "GET"


@pytest.mark.parametrize("limit", ["²", "١٠", "0", "101", "-1", "ten"])
def test_a_page_size_that_is_not_1_to_100_in_plain_digits_is_a_400(stack, limit):
    """Unicode "digits" included: a superscript two is a digit to Python but not a number to int()."""
    response = stack.call("GET", f"{REPORTS}?limit={quote(limit)}")
    assert response.status_code == 400, response.body
    assert response.headers["content-type"].startswith("application/problem+json")
