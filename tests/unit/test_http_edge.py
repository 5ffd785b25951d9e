"""Language choice and the shape of problem documents."""

from __future__ import annotations

import pytest

from chalicelib.api.http import language
from chalicelib.errors import CATALOG, FieldError, ProblemError


@pytest.mark.parametrize("header, expected", [
    (None, "id"), ("", "id"), ("en", "en"), ("en-US,en;q=0.9", "en"), ("id-ID,id;q=0.9,en;q=0.8", "id"),
    ("en;q=0.4,id;q=0.8", "id"), ("fr-FR", "id"), ("de, en;q=0.5", "en"), ("en;q=abc", "id"),
])
def test_the_language_follows_accept_language_and_defaults_to_indonesian(header, expected):
    assert language({"accept-language": header} if header is not None else {}) == expected


def test_every_problem_has_words_in_both_languages_and_an_error_status():
    for code, (status, words) in CATALOG.items():
        assert 400 <= status < 600, code
        assert set(words) == {"id", "en"}, code
        assert all(title and detail for title, detail in words.values()), code


def test_a_problem_renders_rfc9457_fields_and_field_errors():
    error = ProblemError("validation_failed", errors=[FieldError("location.lat", "float_type",
                                                                 {"id": "Harus angka.", "en": "Must be a number."})])
    body = error.render("en", "/v1/tenants/kupang/reports")
    assert body["status"] == 422 and body["code"] == "validation_failed"
    assert body["type"].endswith("/validation-failed")
    assert body["instance"] == "/v1/tenants/kupang/reports"
    assert body["errors"] == [{"field": "location.lat", "code": "float_type", "message": "Must be a number."}]


def test_an_unknown_problem_code_is_a_programming_error():
    with pytest.raises(ValueError):
        ProblemError("no_such_code")
