"""Rules of a tenant document: what a platform operator may name a new pemda."""

from __future__ import annotations

import pytest

from chalicelib.adapters.polygons import explain_invalid
from chalicelib.domain.tenancy import parse_document
from chalicelib.errors import ProblemError

AREA = {"type": "Polygon", "coordinates": [[[98.3, 2.9], [98.7, 2.9], [98.7, 3.3], [98.3, 2.9]]]}


def _document(code: str) -> dict:
    return {"code": code, "names": {"id": "Kabupaten Uji"}, "timezone": "Asia/Jakarta", "service_area": AREA,
            "admin": {"username": "admin.uji"}}


def _codes(code: str) -> dict[str, str]:
    with pytest.raises(ProblemError) as raised:
        parse_document(_document(code), creating=True, check_geometries=explain_invalid)
    return {e.field: e.code for e in raised.value.errors}


def test_a_lowercase_code_is_accepted():
    parsed = parse_document(_document("tanahkaro"), creating=True, check_geometries=explain_invalid)
    assert parsed.fields["code"] == "tanahkaro"


@pytest.mark.parametrize("code", ["Bad Code", "9kota", "k", "kota#x", "a" * 33])
def test_a_code_that_is_not_a_lowercase_slug_is_refused(code):
    assert _codes(code) == {"code": "invalid_code"}


def test_a_code_the_storage_keeps_for_itself_is_refused():
    """``tenants`` keys the tenant directory: a pemda of that code would own it under the data role."""
    assert _codes("tenants") == {"code": "reserved_code"}
