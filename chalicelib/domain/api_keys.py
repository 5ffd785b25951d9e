"""Client-app API keys: ``adn_<tenant>_<key id>_<secret>``; only a SHA-256 hash of the whole key is stored.

The key names its tenant and id, so checking one is a single GetItem under that tenant's own key, and a
key of tenant B presented to tenant A is refused without ever reading B's data.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

_KEY = re.compile(r"^adn_([a-z][a-z0-9-]{1,31})_([a-z0-9]{10})_([A-Za-z0-9_-]{32,64})$")
HINT_CHARS = 20


@dataclass(frozen=True)
class PresentedKey:
    tenant: str
    key_id: str
    value: str


def new_key(tenant: str) -> PresentedKey:
    key_id = "".join(secrets.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(10))
    value = f"adn_{tenant}_{key_id}_{secrets.token_urlsafe(32)}"
    return PresentedKey(tenant, key_id, value)


def parse(value: str | None) -> PresentedKey | None:
    match = _KEY.match(value or "")
    return PresentedKey(match.group(1), match.group(2), value or "") if match else None


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def matches(value: str, stored_hash: str) -> bool:
    return hmac.compare_digest(digest(value), stored_hash)


def hint(value: str) -> str:
    return value[:HINT_CHARS] + "…"
