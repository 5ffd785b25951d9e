"""Report rules at intake: privacy, tracking codes, receipts, and who may see what."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from chalicelib.domain.identity import Caller
from chalicelib.domain.taxonomy import Category

STATUSES = ("submitted", "on_hold", "dispatched", "acknowledged", "in_progress", "resolved", "closed", "rejected")
MAX_DESCRIPTION_CHARS = 4000

# Crockford's base32 without I, L, O, U: nothing a citizen can misread over the phone.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE_LENGTH = 6


def effective_privacy(requested: str | None, category: Category) -> str:
    """A sensitive category is confidential whatever the client asked; otherwise public by default."""
    if category.sensitive:
        return "confidential"
    return requested or "public"


def new_tracking_code(prefix: str) -> str:
    """A short, human-friendly code such as ``KPG-7Q4M2X``; uniqueness is enforced by the store."""
    body = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
    return f"{prefix}-{body}"


def normalise_tracking_code(raw: str) -> str:
    return raw.strip().upper()


def looks_like_tracking_code(raw: str) -> bool:
    return "-" in raw


def new_receipt() -> str:
    """A secret the anonymous reporter keeps; only its hash is stored."""
    return secrets.token_urlsafe(24)


def hash_receipt(receipt: str) -> str:
    return hashlib.sha256(receipt.encode("utf-8")).hexdigest()


def receipt_matches(receipt: str | None, stored_hash: str | None) -> bool:
    if not receipt or not stored_hash:
        return False
    return hmac.compare_digest(hash_receipt(receipt), stored_hash)


def is_listed_publicly(privacy: str) -> bool:
    """Public and anonymous reports appear in the public feed; confidential ones never do."""
    return privacy != "confidential"


@dataclass(frozen=True)
class ReportAccess:
    """The facts about a report that decide who may see it in full."""

    tenant: str
    privacy: str
    agency: str | None
    reporter_sub: str | None
    receipt_hash: str | None


def is_reporter(access: ReportAccess, caller: Caller | None, receipt: str | None) -> bool:
    if caller is not None and access.reporter_sub and caller.sub == access.reporter_sub:
        return True
    return receipt_matches(receipt, access.receipt_hash)


def staff_sees_full(access: ReportAccess, caller: Caller | None) -> bool:
    """Desk roles see every report of their tenant; an officer only those of their own unit."""
    if caller is None or not caller.is_staff_of(access.tenant):
        return False
    if caller.roles & {"tenant_admin", "supervisor", "platform_admin"}:
        return True
    return "officer" in caller.roles and caller.agency is not None and caller.agency == access.agency


def view_for(access: ReportAccess, caller: Caller | None, receipt: str | None) -> str | None:
    """``full`` for the reporter and entitled staff, ``public`` for others, None when it must stay hidden."""
    if is_reporter(access, caller, receipt) or staff_sees_full(access, caller):
        return "full"
    if is_listed_publicly(access.privacy):
        return "public"
    return None
