"""Routing: which unit of the tenant should handle a report.

The chain is category -> agency type -> the tenant's own unit (shared reference categories.md). A
tenant may re-point a category to another agency type, and may upload areas (kecamatan or
kelurahan, GeoJSON) that name their own units per agency type: the report's point decides. The
smallest area containing the point wins, so kelurahan rules refine kecamatan ones.

Uploaded polygons are checked for validity by a ``GeometryCheck`` the caller passes in (shapely, in a
function of its own: ``adapters/geometry_check.py``); once stored they are kept in an ``AreaIndex`` of
bounding boxes and pure-Python point-in-polygon tests (``domain/geo.py``) that services cache per
tenant and areas version, so routing a report needs neither shapely nor numpy.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain import geo
from chalicelib.domain.taxonomy import AGENCY_TYPES, Category
from chalicelib.errors import FieldError, ProblemError

SENSITIVE_UNIT_TYPE = "INSPEKTORAT"
MAX_AREAS = 500
MAX_GEOMETRY_CHARS = 350_000  # a DynamoDB item holds 400 KB; real kecamatan outlines fit after simplifying
_AREA_CODE = re.compile(r"^[A-Za-z0-9._-]{1,40}$")
_LEVELS = ("kecamatan", "kelurahan", "desa", "custom")


@dataclass(frozen=True)
class AreaSpec:
    """An area as stored: its code, name, level, GeoJSON geometry text and units by agency type."""

    code: str
    name: str
    level: str
    geometry: str
    units: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    unit: str  # the tenant's unit code
    agency_type: str
    area: str | None  # the area code the point fell in, if the tenant has areas


def agency_type_for(category: Category, overrides: Mapping[str, Any] | None) -> str:
    """The agency type for a category: the tenant's override, else the national default.

    A sensitive category (misconduct) always goes to the Inspectorate, whatever a tenant configured.
    """
    if category.sensitive:
        return SENSITIVE_UNIT_TYPE
    chosen = (overrides or {}).get(category.code)
    return str(chosen) if chosen in AGENCY_TYPES else category.agency_type


def unit_code(units: Mapping[str, Any] | None, agency_type: str) -> str:
    """The tenant's unit code for an agency type (the type code itself when the tenant named none)."""
    unit = (units or {}).get(agency_type)
    if isinstance(unit, Mapping) and unit.get("code"):
        return str(unit["code"])
    return agency_type


def unit_type(units: Mapping[str, Any] | None, code: str) -> str | None:
    """The agency type of one of the tenant's units (primary units are stored under their type)."""
    for key, unit in (units or {}).items():
        if isinstance(unit, Mapping) and unit.get("code") == code:
            return str(unit.get("type") or key)
    return None


def route(category: Category, overrides: Mapping[str, Any] | None, units: Mapping[str, Any] | None,
          area: AreaSpec | None, chosen_unit: str | None = None) -> Route:
    """Category -> agency type -> the tenant's unit; a unit the tenant chose for the category comes first.

    An area still refines by agency type (garbage in Alak goes to its UPT), except for sensitive reports.
    """
    kind = agency_type_for(category, overrides)
    unit = unit_code(units, kind)
    chosen_kind = unit_type(units, chosen_unit) if chosen_unit else None
    if chosen_kind is not None and (not category.sensitive or chosen_kind == SENSITIVE_UNIT_TYPE):
        kind, unit = chosen_kind, str(chosen_unit)
    if area is not None and kind in area.units and not category.sensitive:
        unit = area.units[kind]
    return Route(unit=unit, agency_type=kind, area=area.code if area else None)


def may_handle(category: Category, unit: str, units: Mapping[str, Any] | None) -> bool:
    """A sensitive report may only ever be dispatched to the Inspectorate."""
    return not category.sensitive or unit == unit_code(units, SENSITIVE_UNIT_TYPE)


def tenant_unit_codes(units: Mapping[str, Any] | None) -> set[str]:
    """Every unit of the tenant: one per agency type, plus extra ones (a UPT serving some kecamatan)."""
    extra = {str(u["code"]) for u in (units or {}).values() if isinstance(u, Mapping) and u.get("code")}
    return {unit_code(units, kind) for kind in AGENCY_TYPES} | extra


# -- areas ---------------------------------------------------------------------------------------


def _bad(field_path: str, code: str, id_text: str, en_text: str) -> FieldError:
    return FieldError(field_path, code, {"id": id_text, "en": en_text})


def parse_areas(doc: Any, known_units: set[str], check_geometries: geo.GeometryCheck) -> list[AreaSpec]:
    """A GeoJSON FeatureCollection of areas, validated; every problem is reported at once (422).

    Each feature: ``properties`` {code, name, level?, units: {agency type: unit code}} and a Polygon or
    MultiPolygon geometry that ``check_geometries`` finds valid (asked once, for every geometry whose
    shape is right).
    """
    errors: list[FieldError] = []
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"),
                                                                                              list):
        raise ProblemError("validation_failed", errors=[_bad("body", "not_feature_collection",
                                                             "Harus GeoJSON FeatureCollection.",
                                                             "Must be a GeoJSON FeatureCollection.")])
    features = doc["features"]
    if len(features) > MAX_AREAS:
        raise ProblemError("validation_failed", errors=[_bad("features", "too_long", f"Paling banyak {MAX_AREAS}.",
                                                             f"At most {MAX_AREAS}.")])
    specs: list[AreaSpec] = []
    checked: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    for i, feature in enumerate(features):
        where = f"features.{i}"
        props = feature.get("properties") if isinstance(feature, dict) else None
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(props, dict):
            errors.append(_bad(f"{where}.properties", "missing", "Wajib diisi.", "This field is required."))
            continue
        code, name = props.get("code"), props.get("name")
        level = props.get("level", "kecamatan")
        units = props.get("units", {})
        if not isinstance(code, str) or not _AREA_CODE.match(code):
            errors.append(_bad(f"{where}.properties.code", "invalid_code", "Kode 1-40 huruf, angka, . _ -.",
                               "A code of 1-40 letters, digits, . _ -."))
        elif code in seen:
            errors.append(_bad(f"{where}.properties.code", "duplicate", "Kode sudah dipakai.", "Code used twice."))
        else:
            seen.add(code)
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= 120:
            errors.append(_bad(f"{where}.properties.name", "invalid_name", "Nama 1-120 karakter.",
                               "A name of 1-120 characters."))
        if level not in _LEVELS:
            errors.append(_bad(f"{where}.properties.level", "literal_error", "Nilai tidak diizinkan.",
                               "This value is not allowed."))
        if not isinstance(units, dict) or any(
                k not in AGENCY_TYPES or not isinstance(v, str) or v not in known_units for k, v in units.items()):
            errors.append(_bad(f"{where}.properties.units", "unknown_unit",
                               "Jenis unit atau kode unit tidak dikenal.", "Unknown agency type or unit code."))
        elif units.get(SENSITIVE_UNIT_TYPE) is not None:
            errors.append(_bad(f"{where}.properties.units.{SENSITIVE_UNIT_TYPE}", "not_routable_by_area",
                               "Laporan pelanggaran ASN tidak dirutekan per wilayah.",
                               "Misconduct reports are not routed by area."))
        if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            errors.append(_bad(f"{where}.geometry", "not_polygon", "Harus Polygon atau MultiPolygon.",
                               "Must be a Polygon or MultiPolygon."))
            continue
        text = json.dumps(geometry, separators=(",", ":"))
        if len(text) > MAX_GEOMETRY_CHARS:
            errors.append(_bad(f"{where}.geometry", "too_large", "Batas wilayah terlalu rinci; sederhanakan.",
                               "The outline is too detailed; simplify it."))
            continue
        if not _coordinates_shaped(geometry):
            errors.append(_invalid_geometry(where, "unreadable"))
            continue
        checked.append((where, geometry))
        if isinstance(code, str) and isinstance(name, str) and isinstance(units, dict):
            specs.append(AreaSpec(code=code, name=name.strip(), level=str(level), geometry=text,
                                  units={str(k): str(v) for k, v in units.items()}))
    problems = check_geometries([geometry for _, geometry in checked]) if checked else []
    errors.extend(_invalid_geometry(where, why) for (where, _), why in zip(checked, problems, strict=True) if why)
    if errors:
        raise ProblemError("validation_failed", errors=errors)
    return specs


def _invalid_geometry(where: str, why: str) -> FieldError:
    return _bad(f"{where}.geometry", "invalid_geometry", f"Poligon tidak valid: {why}.", f"Invalid polygon: {why}.")


def _is_position(value: Any) -> bool:
    return (isinstance(value, list) and len(value) in (2, 3)
            and all(isinstance(n, (int, float)) and not isinstance(n, bool) and abs(n) != float("inf")
                    and n == n for n in value))


def _coordinates_shaped(geometry: dict[str, Any]) -> bool:
    """Rings of at least four numeric positions, nested as the type says (what the index can read)."""
    coords = geometry.get("coordinates")
    polygons = [coords] if geometry.get("type") == "Polygon" else coords
    return (isinstance(polygons, list) and len(polygons) > 0
            and all(isinstance(polygon, list) and len(polygon) > 0
                    and all(isinstance(ring, list) and len(ring) >= 4 and all(_is_position(p) for p in ring)
                            for ring in polygon)
                    for polygon in polygons))


class AreaIndex:
    """One tenant's areas, ready to answer "which area holds this point" without shapely.

    Bounding boxes first, then an even-odd ray cast over the few areas whose box holds the point; the
    smallest (planar area) wins, so a kelurahan refines its kecamatan.
    """

    def __init__(self, specs: list[AreaSpec]) -> None:
        self.specs = specs
        self._shapes = [json.loads(spec.geometry) for spec in specs]
        self._boxes = [geo.bounds(shape) for shape in self._shapes]
        self._areas = [geo.planar_area(shape) for shape in self._shapes]

    def locate(self, lat: float, lon: float) -> AreaSpec | None:
        """The smallest area containing the point (GeoJSON order: lon, lat), or None."""
        hits = [i for i, (west, south, east, north) in enumerate(self._boxes)
                if west <= lon <= east and south <= lat <= north and geo.contains(self._shapes[i], lat, lon)]
        if not hits:
            return None
        return self.specs[min(hits, key=lambda i: self._areas[i])]

    def interior_point(self, spec: AreaSpec) -> tuple[float, float]:
        """A point (lat, lon) inside one of these areas."""
        return geo.interior_point(self._shapes[self.specs.index(spec)])

    def planar_area(self, spec: AreaSpec) -> float:
        return self._areas[self.specs.index(spec)]

    def as_feature_collection(self) -> dict[str, Any]:
        return {"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": json.loads(spec.geometry),
             "properties": {"code": spec.code, "name": spec.name, "level": spec.level, "units": spec.units}}
            for spec in self.specs]}
