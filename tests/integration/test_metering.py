"""Pay per use: every billable event counted once, whatever is retried, redelivered or crashes, and the
invoice computed from those counters in whole rupiah."""

from __future__ import annotations

from typing import Any

from tests.integration.conftest import report_body
from tests.integration.test_notifications import (  # noqa: F401 - receiver is a fixture
    SECRET,
    new_report,
    notify,
    receiver,
    set_channels,
    transitioned,
)

REPORTS = "/v1/tenants/kupang/reports"


def counters(tenant: str = "kupang", month: str | None = None) -> dict[str, int]:
    """This month's counters (or ``month``'s: an event is billed in the month it happened)."""
    from chalicelib import clock
    from chalicelib.domain import billing
    from chalicelib.store.usage import month_counters

    return month_counters(tenant, month or billing.month_of(clock.now()))


def _plan(stack: Any, tenant: str, plan: dict[str, Any] | None = None, **limits: int) -> None:
    document: dict[str, Any] = {"plan": plan or {"name": "Uji", "base_monthly": 1_000_000, "items": {
        "reports_created": {"included": 1, "unit_price": 1_333},
        "photos_stored": {"included": 0, "unit_price": 250},
        "api_requests": {"included": 0, "unit_price": 1_005, "per": 1_000}}}}
    if limits:
        document["limits"] = limits
    response = stack.call("PATCH", f"/v1/tenants/{tenant}", document, user="admin.platform")
    assert response.status_code == 200, response.json_body
    from chalicelib.store import tenants

    tenants.clear_cache()


def test_a_retried_report_is_counted_once(stack):
    headers = {"Idempotency-Key": "metering-retry-1"}
    first = stack.call("POST", REPORTS, report_body(), user="warga.ani", headers=headers)
    again = stack.call("POST", REPORTS, report_body(), user="warga.ani", headers=headers)
    assert first.status_code == again.status_code == 201 and first.json_body["id"] == again.json_body["id"]
    assert counters()["reports_created"] == 1


def test_a_refused_report_counts_nothing(stack):
    bad = stack.call("POST", REPORTS, report_body(category="nope"), user="warga.ani")
    outside = stack.call("POST", REPORTS, report_body(location={"lat": 3.1, "lon": 98.5}), user="warga.ani")
    assert bad.status_code == 422 and outside.status_code == 422
    assert counters()["reports_created"] == 0


def test_a_request_that_crashes_before_its_write_counts_no_report_and_its_retry_counts_one(stack, monkeypatch):
    from pynamodb.connection.base import Connection

    real = Connection.transact_write_items

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("the Lambda died here")

    headers = {"Idempotency-Key": "metering-crash-1"}
    monkeypatch.setattr(Connection, "transact_write_items", crash)
    crashed = stack.call("POST", REPORTS, report_body(), user="warga.ani", headers=headers)
    assert crashed.status_code == 500
    assert counters()["reports_created"] == 0
    from chalicelib.store.models import ReportModel

    assert sum(1 for _ in ReportModel.scan()) == 0
    monkeypatch.setattr(Connection, "transact_write_items", real)
    retry = stack.call("POST", REPORTS, report_body(), user="warga.ani", headers=headers)
    assert retry.status_code == 201
    assert counters()["reports_created"] == 1


def test_a_request_that_crashes_after_its_write_is_counted_once_and_its_retry_adds_nothing(stack, monkeypatch):
    from chalicelib.api import citizen

    headers = {"Idempotency-Key": "metering-crash-2"}

    original = citizen.json_response

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("the Lambda died after writing")

    monkeypatch.setattr(citizen, "json_response", crash)
    assert stack.call("POST", REPORTS, report_body(), user="warga.ani", headers=headers).status_code == 500
    monkeypatch.setattr(citizen, "json_response", original)
    assert counters()["reports_created"] == 1  # the report exists: it is billed
    retry = stack.call("POST", REPORTS, report_body(), user="warga.ani", headers=headers)
    assert retry.status_code == 201 and counters()["reports_created"] == 1


class Recorder:
    """The stream's handler, keeping each batch it was given so a test can hand it over again."""

    def __init__(self) -> None:
        self.batches: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        import app as lambda_app

        self.batches.append(event)
        return lambda_app.on_report_change(event, context)


def test_a_redelivered_stream_batch_counts_no_timer_twice(stack):
    import app as lambda_app
    from devstack.pollers import StreamPoller

    report = stack.call("POST", REPORTS, report_body(), user="warga.ani").json_body
    stack.call("POST", f"{REPORTS}/{report['id']}/transitions", {"action": "verify"}, user="admin.kupang")
    recorder = Recorder()
    poller = StreamPoller(stack.resources.report_stream_arn, recorder)
    while poller.poll_once():
        pass
    assert recorder.batches
    once = counters()
    assert once["sla_timers_started"] == 2  # verification, then first response
    for batch in recorder.batches:  # Lambda hands the same batch over again after a timeout
        lambda_app.on_report_change(batch, None)
    assert counters() == once


def test_a_redelivered_event_counts_its_inbox_messages_and_webhook_sends_once(stack, receiver):  # noqa: F811
    set_channels(stack, [{"id": "wa-gateway", "type": "webhook", "url": receiver.url, "secret": SECRET,
                          "audiences": ["reporter"]}])
    report = new_report(stack)
    event = transitioned(report, "resolve", "in_progress", "resolved", role="officer")
    notify(stack, event)
    notify(stack, event)
    stack.drain_deliveries()
    assert len(receiver.received) == 1
    november = "2026-11"  # the event's month (the helpers date it 2026-11-24)
    seen = counters(month=november)
    assert seen["notifications_inbox"] >= 1 and seen["notifications_webhook"] == 1
    notify(stack, event)
    stack.drain_deliveries()
    assert counters(month=november) == seen


def test_a_photo_is_counted_once_with_its_bytes(stack):
    import app as lambda_app
    from devstack.pollers import poll_once
    from tests.images import jpeg_with_gps
    from tests.integration.conftest import upload

    report = stack.call("POST", REPORTS, report_body(), user="warga.ani").json_body
    slot = stack.call("POST", f"{REPORTS}/{report['id']}/photos", {"content_type": "image/jpeg"},
                      user="warga.ani").json_body
    upload(slot, jpeg_with_gps())
    told: list[dict[str, Any]] = []

    def handler(event: dict[str, Any], context: Any) -> Any:
        told.append(event)
        return lambda_app.process_photo_uploads(event, context)

    while poll_once(stack.resources.upload_queue_url, stack.resources.upload_queue_arn, handler):
        pass
    view = stack.call("GET", f"{REPORTS}/{report['id']}", user="warga.ani").json_body
    assert [p["status"] for p in view["photos"]] == ["ready"]
    seen = counters()
    assert seen["photos_stored"] == 1 and seen["photo_bytes"] > 0
    for event in told:  # S3's notification delivered a second time
        lambda_app.process_photo_uploads(event, None)
    assert counters()["photos_stored"] == 1


def test_api_key_requests_are_counted_per_tenant(stack):
    key = stack.call("POST", "/v1/tenants/kupang/api-keys", {"name": "Aplikasi"}, user="admin.kupang").json_body["key"]
    for _ in range(3):
        assert stack.call("GET", REPORTS, headers={"X-Api-Key": key}).status_code == 200
    assert counters()["api_requests"] == 3 and counters("karo")["api_requests"] == 0


def test_one_pemdas_anonymous_spam_wave_gets_429_and_does_not_touch_another(stack):
    _plan(stack, "kupang", anonymous_reports_per_hour=2)
    codes = [stack.call("POST", REPORTS, report_body()).status_code for _ in range(2)]
    over = stack.call("POST", REPORTS, report_body())
    assert codes == [201, 201] and over.status_code == 429
    assert over.headers["content-type"].startswith("application/problem+json")
    assert 0 < int(over.headers["retry-after"]) <= 3600
    assert over.json_body["code"] == "rate_limited"
    assert counters()["reports_created"] == 2  # the refused one is not billed
    signed_in = stack.call("POST", REPORTS, report_body(), user="warga.ani")
    assert signed_in.status_code == 201  # a signed-in citizen is not held back by the anonymous wave
    karo = stack.call("POST", "/v1/tenants/karo/reports", report_body(location={"lat": 3.1, "lon": 98.5}))
    assert karo.status_code == 201


def test_the_invoice_is_computed_in_whole_rupiah_from_the_counters(stack):
    _plan(stack, "kupang")
    for _ in range(3):
        assert stack.call("POST", REPORTS, report_body(), user="warga.ani").status_code == 201
    key = stack.call("POST", "/v1/tenants/kupang/api-keys", {"name": "A"}, user="admin.kupang").json_body["key"]
    for _ in range(3):
        stack.call("GET", REPORTS, headers={"X-Api-Key": key})
    usage = stack.call("GET", "/v1/tenants/kupang/usage", user="admin.kupang").json_body
    month = usage["month"]
    invoice = stack.call("GET", f"/v1/tenants/kupang/invoices/{month}", user="admin.kupang").json_body
    lines = {line["item"]: line for line in invoice["lines"]}
    assert lines["reports_created"]["billable"] == 2 and lines["reports_created"]["amount"] == 2_666
    # 3 requests at 1,005 per 1,000 = 3.015 rupiah: rounded half up to 3, never a float
    assert lines["api_requests"]["amount"] == 3
    assert invoice["subtotal"] == 1_000_000 + 2_666 + 3
    assert invoice["tax"] == (invoice["subtotal"] * 11 + 50) // 100  # PPN 11 %, half up
    assert invoice["total"] == invoice["subtotal"] + invoice["tax"]
    assert all(isinstance(v, int) for v in (invoice["subtotal"], invoice["tax"], invoice["total"]))
    assert usage["estimate"]["total"] == invoice["total"]
    csv = stack.call("GET", f"/v1/tenants/kupang/invoices/{month}?format=csv", user="admin.kupang")
    assert csv.headers["content-type"].startswith("text/csv") and str(invoice["total"]) in csv.body.decode()
    html = stack.call("GET", f"/v1/tenants/kupang/invoices/{month}", user="admin.kupang",
                      headers={"Accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html") and "terbilang" in html.body.decode().lower()
    overview = stack.call("GET", f"/v1/usage?month={month}", user="admin.platform").json_body
    rows = {row["tenant"]: row for row in overview["tenants"]}
    assert rows["kupang"]["total"] == invoice["total"] and rows["karo"]["counters"]["reports_created"] == 0
    assert stack.call("GET", f"/v1/tenants/kupang/invoices/{month}", user="admin.karo").status_code == 403
    assert stack.call("GET", "/v1/usage", user="admin.kupang").status_code == 403
    assert stack.call("GET", "/v1/tenants/kupang/invoices/2026-13", user="admin.kupang").status_code == 404
