"""The store keeps codes unique and changes safe when two writers meet."""

from __future__ import annotations

import pytest

from tests.integration.conftest import report_body

REPORTS = "/v1/tenants/kupang/reports"


def _new_report(report_id: str):
    from chalicelib.store.models import ReportModel

    return ReportModel(tenant="kupang", report_id=report_id, category="garbage", agency="DLH", description="d",
                       lat=-10.17, lon=123.6, privacy="public", status="submitted",
                       created_at="2026-11-24T01:00:00.000Z", updated_at="2026-11-24T01:00:00.000Z", photos=[])


def test_a_tracking_code_clash_draws_a_new_code_instead_of_failing(stack):
    from chalicelib.store import reports as store

    taken = stack.call("POST", REPORTS, report_body()).json_body["tracking_code"]
    draws = iter([taken, taken, "KPG-FRESH1"])
    report = store.create(_new_report("01JCLASH000000000000000000"), listed=True, new_code=lambda: next(draws))
    assert report.tracking_code == "KPG-FRESH1"
    assert store.id_for_tracking_code("kupang", taken) != report.report_id


def test_a_report_id_is_never_overwritten(stack):
    from pynamodb.exceptions import TransactWriteError

    from chalicelib.store import reports as store

    store.create(_new_report("01JSAME0000000000000000000"), listed=True, new_code=lambda: "KPG-AAAAAA")
    with pytest.raises(TransactWriteError):
        store.create(_new_report("01JSAME0000000000000000000"), listed=True, new_code=lambda: "KPG-BBBBBB")
    assert store.id_for_tracking_code("kupang", "KPG-BBBBBB") is None


def test_of_two_writers_holding_the_same_version_exactly_one_wins(stack):
    from chalicelib.store import reports as store

    report_id = stack.call("POST", REPORTS, report_body()).json_body["id"]
    first, second = store.get("kupang", report_id), store.get("kupang", report_id)
    first.address = "menang"
    store.save(first)
    second.address = "kalah"
    with pytest.raises(store.StaleWrite):
        store.save(second)
    assert store.get("kupang", report_id).address == "menang"


def test_a_change_that_meets_a_concurrent_writer_is_reapplied_on_fresh_data(stack):
    from chalicelib.store import reports as store

    report_id = stack.call("POST", REPORTS, report_body()).json_body["id"]
    interfered = []

    def mutate(report):
        if not interfered:  # another request sneaks in between our read and our write
            other = store.get("kupang", report_id)
            other.address = "lebih dulu"
            store.save(other)
            interfered.append(True)
        report.description = "setelah"
        return True

    saved = store.change("kupang", report_id, mutate)
    fresh = store.get("kupang", report_id)
    assert (fresh.address, fresh.description) == ("lebih dulu", "setelah")
    assert saved.version == fresh.version == 3


def test_racing_photo_requests_never_give_a_report_more_than_five_photos(stack):
    from concurrent.futures import ThreadPoolExecutor

    from chalicelib.errors import ProblemError
    from chalicelib.services.photos import add_photo
    from chalicelib.store import reports as store

    created = stack.call("POST", REPORTS, report_body()).json_body

    def ask(_: int) -> str:
        try:
            add_photo("kupang", created["id"], {"content_type": "image/jpeg"}, None, created["receipt"])
            return "slot"
        except ProblemError as refused:
            return refused.code

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(ask, range(12)))
    assert outcomes.count("slot") <= 5
    assert len(store.get("kupang", created["id"]).photos) == outcomes.count("slot")
    assert set(outcomes) <= {"slot", "too_many_photos", "conflict"}
