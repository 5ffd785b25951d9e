"""A report's common journey through the API, for tests that need one behind them (stats, open data)."""

from __future__ import annotations

from typing import Any

REPORTS = "/v1/tenants/kupang/reports"


def act(stack: Any, report: dict[str, Any], user: str, **body: Any) -> dict[str, Any]:
    """One transition that must succeed; the report after it."""
    response = stack.call("POST", f"{REPORTS}/{report['id']}/transitions", body, user=user)
    assert response.status_code == 200, (body, response.json_body)
    return response.json_body


def resolved(stack: Any, rating: int | None = None) -> dict[str, Any]:
    """A Kupang garbage report filed by warga.ani, verified, acknowledged and resolved with an "after" photo
    by DLH; confirmed with ``rating`` when one is given."""
    from tests.images import jpeg_with_gps
    from tests.integration.conftest import report_body, upload

    report = stack.call("POST", REPORTS, report_body(), user="warga.ani").json_body
    report = act(stack, report, "admin.kupang", action="verify")
    report = act(stack, report, "petugas.kupang.dlh", action="acknowledge")
    slot = stack.call("POST", f"{REPORTS}/{report['id']}/photos", {"content_type": "image/jpeg"},
                      user="petugas.kupang.dlh").json_body
    upload(slot, jpeg_with_gps())
    stack.drain_uploads()
    report = act(stack, report, "petugas.kupang.dlh", action="resolve", note="Sampah sudah diangkut",
                 photo_ids=[slot["photo_id"]])
    if rating:
        report = act(stack, report, "warga.ani", action="confirm", rating=rating)
    return report
