"""A tenant as one document: what onboarding (``POST /v1/tenants``), ``PATCH`` and the CLI validate.

The document names the pemda, its time zone and locale, its service area, its calendar additions and
removals, its units (OPD) and which categories it offers to which unit, its SLA policy and escalation
ladder, its price plan, its grade thresholds and limits, and (on creation) its first ``tenant_admin``.
Every problem is reported at once, each with the dotted path of the field (``units.2.type``), so the
API answers one 422 and the CLI can point at the YAML line.

Parts with rules of their own are checked by their own modules (SLA policy: ``domain.sla``; price
plan: ``domain.billing``; grade thresholds: ``domain.stats``); their errors are re-rooted here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain.geo import GeometryCheck, planar_area
from chalicelib.domain.geoindex import MAX_DUPLICATE_RADIUS_M, MIN_DUPLICATE_RADIUS_M, parse_duplicate_radius
from chalicelib.domain.taxonomy import AGENCY_TYPES, CATEGORIES
from chalicelib.errors import FieldError, ProblemError

TENANT_CODE = re.compile(r"^[a-z][a-z0-9-]{1,31}$")
# Partition keys that are not a tenant's: a tenant of that code would own them under the data role's
# LeadingKeys rule (the directory index keeps every tenant under "tenants").
RESERVED_CODES = frozenset({"tenants"})
UNIT_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,31}$")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[A-Za-z]{2,24}$")
PREFIX = re.compile(r"^[A-Z]{2,5}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Indonesia's three zones: WIB, WITA, WIT.
TIMEZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
LOCALES = ("id-ID", "en-US")
STAFF_ROLES = ("officer", "supervisor", "tenant_admin")
MAX_UNITS = 200
MAX_RING_POINTS = 20_000
MAX_LIMIT = 1_000_000

CREATE_KEYS = ("code", "names", "timezone", "locale", "code_prefix", "service_area", "calendar", "units",
               "categories", "sla_policy", "escalation", "plan", "grading", "limits", "admin")
PATCH_KEYS = (*tuple(k for k in CREATE_KEYS if k not in ("code", "admin")), "status", "suspended_reason")
LIMIT_KEYS = ("anonymous_reports_per_hour",)

_WORDS: dict[str, tuple[str, str]] = {
    "missing": ("Wajib diisi.", "This field is required."),
    "extra_forbidden": ("Isian ini tidak dikenal.", "This field is not recognised."),
    "model_type": ("Harus berupa objek.", "Must be an object."),
    "list_type": ("Harus berupa daftar.", "Must be a list."),
    "string_type": ("Harus berupa teks.", "Must be a string."),
    "bool_type": ("Harus true atau false.", "Must be true or false."),
    "int_type": ("Harus berupa bilangan bulat.", "Must be a whole number."),
    "invalid_code": ("Kode pemda: 2-32 huruf kecil, angka atau '-', diawali huruf.",
                     "Tenant code: 2-32 lowercase letters, digits or '-', starting with a letter."),
    "reserved_code": ("Kode ini dipakai oleh sistem; pilih kode lain.",
                      "This code is used by the system; choose another."),
    "invalid_name": ("Nama 3-120 karakter.", "A name of 3-120 characters."),
    "invalid_timezone": ("Zona waktu harus Asia/Jakarta (WIB), Asia/Makassar (WITA) atau Asia/Jayapura (WIT).",
                         "The time zone must be Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT)."),
    "invalid_locale": ("Bahasa harus id-ID atau en-US.", "The locale must be id-ID or en-US."),
    "invalid_prefix": ("Awalan kode lacak: 2-5 huruf besar.", "Tracking-code prefix: 2-5 capital letters."),
    "not_polygon": ("Harus GeoJSON Polygon atau MultiPolygon.", "Must be a GeoJSON Polygon or MultiPolygon."),
    "invalid_ring": ("Cincin poligon harus tertutup, minimal 4 titik [bujur, lintang] yang valid.",
                     "A polygon ring must be closed, with at least 4 valid [lon, lat] points."),
    "invalid_geometry": ("Poligon tidak valid (bersilangan atau kosong).", "Invalid polygon (self-crossing or empty)."),
    "date_format": ("Tanggal harus berformat YYYY-MM-DD.", "Dates must be YYYY-MM-DD."),
    "invalid_unit_code": ("Kode unit: 2-32 huruf besar, angka, '_' atau '-'.",
                          "Unit code: 2-32 capital letters, digits, '_' or '-'."),
    "duplicate": ("Dipakai lebih dari sekali.", "Used more than once."),
    "unknown_agency_type": ("Jenis unit tidak dikenal.", "Unknown agency type."),
    "unknown_category": ("Kategori tidak dikenal.", "Unknown category."),
    "unknown_unit": ("Unit ini tidak ada di daftar unit pemda.", "This unit is not among the tenant's units."),
    "not_routable": ("Laporan pelanggaran ASN hanya ke unit Inspektorat.",
                     "Misconduct reports may only go to an Inspectorate unit."),
    "too_many": ("Terlalu banyak isian.", "Too many entries."),
    "out_of_range": ("Di luar rentang yang diizinkan.", "Out of the allowed range."),
    "invalid_username": ("Nama pengguna: 3-64 huruf kecil, angka, '.', '_' atau '-'.",
                         "Username: 3-64 lowercase letters, digits, '.', '_' or '-'."),
    "invalid_email": ("Alamat email tidak valid.", "Invalid email address."),
    "invalid_status": ("Status harus active atau suspended.", "The status must be active or suspended."),
    "invalid_duplicate_radius": (f"Radius duplikat: bilangan bulat {MIN_DUPLICATE_RADIUS_M}-"
                                 f"{MAX_DUPLICATE_RADIUS_M} meter.",
                                 f"Duplicate radius: a whole number of metres, {MIN_DUPLICATE_RADIUS_M}-"
                                 f"{MAX_DUPLICATE_RADIUS_M}."),
    "unit_in_use": ("Unit ini masih dipakai wilayah, kategori atau staf; pindahkan dulu.",
                    "This unit is still used by an area, a category or staff; move them first."),
}


class Problems:
    """Collects every invalid field, so one 422 lists them all."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, path: str, code: str) -> None:
        words = _WORDS[code]
        self.errors.append(FieldError(path or "body", code, {"id": words[0], "en": words[1]}))

    def extend(self, prefix: str, errors: list[FieldError]) -> None:
        for error in errors:
            inner = "" if error.field == "body" else error.field
            self.errors.append(FieldError(f"{prefix}.{inner}" if inner else prefix, error.code, error.message))

    def object(self, value: Any, path: str, keys: tuple[str, ...], required: tuple[str, ...] = ()) -> bool:
        if not isinstance(value, dict):
            self.add(path, "model_type")
            return False
        for key in value:
            if key not in keys:
                self.add(at(path, key), "extra_forbidden")
        for key in required:
            if key not in value:
                self.add(at(path, key), "missing")
        return True

    def text(self, value: Any, path: str, pattern: re.Pattern[str] | None = None, code: str = "invalid_name",
             low: int = 3, high: int = 120) -> str | None:
        if not isinstance(value, str):
            self.add(path, "string_type")
            return None
        value = value.strip()
        if (pattern is not None and not pattern.match(value)) or (pattern is None and not low <= len(value) <= high):
            self.add(path, code)
            return None
        return value

    def raise_if_any(self) -> None:
        if self.errors:
            raise ProblemError("validation_failed", errors=self.errors)


def at(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    type: str  # agency type (DLH, PUPR...)
    primary: bool  # the unit reports of this type go to by default


def units_to_agencies(units: list[Unit]) -> dict[str, dict[str, str]]:
    """The stored shape: one primary unit per agency type under the type, extra units (UPT) under their code."""
    stored: dict[str, dict[str, str]] = {}
    for unit in units:
        key = unit.type if unit.primary else unit.code
        stored[key] = {"code": unit.code, "name": unit.name, "type": unit.type}
    return stored


def agencies_to_units(agencies: dict[str, Any] | None) -> list[Unit]:
    units = []
    for key, value in sorted((agencies or {}).items()):
        kind = str(value.get("type") or key)
        units.append(Unit(code=str(value["code"]), name=str(value["name"]), type=kind,
                          primary=key in AGENCY_TYPES and key == kind))
    return units


def unit_json(unit: Unit) -> dict[str, Any]:
    return {"code": unit.code, "name": unit.name, "type": unit.type, "primary": unit.primary}


def parse_units(value: Any, path: str, problems: Problems) -> list[Unit]:
    """``[{"code", "name", "type", "primary"?}]``: the first unit of a type is its primary unless another says so."""
    if not isinstance(value, list):
        problems.add(path, "list_type")
        return []
    if len(value) > MAX_UNITS:
        problems.add(path, "too_many")
        return []
    parsed: list[tuple[str, str, str, bool | None]] = []
    seen: set[str] = set()
    for i, item in enumerate(value):
        where = at(path, i)
        if not problems.object(item, where, ("code", "name", "type", "primary"), ("code", "name", "type")):
            continue
        code = problems.text(item.get("code"), at(where, "code"), UNIT_CODE, "invalid_unit_code")
        name = problems.text(item.get("name"), at(where, "name"))
        kind = item.get("type")
        if kind not in AGENCY_TYPES:
            problems.add(at(where, "type"), "unknown_agency_type")
        primary = item.get("primary")
        if primary is not None and not isinstance(primary, bool):
            problems.add(at(where, "primary"), "bool_type")
        if code in seen:
            problems.add(at(where, "code"), "duplicate")
        if code and name and kind in AGENCY_TYPES and code not in seen:
            parsed.append((code, name, str(kind), primary if isinstance(primary, bool) else None))
        if code:
            seen.add(code)
    primaries: dict[str, str] = {}
    for code, _, kind, primary in parsed:
        if primary:
            if kind in primaries:
                problems.add(path, "duplicate")
            primaries.setdefault(kind, code)
    for code, _, kind, primary in parsed:
        if primary is None and kind not in primaries:
            primaries[kind] = code
    return [Unit(code, name, kind, primaries.get(kind) == code) for code, name, kind, _ in parsed]


def parse_categories(value: Any, path: str, units: list[Unit], problems: Problems) -> dict[str, dict[str, Any]]:
    """``{category: {"enabled"?: bool, "unit"?: unit code, "duplicate_radius_m"?: metres}}``.

    A misconduct report only ever goes to an Inspectorate. ``duplicate_radius_m`` (whole metres) is how
    far a new report looks for open reports of its category to suggest as possible duplicates.
    """
    if not isinstance(value, dict):
        problems.add(path, "model_type")
        return {}
    by_code = {u.code: u for u in units}
    parsed: dict[str, dict[str, Any]] = {}
    for code, item in value.items():
        where = at(path, code)
        if code not in CATEGORIES:
            problems.add(where, "unknown_category")
            continue
        if not problems.object(item, where, ("enabled", "unit", "duplicate_radius_m")):
            continue
        entry: dict[str, Any] = {"enabled": True}
        if "enabled" in item:
            if not isinstance(item["enabled"], bool):
                problems.add(at(where, "enabled"), "bool_type")
            else:
                entry["enabled"] = item["enabled"]
        unit = item.get("unit")
        if unit is not None:
            if not isinstance(unit, str) or unit not in by_code:
                problems.add(at(where, "unit"), "unknown_unit")
            elif CATEGORIES[code].sensitive and by_code[unit].type != "INSPEKTORAT":
                problems.add(at(where, "unit"), "not_routable")
            else:
                entry["unit"] = unit
        if "duplicate_radius_m" in item:
            radius = parse_duplicate_radius(item["duplicate_radius_m"])
            if radius is None:
                problems.add(at(where, "duplicate_radius_m"), "invalid_duplicate_radius")
            else:
                entry["duplicate_radius_m"] = radius
        parsed[code] = entry
    return parsed


def parse_service_area(value: Any, path: str, problems: Problems,
                       check_geometries: GeometryCheck) -> dict[str, Any] | None:
    """A GeoJSON Polygon or MultiPolygon of [lon, lat] rings, closed, valid as a surface."""
    if not isinstance(value, dict) or value.get("type") not in ("Polygon", "MultiPolygon") \
            or not isinstance(value.get("coordinates"), list) or set(value) - {"type", "coordinates"}:
        problems.add(path, "not_polygon")
        return None
    polygons = value["coordinates"] if value["type"] == "MultiPolygon" else [value["coordinates"]]
    points = 0
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            problems.add(at(path, "coordinates"), "invalid_ring")
            return None
        for ring in polygon:
            points += len(ring) if isinstance(ring, list) else 0
            if not _valid_ring(ring):
                problems.add(at(path, "coordinates"), "invalid_ring")
                return None
    if points > MAX_RING_POINTS:
        problems.add(at(path, "coordinates"), "too_many")
        return None
    surface = {"type": value["type"], "coordinates": value["coordinates"]}
    if planar_area(surface) <= 0 or check_geometries([surface]) != [None]:
        problems.add(path, "invalid_geometry")
        return None
    return {"type": value["type"], "coordinates": value["coordinates"]}


def _valid_ring(ring: Any) -> bool:
    if not isinstance(ring, list) or len(ring) < 4 or ring[0] != ring[-1]:
        return False
    for point in ring:
        if not (isinstance(point, list) and len(point) == 2
                and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in point)):
            return False
        if not (-180 <= point[0] <= 180 and -90 <= point[1] <= 90):
            return False
    return True


def parse_dates(value: Any, path: str, problems: Problems) -> list[str]:
    if not isinstance(value, list):
        problems.add(path, "list_type")
        return []
    if len(value) > 366:
        problems.add(path, "too_many")
        return []
    good = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not DATE.match(item):
            problems.add(at(path, i), "date_format")
            continue
        from datetime import date

        try:
            date.fromisoformat(item)
        except ValueError:
            problems.add(at(path, i), "date_format")
            continue
        good.append(item)
    return good


def parse_limits(value: Any, path: str, problems: Problems) -> dict[str, int]:
    if not problems.object(value, path, LIMIT_KEYS):
        return {}
    limits = {}
    for key in LIMIT_KEYS:
        if key in value:
            number = value[key]
            if type(number) is not int:
                problems.add(at(path, key), "int_type")
            elif not 0 <= number <= MAX_LIMIT:
                problems.add(at(path, key), "out_of_range")
            else:
                limits[key] = number
    return limits


def parse_admin(value: Any, path: str, problems: Problems) -> dict[str, str] | None:
    if not problems.object(value, path, ("username", "email", "name"), ("username",)):
        return None
    username = problems.text(value.get("username"), at(path, "username"), USERNAME, "invalid_username")
    admin: dict[str, str] = {"username": username or ""}
    if "email" in value:
        email = problems.text(value.get("email"), at(path, "email"), EMAIL, "invalid_email")
        if email:
            admin["email"] = email
    if "name" in value:
        name = problems.text(value.get("name"), at(path, "name"))
        if name:
            admin["name"] = name
    return admin if username else None


@dataclass
class TenantDocument:
    """A validated document: only the fields it carried are set (a PATCH leaves the others alone)."""

    fields: dict[str, Any] = field(default_factory=dict)
    admin: dict[str, str] | None = None


# Sub-validators from their own modules: (document, path) -> normalised value or ProblemError.
SubParser = Callable[[Any], Any]


def parse_document(doc: Any, *, creating: bool, check_geometries: GeometryCheck, current: dict[str, Any] | None = None,
                   sub_parsers: dict[str, SubParser] | None = None) -> TenantDocument:
    """Validate a tenant document (create: whole; patch: the fields sent, against ``current``).

    ``check_geometries`` judges the service area's outline (shapely, in its own function).
    """
    problems = Problems()
    keys = CREATE_KEYS if creating else PATCH_KEYS
    required = ("code", "names", "timezone", "service_area", "admin") if creating else ()
    if not problems.object(doc, "", keys, required):
        problems.raise_if_any()
    result = TenantDocument()
    out = result.fields
    if "code" in doc:
        code = problems.text(doc["code"], "code", TENANT_CODE, "invalid_code")
        if code in RESERVED_CODES:
            problems.add("code", "reserved_code")
        elif code:
            out["code"] = code
    if "names" in doc and problems.object(doc["names"], "names", ("id", "en"), ("id",)):
        name_id = problems.text(doc["names"].get("id"), "names.id")
        name_en = problems.text(doc["names"]["en"], "names.en") if "en" in doc["names"] else name_id
        if name_id and name_en:
            out["names"] = {"id": name_id, "en": name_en}
    if "timezone" in doc:
        if doc["timezone"] not in TIMEZONES:
            problems.add("timezone", "invalid_timezone")
        else:
            out["timezone"] = doc["timezone"]
    if "locale" in doc:
        if doc["locale"] not in LOCALES:
            problems.add("locale", "invalid_locale")
        else:
            out["locale"] = doc["locale"]
    if "code_prefix" in doc:
        prefix = problems.text(doc["code_prefix"], "code_prefix", PREFIX, "invalid_prefix")
        if prefix:
            out["code_prefix"] = prefix
    if "service_area" in doc:
        area = parse_service_area(doc["service_area"], "service_area", problems, check_geometries)
        if area:
            out["service_area"] = area
    units: list[Unit] | None = None
    if "units" in doc:
        units = parse_units(doc["units"], "units", problems)
        out["units"] = units
    if "categories" in doc:
        known = units if units is not None else agencies_to_units((current or {}).get("agencies"))
        out["categories"] = parse_categories(doc["categories"], "categories", known, problems)
    if "calendar" in doc and problems.object(doc["calendar"], "calendar",
                                             ("holidays_added", "holidays_removed", "cuti_bersama")):
        calendar: dict[str, Any] = {}
        for key in ("holidays_added", "holidays_removed"):
            if key in doc["calendar"]:
                calendar[key] = parse_dates(doc["calendar"][key], f"calendar.{key}", problems)
        if "cuti_bersama" in doc["calendar"]:
            if not isinstance(doc["calendar"]["cuti_bersama"], bool):
                problems.add("calendar.cuti_bersama", "bool_type")
            else:
                calendar["cuti_bersama"] = doc["calendar"]["cuti_bersama"]
        out["calendar"] = calendar
    if "limits" in doc:
        out["limits"] = parse_limits(doc["limits"], "limits", problems)
    if "admin" in doc:
        result.admin = parse_admin(doc["admin"], "admin", problems)
    if "status" in doc:
        if doc["status"] not in ("active", "suspended"):
            problems.add("status", "invalid_status")
        else:
            out["status"] = doc["status"]
    if "suspended_reason" in doc:
        reason = problems.text(doc["suspended_reason"], "suspended_reason", low=1, high=300)
        if reason:
            out["suspended_reason"] = reason
    for key, parser in (sub_parsers or {}).items():
        if key in doc and doc[key] is not None:
            try:
                out[key] = parser(doc[key])
            except ProblemError as err:
                problems.extend(key, err.errors or [FieldError(key, err.code, {"id": err.code, "en": err.code})])
    problems.raise_if_any()
    if creating and "code_prefix" not in out and "code" in out:
        out["code_prefix"] = re.sub(r"[^A-Z]", "", out["code"].upper())[:3].ljust(2, "X")
    return result


def merge_policy(policy: dict[str, Any], calendar: dict[str, Any] | None,
                 escalation: list[Any] | None) -> dict[str, Any]:
    """The SLA policy document with the onboarding document's calendar and escalation ladder folded in."""
    merged = dict(policy)
    if calendar:
        merged["calendar"] = {**dict(merged.get("calendar") or {}), **calendar}
    if escalation is not None:
        merged["escalation"] = escalation
    return merged
