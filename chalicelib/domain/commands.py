"""Commands parsed from request bodies (pydantic); failures become field errors in both languages."""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from chalicelib.domain.photos import ALLOWED_CONTENT_TYPES
from chalicelib.domain.reports import MAX_DESCRIPTION_CHARS
from chalicelib.errors import FieldError, ProblemError

T = TypeVar("T", bound=BaseModel)
# defer_build: a model's validator is built when it first validates, so a cold request builds only the
# command it parses, not all of them at import.
_STRICT = ConfigDict(strict=True, extra="forbid", defer_build=True)


class Location(BaseModel):
    model_config = _STRICT
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)


class Contact(BaseModel):
    """How the desk may reach a reporter who has no account (e.g. sent by an Open311 client); never published."""

    model_config = _STRICT
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]{1,64}@[^@\s]{1,255}$")
    first_name: str | None = Field(default=None, min_length=1, max_length=100)
    last_name: str | None = Field(default=None, min_length=1, max_length=100)
    phone: str | None = Field(default=None, min_length=1, max_length=32)


class CreateReport(BaseModel):
    model_config = _STRICT
    category: str = Field(min_length=1, max_length=64)
    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION_CHARS)
    location: Location
    address: str | None = Field(default=None, max_length=500)
    privacy: Literal["public", "anonymous", "confidential"] | None = None
    # Answers to the category's extra questions (domain/questions.py): code -> text, or keys of a multi-value list.
    answers: dict[str, str | list[str]] | None = Field(default=None, max_length=20)
    contact: Contact | None = None
    media_url: str | None = Field(default=None, max_length=2048, pattern=r"^https?://\S+$")

    @field_validator("description")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("blank")
        return value.strip()


class CreatePhoto(BaseModel):
    model_config = _STRICT
    content_type: str

    @field_validator("content_type")
    @classmethod
    def _allowed(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in ALLOWED_CONTENT_TYPES:
            raise ValueError("unsupported_type")
        return value


REJECT_REASONS = ("spam", "not_jurisdiction", "duplicate")
# Which optional fields each action takes; anything else sent with it is refused (a client bug, not noise).
_ACTION_FIELDS: dict[str, frozenset[str]] = {
    "verify": frozenset({"note", "agency"}),
    "reject": frozenset({"note", "reason", "duplicate_of"}),
    "hold": frozenset({"note"}),
    "answer": frozenset({"note"}),
    "acknowledge": frozenset({"note"}),
    "assign": frozenset({"note", "assignee"}),
    "reassign": frozenset({"note", "agency", "reason"}),
    "note": frozenset({"note", "visibility"}),
    "start": frozenset({"note"}),
    "resolve": frozenset({"note", "photo_ids"}),
    "confirm": frozenset({"note", "rating"}),
    "dispute": frozenset({"note"}),
}
_ACTION_REQUIRES: dict[str, frozenset[str]] = {
    "reject": frozenset({"reason"}),
    "hold": frozenset({"note"}),
    "answer": frozenset({"note"}),
    "assign": frozenset({"assignee"}),
    "reassign": frozenset({"agency", "reason"}),
    "note": frozenset({"note"}),
    "resolve": frozenset({"note", "photo_ids"}),
    "dispute": frozenset({"note"}),
}


class Transition(BaseModel):
    """``POST .../transitions``: one workflow action and what it needs."""

    model_config = _STRICT
    action: Literal["verify", "reject", "hold", "answer", "acknowledge", "assign", "reassign", "note", "start",
                    "resolve", "confirm", "dispute"]
    note: str | None = Field(default=None, min_length=1, max_length=2000)
    agency: str | None = Field(default=None, min_length=1, max_length=32, pattern=r"^[A-Z0-9_-]+$")
    assignee: str | None = Field(default=None, min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._@+-]+$")
    reason: str | None = Field(default=None, min_length=1, max_length=500)
    photo_ids: list[str] | None = Field(default=None, min_length=1, max_length=5)
    rating: int | None = Field(default=None, ge=1, le=5)
    visibility: Literal["public", "internal"] | None = None
    duplicate_of: str | None = Field(default=None, min_length=1, max_length=40)

    @field_validator("note", "reason")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("blank")
        return value.strip() if value is not None else None

    @model_validator(mode="after")
    def _fits_action(self) -> Transition:
        sent = {name for name in self.model_fields_set if name != "action" and getattr(self, name) is not None}
        problems = [f"{name}:not_for_action" for name in sorted(sent - _ACTION_FIELDS[self.action])]
        problems += [f"{name}:required_for_action" for name in sorted(_ACTION_REQUIRES.get(self.action, set()) - sent)]
        if self.action == "reject" and self.reason is not None and self.reason not in REJECT_REASONS:
            problems.append("reason:unknown_reject_reason")
        if self.action == "reject" and self.reason == "not_jurisdiction" and self.note is None:
            problems.append("note:handoff_note_required")
        if problems:
            raise ValueError(";".join(problems))
        return self


_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("Wajib diisi.", "This field is required."),
    "extra_forbidden": ("Isian ini tidak dikenal.", "This field is not recognised."),
    "string_type": ("Harus berupa teks.", "Must be a string."),
    "float_type": ("Harus berupa angka.", "Must be a number."),
    "model_type": ("Harus berupa objek JSON.", "Must be a JSON object."),
    "literal_error": ("Nilai tidak diizinkan.", "This value is not allowed."),
    "string_too_short": ("Tidak boleh kosong.", "Must not be empty."),
    "string_too_long": ("Terlalu panjang.", "Too long."),
    "greater_than_equal": ("Di luar rentang yang diizinkan.", "Out of the allowed range."),
    "less_than_equal": ("Di luar rentang yang diizinkan.", "Out of the allowed range."),
    "finite_number": ("Harus berupa angka terhingga.", "Must be a finite number."),
    "blank": ("Tidak boleh kosong.", "Must not be blank."),
    "control_characters": ("Tidak boleh memuat karakter kontrol.", "Must not contain control characters."),
    "unsupported_type": ("Hanya image/jpeg, image/png atau image/webp.",
                         "Only image/jpeg, image/png or image/webp."),
    "int_type": ("Harus berupa bilangan bulat.", "Must be a whole number."),
    "list_type": ("Harus berupa daftar.", "Must be a list."),
    "too_short": ("Terlalu sedikit.", "Too few items."),
    "too_long": ("Terlalu banyak.", "Too many items."),
    "string_pattern_mismatch": ("Format tidak valid.", "Invalid format."),
    "not_for_action": ("Isian ini tidak dipakai untuk tindakan ini.", "This field is not used with this action."),
    "required_for_action": ("Wajib diisi untuk tindakan ini.", "Required for this action."),
    "unknown_reject_reason": ("Alasan harus spam, not_jurisdiction atau duplicate.",
                              "The reason must be spam, not_jurisdiction or duplicate."),
    "handoff_note_required": ("Tulis catatan pelimpahan ke instansi yang berwenang.",
                              "Write a hand-off note naming the body that is responsible."),
}


def _field_errors(error: Any) -> list[FieldError]:
    """Cross-field checks report several ``field:code`` problems in one message; split them back out."""
    message = str(error.get("ctx", {}).get("error", ""))
    if error["type"] == "value_error" and ":" in message and not error["loc"]:
        errors = []
        for part in message.split(";"):
            name, _, code = part.partition(":")
            words = _MESSAGES.get(code, ("Nilai tidak valid.", "Invalid value."))
            errors.append(FieldError(field=name, code=code, message={"id": words[0], "en": words[1]}))
        return errors
    return [_field_error(error)]


def _field_error(error: Any) -> FieldError:
    code = error["type"]
    if code == "value_error":
        code = str(error.get("ctx", {}).get("error", "invalid"))
    words = _MESSAGES.get(code, ("Nilai tidak valid.", "Invalid value."))
    path = ".".join(str(part) for part in error["loc"]) or "body"
    return FieldError(field=path, code=code, message={"id": words[0], "en": words[1]})


def parse(model: type[T], data: Any) -> T:
    """The validated body, or 422 with one entry per invalid field."""
    if not isinstance(data, dict):
        raise ProblemError("validation_failed", errors=[
            FieldError("body", "model_type", {"id": _MESSAGES["model_type"][0], "en": _MESSAGES["model_type"][1]})])
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise ProblemError("validation_failed", errors=[f for e in err.errors() for f in _field_errors(e)]) from None
