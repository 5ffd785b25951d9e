"""A tenant's outbound notification channels: what a valid configuration is, and what may be shown.

A channel speaks for some audiences (reporter, unit, desk, supervisor, leadership). A webhook gets
the mailbox keys of the recipients, so a WhatsApp or Telegram gateway can map them to phone numbers
it holds itself: Aduan stores no phone numbers. An email channel writes to fixed office addresses.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from chalicelib.domain.commands import parse
from chalicelib.domain.notifications import AUDIENCES
from chalicelib.errors import FieldError, ProblemError

MAX_CHANNELS = 10
MIN_SECRET_CHARS = 16
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})  # plain http only for a gateway on this machine (testing)

_STRICT = ConfigDict(strict=True, extra="forbid")
_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
Audience = Literal["reporter", "unit", "desk", "supervisor", "leadership"]  # = notifications.AUDIENCES


class _Channel(BaseModel):
    model_config = _STRICT
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    audiences: list[Audience] = Field(min_length=1, max_length=len(AUDIENCES))

    @field_validator("audiences")
    @classmethod
    def _once_each(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise PydanticCustomError("duplicate", "listed twice")
        return value


class WebhookChannel(_Channel):
    type: Literal["webhook"]
    url: str = Field(max_length=2000)
    # Optional on PUT only when the channel already has one: GET never shows it, so a client can't resend it.
    secret: str | None = Field(default=None, max_length=256)

    @field_validator("url")
    @classmethod
    def _https(cls, value: str) -> str:
        try:
            parts = urlsplit(value)
            host = parts.hostname
            parts.port  # noqa: B018 (raises on a malformed port)
        except ValueError:
            raise PydanticCustomError("invalid_url", "not a URL") from None
        if not host or parts.username or parts.password or any(c.isspace() for c in value):
            raise PydanticCustomError("invalid_url", "not a URL")
        if parts.scheme == "https" or (parts.scheme == "http" and host in LOCAL_HOSTS):
            return value
        raise PydanticCustomError("https_required", "https only")

    @field_validator("secret")
    @classmethod
    def _long_enough(cls, value: str | None) -> str | None:
        if value is not None and len(value) < MIN_SECRET_CHARS:
            raise PydanticCustomError("secret_too_short", "too short")
        return value


class EmailChannel(_Channel):
    type: Literal["email"]
    to: list[Annotated[str, Field(max_length=254)]] = Field(min_length=1, max_length=10)

    @field_validator("to")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        if not all(_EMAIL.match(address) for address in value):
            raise PydanticCustomError("invalid_email", "not an email address")
        return value


class ChannelConfig(BaseModel):
    model_config = _STRICT
    channels: list[Annotated[WebhookChannel | EmailChannel, Field(discriminator="type")]] = Field(
        max_length=MAX_CHANNELS)


_MESSAGES: dict[str, tuple[str, str]] = {
    "https_required": ("Alamat webhook harus https:// (http hanya untuk 127.0.0.1 atau localhost).",
                       "The webhook URL must be https:// (http only for 127.0.0.1 or localhost)."),
    "invalid_url": ("Bukan alamat URL yang valid.", "Not a valid URL."),
    "secret_too_short": (f"Rahasia minimal {MIN_SECRET_CHARS} karakter.",
                         f"The secret must be at least {MIN_SECRET_CHARS} characters."),
    "invalid_email": ("Alamat email tidak valid.", "Not a valid email address."),
    "duplicate": ("Nilai ini tercantum dua kali.", "This value is listed twice."),
    "duplicate_id": ("Id kanal sudah dipakai kanal lain.", "Another channel already uses this id."),
    "union_tag_invalid": ("Jenis kanal harus webhook atau email.", "The channel type must be webhook or email."),
    "union_tag_not_found": ("Jenis kanal (type) wajib diisi.", "The channel type is required."),
    "string_pattern_mismatch": ("Hanya huruf kecil, angka dan tanda hubung (maks. 63).",
                                "Only lowercase letters, digits and hyphens (at most 63)."),
    "too_short": ("Isi minimal satu.", "List at least one."),
    "too_long": ("Terlalu banyak.", "Too many."),
    "list_type": ("Harus berupa daftar.", "Must be a list."),
}
_TAG_IN_PATH = re.compile(r"^(channels\.\d+)\.(?:webhook|email)(?=\.|$)")


def _error(path: str, code: str) -> FieldError:
    words = _MESSAGES.get(code, ("Nilai tidak valid.", "Invalid value."))
    return FieldError(path, code, {"id": words[0], "en": words[1]})


def _localised(err: ProblemError) -> ProblemError:
    """Our own words for channel errors, and paths without pydantic's union tag (``channels.0.url``)."""
    for error in err.errors:
        error.field = _TAG_IN_PATH.sub(r"\1", error.field)
        if error.code in _MESSAGES:
            error.message = _error(error.field, error.code).message
    return err


def parse_channels(body: Any, existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The channels to store, or 422. A webhook sent without a secret keeps the one it already has."""
    try:
        config = parse(ChannelConfig, body)
    except ProblemError as err:
        raise _localised(err) from None
    kept = {c.get("id"): c.get("secret") for c in existing if c.get("type") == "webhook" and c.get("secret")}
    errors: list[FieldError] = []
    seen: set[str] = set()
    stored: list[dict[str, Any]] = []
    for i, channel in enumerate(config.channels):
        if channel.id in seen:
            errors.append(_error(f"channels.{i}.id", "duplicate_id"))
        seen.add(channel.id)
        record = channel.model_dump()
        if isinstance(channel, WebhookChannel):
            record["secret"] = channel.secret or kept.get(channel.id)
            if not record["secret"]:
                errors.append(FieldError(f"channels.{i}.secret", "missing",
                                         {"id": "Wajib diisi.", "en": "This field is required."}))
        stored.append(record)
    if errors:
        raise ProblemError("validation_failed", errors=errors)
    return stored


def public_view(channel: dict[str, Any]) -> dict[str, Any]:
    """A channel as an admin may read it: everything but the secret."""
    view = {k: v for k, v in channel.items() if k != "secret"}
    if channel.get("type") == "webhook":
        view["secret_set"] = bool(channel.get("secret"))
    return view
