"""Isolation below the application: a request for one tenant reaches DynamoDB only as that tenant.

Every integration test already runs under ``tests/integration/tenant_guard.py``, which judges each
DynamoDB call as the data role's policy would. These tests show the mechanism itself: which session
signs the calls, how often it is assumed, and that a query forgetting its tenant is refused.
"""

from __future__ import annotations

from typing import Any

import botocore.client
import pytest

from tests.integration.conftest import report_body

REPORTS = "/v1/tenants/{}/reports"


@pytest.fixture
def assumed(monkeypatch) -> list[dict[str, Any]]:
    """Every STS AssumeRole the app makes, with its parameters."""
    calls: list[dict[str, Any]] = []
    real = botocore.client.BaseClient._make_api_call

    def spy(self: Any, operation: str, params: dict[str, Any]) -> Any:
        if operation == "AssumeRole":
            calls.append(params)
        return real(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", spy)
    return calls


def test_a_tenants_requests_are_made_with_a_session_tagged_with_that_tenant(stack, assumed):
    assert stack.call("POST", REPORTS.format("kupang"), report_body(), user="warga.ani").status_code == 201
    assert stack.call("GET", REPORTS.format("karo")).status_code == 200
    tags = [{t["Key"]: t["Value"] for t in call["Tags"]} for call in assumed]
    assert tags == [{"tenant": "kupang"}, {"tenant": "karo"}]
    assert {call["RoleArn"] for call in assumed} == {stack.resources.tenant_data_role_arn}
    assert stack.tenant_guard.scoped_calls > 0


def test_the_tenant_session_is_assumed_once_and_reused_by_later_requests(stack, assumed):
    for _ in range(3):
        assert stack.call("POST", REPORTS.format("kupang"), report_body()).status_code == 201
        assert stack.call("GET", REPORTS.format("kupang")).status_code == 200
    assert len(assumed) == 1


def test_a_session_close_to_expiry_is_renewed_before_it_is_used(stack, assumed, monkeypatch):
    import time

    from chalicelib.adapters import tenant_scope

    first = tenant_scope.tenant_credentials("kupang")
    later = time.time() + 3600 - 60  # a minute before the hour's session ends
    monkeypatch.setattr(tenant_scope.time, "time", lambda: later)
    renewed = tenant_scope.tenant_credentials("kupang")
    assert len(assumed) == 2
    assert renewed.access_key != first.access_key


def test_dynamodb_calls_are_signed_with_the_tenant_sessions_keys_and_only_inside_its_scope(stack):
    from chalicelib.adapters.tenant_scope import tenant_credentials, tenant_scope
    from chalicelib.store.models import ReportModel

    credentials = ReportModel._get_connection().connection.client._request_signer._credentials
    outside = credentials.get_frozen_credentials().access_key
    with tenant_scope("kupang"):
        inside = credentials.get_frozen_credentials().access_key
        with tenant_scope("karo"):
            nested = credentials.get_frozen_credentials().access_key
        assert credentials.get_frozen_credentials().access_key == inside
    assert inside == tenant_credentials("kupang").access_key
    assert nested == tenant_credentials("karo").access_key
    assert len({outside, inside, nested}) == 3
    assert credentials.get_frozen_credentials().access_key == outside


def test_a_read_that_forgets_its_tenant_is_refused_below_the_application(stack):
    from chalicelib.adapters.tenant_scope import tenant_scope
    from chalicelib.store.models import ReportModel

    created = stack.call("POST", REPORTS.format("karo"), report_body(location={"lat": 3.1, "lon": 98.5}))
    assert created.status_code == 201, created.json_body
    with tenant_scope("kupang"):
        ReportModel.get("karo", created.json_body["id"])  # moto answers; IAM would not
    refused = list(stack.tenant_guard.violations)
    stack.tenant_guard.violations.clear()  # this test's own deliberate violation
    assert refused == ["dynamodb:GetItem on aduan-dev-reports keys ['karo'] refused to tenant kupang"]


def test_without_a_data_role_calls_are_made_with_the_functions_own_role(stack, assumed, monkeypatch):
    from chalicelib.config import reset_settings

    monkeypatch.setenv("TENANT_DATA_ROLE_ARN", "")
    reset_settings()
    try:
        assert stack.call("GET", REPORTS.format("kupang")).status_code == 200
    finally:
        monkeypatch.undo()
        reset_settings()
    assert assumed == []
