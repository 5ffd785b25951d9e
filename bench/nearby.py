"""Items read by the place queries of ``GET /v1/tenants/{tenant}/reports``, at 1,000 and at 50,000 reports.

The tenant's first 1,000 reports: 250 around the Oeba market (within 1 km of the query point), 750
over the rest of Kupang. The next 49,000 are the rest of the city growing: spread over the service
area but farther than 1.5 km from the market, 5 % of them confidential. So the neighbourhood's
answers do not change, and the figures show whether what a query reads depends on the table or on
the answer. Reports are written through the store's own key rule (``store.reports._listing_keys``,
the index keys a created report gets) with batch writes, minutes instead of an hour on moto.

Counted at botocore's after-call: items read = the ``ScannedCount`` of each Query (before filters)
plus the items of each BatchGetItem; calls = AWS calls; amplification = items read / items returned.

    python bench/nearby.py
"""

from __future__ import annotations

import json
import math
import random
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from aws_calls import Recorder, hook_every_client, local_aws  # noqa: E402 (the same call counter as the other benches)

TENANT = "kupang"
MARKET = (-10.1772, 123.607)
AREA = (-10.26, 123.52, -10.12, 123.70)  # south, west, north, east of the demo service area
CATEGORIES = ("garbage", "garbage", "road_damage", "street_light", "flood_drainage")
STATUSES = ("submitted", "dispatched", "in_progress", "resolved", "closed")


@dataclass
class Reads:
    """Items DynamoDB read for the recording thread's calls."""

    thread: int = field(default_factory=threading.get_ident)
    recording: bool = False
    items: int = 0

    def on_after(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if not self.recording or threading.get_ident() != self.thread:
            return
        if model.name == "Query":
            self.items += int(parsed.get("ScannedCount", 0))
        elif model.name == "BatchGetItem":
            self.items += sum(len(v) for v in parsed.get("Responses", {}).values())
        # GetItem is the tenant's profile (cached for minutes), not a report: not counted.


def install_reads(reads: Reads) -> None:
    hook_every_client("after-call", reads.on_after)


def _point_near(rng: random.Random, metres: float) -> tuple[float, float]:
    distance, bearing = metres * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    lat = MARKET[0] + math.degrees(distance * math.cos(bearing) / 6_371_008.8)
    lon = MARKET[1] + math.degrees(distance * math.sin(bearing) / 6_371_008.8) / math.cos(math.radians(MARKET[0]))
    return lat, lon


def _point_in_city(rng: random.Random, farther_than: float) -> tuple[float, float]:
    from chalicelib.domain.geoindex import haversine_m

    while True:
        lat, lon = rng.uniform(AREA[0], AREA[2]), rng.uniform(AREA[1], AREA[3])
        if haversine_m(lat, lon, *MARKET) > farther_than:
            return lat, lon


def load(first: int, last: int, where: Any, confidential_share: float, rng: random.Random) -> None:
    from chalicelib.store.models import ReportModel
    from chalicelib.store.reports import _listing_keys

    with ReportModel.batch_write() as batch:
        for n in range(first, last):
            lat, lon = where(rng)
            privacy = "confidential" if rng.random() < confidential_share else "public"
            at = f"2026-12-{1 + n % 28:02d}T{n % 24:02d}:00:00.000Z"
            report = ReportModel(tenant=TENANT, report_id=f"01K{n:023d}", tracking_code=f"KPG-{n:06d}",
                                 category=CATEGORIES[n % len(CATEGORIES)], description=f"Laporan {n}",
                                 lat=round(lat, 7), lon=round(lon, 7), privacy=privacy,
                                 status=STATUSES[n % len(STATUSES)], created_at=at, updated_at=at,
                                 agency="DLH", photos=[])
            _listing_keys(report, privacy == "public")
            batch.save(report)


QUERIES = (
    ("near 300 m, limit 100", f"near={MARKET[0]},{MARKET[1]}&radius_m=300&limit=100"),
    ("near 1 km, limit 20", f"near={MARKET[0]},{MARKET[1]}&radius_m=1000"),
    ("near 5 km, limit 20", f"near={MARKET[0]},{MARKET[1]}&radius_m=5000"),
    ("near 5 km, garbage, dispatched", f"near={MARKET[0]},{MARKET[1]}&radius_m=5000&category=garbage"
                                       "&status=dispatched"),
    ("near 50 m, garbage, submitted", f"near={MARKET[0]},{MARKET[1]}&radius_m=50&category=garbage"
                                      "&status=submitted"),
    ("bbox 1 x 1 km, limit 100", "bbox=123.6025,-10.1817,123.6115,-10.1727&limit=100"),
    ("cluster, the market's 3 km", "bbox=123.593,-10.191,123.621,-10.163&cluster=true"),
    ("near 1 km elsewhere (city grows)", "near=-10.22,123.56&radius_m=1000"),
    ("cluster, the whole city", "bbox=123.52,-10.26,123.70,-10.12&cluster=true"),
)


def run(client: Any, recorder: Recorder, reads: Reads, query: str) -> tuple[int, int, int, float]:
    recorder.calls.clear()
    reads.items = 0
    recorder.recording = reads.recording = True
    began = time.perf_counter()
    response = client.http.get(f"/v1/tenants/{TENANT}/reports?{query}")
    took = (time.perf_counter() - began) * 1000
    recorder.recording = reads.recording = False
    assert response.status_code == 200, response.body
    body = json.loads(response.body)
    returned = sum(c["count"] for c in body["clusters"]) if "clusters" in body else len(body["items"])
    return reads.items, returned, len(recorder.calls), took


def main() -> int:
    recorder = Recorder()
    reads = Reads()
    with local_aws(recorder):
        install_reads(reads)
        return _measure(recorder, reads)


def _measure(recorder: Recorder, reads: Reads) -> int:
    import os

    from chalice.test import Client

    from chalicelib.config import reset_settings
    from devstack.provision import provision
    from devstack.seed import seed_tenants

    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")  # not a log line per request
    reset_settings()
    os.environ.update(provision().environment())
    reset_settings()
    seed_tenants()
    rng = random.Random(8)

    import app

    print(f"GET /v1/tenants/{TENANT}/reports by place: items read (index entries + full items) and AWS calls")
    results: dict[str, list[tuple[int, int, int, float]]] = {name: [] for name, _ in QUERIES}
    with Client(app.app) as client:
        began = time.perf_counter()
        load(0, 250, lambda r: _point_near(r, 1_000), 0.05, rng)
        load(250, 1_000, lambda r: _point_in_city(r, 1_500), 0.05, rng)
        print(f"  loaded 1,000 reports in {time.perf_counter() - began:.0f} s", flush=True)
        for name, query in QUERIES:
            run(client, recorder, reads, query)  # warm: clients, tenant cache, credentials
            results[name].append(run(client, recorder, reads, query))
        began = time.perf_counter()
        load(1_000, 50_000, lambda r: _point_in_city(r, 1_500), 0.05, rng)
        print(f"  added 49,000 more (farther than 1.5 km from the market) in {time.perf_counter() - began:.0f} s",
              flush=True)
        print(f"  {'query':<34} {'read@1k':>8} {'read@50k':>9} {'x':>5} {'returned':>9} {'ampl@50k':>9} "
              f"{'calls':>6} {'ms@50k':>7}", flush=True)
        for name, query in QUERIES:  # printed as measured: moto's index queries are slow at 50,000 items
            (small, _, _, _), (big, returned, calls, took) = results[name][0], run(client, recorder, reads, query)
            ratio = big / small if small else float("nan")
            amplification = big / returned if returned else float("nan")
            print(f"  {name:<34} {small:>8} {big:>9} {ratio:>5.2f} {returned:>9} {amplification:>9.1f} "
                  f"{calls:>6} {took:>7.0f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
