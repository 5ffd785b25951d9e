"""Whatever a client sends, the answer is never a 500: bad input is a problem+json 4xx."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.conftest import KUPANG

REPORTS = "/v1/tenants/kupang/reports"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
# Bodies near the real shape reach deeper validation than arbitrary JSON does.
near_reports = st.fixed_dictionaries(
    {"category": st.sampled_from(["garbage", "misconduct", "", "GARBAGE"]) | json_values,
     "description": st.text(max_size=60) | json_values,
     "location": st.fixed_dictionaries({"lat": st.floats() | json_values, "lon": st.floats() | json_values})
     | json_values},
    optional={"address": st.text(max_size=30) | json_values,
              "privacy": st.sampled_from(["public", "anonymous", "confidential", "x"]) | json_values},
)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _sane(response) -> None:
    assert response.status_code < 500, response.body
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json_body["code"]


@FUZZ
@given(body=json_values | near_reports)
def test_any_json_body_for_a_report_is_answered_without_a_500(stack, body):
    _sane(stack.call("POST", REPORTS, raw=json.dumps(body, allow_nan=True).encode()))


@FUZZ
@given(raw=st.binary(max_size=200))
def test_any_bytes_for_a_report_are_answered_without_a_500(stack, raw):
    _sane(stack.call("POST", REPORTS, raw=raw))


@FUZZ
@given(category=st.text(max_size=20), status=st.text(max_size=20), limit=st.text(max_size=6),
       cursor=st.text(max_size=40))
def test_any_list_query_is_answered_without_a_500(stack, category, status, limit, cursor):
    from urllib.parse import urlencode

    query = urlencode({"category": category, "status": status, "limit": limit, "cursor": cursor})
    _sane(stack.call("GET", f"{REPORTS}?{query}"))


@FUZZ
@given(ref=st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="/?#%"),
                   min_size=1, max_size=40),
       receipt=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=40),
       token=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=80))
def test_any_report_reference_receipt_or_token_is_answered_without_a_500(stack, ref, receipt, token):
    from urllib.parse import quote

    headers = {"X-Report-Receipt": receipt, "Authorization": f"Bearer {token}"}
    _sane(stack.call("GET", f"{REPORTS}/{quote(ref, safe='')}", headers=headers))
    _sane(stack.call("POST", f"{REPORTS}/{quote(ref, safe='')}/photos", {"content_type": "image/jpeg"},
                     headers=headers))


@FUZZ
@given(body=json_values)
def test_any_body_for_a_photo_slot_is_answered_without_a_500(stack, body):
    created = stack.call("POST", REPORTS, {"category": "garbage", "description": "d", "location": KUPANG})
    receipt = created.json_body["receipt"]
    _sane(stack.call("POST", f"{REPORTS}/{created.json_body['id']}/photos", body,
                     headers={"X-Report-Receipt": receipt}))
