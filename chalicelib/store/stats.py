"""The stats table: aggregates added to from the reports stream, exactly once, and read per window.

Each stream record is applied in one transaction: a conditional ``mark#<stream event id>`` (expiring
after ``MARK_TTL``, longer than the stream's 24-hour retention) plus an ADD on every aggregate item it
touches, and on the billing counters of the SLA timer events it shows (the ``usage`` table). A
redelivered record meets its mark, the transaction is cancelled, and nothing is added twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.store.models import StatsModel

if TYPE_CHECKING:
    from chalicelib.store.usage import Increment

MARK_TTL = timedelta(days=3)
MAX_ITEMS = 99  # a transaction holds 100 items, one of them the mark


def apply(tenant: str, event_id: str, updates: dict[str, dict[str, int]], now: datetime,
          usage: Sequence[Increment] = ()) -> bool:
    """Add ``updates`` ({key: {attribute: amount}}) once per ``event_id``; False when it was applied before.

    ``usage``: billable counters the same stream record makes true (SLA timer events), counted in the
    same transaction, so the record's one mark counts them once too (no mark of their own: 2 write units
    fewer each).
    """
    from chalicelib.store.usage import add_increment, is_conflict, pause, reasons_of, transaction_connection

    if not updates and not usage:
        return True
    if len(updates) + len(usage) > MAX_ITEMS:
        raise ValueError("one change touches at most 99 aggregates and counters")
    expires = int((now + MARK_TTL).timestamp())
    for attempt in range(6):
        try:
            with TransactWrite(connection=transaction_connection()) as tx:
                tx.save(StatsModel(tenant, f"mark#{event_id}", expires=expires),
                        condition=StatsModel.key.does_not_exist())
                for key, amounts in updates.items():
                    tx.update(StatsModel(tenant, key),
                              actions=[NumberAttribute(attr_name=name).add(value) for name, value in amounts.items()])
                for inc in usage:
                    add_increment(tx, inc)
            return True
        except TransactWriteError as err:
            if reasons_of(err)[:1] == ["ConditionalCheckFailed"]:
                return False
            if not is_conflict(err) or attempt == 5:
                raise
            pause(attempt)
    return True


def _numbers(item: dict[str, Any]) -> dict[str, int]:
    return {name: int(value["N"]) for name, value in item.items() if "N" in value and name != "expires"}


def read_prefix(tenant: str, prefix: str) -> tuple[dict[str, dict[str, int]], int]:
    """{dimension: counters} of every item under ``prefix`` (``day#2026-12-05#``), and the items read."""
    connection = StatsModel._get_connection()  # low level: the counters are attributes the model does not declare
    found: dict[str, dict[str, int]] = {}
    read = 0
    start = None
    while True:
        page = connection.query(tenant, range_key_condition=StatsModel.key.startswith(prefix),
                                consistent_read=False, exclusive_start_key=start)
        for item in page.get("Items", []):
            read += 1
            found[item["key"]["S"][len(prefix):]] = _numbers(item)
        start = page.get("LastEvaluatedKey")
        if not start:
            return found, read


def read_between(tenant: str, low: str, high: str) -> tuple[dict[str, dict[str, int]], int]:
    """{key: counters} of every item with ``low <= key <= high`` (one Query, paged), and the items read."""
    connection = StatsModel._get_connection()
    found: dict[str, dict[str, int]] = {}
    read = 0
    start = None
    while True:
        page = connection.query(tenant, range_key_condition=StatsModel.key.between(low, high),
                                consistent_read=False, exclusive_start_key=start)
        for item in page.get("Items", []):
            read += 1
            found[item["key"]["S"]] = _numbers(item)
        start = page.get("LastEvaluatedKey")
        if not start:
            return found, read
