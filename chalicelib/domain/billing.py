"""Pay per use, the pure rules: billable counters, price plans, and the invoice arithmetic.

Money is whole rupiah in ``int`` everywhere; nothing here ever touches a float. Every division is
an explicit round-half-up of two integers (``round_half_up``), so the same counters always give the
same invoice on any machine.

Counters (what is counted, per tenant and UTC month of the event; where it is counted is written
down in ``chalicelib/store/usage.py``):

- ``reports_created``, ``photos_stored``, ``photo_bytes``, ``notifications_inbox``,
  ``notifications_webhook``, ``notifications_email``, ``sla_timers_started``,
  ``sla_timer_transitions``, ``api_requests``.

Priced units are the counters, except that photo storage is priced in ``photo_megabytes``: the
month's ``photo_bytes`` rounded up to whole MiB (1 MiB = 1,048,576 bytes). A price "per byte" would
need prices below one rupiah, and a price per GiB would round most pemda's month to zero or one.

A plan document (``parse_plan``/``plan_to_json`` are the contract of ``TenantModel.plan``)::

    {"name": "Standar", "currency": "IDR", "base_monthly": 2500000, "tax_percent": 11,
     "items": {"reports_created": {"included": 500, "unit_price": 1000, "per": 1}, ...}}

``tax_percent`` is PPN: an integer or a decimal string ("11", "12", "11.5"), default 11. An item
``{"included": q, "unit_price": p, "per": k}`` bills ``max(0, used - q)`` units at ``p`` rupiah per
``k`` units; a unit without an item is free.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from chalicelib.errors import FieldError, ProblemError

COUNTERS: tuple[str, ...] = (
    "reports_created", "photos_stored", "photo_bytes", "notifications_inbox", "notifications_webhook",
    "notifications_email", "sla_timers_started", "sla_timer_transitions", "api_requests",
)
MIB = 1024 * 1024
UNITS: tuple[str, ...] = (
    "reports_created", "photos_stored", "photo_megabytes", "notifications_inbox", "notifications_webhook",
    "notifications_email", "sla_timers_started", "sla_timer_transitions", "api_requests",
)
UNIT_LABELS: dict[str, dict[str, str]] = {
    "reports_created": {"id": "Laporan masuk", "en": "Reports created"},
    "photos_stored": {"id": "Foto disimpan", "en": "Photos stored"},
    "photo_megabytes": {"id": "Penyimpanan foto (MiB)", "en": "Photo storage (MiB)"},
    "notifications_inbox": {"id": "Notifikasi kotak masuk", "en": "In-app notifications"},
    "notifications_webhook": {"id": "Notifikasi webhook", "en": "Webhook notifications"},
    "notifications_email": {"id": "Notifikasi email", "en": "Email notifications"},
    "sla_timers_started": {"id": "Timer SLA dimulai", "en": "SLA timers started"},
    "sla_timer_transitions": {"id": "Eskalasi dan tutup otomatis SLA", "en": "SLA escalations and auto-closes"},
    "api_requests": {"id": "Permintaan API key", "en": "API key requests"},
}
CURRENCY = "IDR"
DEFAULT_TAX_PERCENT = "11"  # PPN (UU 7/2021 HPP)
PAYMENT_TERM_DAYS = 30
MARK_TTL = timedelta(days=40)  # longer than any redelivery window (SQS 14 days, streams 24 hours)
LIMIT_WINDOW_TTL = timedelta(hours=2)
DEFAULT_ANONYMOUS_REPORTS_PER_HOUR = 300
MAX_MONEY = 10**15  # rupiah: far above any pemda's budget line, low enough to catch a typo
MAX_QUANTITY = 10**15
SELLER = {"name": "Aduan", "legal_name": "Platform Aduan"}

DEFAULT_PLAN_DOCUMENT: dict[str, Any] = {
    "name": "Standar",
    "currency": CURRENCY,
    "base_monthly": 2_500_000,
    "tax_percent": 11,
    "items": {
        "reports_created": {"included": 500, "unit_price": 1_000, "per": 1},
        "photos_stored": {"included": 1_000, "unit_price": 200, "per": 1},
        "photo_megabytes": {"included": 1_024, "unit_price": 50, "per": 1},
        "notifications_inbox": {"included": 10_000, "unit_price": 500, "per": 1_000},
        "notifications_webhook": {"included": 1_000, "unit_price": 25, "per": 1},
        "notifications_email": {"included": 1_000, "unit_price": 50, "per": 1},
        "sla_timers_started": {"included": 2_000, "unit_price": 100, "per": 1},
        "sla_timer_transitions": {"included": 500, "unit_price": 100, "per": 1},
        "api_requests": {"included": 100_000, "unit_price": 5_000, "per": 10_000},
    },
}


# -- integer money --------------------------------------------------------------------------


def round_half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded to the nearest integer, halves up (both non-negative)."""
    if denominator <= 0 or numerator < 0:
        raise ValueError("round_half_up takes a non-negative numerator and a positive denominator")
    return (2 * numerator + denominator) // (2 * denominator)


def ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def rupiah(amount: int) -> str:
    """Indonesian style: ``Rp 1.234.567`` (dots group thousands; rupiah have no decimals here)."""
    return "Rp " + f"{amount:,}".replace(",", ".")


# -- months ---------------------------------------------------------------------------------

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_YEAR, LAST_YEAR = 2020, 2100


def parse_month(text: str) -> tuple[int, int] | None:
    """``YYYY-MM`` as (year, month), or None when it is not a month Aduan could have billed."""
    match = _MONTH.match(text or "")
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        return None
    return year, month


def month_of(moment: datetime) -> str:
    """The UTC month an event is counted in."""
    return moment.astimezone(UTC).strftime("%Y-%m")


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of ``YYYY-MM``."""
    parsed = parse_month(month)
    if parsed is None:
        raise ValueError(f"not a month: {month!r}")
    year, number = parsed
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def month_is_over(month: str, now: datetime) -> bool:
    return month < month_of(now)


def month_is_future(month: str, now: datetime) -> bool:
    return month > month_of(now)


# -- throttling -----------------------------------------------------------------------------


def hour_window(now: datetime) -> str:
    """The throttle window of ``now``: its UTC hour, ``YYYY-MM-DDTHH``."""
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H")


def seconds_to_next_hour(now: datetime) -> int:
    moment = now.astimezone(UTC)
    passed = moment.minute * 60 + moment.second
    return max(1, 3600 - passed)  # at least 1: "Retry-After: 0" invites an immediate, refused retry


def anonymous_limit(limits: dict[str, Any] | None) -> int:
    """The tenant's anonymous submissions per hour, or the platform default."""
    value = (limits or {}).get("anonymous_reports_per_hour")
    if isinstance(value, bool) or value is None:
        return DEFAULT_ANONYMOUS_REPORTS_PER_HOUR
    try:
        number = int(value)  # DynamoDB hands numbers back as Decimal
    except (TypeError, ValueError):
        return DEFAULT_ANONYMOUS_REPORTS_PER_HOUR
    return max(0, number)


# -- counters -------------------------------------------------------------------------------

SHARDS = 8  # concurrent transactions on one item conflict; 8 items per month make that rare


def shard_of(seed: str) -> int:
    """A stable shard for an event (a report id, a delivery id): the same event always lands on the same one.

    Python's ``hash`` is salted per process, so the shard comes from the seed's own characters.
    """
    total = 0
    for char in seed:
        total = (total * 31 + ord(char)) % 1_000_003
    return total % SHARDS


def units_used(counters: dict[str, int]) -> dict[str, int]:
    """The priced units of a month from its raw counters (photo_bytes -> photo_megabytes, rounded up)."""
    used = {name: int(counters.get(name, 0)) for name in UNITS if name != "photo_megabytes"}
    used["photo_megabytes"] = ceil_div(int(counters.get("photo_bytes", 0)), MIB)
    return used


def complete_counters(raw: dict[str, Any]) -> dict[str, int]:
    """Every counter, 0 when none was recorded; numbers as int (DynamoDB gives Decimals)."""
    return {name: int(raw.get(name, 0) or 0) for name in COUNTERS}


# -- plans ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceItem:
    included: int
    unit_price: int
    per: int = 1


@dataclass(frozen=True)
class Plan:
    name: str
    currency: str
    base_monthly: int
    tax_percent: str  # canonical decimal text, e.g. "11" or "11.5"
    items: dict[str, PriceItem]

    def tax_fraction(self) -> tuple[int, int]:
        """PPN as numerator/denominator of a percentage: "11.5" -> (115, 10)."""
        whole, _, fraction = self.tax_percent.partition(".")
        return int(whole + fraction), 10 ** len(fraction)


_WORDS: dict[str, tuple[str, str]] = {
    "model_type": ("Harus berupa objek.", "Must be an object."),
    "extra_forbidden": ("Isian ini tidak dikenal.", "This field is not allowed."),
    "missing": ("Isian ini wajib.", "This field is required."),
    "string_type": ("Harus berupa teks 1-100 karakter.", "Must be text of 1-100 characters."),
    "int_type": ("Harus bilangan bulat.", "Must be a whole number."),
    "out_of_range": ("Harus antara {low} dan {high}.", "Must be between {low} and {high}."),
    "currency": ("Hanya IDR (rupiah) yang didukung.", "Only IDR (rupiah) is supported."),
    "tax_percent": ("PPN harus angka 0-100, mis. 11 atau \"12\" (paling banyak dua desimal).",
                    "PPN must be a number 0-100, e.g. 11 or \"12\" (at most two decimals)."),
    "unknown_unit": ("Satuan tidak dikenal; gunakan " + ", ".join(UNITS) + ".",
                     "Unknown unit; use " + ", ".join(UNITS) + "."),
}
_PLAN_KEYS = ("name", "currency", "base_monthly", "tax_percent", "items")
_ITEM_KEYS = ("included", "unit_price", "per")
_TAX = re.compile(r"^\d{1,3}(\.\d{1,2})?$")


class _Problems:
    """Collects every invalid field, so one 422 lists them all."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, path: str, code: str, **bounds: int) -> None:
        words = _WORDS[code]
        self.errors.append(FieldError(path or "body", code, {
            "id": words[0].format(**bounds), "en": words[1].format(**bounds)}))

    def object(self, value: Any, path: str, keys: tuple[str, ...] | None, required: tuple[str, ...] = ()) -> bool:
        """True when ``value`` is an object; keys outside ``keys`` (None: any) and missing ``required`` recorded."""
        if not isinstance(value, dict):
            self.add(path, "model_type")
            return False
        for key in value:
            if keys is not None and key not in keys:
                self.add(_at(path, key), "extra_forbidden")
        for key in required:
            if key not in value:
                self.add(_at(path, key), "missing")
        return True

    def integer(self, value: Any, path: str, low: int, high: int) -> int | None:
        if type(value) is not int:  # bool is an int to Python, not to a JSON client; floats never
            self.add(path, "int_type")
        elif not low <= value <= high:
            self.add(path, "out_of_range", low=low, high=high)
        else:
            return value
        return None


def _at(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _tax_text(value: Any) -> str | None:
    """Canonical PPN text, or None when invalid. Accepts an int or a decimal string, never a float."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        return None
    if not _TAX.match(text):
        return None
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    canonical = str(int(whole)) + (f".{fraction}" if fraction else "")
    number, scale = int(whole + fraction.ljust(2, "0")), 100
    return canonical if number <= 100 * scale else None


def parse_plan(doc: Any) -> Plan:
    """The plan in ``doc``, or a 422 ``validation_failed`` listing every invalid field."""
    problems = _Problems()
    if not problems.object(doc, "", _PLAN_KEYS, ("name", "base_monthly", "items")):
        raise ProblemError("validation_failed", errors=problems.errors)
    name = doc.get("name")
    if "name" in doc and (not isinstance(name, str) or not 1 <= len(name.strip()) <= 100):
        problems.add("name", "string_type")
    currency = doc.get("currency", CURRENCY)
    if currency != CURRENCY:
        problems.add("currency", "currency")
    base = problems.integer(doc.get("base_monthly"), "base_monthly", 0, MAX_MONEY) if "base_monthly" in doc else None
    tax = _tax_text(doc.get("tax_percent", DEFAULT_TAX_PERCENT))
    if tax is None:
        problems.add("tax_percent", "tax_percent")
    items: dict[str, PriceItem] = {}
    if "items" in doc and problems.object(doc["items"], "items", None):
        for unit, raw in doc["items"].items():
            path = _at("items", unit)
            if unit not in UNITS:
                problems.add(path, "unknown_unit")
                continue
            if not problems.object(raw, path, _ITEM_KEYS, ("included", "unit_price")):
                continue
            if not {"included", "unit_price"} <= set(raw):
                continue  # reported as missing
            included = problems.integer(raw["included"], _at(path, "included"), 0, MAX_QUANTITY)
            price = problems.integer(raw["unit_price"], _at(path, "unit_price"), 0, MAX_MONEY)
            per = problems.integer(raw.get("per", 1), _at(path, "per"), 1, MAX_QUANTITY)
            if included is not None and price is not None and per is not None:
                items[unit] = PriceItem(included=included, unit_price=price, per=per)
    if problems.errors or base is None or tax is None or not isinstance(name, str):
        raise ProblemError("validation_failed", errors=problems.errors)
    return Plan(name=name.strip(), currency=CURRENCY, base_monthly=base, tax_percent=tax, items=items)


def plan_to_json(plan: Plan) -> dict[str, Any]:
    tax: int | str = int(plan.tax_percent) if plan.tax_percent.isdigit() else plan.tax_percent
    return {"name": plan.name, "currency": plan.currency, "base_monthly": plan.base_monthly, "tax_percent": tax,
            "items": {unit: {"included": i.included, "unit_price": i.unit_price, "per": i.per}
                      for unit, i in plan.items.items()}}


DEFAULT_PLAN = parse_plan(DEFAULT_PLAN_DOCUMENT)


def plan_of(stored: dict[str, Any] | None) -> Plan:
    """The tenant's plan as stored (numbers come back from DynamoDB as Decimal), or the default plan."""
    if not stored:
        return DEFAULT_PLAN
    return parse_plan(_plain_numbers(stored))


def _plain_numbers(value: Any) -> Any:
    """DynamoDB's Decimals back to int (whole ones) so the plan parser sees what the client sent."""
    if isinstance(value, dict):
        return {k: _plain_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_numbers(v) for v in value]
    if type(value).__name__ == "Decimal" and value == value.to_integral_value():
        return int(value)
    return value


# -- invoices -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parties:
    """Who sells and who buys: the platform and the pemda, as printed on the invoice."""

    tenant: str
    buyer_name: str
    code_prefix: str
    seller_name: str = SELLER["legal_name"]


def invoice_number(code_prefix: str, month: str) -> str:
    """``ADN/KPG/2026/12``: one invoice per tenant and month, so the number is derived, never allocated."""
    year, number = month.split("-")
    return f"ADN/{code_prefix.upper()}/{year}/{number}"


def terbilang(amount: int) -> str:
    """The amount in words, as Indonesian invoices carry it: "Dua juta ... rupiah"."""
    from num2words import num2words

    words = str(num2words(amount, lang="id"))
    return f"{words[:1].upper()}{words[1:]} rupiah"


def compute_invoice(plan: Plan, counters: dict[str, int], month: str, parties: Parties,
                    now: datetime) -> dict[str, Any]:
    """The invoice of one month: the plan applied to the month's counters, integers only.

    Per unit: billable = max(0, used - included); amount = round-half-up(billable * unit_price / per).
    subtotal = base + amounts; tax = round-half-up(subtotal * PPN / 100); total = subtotal + tax.
    A month not over yet is a ``draft`` issued today; a past month is ``final``, issued on the first
    day of the month after it. Payment is due ``PAYMENT_TERM_DAYS`` after issue.
    """
    start, end = month_bounds(month)
    used = units_used(counters)
    lines = []
    for unit in UNITS:
        item = plan.items.get(unit)
        if item is None:
            continue
        billable = max(0, used[unit] - item.included)
        amount = round_half_up(billable * item.unit_price, item.per)
        lines.append({"item": unit, "label": dict(UNIT_LABELS[unit]), "used": used[unit], "included": item.included,
                      "billable": billable, "unit_price": item.unit_price, "per": item.per, "amount": amount})
    subtotal = plan.base_monthly + sum(line["amount"] for line in lines)
    numerator, denominator = plan.tax_fraction()
    tax = round_half_up(subtotal * numerator, denominator * 100)
    total = subtotal + tax
    final = month_is_over(month, now)
    issued = end + timedelta(days=1) if final else now.astimezone(UTC).date()
    return {
        "number": invoice_number(parties.code_prefix, month),
        "tenant": parties.tenant,
        "month": month,
        "status": "final" if final else "draft",
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "issue_date": issued.isoformat(),
        "due_date": (issued + timedelta(days=PAYMENT_TERM_DAYS)).isoformat(),
        "seller": {"name": parties.seller_name},
        "buyer": {"name": parties.buyer_name, "code": parties.tenant},
        "currency": plan.currency,
        "plan": plan.name,
        "counters": dict(counters),
        "base_monthly": plan.base_monthly,
        "lines": lines,
        "subtotal": subtotal,
        "tax_percent": plan.tax_percent,
        "tax": tax,
        "total": total,
        "total_in_words": terbilang(total),
    }


def estimate(invoice: dict[str, Any]) -> dict[str, Any]:
    """The totals of an invoice, for the usage view."""
    return {key: invoice[key] for key in ("number", "status", "currency", "base_monthly", "subtotal", "tax_percent",
                                          "tax", "total")}
