"""DynamoDB's billing rules for on-demand request units, on items in DynamoDB JSON (``{"name": {"S": "..."}}``).

Pure functions, no AWS: ``bench/cost.py`` feeds them the items before and after each write and the items
each read returned. The rules, from the DynamoDB developer guide ("Item sizes and formats", "Read/write
capacity mode", "Global secondary indexes: provisioned throughput considerations", "Transactions:
capacity management"):

- an item's size is the sum, over its attributes, of the name's UTF-8 length plus the value's size:
  a string its UTF-8 length, a binary its length, a number about one byte per two significant digits
  plus one, a boolean or null one byte, a set the sum of its members, a list or map 3 bytes plus, per
  element, 1 byte and the element's size (and, in a map, the element's name);
- a write costs one write unit per started KB of the larger of the item before and after it; a read
  one read unit per started 4 KB (half for an eventually consistent read); a Query or Scan adds up the
  sizes of the items it read and rounds once; a missing item still costs the minimum;
- a transaction does every item's work twice (prepare and commit);
- a global secondary index is written when an item enters it (one put), leaves it (one delete), moves
  within it (its key changed: a delete and a put) or stays while a projected attribute changes (one
  write); each costs the index entry's size: the table's and the index's keys plus the projection.
  Index writes are counted once, also for transactions: indexes are maintained asynchronously, outside
  the transaction's two phases.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Item = Mapping[str, Mapping[str, Any]]  # DynamoDB JSON: attribute name -> {"S": ...} / {"N": ...} ...

WRITE_UNIT_BYTES = 1024
READ_UNIT_BYTES = 4096


def _utf8(text: str) -> int:
    return len(text.encode("utf-8"))


def number_size(text: str) -> int:
    """Bytes of a DynamoDB number: leading and trailing zeros trimmed, a byte per two digits, plus one."""
    digits = text.lstrip("+-").lower().split("e")[0].replace(".", "").strip("0")
    return math.ceil(max(len(digits), 1) / 2) + 1


def value_size(value: Mapping[str, Any]) -> int:
    """Bytes of one attribute value (without its name)."""
    (kind, data), = value.items()
    if kind == "S":
        return _utf8(data)
    if kind == "N":
        return number_size(data)
    if kind == "B":
        return len(base64.b64decode(data)) if isinstance(data, str) else len(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(_utf8(s) for s in data)
    if kind == "NS":
        return sum(number_size(n) for n in data)
    if kind == "BS":
        return sum(value_size({"B": b}) for b in data)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in data)
    if kind == "M":
        return 3 + sum(1 + _utf8(k) + value_size(v) for k, v in data.items())
    raise ValueError(f"unknown DynamoDB type {kind!r}")


def item_size(item: Item | None) -> int:
    """Bytes of an item: every attribute's name and value."""
    return sum(_utf8(name) + value_size(value) for name, value in (item or {}).items())


def write_units(size: int) -> int:
    """Write units of one item write of ``size`` bytes (at least one)."""
    return max(1, math.ceil(size / WRITE_UNIT_BYTES))


def read_units(size: int, consistent: bool) -> float:
    """Read units of reading ``size`` bytes in one request (at least the minimum, even for nothing)."""
    units = max(1, math.ceil(size / READ_UNIT_BYTES))
    return float(units) if consistent else units / 2


@dataclass(frozen=True)
class Index:
    """A global secondary index: its key attributes and what it projects."""

    name: str
    keys: tuple[str, ...]
    projection: str  # ALL | KEYS_ONLY | INCLUDE
    included: tuple[str, ...] = ()

    def entry(self, item: Item, table_keys: tuple[str, ...]) -> dict[str, Any] | None:
        """The item's entry in this index, or None when the item lacks a key attribute (a sparse index)."""
        if not all(k in item for k in self.keys):
            return None
        if self.projection == "ALL":
            return dict(item)
        kept = set(table_keys) | set(self.keys) | (set(self.included) if self.projection == "INCLUDE" else set())
        return {k: v for k, v in item.items() if k in kept}


@dataclass(frozen=True)
class WriteCost:
    """Write units of one item write: on the table, and per index it touched."""

    table: int
    indexes: dict[str, int]

    @property
    def total(self) -> int:
        return self.table + sum(self.indexes.values())


def index_write_units(before: Item | None, after: Item | None, index: Index, table_keys: tuple[str, ...]) -> int:
    """Write units an item write costs ``index``: put, delete, delete + put, update, or nothing."""
    old = index.entry(before, table_keys) if before else None
    new = index.entry(after, table_keys) if after else None
    if old is None and new is None:
        return 0
    if old is None:
        return write_units(item_size(new))
    if new is None:
        return write_units(item_size(old))
    if any(old[k] != new[k] for k in index.keys):
        return write_units(item_size(old)) + write_units(item_size(new))
    if old == new:
        return 0  # nothing the index holds changed: no index write
    return write_units(max(item_size(old), item_size(new)))


def item_write_cost(before: Item | None, after: Item | None, indexes: tuple[Index, ...],
                    table_keys: tuple[str, ...], transactional: bool = False) -> WriteCost:
    """Write units of a put, update or delete that turned ``before`` into ``after`` (None: no item)."""
    table = write_units(max(item_size(before), item_size(after))) * (2 if transactional else 1)
    touched = {i.name: n for i in indexes if (n := index_write_units(before, after, i, table_keys))}
    return WriteCost(table, touched)
