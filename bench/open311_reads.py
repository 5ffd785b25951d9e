"""Items one Open311 ``GET requests`` reads, with a year of reports at 1,000 and at 20,000 per tenant.

Synthetic public reports are spread evenly over the 365 days before "now" (ids are ULIDs whose time part
is ``created_at``, as the intake writes them) and loaded in bulk straight into the reports table with
their feed index keys. For a few searches it prints the requests returned, the items DynamoDB read
(``ScannedCount`` summed over every Query page), the Query calls, and the in-process time on moto (an
indication, not a Lambda figure). The default window is the last 90 days, at most 1,000 results: items
read should follow the answer, not the year in the table.

    python bench/open311_reads.py
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from aws_calls import Recorder, local_aws  # noqa: E402 (the same environment as the other benches)

TENANT = "kupang"
NOW = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
CATEGORIES = ("garbage", "road_damage", "street_light", "flood_drainage")
STATUSES = ("submitted", "dispatched", "in_progress", "resolved", "closed", "rejected")


class Scanned:
    """Sums ``ScannedCount`` and counts Query calls made while ``on`` (at botocore, PynamoDB's included)."""

    def __init__(self) -> None:
        self.items = self.queries = 0
        self.on = False

    def install(self) -> None:
        import botocore.client

        real = botocore.client.BaseClient._make_api_call

        def counted(client: Any, operation: str, params: dict[str, Any]) -> Any:
            answer = real(client, operation, params)
            if self.on and operation == "Query":
                self.items += int(answer.get("ScannedCount", 0))
                self.queries += 1
            return answer

        botocore.client.BaseClient._make_api_call = counted  # type: ignore[method-assign]


def load(first: int, last: int) -> None:
    from ulid import ULID

    from chalicelib import clock
    from chalicelib.store.models import ReportModel
    from chalicelib.store.reports import _listing_keys

    span = timedelta(days=365)
    with ReportModel.batch_write() as batch:
        for n in range(first, last):
            # A stride through the year (7919 is prime to TOTAL): any first k reports already span all of it.
            created = NOW - span + span * ((n * 7919) % TOTAL + 0.5) / TOTAL
            report = ReportModel(TENANT, str(ULID.from_datetime(created)), tracking_code=f"KPG-B{n:05d}",
                                 category=CATEGORIES[n % 4], agency="DLH", description=f"Laporan {n}",
                                 lat=-10.17, lon=123.6, privacy="public", status=STATUSES[n % 6],
                                 created_at=clock.iso(created), updated_at=clock.iso(created), photos=[])
            _listing_keys(report, listed=True)
            batch.save(report)


TOTAL = 20_000


def main() -> int:
    recorder = Recorder()
    with local_aws(recorder):
        return _measure()


def _measure() -> int:
    import os

    from chalice.test import Client

    from chalicelib import clock
    from chalicelib.config import reset_settings
    from devstack.provision import provision
    from devstack.seed import seed_tenants

    reset_settings()
    os.environ.update(provision().environment())
    reset_settings()
    seed_tenants()
    clock.now = lambda: NOW  # type: ignore[assignment] # the year of reports ends "now"
    scanned = Scanned()
    scanned.install()
    import app

    searches = ("", "&status=open", "&service_code=garbage,road_damage",
                "&service_code=garbage&status=closed",
                "&start_date=2026-01-01T00:00:00Z&end_date=2026-01-31T00:00:00Z")
    results: dict[int, dict[str, tuple[int, int, int, float]]] = {}
    with Client(app.app) as client:
        loaded = 0
        for size in (1_000, TOTAL):
            began = time.perf_counter()
            load(loaded, size)
            print(f"  loaded {size - loaded:,} reports in {time.perf_counter() - began:.0f} s")
            loaded = size
            results[size] = {}
            for query in searches:
                scanned.items = scanned.queries = 0
                scanned.on = True
                began = time.perf_counter()
                response = client.http.get(f"/open311/v2/requests.json?jurisdiction_id={TENANT}{query}")
                took = (time.perf_counter() - began) * 1000
                scanned.on = False
                assert response.status_code == 200, response.body
                results[size][query] = (len(response.json_body), scanned.items, scanned.queries, took)
    print(f"GET /open311/v2/requests.json?jurisdiction_id={TENANT}: returned / items read / Query calls / ms")
    for query in searches:
        small, big = results[1_000][query], results[TOTAL][query]
        print(f"  {query or '(defaults: 90 days, 1,000)':<62} @1k {small[0]:>5} {small[1]:>6} {small[2]:>3} "
              f"{small[3]:>6.0f}   @20k {big[0]:>5} {big[1]:>6} {big[2]:>3} {big[3]:>6.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
