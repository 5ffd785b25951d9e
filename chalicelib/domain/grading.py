"""The Baik / Sedang / Kurang grade Kemendagri gives a pemda's complaint handling, from its figures.

A grade needs two shares of the window's reports, in whole percent: those resolved (``resolved_percent``)
and those whose stages all finished within their SLA (``within_sla_percent``). A tenant may set its
own thresholds (``grading`` in its document); the defaults follow the usual evaluation bands.
Pure rules: no AWS, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.errors import FieldError, ProblemError

GRADES = ("Baik", "Sedang", "Kurang")
MEASURES = ("within_sla_percent", "resolved_percent")
LEVELS = ("baik", "sedang")


@dataclass(frozen=True)
class Band:
    within_sla_percent: int
    resolved_percent: int

    def met_by(self, within_sla: int, resolved: int) -> bool:
        return within_sla >= self.within_sla_percent and resolved >= self.resolved_percent


@dataclass(frozen=True)
class Thresholds:
    baik: Band
    sedang: Band


DEFAULT = Thresholds(baik=Band(80, 80), sedang=Band(60, 60))


def _error(path: str, code: str, id_text: str, en_text: str) -> FieldError:
    return FieldError(path, code, {"id": id_text, "en": en_text})


def parse(doc: Any) -> Thresholds:
    """Thresholds from ``{"baik": {...}, "sedang": {...}}``; a 422 listing every invalid field."""
    errors: list[FieldError] = []
    if not isinstance(doc, dict):
        raise ProblemError("validation_failed", errors=[_error("body", "model_type", "Harus berupa objek.",
                                                               "Must be an object.")])
    for key in doc:
        if key not in LEVELS:
            errors.append(_error(str(key), "extra_forbidden", "Kolom ini tidak dikenal.", "Unknown field."))
    bands: dict[str, Band] = {}
    for level in LEVELS:
        raw = doc.get(level, getattr(DEFAULT, level).__dict__)
        if not isinstance(raw, dict):
            errors.append(_error(level, "model_type", "Harus berupa objek.", "Must be an object."))
            continue
        values: dict[str, int] = {}
        for key in raw:
            if key not in MEASURES:
                errors.append(_error(f"{level}.{key}", "extra_forbidden", "Kolom ini tidak dikenal.",
                                     "Unknown field."))
        for measure in MEASURES:
            value = raw.get(measure, getattr(getattr(DEFAULT, level), measure))
            if type(value) is not int or not 0 <= value <= 100:
                errors.append(_error(f"{level}.{measure}", "out_of_range", "Harus bilangan bulat 0 sampai 100.",
                                     "Must be a whole number from 0 to 100."))
            else:
                values[measure] = value
        if len(values) == len(MEASURES):
            bands[level] = Band(**values)
    if not errors and len(bands) == 2:
        baik, sedang = bands["baik"], bands["sedang"]
        for measure in MEASURES:
            if getattr(baik, measure) < getattr(sedang, measure):
                errors.append(_error(f"baik.{measure}", "below_sedang",
                                     "Ambang Baik tidak boleh di bawah ambang Sedang.",
                                     "The Baik threshold cannot be below the Sedang one."))
    if errors:
        raise ProblemError("validation_failed", errors=errors)
    return Thresholds(baik=bands["baik"], sedang=bands["sedang"])


def to_json(thresholds: Thresholds) -> dict[str, Any]:
    return {level: dict(getattr(thresholds, level).__dict__) for level in LEVELS}


def of(stored: dict[str, Any] | None) -> Thresholds:
    """The tenant's stored thresholds (DynamoDB numbers come back as Decimal), or the defaults."""
    if not stored:
        return DEFAULT
    return parse({level: {k: int(v) for k, v in dict(band).items()} for level, band in stored.items()})


def percent(part: int, whole: int) -> int | None:
    """``part`` of ``whole`` in whole percent, rounded down (a grade is never rounded up); None when empty."""
    return None if whole <= 0 else part * 100 // whole


def grade(thresholds: Thresholds, within_sla: int | None, resolved: int | None) -> str | None:
    """The grade the figures imply; None when the window has no reports to judge."""
    if within_sla is None or resolved is None:
        return None
    if thresholds.baik.met_by(within_sla, resolved):
        return "Baik"
    if thresholds.sedang.met_by(within_sla, resolved):
        return "Sedang"
    return "Kurang"
