"""A third-party Open311 client on the real local stack: discovers the endpoint, reads the services, files a
report form-encoded with the tenant's api_key, and reads it back in XML and JSON."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest
import requests

from tests.e2e.helpers import KUPANG, demo_user, sign_in

pytestmark = [pytest.mark.e2e]


def test_a_third_party_client_files_a_report_and_reads_it_back_in_xml_and_json(stack: dict[str, Any]) -> None:
    base = f"{stack['api_url']}/open311/v2"
    client = requests.Session()  # a plain HTTP client: no JSON bodies, no bearer token
    discovery = client.get(f"{base}/discovery.xml", timeout=15)
    assert discovery.status_code == 200 and discovery.headers["Content-Type"] == "text/xml; charset=utf-8"
    endpoint = ET.fromstring(discovery.content).find("endpoints/endpoint")  # noqa: S314 - our own stack
    assert endpoint is not None and endpoint.findtext("url") == base

    services = client.get(f"{base}/services.json", params={"jurisdiction_id": "kupang"}, timeout=15).json()
    road = next(s for s in services if s["service_code"] == "road_damage")
    assert road["metadata"] is True
    definition = client.get(f"{base}/services/road_damage.json", params={"jurisdiction_id": "kupang"},
                            timeout=15).json()
    size = next(a for a in definition["attributes"] if a["code"] == "size")

    api_key = stack["open311_api_keys"]["kupang"]
    form = {"jurisdiction_id": "kupang", "api_key": api_key, "service_code": "road_damage",
            f"attribute[{size['code']}]": size["values"][-1]["key"], "lat": str(KUPANG["lat"]),
            "long": str(KUPANG["lon"]), "address_string": "Jl. El Tari, Oebobo",
            "description": "Lubang besar di Jl. El Tari dekat kantor gubernur", "email": "pelapor@example.id",
            "first_name": "Yohanes"}
    created = client.post(f"{base}/requests.json", data=form, timeout=30)  # requests form-encodes a dict
    assert created.status_code == 201, created.text
    answer, = created.json()
    request_id = answer["service_request_id"]
    retried = client.post(f"{base}/requests.json", data=form, timeout=30)
    assert retried.json()[0]["service_request_id"] == request_id  # a retry files nothing new

    as_json = client.get(f"{base}/requests/{request_id}.json", params={"jurisdiction_id": "kupang"}, timeout=15)
    assert as_json.headers["Content-Type"] == "application/json; charset=utf-8"
    item, = as_json.json()
    assert item["status"] == "open" and item["service_code"] == "road_damage" and item["expected_datetime"]
    assert item["description"] == form["description"] and item["address"] == form["address_string"]
    as_xml = client.get(f"{base}/requests/{request_id}.xml", params={"jurisdiction_id": "kupang"}, timeout=15)
    assert as_xml.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    request = ET.fromstring(as_xml.content).find("request")  # noqa: S314 - our own stack
    assert request is not None and request.findtext("service_request_id") == request_id
    assert request.findtext("status") == "open" and request.findtext("expected_datetime") == item["expected_datetime"]
    listed = client.get(f"{base}/requests.json", params={"jurisdiction_id": "kupang", "service_code": "road_damage",
                                                          "status": "open"}, timeout=15).json()
    assert request_id in [r["service_request_id"] for r in listed]
    for text in (as_json.text, as_xml.text, str(listed)):
        assert "pelapor@example.id" not in text and "Yohanes" not in text

    # The desk sees the report in its inbox, with the contact the client left for it.
    admin = demo_user(stack, "tenant_admin", "kupang")
    token = sign_in(stack, admin["username"], admin["password"])["IdToken"]
    native = client.get(f"{stack['api_url']}/v1/tenants/kupang/reports/{request_id}",
                        headers={"Authorization": f"Bearer {token}"}, timeout=15).json()
    assert native["status"] == "submitted" and native["answers"] == {"size": size["values"][-1]["key"]}
    assert native["contact"] == {"email": "pelapor@example.id", "first_name": "Yohanes"}

    refused = client.post(f"{base}/requests.xml", data={**form, "api_key": "adn_kupang_k1_salah"}, timeout=15)
    assert refused.status_code == 403 and "<errors>" in refused.text
