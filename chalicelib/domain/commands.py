"""Commands parsed from request bodies (pydantic); failures become field errors in both languages."""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from chalicelib.domain.photos import ALLOWED_CONTENT_TYPES
from chalicelib.domain.reports import MAX_DESCRIPTION_CHARS
from chalicelib.errors import FieldError, ProblemError

T = TypeVar("T", bound=BaseModel)
_STRICT = ConfigDict(strict=True, extra="forbid")


class Location(BaseModel):
    model_config = _STRICT
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)


class CreateReport(BaseModel):
    model_config = _STRICT
    category: str = Field(min_length=1, max_length=64)
    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION_CHARS)
    location: Location
    address: str | None = Field(default=None, max_length=500)
    privacy: Literal["public", "anonymous", "confidential"] | None = None

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
    "unsupported_type": ("Hanya image/jpeg, image/png atau image/webp.",
                         "Only image/jpeg, image/png or image/webp."),
}


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
        raise ProblemError("validation_failed", errors=[_field_error(e) for e in err.errors()]) from None
