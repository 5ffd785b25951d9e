"""Open311 GeoReport v2 rules: the workflow seen as open/closed, search filters, and form parsing.

Pure: what the wire looks like (XML, JSON) is the API's business (``api/open311_wire.py``); what the
store reads is the service's. The spec: http://wiki.open311.org/GeoReport_v2 (see the shared reference).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# Bump when the taxonomy's groups, names or questions change: clients refresh their service caches.
CHANGESET = "2026-12-06T00:00:00Z"
CONTACT = "Aduan, pengelola platform: dukungan@aduan.id"
KEY_SERVICE = ("API key per aplikasi diterbitkan oleh admin pemda (tenant_admin) melalui "
               "POST /v1/tenants/{jurisdiction_id}/api-keys / An API key per client app is issued by the "
               "regional government's tenant_admin through POST /v1/tenants/{jurisdiction_id}/api-keys")
FORMATS = {"json": "application/json", "xml": "text/xml"}
MAX_DAYS = 90
MAX_RESULTS = 1000
MAX_IDS = 100
MAX_FORM_FIELDS = 200
MAX_ATTRIBUTE_CODE = 64

OPEN = ("submitted", "on_hold", "dispatched", "acknowledged", "in_progress")
CLOSED = ("resolved", "closed", "rejected")

# Internal status -> status_notes (id, en): the rich workflow behind the two Open311 states.
STATUS_NOTES: dict[str, tuple[str, str]] = {
    "submitted": ("Diterima, menunggu verifikasi.", "Received, awaiting verification."),
    "on_hold": ("Ditunda: menunggu keterangan tambahan dari pelapor.",
                "On hold: waiting for more information from the reporter."),
    "dispatched": ("Diverifikasi dan diteruskan ke unit yang berwenang.",
                   "Verified and sent to the responsible unit."),
    "acknowledged": ("Diterima oleh unit yang berwenang.", "Acknowledged by the responsible unit."),
    "in_progress": ("Sedang ditangani.", "Work in progress."),
    "resolved": ("Selesai ditangani; menunggu konfirmasi pelapor.",
                 "Resolved; awaiting the reporter's confirmation."),
    "closed": ("Selesai.", "Closed."),
    "rejected": ("Ditolak atau dilimpahkan ke instansi lain.", "Rejected or handed to another body."),
}


def open311_status(status: str) -> str:
    """``closed`` once the work is done (resolved, closed) or refused (rejected); ``open`` before."""
    return "closed" if status in CLOSED else "open"


def status_note(status: str, lang: str) -> str | None:
    words = STATUS_NOTES.get(status)
    return (words[1] if lang == "en" else words[0]) if words else None


def internal_statuses(wanted: set[str]) -> tuple[str, ...]:
    """The workflow statuses behind a set of Open311 states."""
    return tuple(s for s in (*OPEN, *CLOSED) if open311_status(s) in wanted)


class Open311Error(Exception):
    """One or more errors in the Open311 shape: the HTTP status and a description per language."""

    def __init__(self, status: int, messages: list[tuple[str, str]], headers: dict[str, str] | None = None) -> None:
        super().__init__(messages[0][1] if messages else str(status))
        self.status = status
        self.messages = messages  # (id, en) per error
        self.headers = headers or {}


def bad_request(id_text: str, en_text: str) -> Open311Error:
    return Open311Error(400, [(id_text, en_text)])


def not_found(id_text: str, en_text: str) -> Open311Error:
    return Open311Error(404, [(id_text, en_text)])


def split_file(name: str) -> tuple[str, str]:
    """``"01J...X.json"`` -> (``"01J...X"``, ``"json"``); 404 for a missing or unknown format."""
    stem, dot, fmt = name.rpartition(".")
    if not dot or not stem or fmt not in FORMATS:
        raise not_found("Alamat tidak ditemukan: akhiri dengan .json atau .xml.",
                        "Not found: the path must end in .json or .xml.")
    return stem, fmt


# -- dates -----------------------------------------------------------------------------------

def parse_datetime(raw: str, name: str) -> datetime:
    """A W3C date or date-time (``Z`` or an offset; a naive one is taken as UTC), in UTC."""
    text = raw.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise bad_request(f"{name} harus tanggal-waktu W3C, mis. 2026-12-01T00:00:00+08:00.",
                          f"{name} must be a W3C datetime, e.g. 2026-12-01T00:00:00+08:00.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def date_window(start: str | None, end: str | None, now: datetime) -> tuple[datetime, datetime]:
    """The ``requested_datetime`` window: the last 90 days by default; never more than 90 days."""
    span = timedelta(days=MAX_DAYS)
    lo = parse_datetime(start, "start_date") if start else None
    hi = parse_datetime(end, "end_date") if end else None
    if lo is None and hi is None:
        hi = now
        lo = now - span
    elif lo is None:
        assert hi is not None
        lo = hi - span
    elif hi is None:
        hi = lo + span
    if lo > hi:
        raise bad_request("start_date harus sebelum end_date.", "start_date must be before end_date.")
    if hi - lo > span:
        raise bad_request("Rentang tanggal paling lama 90 hari.", "The date range may span at most 90 days.")
    return lo, hi




# -- GET requests ----------------------------------------------------------------------------

_ID = re.compile(r"^[0-9A-Za-z-]{1,40}$")
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Search:
    ids: tuple[str, ...] = ()  # service_request_id: overrides every other filter
    codes: tuple[str, ...] = ()
    states: frozenset[str] = frozenset()  # open / closed; empty = both
    start: datetime | None = None
    end: datetime | None = None


def _csv(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def parse_search(params: dict[str, str | None], now: datetime) -> Search:
    """The filters of ``GET requests``; an empty parameter counts as absent (as the spec asks)."""
    ids = _csv(params.get("service_request_id"))
    if ids:
        if len(ids) > MAX_IDS or not all(_ID.match(i) for i in ids):
            raise bad_request(f"service_request_id: paling banyak {MAX_IDS} id dipisah koma.",
                              f"service_request_id: at most {MAX_IDS} comma-separated ids.")
        return Search(ids=tuple(dict.fromkeys(ids)))
    codes = _csv(params.get("service_code"))
    if len(codes) > 50 or not all(_CODE.match(c) for c in codes):
        raise bad_request("service_code tidak valid.", "Invalid service_code.")
    states = {s.lower() for s in _csv(params.get("status"))}
    if states - {"open", "closed"}:
        raise bad_request("status harus open, closed, atau keduanya dipisah koma.",
                          "status must be open, closed, or both comma-separated.")
    lo, hi = date_window(params.get("start_date") or None, params.get("end_date") or None, now)
    return Search(codes=tuple(dict.fromkeys(codes)), states=frozenset(states), start=lo, end=hi)


# -- POST requests ---------------------------------------------------------------------------

_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,64})\](\[\])?$")
_SCALARS = ("jurisdiction_id", "api_key", "service_code", "lat", "long", "address_string", "address_id",
            "email", "device_id", "account_id", "first_name", "last_name", "phone", "description", "media_url")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")
_URL = re.compile(r"^https?://[^\s]{1,2040}$")


@dataclass
class Submission:
    """A parsed ``POST requests`` form (before the tenant's own checks)."""

    fields: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)  # code -> text or list of texts


def parse_form(raw: bytes) -> Submission:
    """``application/x-www-form-urlencoded`` (UTF-8) into fields and ``attribute[code]`` answers.

    ``attribute[code][]`` (a multi-value list) and a repeated ``attribute[code]`` collect into a list; a
    repeated ordinary field is refused (which one would count?); unknown fields are ignored, as
    extensions are. Empty values count as absent.
    """
    try:
        text = raw.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_FORM_FIELDS,
                          encoding="utf-8", errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise bad_request("Isi formulir bukan application/x-www-form-urlencoded UTF-8 yang valid "
                          f"(paling banyak {MAX_FORM_FIELDS} isian).",
                          "The body is not valid UTF-8 application/x-www-form-urlencoded "
                          f"(at most {MAX_FORM_FIELDS} fields).") from None
    form = Submission()
    seen: set[str] = set()
    for name, value in pairs:
        if "\x00" in name or "\x00" in value:
            raise bad_request("Isian mengandung karakter NUL.", "A field contains a NUL character.")
        match = _ATTRIBUTE.match(name)
        if match:
            if value.strip():
                code = match.group(1)
                previous = form.attributes.get(code)
                if match.group(2) or previous is not None:
                    listed = previous if isinstance(previous, list) else ([previous] if previous else [])
                    form.attributes[code] = [*listed, value]
                else:
                    form.attributes[code] = value
            continue
        if name not in _SCALARS:
            continue
        if name in seen:
            raise bad_request(f"{name} dikirim lebih dari sekali.", f"{name} was sent more than once.")
        seen.add(name)
        if value.strip():
            form.fields[name] = value.strip()
    return form


def _coordinate(raw: str, name: str, bound: float) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not -bound <= value <= bound:  # NaN fails both comparisons
        raise bad_request(f"{name} harus angka WGS84 antara -{bound:g} dan {bound:g}.",
                          f"{name} must be a WGS84 number between -{bound:g} and {bound:g}.")
    return value


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float


def location_of(form: Submission) -> Location | None:
    """``lat`` and ``long`` together, or None when only an address was sent (the caller locates it)."""
    lat, lon = form.fields.get("lat"), form.fields.get("long")
    if (lat is None) != (lon is None):
        raise bad_request("Kirim lat dan long bersama-sama.", "Send lat and long together.")
    if lat is not None and lon is not None:
        return Location(_coordinate(lat, "lat", 90), _coordinate(lon, "long", 180))
    if not form.fields.get("address_string"):
        raise bad_request("Lokasi wajib: lat dan long, atau address_string.",
                          "A location is required: lat and long, or address_string.")
    return None


def contact_of(form: Submission) -> dict[str, str] | None:
    """The reporter's own details, kept for the complaint desk and never published."""
    contact = {k: form.fields[k] for k in ("email", "first_name", "last_name", "phone") if k in form.fields}
    for name, limit in (("first_name", 100), ("last_name", 100), ("phone", 32), ("email", 320)):
        if len(contact.get(name, "")) > limit:
            raise bad_request(f"{name} terlalu panjang.", f"{name} is too long.")
    if "email" in contact and not _EMAIL.match(contact["email"]):
        raise bad_request("email tidak valid.", "Invalid email.")
    return contact or None


def media_url_of(form: Submission) -> str | None:
    url = form.fields.get("media_url")
    if url is not None and not _URL.match(url):
        raise bad_request("media_url harus URL http(s).", "media_url must be an http(s) URL.")
    return url
