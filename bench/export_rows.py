"""How fast an export job turns reports into file bytes, and how big a year of a big city's file is.

Renders 100,000 synthetic report items (the shape ``public_feed`` returns) to CSV and to GeoJSON with
the job's own rules (``domain/opendata.py``) and prints rows per second, bytes per row, and the
estimate for 500,000 reports (a year of Jakarta-scale data). Reading is not included: the job reads
the index one Query page at a time (about 1 MB each in DynamoDB), which in the cloud adds roughly
10-50 ms per page.

    python bench/export_rows.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chalicelib.domain import opendata as rules  # noqa: E402

N = 100_000
YEAR = 500_000


def _items() -> list[dict[str, object]]:
    return [{"report_id": f"01KE5Q8600{n:016d}", "tracking_code": f"JKT-{n:06d}", "category": "garbage",
             "agency": "DLH", "area": "KEC-TANAH-ABANG", "status": "closed", "privacy": "public", "feed": "jakarta",
             "description": "Sampah menumpuk di depan pasar, sudah tiga hari tidak diangkut, bau sekali. " * 2,
             "address": "Jl. Kebon Kacang Raya No. 12, Tanah Abang", "lat": -6.1862 + n * 1e-7, "lon": 106.8133,
             "created_at": "2026-03-01T01:02:03.456Z", "updated_at": "2026-03-04T05:06:07.890Z",
             "resolved_at": "2026-03-03T01:00:00.000Z", "closed_at": "2026-03-04T05:06:07.890Z"} for n in range(N)]


def main() -> None:
    items = _items()
    for fmt in rules.FORMATS:
        started = time.perf_counter()
        size = 0
        for n, item in enumerate(items):
            row = rules.row(item)
            assert row is not None
            text = rules.csv_line(row) if fmt == "csv" else rules.geojson_feature(row, first=n == 0)
            size += len(text.encode("utf-8"))
        took = time.perf_counter() - started
        per_row = size / N
        print(f"{fmt:8s} {N / took:10,.0f} rows/s  {per_row:6.0f} bytes/row  "
              f"{YEAR:,} reports: {YEAR * per_row / 1e6:6.0f} MB, {YEAR / (N / took):5.1f} s of rendering, "
              f"{YEAR * per_row / (8 * 1024 * 1024):4.0f} parts of 8 MiB")


if __name__ == "__main__":
    main()
