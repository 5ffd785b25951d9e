"""Uploaded outlines are judged by the check_geometries function, which alone carries shapely.

In AWS the API invokes it synchronously (``GEOMETRY_CHECK_FUNCTION``); moto runs no Lambda code without
Docker, so these tests put botocore's Stubber on the API's Lambda client and answer with what the real
handler answers for the same payload, or with a failure.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from chalicelib.adapters.aws import botocore_client
from chalicelib.config import reset_settings
from chalicelib.events.geometry_check import handle

AREAS = "/v1/tenants/kupang/areas"
FUNCTION = "aduan-prod-check_geometries"


def _square(lon: float, lat: float, size: float) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size],
                                                [lon, lat + size], [lon, lat]]]}


BOW_TIE = {"type": "Polygon", "coordinates": [[[123.5, -10.3], [123.6, -10.2], [123.6, -10.3], [123.5, -10.2],
                                               [123.5, -10.3]]]}


def _areas(*geometries: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": g, "properties": {"code": f"a{i}", "name": f"Area {i}", "units": {}}}
        for i, g in enumerate(geometries)]}


def _payload(answer: dict[str, Any]) -> StreamingBody:
    raw = json.dumps(answer).encode()
    return StreamingBody(io.BytesIO(raw), len(raw))


@pytest.fixture
def lambda_stub(stack: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    monkeypatch.setenv("GEOMETRY_CHECK_FUNCTION", FUNCTION)
    reset_settings()
    with Stubber(botocore_client("lambda")) as stub:
        yield stub
    reset_settings()


def test_the_api_sends_the_outlines_to_the_function_and_stores_what_it_finds_valid(stack, lambda_stub):
    upload = _areas(_square(123.55, -10.2, 0.04), _square(123.6, -10.2, 0.04))
    verdict = handle({"geometries": [f["geometry"] for f in upload["features"]]})
    lambda_stub.add_response("invoke", {"StatusCode": 200, "Payload": _payload(verdict)}, {
        "FunctionName": FUNCTION, "InvocationType": "RequestResponse",
        "Payload": json.dumps({"geometries": [f["geometry"] for f in upload["features"]]}).encode()})
    response = stack.call("PUT", AREAS, upload, user="admin.kupang")
    assert response.status_code == 200, response.body
    lambda_stub.assert_no_pending_responses()
    assert len(stack.call("GET", AREAS, user="admin.kupang").json_body["features"]) == 2


def test_an_outline_the_function_finds_invalid_is_refused_at_its_feature(stack, lambda_stub):
    upload = _areas(_square(123.55, -10.2, 0.04), BOW_TIE)
    verdict = handle({"geometries": [f["geometry"] for f in upload["features"]]})
    lambda_stub.add_response("invoke", {"StatusCode": 200, "Payload": _payload(verdict)})
    response = stack.call("PUT", AREAS, upload, user="admin.kupang")
    assert response.status_code == 422
    assert [e["field"] for e in response.json_body["errors"]] == ["features.1.geometry"]
    assert stack.call("GET", AREAS, user="admin.kupang").json_body["features"] == []


@pytest.mark.parametrize("failure", ["function_error", "throttled"])
def test_when_the_check_cannot_run_the_upload_is_a_503_and_nothing_changes(stack, lambda_stub, failure):
    before = _areas(_square(123.55, -10.2, 0.04))
    lambda_stub.add_response("invoke", {"StatusCode": 200, "Payload": _payload(handle({"geometries": [
        before["features"][0]["geometry"]]}))})
    assert stack.call("PUT", AREAS, before, user="admin.kupang").status_code == 200
    if failure == "function_error":
        lambda_stub.add_response("invoke", {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": _payload(
            {"errorMessage": "Task timed out"})})
    else:
        lambda_stub.add_client_error("invoke", "TooManyRequestsException", http_status_code=429)
    response = stack.call("PUT", AREAS, _areas(_square(123.6, -10.2, 0.04), _square(123.5, -10.2, 0.04)),
                          user="admin.kupang")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json_body["code"] == "geometry_check_unavailable"
    assert len(stack.call("GET", AREAS, user="admin.kupang").json_body["features"]) == 1


def test_the_function_refuses_a_payload_that_is_not_a_list_of_outlines():
    with pytest.raises(ValueError):
        handle({"geometries": "nope"})
    assert handle({"geometries": [BOW_TIE]})["problems"][0].startswith("Self-intersection")
