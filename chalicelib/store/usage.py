"""Billable counters, exactly once, and per-tenant throttle windows (the ``usage`` table).

A month's counters live on ``month#<YYYY-MM>#<shard>`` items (``SHARDS`` of them, summed when read),
as top-level numbers added to with ``ADD``. The shard comes from the event's own id, so concurrent
transactions rarely meet on one item; when they do, DynamoDB cancels one with ``TransactionConflict``
and ``transact`` runs it again after a short random pause.

Where each counter is counted, and why it is counted once
---------------------------------------------------------
In the same transaction as the write that makes the event true (no mark needed: the write happens
once, so the count does):

- ``reports_created``: ``store.reports.create``, with the report, its tracking code and first history
  entry. A request that fails counts nothing; an idempotent retry replays the stored response and
  writes nothing. No AWS call is added.
- ``photos_stored`` and ``photo_bytes``: ``services.photos`` when a photo turns ``ready`` (the report
  write that stores its ``bytes``, pending -> ready, happens once; a redelivered upload notification
  finds it ready and writes nothing).
- ``notifications_inbox``: ``store.notifications.put_counted``, the conditional inbox puts of one event
  and the counter in one transaction; a redelivered event's puts fail their condition, and a put that
  fails its condition counts nothing.

With a mark (``mark#<event>``, a conditional Put in one transaction with the counter; it expires by
TTL after ``MARK_TTL``, longer than any redelivery window), for events that happen outside our
database and are repeated by at-least-once delivery:

- ``notifications_webhook`` / ``notifications_email``: the deliverer, after a successful send, mark
  ``delivery#<delivery id>``. A send repeated by a redelivered message counts once.
- ``sla_timers_started``: the reports-stream handler after ``timers.start``, whether the timer was
  scheduled (first wake far off) or its execution started at once, and whether it was new or already
  existed: a crash between the start and the count is counted on redelivery, and
  a redelivery never counts twice. The mark is the stream record's own, in the transaction that adds
  the record to the dashboards (``store/stats.py``: one mark for both); a change handed over without a
  record id is counted with the mark ``timer#<execution name>``.
- ``sla_timer_transitions``: the reports-stream handler, for the writes the SLA state machine makes
  (escalations, auto-closes), likewise (else mark ``sla#<report>#<stage>#<seq>#<escalate-level |
  auto_close>``).
- ``api_requests``: ``count(tenant, "api_requests")`` for a request made with a client API key
  (the API-key authoriser calls it). Without a mark it is one plain UpdateItem (a retried request is
  a second request); pass ``mark=<request id>`` where a retry of the same request must count once.

Throttles: ``limit#<name>#<window>`` items with a counter ``n``, added to under the condition
``n < limit`` and expiring ``LIMIT_WINDOW_TTL`` after the window starts.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib import clock
from chalicelib.domain import billing
from chalicelib.store.models import UsageModel

CONFLICT_RETRIES = 5
_BASE_PAUSE = 0.02  # seconds; doubled per retry, with full jitter


class LimitReached(Exception):
    """A throttle window is full."""


@dataclass(frozen=True)
class Increment:
    """Counters to add to one month shard of one tenant, as part of a transaction."""

    tenant: str
    month: str
    shard: int
    counters: dict[str, int]

    @property
    def key(self) -> str:
        return f"month#{self.month}#{self.shard}"


@dataclass(frozen=True)
class Throttle:
    """One more use of a throttle window, refused (``LimitReached``) once ``limit`` uses were made."""

    tenant: str
    name: str
    window: str
    limit: int
    expires: int  # epoch seconds

    @property
    def key(self) -> str:
        return f"limit#{self.name}#{self.window}"


def increment(tenant: str, counters: dict[str, int], at: datetime, seed: str) -> Increment:
    """Counters of one event that happened ``at`` (its UTC month), on the shard ``seed`` (its id) picks."""
    unknown = set(counters) - set(billing.COUNTERS)
    if unknown:
        raise ValueError(f"unknown counters {sorted(unknown)}")
    return Increment(tenant=tenant, month=billing.month_of(at), shard=billing.shard_of(seed), counters=counters)


def _number(name: str) -> NumberAttribute:
    return NumberAttribute(attr_name=name)  # counters are dynamic attributes, not declared on the model


def add_increment(tx: TransactWrite, inc: Increment) -> None:
    actions = [_number(name).add(value) for name, value in inc.counters.items() if value]
    if not actions:
        raise ValueError("an increment adds something")
    tx.update(UsageModel(inc.tenant, inc.key), actions=actions)


def add_mark(tx: TransactWrite, tenant: str, event: str, now: datetime) -> None:
    expires = int(now.timestamp() + billing.MARK_TTL.total_seconds())
    tx.save(UsageModel(tenant, f"mark#{event}", expires=expires), condition=UsageModel.key.does_not_exist())


def add_throttle(tx: TransactWrite, throttle: Throttle) -> None:
    used = _number("n")
    tx.update(UsageModel(throttle.tenant, throttle.key),
              actions=[used.add(1), UsageModel.expires.set(throttle.expires)],
              condition=used.does_not_exist() | (used < throttle.limit))


def anonymous_throttle(tenant: str, limits: dict[str, Any] | None, now: datetime) -> Throttle:
    window_start = now.replace(minute=0, second=0, microsecond=0)
    return Throttle(tenant=tenant, name="anonymous", window=billing.hour_window(now),
                    limit=billing.anonymous_limit(limits),
                    expires=int(window_start.timestamp() + billing.LIMIT_WINDOW_TTL.total_seconds()))


def reasons_of(err: TransactWriteError) -> list[str | None]:
    return [r.code if r else None for r in (err.cancellation_reasons or [])]


def is_conflict(err: Exception) -> bool:
    """Another transaction held one of the items: nothing was written, and running it again is safe."""
    if isinstance(err, TransactWriteError) and "TransactionConflict" in reasons_of(err):
        return True
    return getattr(err, "cause_response_code", None) == "TransactionConflictException"


def pause(attempt: int) -> None:
    time.sleep(random.uniform(0, _BASE_PAUSE * 2**attempt))  # noqa: S311 - jitter, not a secret


def transaction_connection() -> Any:
    from chalicelib.store.reports import _connection

    return _connection()  # one botocore client for every transaction of the container


def transact(build: Callable[[TransactWrite], None]) -> None:
    """Run the transaction ``build`` fills, again (after a pause) while it meets a concurrent one."""
    for attempt in range(CONFLICT_RETRIES + 1):
        try:
            with TransactWrite(connection=transaction_connection()) as tx:
                build(tx)
            return
        except TransactWriteError as err:
            if not is_conflict(err) or attempt == CONFLICT_RETRIES:
                raise
            pause(attempt)


def count(tenant: str, counters: str | dict[str, int], n: int = 1, *, mark: str | None = None,
          at: datetime | None = None, seed: str | None = None) -> bool:
    """Count a billable event; False when its ``mark`` was counted before (a redelivery).

    ``counters``: one counter name (added ``n``) or {name: amount}. ``at``: when the event happened
    (default now); it picks the month. ``mark``: the event's stable id; with it the count is a
    transaction (mark + counter, 1 call), without it one UpdateItem.
    """
    moment = at or clock.now()
    amounts = {counters: n} if isinstance(counters, str) else dict(counters)
    inc = increment(tenant, amounts, moment, seed or mark or f"{time.time_ns()}")
    if mark is None:
        return _add(inc)
    now = clock.now()

    def build(tx: TransactWrite) -> None:
        add_mark(tx, tenant, mark, now)
        add_increment(tx, inc)

    try:
        transact(build)
    except TransactWriteError as err:
        if reasons_of(err)[:1] == ["ConditionalCheckFailed"]:
            return False
        raise
    return True


def _add(inc: Increment) -> bool:
    actions = [_number(name).add(value) for name, value in inc.counters.items() if value]
    for attempt in range(CONFLICT_RETRIES + 1):
        try:
            UsageModel(inc.tenant, inc.key).update(actions=actions)
            return True
        except UpdateError as err:
            if not is_conflict(err) or attempt == CONFLICT_RETRIES:
                raise
            pause(attempt)
    return True


def month_counters(tenant: str, month: str) -> dict[str, int]:
    """Every counter of a month, summed over its shards; 0 for those never counted (one Query).

    Low-level, because the counters are attributes the model does not declare (it would drop them).
    """
    connection = UsageModel._get_connection()
    condition = UsageModel.key.startswith(f"month#{month}#")
    totals: dict[str, int] = {}
    start = None
    while True:
        page = connection.query(tenant, range_key_condition=condition, consistent_read=True,
                                exclusive_start_key=start)
        for item in page.get("Items", []):
            for name, value in item.items():
                if name in billing.COUNTERS and "N" in value:
                    totals[name] = totals.get(name, 0) + int(value["N"])
        start = page.get("LastEvaluatedKey")
        if not start:
            return billing.complete_counters(totals)
