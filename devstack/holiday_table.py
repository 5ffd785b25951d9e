"""Write Indonesia's national holidays, as the pinned ``holidays`` package computes them, to a table.

``python -m devstack.holiday_table`` rewrites ``chalicelib/domain/holidays_id.json``: for each year of
``YEARS``, the public holidays without and with the cuti bersama days (``government`` category), names in Bahasa
Indonesia. The working-day calendar reads the table, so a cold Lambda computing its first deadline does
not import the package (its ``countries`` package imports every country's module: ~60-120 ms). Run it
whenever ``holidays`` is bumped (yearly, once the next SKB is published);
``tests/unit/test_holiday_table.py`` fails until the table matches the pinned package.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

TABLE = Path(__file__).resolve().parents[1] / "chalicelib" / "domain" / "holidays_id.json"
YEARS = range(2020, 2036)


def computed(year: int) -> dict[str, dict[str, str]]:
    """One year's days as the package gives them, without and with cuti bersama: {"public": {date: name},
    "public+government": {...}} (both whole: a date in both categories carries both names)."""
    from holidays.countries.indonesia import Indonesia

    public = Indonesia(categories=("public",), years=year, language="id")
    both = Indonesia(categories=("public", "government"), years=year, language="id")
    return {
        "public": {day.isoformat(): name for day, name in sorted(public.items())},
        "public+government": {day.isoformat(): name for day, name in sorted(both.items())},
    }


def table() -> dict[str, Any]:
    import holidays

    return {"source": f"holidays {holidays.__version__} (python -m devstack.holiday_table)",
            "years": {str(year): computed(year) for year in YEARS}}


def main() -> int:
    TABLE.write_text(json.dumps(table(), ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {TABLE.relative_to(Path.cwd()) if TABLE.is_relative_to(Path.cwd()) else TABLE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
