"""A retried submission never creates a second report."""

from __future__ import annotations

from tests.integration.conftest import report_body

REPORTS = "/v1/tenants/kupang/reports"


def _listed(stack):
    return [item["id"] for item in stack.call("GET", REPORTS).json_body["items"]]


def test_the_same_key_and_body_returns_the_same_response_and_creates_nothing(stack):
    key = {"Idempotency-Key": "3f1c9a2e-retry-1"}
    first = stack.call("POST", REPORTS, report_body(), headers=key)
    again = stack.call("POST", REPORTS, report_body(), headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json_body == first.json_body
    assert again.json_body["receipt"] == first.json_body["receipt"]  # the lost response, receipt included
    assert _listed(stack) == [first.json_body["id"]]


def test_the_same_key_with_another_body_is_a_422(stack):
    key = {"Idempotency-Key": "3f1c9a2e-retry-2"}
    assert stack.call("POST", REPORTS, report_body(), headers=key, user="warga.ani").status_code == 201
    other = stack.call("POST", REPORTS, report_body(description="lain"), headers=key, user="warga.ani")
    assert other.status_code == 422
    assert other.headers["content-type"].startswith("application/problem+json")
    assert other.json_body["code"] == "idempotency_key_reused"
    assert len(_listed(stack)) == 1


def test_different_keys_create_different_reports(stack):
    a = stack.call("POST", REPORTS, report_body(), headers={"Idempotency-Key": "key-a"}).json_body
    b = stack.call("POST", REPORTS, report_body(), headers={"Idempotency-Key": "key-b"}).json_body
    assert a["id"] != b["id"]
    assert len(_listed(stack)) == 2


def test_a_key_belongs_to_its_caller_and_tenant(stack):
    key = {"Idempotency-Key": "shared-key"}
    ani = stack.call("POST", REPORTS, report_body(), headers=key, user="warga.ani").json_body
    budi = stack.call("POST", REPORTS, report_body(), headers=key, user="warga.budi").json_body
    anonymous = stack.call("POST", REPORTS, report_body(), headers=key).json_body
    assert len({ani["id"], budi["id"], anonymous["id"]}) == 3
    assert "receipt" not in budi


def test_a_request_rejected_for_bad_input_does_not_use_up_its_key(stack):
    key = {"Idempotency-Key": "fix-and-retry"}
    assert stack.call("POST", REPORTS, report_body(category="unicorns"), headers=key).status_code == 422
    assert stack.call("POST", REPORTS, report_body(), headers=key).status_code == 201


def test_a_malformed_key_is_a_400(stack):
    response = stack.call("POST", REPORTS, report_body(), headers={"Idempotency-Key": "x" * 300})
    assert response.status_code == 400
    assert response.json_body["code"] == "invalid_idempotency_key"
    assert _listed(stack) == []


def test_racing_retries_with_one_key_create_exactly_one_report(stack):
    from concurrent.futures import ThreadPoolExecutor

    from chalicelib.errors import ProblemError
    from chalicelib.services.reports import submit

    class LambdaContext:
        @staticmethod
        def get_remaining_time_in_millis() -> int:
            return 29_000

    def send(_: int):
        try:
            return submit("kupang", report_body(), None, "flaky-network-key", LambdaContext())["body"]["id"]
        except ProblemError as busy:
            return busy.code

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(send, range(6)))
    created = [o for o in outcomes if o != "idempotency_in_progress"]
    assert len(set(created)) == 1
    assert _listed(stack) == created[:1]


def test_a_request_that_failed_on_our_side_can_be_retried_with_the_same_key(stack, monkeypatch):
    from chalicelib.store import reports as store

    real_create = store.create

    def broken(*args, **kwargs):
        raise ConnectionError("DynamoDB unreachable")

    key = {"Idempotency-Key": "retry-after-outage"}
    monkeypatch.setattr(store, "create", broken)
    failed = stack.call("POST", REPORTS, report_body(), headers=key)
    assert failed.status_code == 500
    assert failed.json_body["code"] == "internal_error"
    assert "DynamoDB" not in failed.body.decode()
    monkeypatch.setattr(store, "create", real_create)
    retried = stack.call("POST", REPORTS, report_body(), headers=key)
    assert retried.status_code == 201
    assert _listed(stack) == [retried.json_body["id"]]
