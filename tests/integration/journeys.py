"""A report's common journey through the API, for tests that need one behind them (stats, open data)."""

from __future__ import annotations

from typing import Any

REPORTS = "/v1/tenants/kupang/reports"


def act(stack: Any, report: dict[str, Any], user: str, **body: Any) -> dict[str, Any]:
    """One transition that must succeed; the report after it."""
    response = stack.call("POST", f"{REPORTS}/{report['id']}/transitions", body, user=user)
    assert response.status_code == 200, (body, response.json_body)
    return response.json_body


def processed_photo(stack: Any, report: dict[str, Any], user: str) -> str:
    """A photo added to the report by ``user``, uploaded and processed; its id."""
    from tests.images import jpeg_with_gps
    from tests.integration.conftest import upload

    slot = stack.call("POST", f"{REPORTS}/{report['id']}/photos", {"content_type": "image/jpeg"}, user=user)
    assert slot.status_code == 201, slot.json_body
    upload(slot.json_body, jpeg_with_gps())
    stack.drain_uploads()
    return str(slot.json_body["photo_id"])


def resolved(stack: Any, rating: int | None = None) -> dict[str, Any]:
    """A Kupang garbage report filed by warga.ani, verified, acknowledged and resolved with an "after" photo
    by DLH; confirmed with ``rating`` when one is given."""
    from tests.integration.conftest import report_body

    report = stack.call("POST", REPORTS, report_body(), user="warga.ani").json_body
    report = act(stack, report, "admin.kupang", action="verify")
    report = act(stack, report, "petugas.kupang.dlh", action="acknowledge")
    photo = processed_photo(stack, report, "petugas.kupang.dlh")
    report = act(stack, report, "petugas.kupang.dlh", action="resolve", note="Sampah sudah diangkut",
                 photo_ids=[photo])
    if rating:
        report = act(stack, report, "warga.ani", action="confirm", rating=rating)
    return report
