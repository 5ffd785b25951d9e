"""Agency performance dashboards: figures kept from the reports stream, exactly once, read at a cost
that does not grow with the number of reports."""

from __future__ import annotations

from typing import Any

from tests.integration.conftest import report_body
from tests.integration.journeys import act, resolved

REPORTS = "/v1/tenants/kupang/reports"
STATS = "/v1/tenants/kupang/stats"


def _stats(stack: Any, query: str = "", user: str = "supervisor.kupang") -> dict[str, Any]:
    response = stack.call("GET", f"{STATS}{query}", user=user)
    assert response.status_code == 200, response.json_body
    return response.json_body


def test_the_stats_count_a_report_received_dispatched_and_resolved_in_its_unit(stack):
    resolved(stack, rating=4)
    stack.call("POST", REPORTS, report_body(), user="warga.budi")
    stack.drain_stream()
    figures = _stats(stack)
    total, dlh = figures["total"], figures["units"]["DLH"]
    assert total["received"] == 2 and total["verified"] == 1 and total["dispatched"] == 1
    assert total["resolved"] == 1 and total["closed"] == 1 and dlh["received"] == 2
    assert total["ratings"] == {"count": 1, "average": 4.0, "distribution": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0}}
    assert total["sla"]["verification"]["finished"] == 1 and total["sla"]["verification"]["within_sla"] == 1
    assert total["first_response_hours"]["count"] == 1 and total["resolution_hours"]["count"] == 1
    assert total["grade"]["grade"] in ("Baik", "Sedang", "Kurang")
    assert figures["window"]["name"] == "month" and figures["grading"]["baik"]["within_sla_percent"] == 80
    assert "PUPR" not in figures["units"]  # a unit with nothing this month is not listed


def test_redelivering_a_whole_stream_batch_changes_no_figure(stack):
    import app as lambda_app
    from devstack.pollers import StreamPoller

    batches: list[dict[str, Any]] = []

    def keep(event: dict[str, Any], context: Any) -> Any:
        batches.append(event)
        return lambda_app.on_report_change(event, context)

    resolved(stack, rating=5)
    poller = StreamPoller(stack.resources.report_stream_arn, keep)
    while poller.poll_once():
        pass
    once = _stats(stack)
    assert once["total"]["resolved"] == 1
    for batch in batches:
        lambda_app.on_report_change(batch, None)
    again = _stats(stack)
    once.pop("most_overdue"), again.pop("most_overdue")
    assert again == once


def test_the_median_and_p90_come_from_the_sketch_within_its_accuracy():
    from chalicelib.domain import stats

    durations = [3600 * h for h in range(1, 101)]  # 1 to 100 hours
    buckets: dict[int, int] = {}
    for seconds in durations:
        key = stats.bucket(seconds)
        buckets[key] = buckets.get(key, 0) + 1
    for q, exact in ((0.5, 3600 * 50.5), (0.9, 3600 * 90.1)):
        estimate = stats.quantile(buckets, q)
        assert estimate is not None
        assert abs(estimate - exact) / exact <= 0.03, (q, estimate, exact)


def test_the_most_overdue_reports_are_listed_and_counted_overdue(stack, sla_clock, monkeypatch):
    report = stack.call("POST", REPORTS, report_body(), user="warga.ani").json_body
    act(stack, report, "admin.kupang", action="verify")
    stack.drain_stream()
    sla_clock.release()  # every deadline passes: the timers escalate
    for _ in range(20):
        stack.drain_stream()
        figures = _stats(stack)
        if figures["total"]["overdue_now"]:
            break
    assert figures["total"]["overdue_now"] == 1 and figures["units"]["DLH"]["overdue_now"] == 1
    assert figures["total"]["escalations"]
    from datetime import timedelta

    from chalicelib import clock

    real_now = clock.now
    monkeypatch.setattr(clock, "now", lambda: real_now() + timedelta(days=30))  # the deadlines are past by then
    late = _stats(stack)["most_overdue"]
    assert [r["id"] for r in late] == [report["id"]] and late[0]["overdue_hours"] > 0


def test_a_week_or_a_year_reads_a_bounded_number_of_items(stack):
    for _ in range(3):
        stack.call("POST", REPORTS, report_body(), user="warga.ani")
    stack.drain_stream()
    small = _stats(stack, "?window=year")
    for _ in range(5):
        stack.call("POST", REPORTS, report_body(), user="warga.ani")
    stack.drain_stream()
    bigger = _stats(stack, "?window=year")
    assert bigger["total"]["received"] == 8
    assert bigger["items_read"] == small["items_read"]  # more reports, the same items read
    week = _stats(stack, "?window=week")
    assert week["total"]["received"] == 8 and week["window"]["end"] > week["window"]["start"]


def test_a_bad_window_or_date_is_a_400_problem(stack):
    for query, field in (("?window=decade", "window"), ("?date=2026-13-01", "date"), ("?date=yesterday", "date")):
        response = stack.call("GET", f"{STATS}{query}", user="supervisor.kupang")
        assert response.status_code == 400, query
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json_body["errors"][0]["field"] == field


def test_only_the_tenants_staff_read_its_stats(stack):
    assert stack.call("GET", STATS, user="warga.ani").status_code == 403
    assert stack.call("GET", STATS, user="supervisor.karo").status_code == 403
    assert stack.call("GET", STATS).status_code == 401
    assert stack.call("GET", STATS, user="admin.platform").status_code == 200


def test_the_grade_follows_the_tenants_own_thresholds(stack):
    resolved(stack)
    stack.drain_stream()
    strict = {"baik": {"within_sla_percent": 100, "resolved_percent": 100},
              "sedang": {"within_sla_percent": 100, "resolved_percent": 100}}
    lenient = {"baik": {"within_sla_percent": 0, "resolved_percent": 0},
               "sedang": {"within_sla_percent": 0, "resolved_percent": 0}}
    stack.call("POST", REPORTS, report_body(), user="warga.budi")
    stack.drain_stream()
    for thresholds, expected in ((lenient, "Baik"), (strict, "Kurang")):
        response = stack.call("PATCH", "/v1/tenants/kupang", {"grading": thresholds}, user="admin.platform")
        assert response.status_code == 200, response.json_body
        from chalicelib.store import tenants

        tenants.clear_cache()
        assert _stats(stack)["total"]["grade"]["grade"] == expected
