"""Open311 GeoReport v2: third-party apps read and file reports in the standard's XML and JSON."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.integration.conftest import KUPANG, report_body

V2 = "/open311/v2"
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def _key(stack: Any, tenant: str = "kupang", name: str = "Open311 bridge") -> dict[str, Any]:
    created = stack.call("POST", f"/v1/tenants/{tenant}/api-keys", {"name": name}, user=f"admin.{tenant}")
    assert created.status_code == 201, created.json_body
    return created.json_body


def _post(stack: Any, fields: list[tuple[str, str]] | dict[str, str], fmt: str = "json",
          headers: dict[str, str] | None = None) -> Any:
    return stack.call("POST", f"{V2}/requests.{fmt}", raw=urlencode(fields).encode(), headers={**FORM,
                                                                                                **(headers or {})})


def _form(key: str, **extra: str) -> dict[str, str]:
    fields = {"jurisdiction_id": "kupang", "api_key": key, "service_code": "garbage",
              "lat": str(KUPANG["lat"]), "long": str(KUPANG["lon"]),
              "description": "Sampah menumpuk di pasar Oeba", "address_string": "Jl. Ahmad Yani, Oeba"}
    fields.update(extra)
    return fields


def _xml(response: Any) -> ET.Element:
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    text = response.body.decode("utf-8") if isinstance(response.body, bytes) else response.body
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(text.encode("utf-8"))  # noqa: S314 - our own output, parsed to check its shape


def _json(response: Any) -> Any:
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    return response.json_body


def _errors_json(response: Any, status: int) -> list[dict[str, Any]]:
    assert response.status_code == status, response.body
    body = _json(response)
    assert isinstance(body, list) and body and all(e["code"] == status and e["description"] for e in body)
    return body


def _errors_xml(response: Any, status: int) -> ET.Element:
    assert response.status_code == status, response.body
    root = _xml(response)
    assert root.tag == "errors" and root.findall("error")
    assert all(e.findtext("code") == str(status) and e.findtext("description") for e in root.findall("error"))
    return root


# -- discovery and services ------------------------------------------------------------------

def test_discovery_lists_the_endpoint_in_both_formats(stack):
    body = _json(stack.call("GET", f"{V2}/discovery.json"))
    assert body["changeset"] and body["contact"] and body["key_service"]
    endpoint, = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and endpoint["type"] in ("production", "test")
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    root = _xml(stack.call("GET", f"{V2}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]
    assert root.findtext("endpoints/endpoint/specification") == "http://wiki.open311.org/GeoReport_v2"


def test_services_are_the_tenants_enabled_categories_with_their_groups(stack):
    off = stack.call("PUT", "/v1/tenants/kupang/categories", {"categories": {"crime": {"enabled": False}}},
                     user="admin.kupang")
    assert off.status_code == 200, off.json_body
    services = _json(stack.call("GET", f"{V2}/services.json?jurisdiction_id=kupang"))
    codes = {s["service_code"] for s in services}
    assert "garbage" in codes and "crime" not in codes
    road = next(s for s in services if s["service_code"] == "road_damage")
    assert road == {**road, "service_name": "Jalan rusak atau berlubang", "metadata": True, "type": "realtime",
                    "group": "Jalan dan prasarana"}
    assert next(s for s in services if s["service_code"] == "congestion")["metadata"] is False
    english = _json(stack.call("GET", f"{V2}/services.json?jurisdiction_id=kupang",
                               headers={"Accept-Language": "en"}))
    assert next(s for s in english if s["service_code"] == "road_damage")["group"] == "Roads and infrastructure"
    root = _xml(stack.call("GET", f"{V2}/services.xml?jurisdiction_id=kupang"))
    assert root.tag == "services"
    xml_road = next(s for s in root.findall("service") if s.findtext("service_code") == "road_damage")
    assert xml_road.findtext("metadata") == "true" and xml_road.findtext("type") == "realtime"
    assert len(root.findall("service")) == len(services)


def test_a_service_definition_lists_the_categorys_questions(stack):
    body = _json(stack.call("GET", f"{V2}/services/fire.json?jurisdiction_id=kupang"))
    assert body["service_code"] == "fire"
    notice, trapped = body["attributes"]
    assert notice["variable"] is False and notice["order"] == 1
    assert trapped == {**trapped, "variable": True, "code": "people_trapped", "datatype": "singlevaluelist",
                       "required": True, "order": 2}
    assert {v["key"] for v in trapped["values"]} == {"yes", "no"}
    root = _xml(stack.call("GET", f"{V2}/services/fire.xml?jurisdiction_id=kupang"))
    assert root.tag == "service_definition" and root.findtext("service_code") == "fire"
    keys = [v.findtext("key") for v in root.findall("attributes/attribute/values/value")]
    assert keys == ["yes", "no"]
    plain = _json(stack.call("GET", f"{V2}/services/congestion.json?jurisdiction_id=kupang"))
    assert plain == {"service_code": "congestion", "attributes": []}


def test_unknown_or_missing_jurisdictions_and_services_are_open311_errors(stack):
    _errors_json(stack.call("GET", f"{V2}/services.json"), 400)
    _errors_xml(stack.call("GET", f"{V2}/services.xml"), 400)
    _errors_json(stack.call("GET", f"{V2}/services.json?jurisdiction_id=atlantis"), 404)
    _errors_xml(stack.call("GET", f"{V2}/services.xml?jurisdiction_id=Not%20A%20Code"), 404)
    _errors_json(stack.call("GET", f"{V2}/services/unicorns.json?jurisdiction_id=kupang"), 404)
    _errors_xml(stack.call("GET", f"{V2}/services/unicorns.xml?jurisdiction_id=kupang"), 404)
    _errors_xml(stack.call("GET", f"{V2}/services/garbage.html?jurisdiction_id=kupang"), 404)
    _errors_json(stack.call("GET", f"{V2}/requests/01JZZZZZZZZZZZZZZZZZZZZZZZ.json?jurisdiction_id=kupang"), 404)
    _errors_json(stack.call("GET", f"{V2}/tokens/KPG-ZZZZZZ.json?jurisdiction_id=kupang"), 404)
    english = _errors_json(stack.call("GET", f"{V2}/services.json", headers={"Accept-Language": "en"}), 400)
    assert "jurisdiction_id is required" in english[0]["description"]


def test_a_wrong_method_is_a_400_in_the_open311_shape_of_the_format_asked_for(stack):
    wrong = _errors_json(stack.call("DELETE", f"{V2}/requests.json"), 400)
    assert wrong[0]["description"]
    assert stack.call("DELETE", f"{V2}/requests.json").headers["allow"] == "GET, POST"
    _errors_json(stack.call("PUT", f"{V2}/requests/01JZZZZZZZZZZZZZZZZZZZZZZZ.json"), 400)
    _errors_xml(stack.call("POST", f"{V2}/services.xml"), 400)


# -- POST requests ---------------------------------------------------------------------------

def test_a_client_app_files_a_report_that_follows_the_native_workflow(stack):
    key = _key(stack)
    created = _post(stack, _form(key["key"], email="ani@example.id", first_name="Ani", phone="0812000111",
                                 media_url="https://example.id/foto.jpg"))
    assert created.status_code == 201, created.body
    answer, = _json(created)
    assert set(answer) == {"service_request_id", "service_notice"} and "token" not in answer
    report_id = answer["service_request_id"]
    native = stack.call("GET", f"/v1/tenants/kupang/reports/{report_id}", user="admin.kupang").json_body
    assert native["status"] == "submitted" and native["stage"] == "verification" and native["due_at"]
    assert native["agency"] == "DLH" and native["category"] == "garbage"
    assert answer["service_notice"].endswith(f"{native['tracking_code']}.")
    # Kept for the desk, never published: contact details and the client's own media URL.
    assert native["contact"] == {"email": "ani@example.id", "first_name": "Ani", "phone": "0812000111"}
    assert native["external_media_url"] == "https://example.id/foto.jpg"
    public = stack.call("GET", f"/v1/tenants/kupang/reports/{report_id}")
    for secret in ("ani@example.id", "0812000111", "example.id/foto"):
        assert secret not in public.body.decode()
        assert secret not in stack.call("GET", f"{V2}/requests/{report_id}.xml?jurisdiction_id=kupang").body.decode()
    usage = stack.call("GET", "/v1/tenants/kupang/usage", user="admin.kupang").json_body["counters"]
    assert usage["reports_created"] == 1 and usage["api_requests"] == 1


def test_posting_in_xml_answers_in_xml(stack):
    key = _key(stack)
    created = _post(stack, _form(key["key"]), fmt="xml")
    assert created.status_code == 201
    root = _xml(created)
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") and root.find("request/token") is None


def test_a_retry_never_files_twice(stack):
    key = _key(stack)
    first = _json(_post(stack, _form(key["key"])))
    again = _json(_post(stack, _form(key["key"])))  # no Idempotency-Key: the same form is the same request
    assert first == again
    keyed = _json(_post(stack, _form(key["key"], description="Lain"), headers={"Idempotency-Key": "o311-1"}))
    replay = _json(_post(stack, _form(key["key"], description="Lain"), headers={"Idempotency-Key": "o311-1"}))
    assert keyed == replay and keyed != first
    reused = _post(stack, _form(key["key"], description="Berbeda"), headers={"Idempotency-Key": "o311-1"})
    _errors_json(reused, 400)
    usage = stack.call("GET", "/v1/tenants/kupang/usage", user="admin.kupang").json_body["counters"]
    assert usage["reports_created"] == 2


def test_another_client_app_with_the_same_idempotency_key_files_its_own_report(stack):
    one, two = _key(stack, name="App satu"), _key(stack, name="App dua")
    first = _json(_post(stack, _form(one["key"]), headers={"Idempotency-Key": "shared"}))
    second = _json(_post(stack, _form(two["key"]), headers={"Idempotency-Key": "shared"}))
    assert first[0]["service_request_id"] != second[0]["service_request_id"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_api_key_missing_wrong_revoked_or_of_another_tenant_is_a_403(stack, fmt):
    key = _key(stack)
    karo = _key(stack, "karo")
    revoked = _key(stack, name="Dicabut")
    assert stack.call("DELETE", f"/v1/tenants/kupang/api-keys/{revoked['id']}", user="admin.kupang").status_code == 200
    check = _errors_json if fmt == "json" else _errors_xml
    without = _form(key["key"])
    del without["api_key"]
    check(_post(stack, without, fmt), 403)
    check(_post(stack, _form("adn_kupang_k1_nope"), fmt), 403)
    check(_post(stack, _form(key["key"][:-2] + "xx"), fmt), 403)
    check(_post(stack, _form(revoked["key"]), fmt), 403)
    check(_post(stack, _form(karo["key"]), fmt), 403)
    usage = stack.call("GET", "/v1/tenants/kupang/usage", user="admin.kupang").json_body["counters"]
    assert usage.get("reports_created", 0) == 0


def test_attributes_are_parsed_checked_and_kept(stack):
    key = _key(stack)
    fields = [*_form(key["key"], service_code="garbage").items(), ("attribute[waste_types][]", "market"),
              ("attribute[waste_types][]", "hazardous")]
    created = _post(stack, fields)
    assert created.status_code == 201, created.body
    report_id = _json(created)[0]["service_request_id"]
    native = stack.call("GET", f"/v1/tenants/kupang/reports/{report_id}", user="admin.kupang").json_body
    assert native["answers"] == {"waste_types": ["hazardous", "market"]}
    road = _form(key["key"], service_code="road_damage")
    missing = _errors_json(_post(stack, road), 400)
    assert any("attribute[size]" in e["description"] for e in missing)
    wrong = _errors_json(_post(stack, [*road.items(), ("attribute[size]", "huge"), ("attribute[colour]", "red")]), 400)
    assert len(wrong) == 2  # one error per bad attribute
    ok = _post(stack, [*road.items(), ("attribute[size]", "large"), ("attribute[blocks_traffic]", "yes")])
    assert ok.status_code == 201, ok.body
    two = _errors_json(_post(stack, [*road.items(), ("attribute[size]", "large"), ("attribute[size]", "small")]), 400)
    assert "attribute[size]" in two[0]["description"]


def test_bad_forms_are_400s_that_change_nothing(stack):
    key = _key(stack)["key"]
    cases = [
        _form(key, lat="-10.17", long=""),  # lat without long
        _form(key, lat="abc"),
        _form(key, lat="95"),
        {k: v for k, v in _form(key).items() if k not in ("lat", "long", "address_string")},  # no location
        _form(key, lat="-6.2", long="106.8"),  # Jakarta: outside Kupang
        _form(key, description="x" * 4001),
        _form(key, email="not-an-email"),
        _form(key, media_url="javascript:alert(1)"),
        {k: v for k, v in _form(key).items() if k != "service_code"},
    ]
    for fields in cases:
        _errors_json(_post(stack, fields), 400)
    _errors_json(_post(stack, _form(key, service_code="unicorns")), 404)
    _errors_json(_post(stack, [*_form(key).items(), ("service_code", "fire")]), 400)  # sent twice
    _errors_json(stack.call("POST", f"{V2}/requests.json", {"service_code": "garbage"}), 400)  # JSON, not a form
    _errors_xml(stack.call("POST", f"{V2}/requests.xml", raw=b"\xff\xfe=\xff", headers=FORM), 400)
    nojur = {k: v for k, v in _form(key).items() if k != "jurisdiction_id"}
    _errors_json(_post(stack, nojur), 400)
    _errors_json(_post(stack, _form(key, jurisdiction_id="atlantis")), 404)
    assert stack.call("GET", "/v1/tenants/kupang/reports").json_body["items"] == []


def test_the_jurisdiction_may_come_in_the_query_string(stack):
    key = _key(stack)["key"]
    fields = {k: v for k, v in _form(key).items() if k != "jurisdiction_id"}
    response = stack.call("POST", f"{V2}/requests.json?jurisdiction_id=kupang", raw=urlencode(fields).encode(),
                          headers=FORM)
    assert response.status_code == 201, response.body


def test_an_address_without_coordinates_is_placed_in_the_routing_area_it_names(stack):
    key = _key(stack)["key"]
    alak = {"type": "Polygon", "coordinates": [[[123.55, -10.2], [123.59, -10.2], [123.59, -10.15],
                                                [123.55, -10.15], [123.55, -10.2]]]}
    areas = {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": alak, "properties": {
        "code": "alak", "name": "Alak", "units": {"DLH": "UPT-DLH-ALAK"}}}]}
    assert stack.call("PUT", "/v1/tenants/kupang/areas", areas, user="admin.kupang").status_code == 200
    fields = {k: v for k, v in _form(key).items() if k not in ("lat", "long")}
    unknown = _post(stack, {**fields, "address_string": "Jl. Tak Dikenal 1"})
    _errors_json(unknown, 400)
    created = _post(stack, {**fields, "address_string": "Jl. Alak Raya no. 3, Kecamatan Alak"})
    assert created.status_code == 201, created.body
    report_id = _json(created)[0]["service_request_id"]
    native = stack.call("GET", f"/v1/tenants/kupang/reports/{report_id}", user="admin.kupang").json_body
    assert native["area"] == "alak" and native["agency"] == "UPT-DLH-ALAK"
    assert native["address"] == "Jl. Alak Raya no. 3, Kecamatan Alak"


def test_a_suspended_jurisdiction_files_nothing(stack):
    key = _key(stack)["key"]
    assert stack.call("POST", "/v1/tenants/kupang/suspend", {"reason": "uji"}, user="admin.platform").status_code == 200
    _errors_json(_post(stack, _form(key)), 403)
    _errors_json(stack.call("GET", f"{V2}/requests.json?jurisdiction_id=kupang"), 403)


# -- GET requests ----------------------------------------------------------------------------

def _seed(stack: Any) -> dict[str, Any]:
    reports = "/v1/tenants/kupang/reports"
    public = stack.call("POST", reports, report_body(description="Publik satu"), user="warga.ani").json_body
    road = stack.call("POST", reports, report_body(category="road_damage", description="Lubang besar",
                                                   answers={"size": "large"}), user="warga.budi").json_body
    anonymous = stack.call("POST", reports, report_body(privacy="anonymous", description="Anonim")).json_body
    secret = stack.call("POST", reports, report_body(privacy="confidential", description="Rahasia sekali"),
                        user="warga.ani").json_body
    misconduct = stack.call("POST", reports, report_body(category="misconduct", description="Pungli di loket"),
                            user="warga.budi").json_body
    return {"public": public, "road": road, "anonymous": anonymous, "secret": secret, "misconduct": misconduct}


def _ids(items: list[dict[str, Any]]) -> list[str]:
    return [i["service_request_id"] for i in items]


def test_the_request_list_shows_public_reports_newest_first_without_confidential_ones(stack):
    seeded = _seed(stack)
    items = _json(stack.call("GET", f"{V2}/requests.json?jurisdiction_id=kupang"))
    assert _ids(items) == [seeded["anonymous"]["id"], seeded["road"]["id"], seeded["public"]["id"]]
    first = items[-1]
    assert first == {**first, "status": "open", "service_code": "garbage", "service_name": "Sampah dan kebersihan",
                     "description": "Publik satu", "agency_responsible": "Dinas Lingkungan Hidup Kota Kupang",
                     "status_notes": "Diterima, menunggu verifikasi.", "address": "Jl. Ahmad Yani, Oeba",
                     "lat": KUPANG["lat"], "long": KUPANG["lon"],
                     "expected_datetime": seeded["public"]["due_at"],
                     "requested_datetime": seeded["public"]["created_at"]}
    root = _xml(stack.call("GET", f"{V2}/requests.xml?jurisdiction_id=kupang"))
    assert root.tag == "service_requests"
    assert [r.findtext("service_request_id") for r in root.findall("request")] == _ids(items)
    text = stack.call("GET", f"{V2}/requests.xml?jurisdiction_id=kupang").body.decode()
    for hidden in ("Rahasia sekali", "Pungli", seeded["secret"]["id"], seeded["misconduct"]["id"],
                   stack.sub("warga.ani"), stack.sub("warga.budi")):
        assert hidden not in text
    for name in ("secret", "misconduct"):
        _errors_json(stack.call("GET", f"{V2}/requests/{seeded[name]['id']}.json?jurisdiction_id=kupang"), 404)
        _errors_xml(stack.call("GET", f"{V2}/requests/{seeded[name]['tracking_code']}.xml?jurisdiction_id=kupang"),
                    404)


def test_one_request_by_id_or_tracking_code_in_both_formats(stack):
    seeded = _seed(stack)
    road = seeded["road"]
    by_id = _json(stack.call("GET", f"{V2}/requests/{road['id']}.json?jurisdiction_id=kupang"))
    by_code = _json(stack.call("GET", f"{V2}/requests/{road['tracking_code']}.json?jurisdiction_id=kupang"))
    assert by_id == by_code and len(by_id) == 1 and by_id[0]["service_code"] == "road_damage"
    root = _xml(stack.call("GET", f"{V2}/requests/{road['id']}.xml?jurisdiction_id=kupang"))
    assert root.tag == "service_requests" and root.findtext("request/status") == "open"
    assert root.findtext("request/agency_responsible").startswith("Dinas Pekerjaan Umum")
    # An anonymous report is listed, and nothing names its reporter (the format has no field for it).
    anonymous = _json(stack.call("GET", f"{V2}/requests/{seeded['anonymous']['id']}.json?jurisdiction_id=kupang"))
    assert seeded["anonymous"]["receipt"] not in str(anonymous)


def test_filters_by_id_code_status_and_date(stack):
    seeded = _seed(stack)
    base = f"{V2}/requests.json?jurisdiction_id=kupang"
    pub, road, anon = seeded["public"]["id"], seeded["road"]["id"], seeded["anonymous"]["id"]
    assert _ids(_json(stack.call("GET", f"{base}&service_code=road_damage"))) == [road]
    assert set(_ids(_json(stack.call("GET", f"{base}&service_code=road_damage,garbage")))) == {pub, road, anon}
    assert _json(stack.call("GET", f"{base}&service_code=fire,unicorns")) == []
    # service_request_id overrides every other filter; confidential ids and unknown ones are left out.
    query = f"{base}&service_request_id={road},{pub},{seeded['secret']['id']}&service_code=fire&status=closed"
    assert _ids(_json(stack.call("GET", query))) == [road, pub]
    assert _json(stack.call("GET", f"{base}&status=closed")) == []
    assert len(_json(stack.call("GET", f"{base}&status=open"))) == 3
    assert len(_json(stack.call("GET", f"{base}&status=open,closed&service_code="))) == 3  # empty = absent
    assert _json(stack.call("GET", f"{base}&start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z")) == []
    _errors_json(stack.call("GET", f"{base}&start_date=2020-01-01T00:00:00Z&end_date=2020-06-01T00:00:00Z"), 400)
    _errors_json(stack.call("GET", f"{base}&start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z"), 400)
    _errors_json(stack.call("GET", f"{base}&start_date=yesterday"), 400)
    _errors_json(stack.call("GET", f"{base}&status=pending"), 400)
    _errors_xml(stack.call("GET", f"{V2}/requests.xml?jurisdiction_id=kupang&service_code=DROP%20TABLE"), 400)


def test_the_date_window_defaults_to_the_last_90_days(stack, monkeypatch):
    from chalicelib import clock

    seeded = _seed(stack)
    base = f"{V2}/requests.json?jurisdiction_id=kupang"
    later = clock.parse_iso(seeded["public"]["created_at"]) + timedelta(days=90, minutes=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert _json(stack.call("GET", base)) == []  # 90 days and a minute on, the default window has moved past
    start = (later - timedelta(days=91)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert len(_json(stack.call("GET", f"{base}&start_date={start}"))) == 3  # start + 90 days still covers them
    assert len(_json(stack.call("GET", f"{base}&end_date={seeded['anonymous']['created_at']}"))) == 3


def test_at_most_1000_requests_are_returned(stack, monkeypatch):
    from chalicelib.domain import open311 as rules

    _seed(stack)
    monkeypatch.setattr(rules, "MAX_RESULTS", 2)
    assert len(_json(stack.call("GET", f"{V2}/requests.json?jurisdiction_id=kupang"))) == 2
    assert len(_json(stack.call("GET", f"{V2}/requests.json?jurisdiction_id=kupang&status=open"))) == 2


def test_the_workflow_maps_to_open_and_closed_with_notes(stack):
    seeded = _seed(stack)
    path = f"/v1/tenants/kupang/reports/{seeded['public']['id']}/transitions"
    assert stack.call("POST", path, {"action": "verify"}, user="admin.kupang").status_code == 200
    one = f"{V2}/requests/{seeded['public']['id']}.json?jurisdiction_id=kupang"
    dispatched, = _json(stack.call("GET", one))
    assert dispatched["status"] == "open" and "diteruskan" in dispatched["status_notes"]
    rejected = f"/v1/tenants/kupang/reports/{seeded['road']['id']}/transitions"
    assert stack.call("POST", rejected, {"action": "reject", "reason": "spam"}, user="admin.kupang").status_code == 200
    closed, = _json(stack.call("GET", f"{V2}/requests/{seeded['road']['id']}.json?jurisdiction_id=kupang",
                               headers={"Accept-Language": "en"}))
    assert closed["status"] == "closed" and closed["status_notes"] == "Rejected or handed to another body."
    assert closed["expected_datetime"] is None and closed["updated_datetime"]
    assert _ids(_json(stack.call("GET", f"{V2}/requests.json?jurisdiction_id=kupang&status=closed"))) == [
        seeded["road"]["id"]]
    assert seeded["road"]["id"] in _ids(_json(stack.call(
        "GET", f"{V2}/requests.json?jurisdiction_id=kupang&status=closed&service_code=road_damage")))
    # Many codes with one state: one query per code, the other state filtered out.
    many = "garbage,road_damage,fire,street_light"
    query = f"{V2}/requests.json?jurisdiction_id=kupang&status=open&service_code={many}"
    assert _ids(_json(stack.call("GET", query))) == [seeded["anonymous"]["id"], seeded["public"]["id"]]


def test_a_token_is_a_tracking_code_turned_into_the_request_id(stack):
    seeded = _seed(stack)
    code = seeded["public"]["tracking_code"]
    assert _json(stack.call("GET", f"{V2}/tokens/{code}.json?jurisdiction_id=kupang")) == [
        {"service_request_id": seeded["public"]["id"], "token": code}]
    root = _xml(stack.call("GET", f"{V2}/tokens/{code}.xml?jurisdiction_id=kupang"))
    assert root.findtext("request/token") == code
    _errors_xml(stack.call("GET", f"{V2}/tokens/{seeded['secret']['tracking_code']}.xml?jurisdiction_id=kupang"), 404)


def test_another_jurisdiction_sees_none_of_a_tenants_requests(stack):
    seeded = _seed(stack)
    assert _json(stack.call("GET", f"{V2}/requests.json?jurisdiction_id=karo")) == []
    for name in ("public", "secret"):
        for ref in (seeded[name]["id"], seeded[name]["tracking_code"]):
            real = stack.call("GET", f"{V2}/requests/{ref}.json?jurisdiction_id=karo")
            ghost = stack.call("GET", f"{V2}/requests/01JZZZZZZZZZZZZZZZZZZZZZZZ.json?jurisdiction_id=karo")
            assert (real.status_code, real.json_body) == (ghost.status_code, ghost.json_body) == (
                404, ghost.json_body)
    by_id = _json(stack.call("GET", f"{V2}/requests.json?jurisdiction_id=karo&service_request_id="
                                    f"{seeded['public']['id']}"))
    assert by_id == []
    assert stack.tenant_guard.scoped_calls > 0  # the reads ran as the jurisdiction's tenant (and the guard agreed)


def test_open311_reads_run_inside_the_jurisdictions_tenant_scope(stack, monkeypatch):
    from chalicelib.adapters import tenant_scope

    seen: list[str | None] = []
    real = tenant_scope.TenantScopedCredentials.get_frozen_credentials

    def spy(self: Any) -> Any:
        seen.append(tenant_scope.current_tenant())
        return real(self)

    monkeypatch.setattr(tenant_scope.TenantScopedCredentials, "get_frozen_credentials", spy)
    for path in (f"{V2}/services.json?jurisdiction_id=karo", f"{V2}/requests.xml?jurisdiction_id=karo",
                 f"{V2}/requests/01JZZZZZZZZZZZZZZZZZZZZZZZ.json?jurisdiction_id=karo"):
        stack.call("GET", path)
    assert seen and set(seen) == {"karo"}


def test_the_native_api_checks_answers_only_from_clients_that_send_them(stack):
    reports = "/v1/tenants/kupang/reports"
    older_client = stack.call("POST", reports, report_body(category="road_damage"))
    assert older_client.status_code == 201  # written before questions existed: nothing is required of it
    unanswered = stack.call("POST", reports, report_body(category="road_damage", answers={}))
    assert unanswered.status_code == 422
    assert [e["field"] for e in unanswered.json_body["errors"]] == ["attribute[size]"]
    answered = stack.call("POST", reports, report_body(category="road_damage", answers={"size": "small"}),
                          user="warga.ani")
    assert answered.status_code == 201 and answered.json_body["answers"] == {"size": "small"}


def test_the_hourly_limit_for_reports_without_sign_in_holds_for_client_apps_too(stack):
    key = _key(stack)["key"]
    limited = stack.call("PATCH", "/v1/tenants/kupang", {"limits": {"anonymous_reports_per_hour": 1}},
                         user="admin.platform")
    assert limited.status_code == 200, limited.json_body
    assert _post(stack, _form(key)).status_code == 201
    refused = _post(stack, _form(key, description="Satu lagi"))
    _errors_json(refused, 400)  # the spec's "anything else"; the body says why and Retry-After says when
    assert int(refused.headers["retry-after"]) > 0
    assert stack.call("GET", "/v1/tenants/kupang/usage", user="admin.kupang").json_body["counters"][
        "reports_created"] == 1
