"""Signed webhook POSTs (standard library only: no HTTP client dependency in the Lambda package).

The receiver checks ``X-Aduan-Signature: sha256=<hex>``, the HMAC-SHA256 of ``"<timestamp>.<raw body>"``
with the channel's secret, and rejects an ``X-Aduan-Timestamp`` too far from its own clock (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from chalicelib import clock

TIMEOUT_SECONDS = 5.0
USER_AGENT = "Aduan-Webhook/1"


class WebhookFailed(Exception):
    """The receiver did not take the message (network error, timeout, redirect or non-2xx status)."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is a failure: following it would turn the signed POST into a GET somewhere else."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def post(url: str, secret: str, payload: dict[str, Any], *, delivery_id: str, now: float | None = None) -> int:
    """POST the payload, signed; the receiver's status, or WebhookFailed (the caller retries)."""
    if urlsplit(url).scheme not in ("https", "http"):  # validated on save; checked again before opening
        raise WebhookFailed("unsupported scheme")
    body = encode(payload)
    timestamp = str(int(clock.now().timestamp() if now is None else now))
    request = urllib.request.Request(url, data=body, method="POST", headers={  # noqa: S310 (scheme checked above)
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Aduan-Timestamp": timestamp,
        "X-Aduan-Signature": signature(secret, timestamp, body),
        "X-Aduan-Delivery": delivery_id,  # the same on every retry: lets the receiver drop duplicates
    })
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            status = int(response.status)
    except urllib.error.HTTPError as err:
        raise WebhookFailed(f"status {err.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        raise WebhookFailed(type(err).__name__) from None
    if not 200 <= status < 300:
        raise WebhookFailed(f"status {status}")
    return status
