"""Open data on the real local stack: the export poller runs the job, and a client that follows the 303
ends up with the CSV file itself."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.helpers import Api, report_body

pytestmark = pytest.mark.e2e


def test_a_client_asks_for_an_export_waits_and_follows_the_redirect_to_the_file(stack, api: Api):
    created = api.call("POST", "/v1/tenants/kupang/reports", report_body(description="Ekspor e2e, dengan koma"),
                       headers={"Idempotency-Key": f"e2e-export-{time.time_ns()}"})
    assert created.status_code == 201, created.text
    today = (datetime.now(UTC) + timedelta(hours=8)).date().isoformat()  # Kupang is WITA, UTC+8
    path = f"/v1/tenants/kupang/exports/reports.csv?from={today}&to={today}"
    first = api.call("GET", path)
    assert first.status_code in (202, 200), first.text  # 200: a file of today asked for by an earlier run
    deadline = time.monotonic() + 45
    while True:
        answer = api.call("GET", path)
        if answer.status_code == 200 and answer.history and answer.history[0].status_code == 303:
            break
        assert answer.status_code == 202 and time.monotonic() < deadline, answer.text
        time.sleep(float(answer.headers.get("Retry-After", "1")) / 5)
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8").lstrip("\ufeff"), newline="")))
    if first.status_code == 202:
        assert created.json()["id"] in {r["id"] for r in rows}
    assert all("receipt" not in r and "reporter" not in r for r in rows)
