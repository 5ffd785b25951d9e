"""Whatever an Open311 client sends, the answer is never a 500: bad input is a 4xx in the Open311 error shape."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

V2 = "/open311/v2"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

texts = st.text(max_size=30)
numbers = st.floats(allow_nan=True, allow_infinity=True).map(str) | st.integers().map(str)
# Forms near the real shape reach the deeper checks (location, attributes, contact) that noise does not.
near_forms = st.fixed_dictionaries(
    {"jurisdiction_id": st.sampled_from(["kupang", "karo", "", "KUPANG", "atlantis"]) | texts,
     "service_code": st.sampled_from(["garbage", "road_damage", "fire", "misconduct", ""]) | texts},
    optional={"lat": numbers | texts, "long": numbers | texts, "address_string": texts,
              "description": texts, "email": texts, "first_name": texts, "media_url": texts,
              "attribute[size]": st.sampled_from(["large", "small", ""]) | texts,
              "attribute[waste_types][]": texts, "attribute[people_trapped]": texts, "api_key": texts},
)


def _sane(response) -> None:
    assert response.status_code < 500, response.body
    content_type = response.headers["content-type"]
    assert not content_type.startswith("application/problem+json")
    if response.status_code >= 400:
        text = response.body.decode("utf-8") if isinstance(response.body, bytes) else response.body
        if content_type.startswith("text/xml"):
            root = ET.fromstring(text.encode("utf-8"))  # noqa: S314 - our own output
            assert root.tag == "errors" and root.findtext("error/code") == str(response.status_code)
        else:
            body = json.loads(text)
            assert isinstance(body, list) and body[0]["code"] == response.status_code and body[0]["description"]


@pytest.fixture
def api_key(stack) -> str:
    return stack.call("POST", "/v1/tenants/kupang/api-keys", {"name": "Fuzz"}, user="admin.kupang").json_body["key"]


@FUZZ
@given(form=near_forms, fmt=st.sampled_from(["json", "xml"]), keyed=st.booleans())
def test_any_form_near_the_real_shape_is_answered_without_a_500(stack, api_key, form, fmt, keyed):
    if keyed:
        form = {**form, "api_key": api_key}
    _sane(stack.call("POST", f"{V2}/requests.{fmt}", raw=urlencode(form).encode(), headers=FORM))


@FUZZ
@given(raw=st.binary(max_size=200), fmt=st.sampled_from(["json", "xml"]))
def test_any_bytes_posted_are_answered_without_a_500(stack, raw, fmt):
    _sane(stack.call("POST", f"{V2}/requests.{fmt}?jurisdiction_id=kupang", raw=raw, headers=FORM))


@FUZZ
@given(params=st.dictionaries(st.sampled_from(["jurisdiction_id", "service_request_id", "service_code",
                                               "start_date", "end_date", "status"]), texts, max_size=6),
       fmt=st.sampled_from(["json", "xml"]))
def test_any_search_is_answered_without_a_500(stack, params, fmt):
    _sane(stack.call("GET", f"{V2}/requests.{fmt}?{urlencode({'jurisdiction_id': 'kupang', **params})}"))


@FUZZ
@given(ref=st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="/?#%"),
                   min_size=1, max_size=40),
       kind=st.sampled_from(["requests", "tokens", "services"]), fmt=st.sampled_from(["json", "xml", "html", ""]),
       jurisdiction=st.sampled_from(["kupang", "", "x"]))
def test_any_id_token_or_service_code_is_answered_without_a_500(stack, ref, kind, fmt, jurisdiction):
    _sane(stack.call("GET", f"{V2}/{kind}/{quote(ref, safe='')}.{fmt}?jurisdiction_id={jurisdiction}"))
