"""Items one ``GET /v1/tenants/{tenant}/stats`` reads, at 1,000 and at 50,000 reports.

Synthetic reports (spread over 3 units, 5 areas and the days of December 2026) each live the common
path: received, verified, acknowledged, resolved, closed with a rating. The first 100 are fed one
stream change at a time through the real handler path (``services.stats.report_changed``: one
transaction per change, with its mark). The rest, to 1,000 and then to 50,000, are added in bulk:
their changes are computed by the same rule (``domain.stats.item_updates``), summed per aggregate
item and added with one ADD per item: the same end state, since additions commute, in seconds
instead of an hour on moto.

Printed per window: aggregate items read, AWS calls made, and the time the read took in-process on
moto (an indication, not a Lambda figure).

    python bench/stats_reads.py
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from aws_calls import Recorder, local_aws, seeded_stack  # noqa: E402 (the same call counter as the other benches)

TENANT = "kupang"
UNITS = ("DLH", "PUPR", "DISHUB")
AREAS = ("ALAK", "OEBOBO", "MAULAFA", "KELAPALIMA", "KOTALAMA")
START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
ONE_BY_ONE = 100  # through the handler's own transaction per change; the rest summed (same end state)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def life(n: int) -> list[tuple[dict[str, Any] | None, dict[str, Any]]]:
    """The (old, new) stream images of report ``n`` from submission to a rated closure."""
    # 7919 is prime to the minutes of 29 days: the first 1,000 reports already cover every day.
    created = START + timedelta(minutes=7919 * n % (29 * 24 * 60))
    base = {"tenant": TENANT, "report_id": f"R{n:06d}", "agency": UNITS[n % 3], "area": AREAS[n % 5],
            "created_at": _iso(created)}
    steps = [("submit", "submitted", "verification", 0), ("verify", "dispatched", "first_response", 2),
             ("acknowledge", "acknowledged", "resolution", 20 + n % 30), ("resolve", "resolved", "auto_close", 60),
             ("confirm", "closed", None, 61)]
    images: list[dict[str, Any]] = []
    for seq, (action, status, stage, hours) in enumerate(steps, 1):
        at = created + timedelta(hours=hours + n % 7)
        image = {**base, "status": status, "stage": stage, "stage_seq": seq,
                 "due_at": _iso(at + timedelta(hours=48 if n % 4 else 1)),
                 "last_event": {"id": f"E{n}-{seq}", "action": action, "at": _iso(at)}}
        if status == "closed":
            image.update(closed_at=_iso(at), rating=1 + n % 5)
        images.append(image)
    return list(zip([None, *images[:-1]], images, strict=True))


def feed_one_by_one(first: int, last: int) -> None:
    from chalicelib.services import stats

    for n in range(first, last):
        for step, (old, new) in enumerate(life(n)):
            stats.report_changed(old, new, f"bench-{n}-{step}")


def feed_in_bulk(first: int, last: int) -> int:
    from pynamodb.attributes import NumberAttribute

    from chalicelib.domain import stats
    from chalicelib.store.models import StatsModel

    summed: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for n in range(first, last):
        for old, new in life(n):
            for key, amounts in stats.item_updates(old, new, "Asia/Jakarta").items():
                for name, value in amounts.items():
                    summed[key][name] += value
    for key, amounts in summed.items():
        StatsModel(TENANT, key).update(actions=[NumberAttribute(attr_name=k).add(v) for k, v in amounts.items()])
    return len(summed)


def read(client: Any, token: str, recorder: Recorder, query: str) -> tuple[int, int, float, dict[str, Any]]:
    recorder.calls.clear()
    recorder.recording = True
    began = time.perf_counter()
    response = client.http.get(f"/v1/tenants/{TENANT}/stats{query}", headers={"Authorization": f"Bearer {token}"})
    took = (time.perf_counter() - began) * 1000
    recorder.recording = False
    body = response.json_body
    assert response.status_code == 200, body
    return body["items_read"], len(recorder.calls), took, body


def main() -> int:
    recorder = Recorder()
    with local_aws(recorder) as endpoint:
        return _measure(recorder, endpoint)


def _measure(recorder: Recorder, endpoint: str) -> int:
    from chalice.test import Client

    token = seeded_stack(endpoint).token("supervisor.kupang")

    import logging

    import app

    logging.getLogger(app.app.app_name).disabled = True  # one access line per request; not the figures

    queries = ("?window=day&date=2026-12-15", "?window=week&date=2026-12-15", "?window=month&date=2026-12-15",
               "?window=year&date=2026-12-15")
    print(f"GET /v1/tenants/{TENANT}/stats: items read (aggregates, gauges, most-overdue reports) and AWS calls")
    with Client(app.app) as client:
        began = time.perf_counter()
        feed_one_by_one(0, ONE_BY_ONE)
        feed_in_bulk(ONE_BY_ONE, 1_000)
        print(f"  fed {ONE_BY_ONE} reports one stream change at a time ({5 * ONE_BY_ONE:,} changes) and "
              f"{1_000 - ONE_BY_ONE} in bulk in {time.perf_counter() - began:.0f} s", flush=True)
        at_1k = {q: read(client, token, recorder, q) for q in queries}
        began = time.perf_counter()
        items = feed_in_bulk(1_000, 50_000)
        took = time.perf_counter() - began
        print(f"  added 49,000 more in bulk ({items} aggregate items) in {took:.0f} s", flush=True)
        at_50k = {q: read(client, token, recorder, q) for q in queries}
    print(f"  {'window':<8} {'items @1k':>10} {'items @50k':>11} {'calls @1k':>10} {'calls @50k':>11} "
          f"{'ms @1k':>8} {'ms @50k':>8}")
    for q in queries:
        name = q.split("&")[0].split("=")[1]
        small, big = at_1k[q], at_50k[q]
        print(f"  {name:<8} {small[0]:>10} {big[0]:>11} {small[1]:>10} {big[1]:>11} {small[2]:>8.0f} {big[2]:>8.0f}")
    month = at_50k["?window=month&date=2026-12-15"][3]["total"]
    print(f"  month at 50k: received {month['received']:,}, resolved {month['resolved']:,}, "
          f"median resolution {month['resolution_hours']['median']} h, p90 {month['resolution_hours']['p90']} h, "
          f"grade {month['grade']['grade']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
