"""Extra questions some categories ask at intake (Open311 service-definition attributes) and their answers.

A question is ``variable`` (the reporter answers it) or informational (a notice shown with the form, e.g.
"in an emergency call 113"). Answers are kept on the report as text (or a list of keys for a
multi-value list), so staff read them as given; nothing here is personal data by design, but free text
may be, so answers are shown only in the full view of a report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.errors import FieldError, ProblemError

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
MAX_STRING = 500
MAX_TEXT = 4000


@dataclass(frozen=True)
class Choice:
    key: str
    name_id: str
    name_en: str


@dataclass(frozen=True)
class Question:
    code: str
    datatype: str
    description_id: str
    description_en: str
    required: bool = False
    variable: bool = True
    choices: tuple[Choice, ...] = field(default_factory=tuple)

    def describe(self, lang: str) -> str:
        return self.description_en if lang == "en" else self.description_id


_YES_NO = (Choice("yes", "Ya", "Yes"), Choice("no", "Tidak", "No"))

# category code -> its questions, in the order a form shows them (``order`` in Open311 is the position).
QUESTIONS: dict[str, tuple[Question, ...]] = {
    "garbage": (
        Question("waste_types", "multivaluelist", "Jenis sampah yang terlihat", "Kinds of waste you can see",
                 choices=(Choice("household", "Sampah rumah tangga", "Household waste"),
                          Choice("market", "Sampah pasar", "Market waste"),
                          Choice("construction", "Puing bangunan", "Construction debris"),
                          Choice("hazardous", "Limbah berbahaya (B3)", "Hazardous waste"))),
    ),
    "street_light": (
        Question("pole_number", "string", "Nomor tiang lampu (jika terlihat)", "Light pole number (if visible)"),
    ),
    "road_damage": (
        Question("size", "singlevaluelist", "Perkiraan ukuran kerusakan", "Approximate size of the damage",
                 required=True,
                 choices=(Choice("small", "Kecil (kurang dari 30 cm)", "Small (under 30 cm)"),
                          Choice("medium", "Sedang (30 cm sampai 1 m)", "Medium (30 cm to 1 m)"),
                          Choice("large", "Besar (lebih dari 1 m)", "Large (over 1 m)"))),
        Question("blocks_traffic", "singlevaluelist", "Apakah kerusakan menghalangi lalu lintas?",
                 "Does the damage block traffic?", choices=_YES_NO),
    ),
    "flood_drainage": (
        Question("water_depth_cm", "number", "Perkiraan kedalaman air (cm)", "Approximate water depth (cm)"),
    ),
    "fire": (
        Question("emergency", "string", "Keadaan darurat: telepon 113 (Damkar) atau 112 sekarang juga.",
                 "Emergency: call 113 (fire brigade) or 112 right now.", variable=False),
        Question("people_trapped", "singlevaluelist", "Apakah ada orang yang terjebak?", "Is anyone trapped?",
                 required=True, choices=_YES_NO),
    ),
}


def questions_for(category: str) -> tuple[Question, ...]:
    return QUESTIONS.get(category, ())


def _bad(code: str, problem: str, id_text: str, en_text: str) -> FieldError:
    return FieldError(f"attribute[{code}]", problem, {"id": id_text, "en": en_text})


def _number(raw: str) -> str | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return raw.strip() if math.isfinite(value) else None


def _datetime(raw: str) -> str | None:
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    return raw.strip() if moment.tzinfo is not None else None


def check_answers(category: str, answers: dict[str, Any] | None) -> dict[str, Any] | None:
    """The answers as stored (text, or a list of keys), or 422 naming every unknown, missing or invalid one.

    ``None`` (no ``answers`` at all) is a client written before questions existed: nothing is required of
    it. Open311 clients read the service definition, so their answers (``{}`` when none) are always checked.
    """
    if answers is None:
        return None
    asked = {q.code: q for q in questions_for(category) if q.variable}
    given = dict(answers or {})
    errors: list[FieldError] = []
    kept: dict[str, Any] = {}
    for code in sorted(set(given) - set(asked)):
        errors.append(_bad(code, "unknown_attribute", "Pertanyaan ini tidak ada untuk layanan ini.",
                           "This service asks no such question."))
    for code, question in asked.items():
        value = given.get(code)
        values = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str) and v.strip()]
        if not values:
            if question.required:
                errors.append(_bad(code, "required", "Wajib dijawab.", "This question must be answered."))
            continue
        if question.datatype != "multivaluelist" and len(values) > 1:
            errors.append(_bad(code, "single_value", "Hanya satu jawaban.", "Only one answer is allowed."))
            continue
        keys = {c.key for c in question.choices}
        if question.datatype in ("singlevaluelist", "multivaluelist"):
            if any(v not in keys for v in values):
                errors.append(_bad(code, "unknown_value", "Pilihan tidak dikenal.", "Unknown choice."))
                continue
            kept[code] = sorted(set(values)) if question.datatype == "multivaluelist" else values[0]
        elif question.datatype == "number":
            number = _number(values[0])
            if number is None:
                errors.append(_bad(code, "not_a_number", "Harus berupa angka.", "Must be a number."))
                continue
            kept[code] = number
        elif question.datatype == "datetime":
            moment = _datetime(values[0])
            if moment is None:
                errors.append(_bad(code, "not_a_datetime", "Harus tanggal-waktu ISO 8601 dengan zona waktu.",
                                   "Must be an ISO 8601 date-time with a time zone."))
                continue
            kept[code] = moment
        else:
            limit = MAX_TEXT if question.datatype == "text" else MAX_STRING
            if len(values[0]) > limit:
                errors.append(_bad(code, "too_long", "Terlalu panjang.", "Too long."))
                continue
            kept[code] = values[0].strip()
    if errors:
        raise ProblemError("validation_failed", errors=errors)
    return kept or None
