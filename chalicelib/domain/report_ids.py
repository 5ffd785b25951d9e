"""Report ids are ULIDs: their first ten characters are the creation time, so a date window is a key range.

No AWS here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _time_part(moment: datetime) -> str:
    """The 10-character time part of a ULID for ``moment`` (ms since the epoch, Crockford base 32)."""
    ms = max(0, min((moment - _EPOCH) // timedelta(milliseconds=1), 2**48 - 1))
    chars = []
    for _ in range(10):
        chars.append(_CROCKFORD[ms & 31])
        ms >>= 5
    return "".join(reversed(chars))


def id_bounds(low: datetime, high: datetime) -> tuple[str, str]:
    """The first and last report id created from ``low`` to ``high`` (both included): a key range, not a filter."""
    return _time_part(low) + "0" * 16, _time_part(high) + "Z" * 16
