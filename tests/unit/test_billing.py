"""Pay per use: plan documents, integer invoice arithmetic, and the CSV and HTML a finance officer gets."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.domain import billing
from chalicelib.domain.billing import (
    DEFAULT_PLAN,
    MIB,
    Parties,
    compute_invoice,
    parse_plan,
    plan_to_json,
    round_half_up,
    rupiah,
)
from chalicelib.domain.invoices import to_csv, to_html
from chalicelib.errors import ProblemError

PARTIES = Parties(tenant="kupang", buyer_name="Pemerintah Kota Kupang", code_prefix="KPG")
LATER = datetime(2027, 2, 3, 10, 0, tzinfo=UTC)  # December 2026 is over by then: its invoice is final


def plan(**items: dict[str, int]) -> Any:
    return parse_plan({"name": "Uji", "base_monthly": 1_000_000, "tax_percent": 11, "items": items})


def errors_of(doc: Any) -> dict[str, str]:
    with pytest.raises(ProblemError) as caught:
        parse_plan(doc)
    assert caught.value.code == "validation_failed"
    return {e.field: e.code for e in caught.value.errors}


# -- arithmetic -----------------------------------------------------------------------------


@pytest.mark.parametrize(("numerator", "denominator", "expected"), [
    (0, 1, 0), (5, 10, 1), (4, 10, 0), (15, 10, 2), (25, 10, 3), (1, 3, 0), (2, 3, 1), (3, 2, 2),
    (10**30 + 5, 10, 10**29 + 1),
])
def test_rounding_is_half_up_on_integers(numerator, denominator, expected):
    assert round_half_up(numerator, denominator) == expected


def test_rupiah_are_written_the_indonesian_way():
    assert rupiah(0) == "Rp 0"
    assert rupiah(1_234_567) == "Rp 1.234.567"
    assert rupiah(999) == "Rp 999"


def test_usage_within_the_included_quota_costs_only_the_base_fee_and_tax():
    invoice = compute_invoice(plan(reports_created={"included": 100, "unit_price": 1000}),
                              {"reports_created": 100}, "2026-12", PARTIES, LATER)
    line, = invoice["lines"]
    assert (line["used"], line["included"], line["billable"], line["amount"]) == (100, 100, 0, 0)
    assert invoice["subtotal"] == 1_000_000
    assert invoice["tax"] == 110_000
    assert invoice["total"] == 1_110_000


def test_zero_usage_lists_every_priced_item_at_zero():
    invoice = compute_invoice(DEFAULT_PLAN, {}, "2026-12", PARTIES, LATER)
    assert {line["item"] for line in invoice["lines"]} == set(DEFAULT_PLAN.items)
    assert all(line["used"] == 0 and line["amount"] == 0 for line in invoice["lines"])
    assert invoice["subtotal"] == DEFAULT_PLAN.base_monthly


def test_usage_above_the_quota_is_billed_per_unit_and_per_block():
    p = plan(reports_created={"included": 10, "unit_price": 1000},
             notifications_inbox={"included": 0, "unit_price": 500, "per": 1000})
    invoice = compute_invoice(p, {"reports_created": 25, "notifications_inbox": 1500}, "2026-12", PARTIES, LATER)
    amounts = {line["item"]: line["amount"] for line in invoice["lines"]}
    assert amounts == {"reports_created": 15_000, "notifications_inbox": 750}
    assert invoice["subtotal"] == 1_000_000 + 15_000 + 750
    assert invoice["tax"] == round_half_up(1_015_750 * 11, 100)  # 111732.5 -> 111733
    assert invoice["tax"] == 111_733
    assert invoice["total"] == 1_015_750 + 111_733


def test_a_half_rupiah_rounds_up_and_less_rounds_down():
    p = plan(notifications_email={"included": 0, "unit_price": 1, "per": 2})
    assert compute_invoice(p, {"notifications_email": 1}, "2026-12", PARTIES, LATER)["lines"][0]["amount"] == 1
    p = plan(notifications_email={"included": 0, "unit_price": 1, "per": 3})
    assert compute_invoice(p, {"notifications_email": 1}, "2026-12", PARTIES, LATER)["lines"][0]["amount"] == 0
    assert compute_invoice(p, {"notifications_email": 2}, "2026-12", PARTIES, LATER)["lines"][0]["amount"] == 1


def test_photo_storage_is_billed_per_started_mebibyte():
    p = plan(photo_megabytes={"included": 1, "unit_price": 100})
    just = compute_invoice(p, {"photo_bytes": MIB}, "2026-12", PARTIES, LATER)["lines"][0]
    assert (just["used"], just["amount"]) == (1, 0)
    over = compute_invoice(p, {"photo_bytes": MIB + 1}, "2026-12", PARTIES, LATER)["lines"][0]
    assert (over["used"], over["billable"], over["amount"]) == (2, 1, 100)


def test_big_numbers_stay_exact():
    p = parse_plan({"name": "Besar", "base_monthly": 10**12, "tax_percent": "12",
                    "items": {"api_requests": {"included": 0, "unit_price": 999_999_999, "per": 7}}})
    invoice = compute_invoice(p, {"api_requests": 10**12 + 3}, "2026-12", PARTIES, LATER)
    amount = invoice["lines"][0]["amount"]
    assert amount == round_half_up((10**12 + 3) * 999_999_999, 7)
    assert invoice["tax"] == round_half_up((10**12 + amount) * 12, 100)
    assert isinstance(invoice["total"], int)
    assert invoice["total_in_words"].endswith(" rupiah")


def test_a_decimal_tax_rate_is_exact():
    p = parse_plan({"name": "Uji", "base_monthly": 1_000_001, "tax_percent": "11.5", "items": {}})
    invoice = compute_invoice(p, {}, "2026-12", PARTIES, LATER)
    assert invoice["tax"] == round_half_up(1_000_001 * 115, 1000)  # 115000.115 -> 115000
    assert invoice["tax_percent"] == "11.5"


def test_no_tax_and_no_items():
    p = parse_plan({"name": "Hibah", "base_monthly": 0, "tax_percent": 0, "items": {}})
    invoice = compute_invoice(p, {"reports_created": 10**6}, "2026-12", PARTIES, LATER)
    assert (invoice["lines"], invoice["total"], invoice["total_in_words"]) == ([], 0, "Nol rupiah")


def test_the_invoice_carries_number_period_dates_parties_and_words():
    invoice = compute_invoice(plan(), {}, "2026-12", PARTIES, LATER)
    assert invoice["number"] == "ADN/KPG/2026/12"
    assert invoice["period"] == {"start": "2026-12-01", "end": "2026-12-31"}
    assert invoice["status"] == "final"
    assert invoice["issue_date"] == "2027-01-01"
    assert invoice["due_date"] == "2027-01-31"
    assert invoice["buyer"]["name"] == "Pemerintah Kota Kupang"
    assert invoice["total"] == 1_110_000
    assert invoice["total_in_words"] == "Satu juta seratus sepuluh ribu rupiah"


def test_the_running_month_is_a_draft_issued_today():
    invoice = compute_invoice(plan(), {}, "2027-02", PARTIES, LATER)
    assert invoice["status"] == "draft"
    assert invoice["issue_date"] == "2027-02-03"
    assert invoice["due_date"] == "2027-03-05"
    assert invoice["period"]["end"] == "2027-02-28"


# -- plans ----------------------------------------------------------------------------------


def test_the_default_plan_round_trips():
    assert parse_plan(plan_to_json(DEFAULT_PLAN)) == DEFAULT_PLAN
    assert plan_to_json(DEFAULT_PLAN)["tax_percent"] == 11


def test_tax_defaults_to_11_percent_and_accepts_decimal_strings():
    assert parse_plan({"name": "A", "base_monthly": 0, "items": {}}).tax_percent == "11"
    assert parse_plan({"name": "A", "base_monthly": 0, "items": {}, "tax_percent": "12"}).tax_percent == "12"
    assert parse_plan({"name": "A", "base_monthly": 0, "items": {}, "tax_percent": "11.50"}).tax_percent == "11.5"


def test_every_problem_of_a_plan_is_reported_at_once():
    found = errors_of({"name": "", "currency": "USD", "base_monthly": 1.5, "tax_percent": 11.0, "colour": "red",
                       "items": {"reports_created": {"included": -1, "unit_price": "1000", "per": 0, "x": 1},
                                 "photo_bytes": {"included": 0, "unit_price": 1},
                                 "api_requests": {"included": 0}}})
    assert found == {
        "name": "string_type", "currency": "currency", "base_monthly": "int_type", "tax_percent": "tax_percent",
        "colour": "extra_forbidden", "items.reports_created.included": "out_of_range",
        "items.reports_created.unit_price": "int_type", "items.reports_created.per": "out_of_range",
        "items.reports_created.x": "extra_forbidden", "items.photo_bytes": "unknown_unit",
        "items.api_requests.unit_price": "missing",
    }


def test_a_plan_needs_its_fields_and_an_object():
    assert errors_of([]) == {"body": "model_type"}
    assert errors_of({}) == {"name": "missing", "base_monthly": "missing", "items": "missing"}
    assert errors_of({"name": "A", "base_monthly": 0, "items": {}, "tax_percent": "101"}) == {
        "tax_percent": "tax_percent"}
    assert errors_of({"name": "A", "base_monthly": True, "items": []}) == {
        "base_monthly": "int_type", "items": "model_type"}


def test_plan_errors_speak_both_languages():
    with pytest.raises(ProblemError) as caught:
        parse_plan({"name": "A", "base_monthly": -5, "items": {}})
    error, = caught.value.errors
    assert error.message["id"].startswith("Harus antara")
    assert error.message["en"].startswith("Must be between")


def test_a_stored_plan_with_decimals_from_dynamodb_parses():
    from decimal import Decimal

    stored = {"name": "Disimpan", "base_monthly": Decimal(5), "tax_percent": Decimal(12),
              "items": {"reports_created": {"included": Decimal(1), "unit_price": Decimal(10), "per": Decimal(1)}}}
    assert billing.plan_of(stored).items["reports_created"].unit_price == 10
    assert billing.plan_of(None) is DEFAULT_PLAN


# -- throttling and counters ----------------------------------------------------------------


def test_retry_after_counts_to_the_next_hour():
    assert billing.seconds_to_next_hour(datetime(2026, 12, 5, 10, 59, 30, tzinfo=UTC)) == 30
    assert billing.seconds_to_next_hour(datetime(2026, 12, 5, 10, 0, 0, tzinfo=UTC)) == 3600
    assert billing.hour_window(datetime(2026, 12, 5, 10, 59, 30, tzinfo=UTC)) == "2026-12-05T10"


def test_the_anonymous_limit_comes_from_the_tenant_or_the_default():
    assert billing.anonymous_limit(None) == billing.DEFAULT_ANONYMOUS_REPORTS_PER_HOUR
    assert billing.anonymous_limit({"anonymous_reports_per_hour": 5}) == 5


def test_an_event_always_lands_on_the_same_shard():
    assert billing.shard_of("01JABCDEF") == billing.shard_of("01JABCDEF")
    assert {billing.shard_of(f"01J{i:023d}") for i in range(200)} == set(range(billing.SHARDS))


def test_months_are_checked():
    assert billing.parse_month("2026-12") == (2026, 12)
    for bad in ("2026-13", "2026-1", "26-12", "2026-12-01", "", "1999-01"):
        assert billing.parse_month(bad) is None


# -- rendering ------------------------------------------------------------------------------


def _sample() -> dict[str, Any]:
    p = plan(reports_created={"included": 10, "unit_price": 1500},
             notifications_inbox={"included": 0, "unit_price": 500, "per": 1000})
    return compute_invoice(p, {"reports_created": 1234, "notifications_inbox": 2500}, "2026-12",
                           Parties(tenant="kupang", buyer_name="Kota <Kupang> & \"Sekitarnya\"", code_prefix="KPG"),
                           LATER)


def test_the_csv_has_one_line_per_item_then_base_subtotal_tax_total():
    invoice = _sample()
    text = to_csv(invoice)
    assert text.startswith("\ufeff")
    assert "\r\n" in text
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r["line"] for r in rows] == ["reports_created", "notifications_inbox", "base", "subtotal", "tax",
                                         "total"]
    assert rows[0]["amount_idr"] == str((1234 - 10) * 1500)
    assert rows[-1]["amount_idr"] == str(invoice["total"])
    assert all(r["invoice_number"] == "ADN/KPG/2026/12" for r in rows)


def test_the_html_invoice_is_printable_escaped_and_bilingual():
    invoice = _sample()
    page = to_html(invoice)
    assert "@media print" in page and "size: A4" in page
    assert "Kota &lt;Kupang&gt; &amp; &quot;Sekitarnya&quot;" in page
    assert "<Kupang>" not in page
    assert "ADN/KPG/2026/12" in page
    assert rupiah(invoice["total"]) in page
    assert "Rp 1.836.000" in page  # 1224 reports at Rp 1.500
    assert invoice["total_in_words"] in page
    assert "Terbilang" in page and "In words" in page
    assert "PPN 11%" in page
    assert "<script" not in page
