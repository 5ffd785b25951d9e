"""Who sees a report in full, in public, or not at all."""

from __future__ import annotations

import pytest

from chalicelib.domain.identity import Caller
from chalicelib.domain.reports import (
    ReportAccess,
    effective_privacy,
    hash_receipt,
    is_listed_publicly,
    new_receipt,
    receipt_matches,
    view_for,
)
from chalicelib.domain.taxonomy import CATEGORIES

RECEIPT = "rahasia-warga-123"


def access(privacy="public", agency="DLH", reporter="citizen-1", receipt=None, tenant="kupang"):
    return ReportAccess(tenant=tenant, privacy=privacy, agency=agency, reporter_sub=reporter,
                        receipt_hash=hash_receipt(receipt) if receipt else None)


def staff(role, tenant="kupang", agency=None, sub="staff-1"):
    return Caller(sub=sub, roles=frozenset({role}), tenant=tenant, agency=agency)


def test_sensitive_categories_are_confidential_whatever_was_asked():
    for asked in (None, "public", "anonymous", "confidential"):
        assert effective_privacy(asked, CATEGORIES["misconduct"]) == "confidential"


def test_other_categories_keep_the_choice_and_default_to_public():
    assert effective_privacy(None, CATEGORIES["garbage"]) == "public"
    assert effective_privacy("anonymous", CATEGORIES["garbage"]) == "anonymous"


def test_only_misconduct_is_sensitive_in_the_default_taxonomy():
    assert [c.code for c in CATEGORIES.values() if c.sensitive] == ["misconduct"]


def test_confidential_reports_are_never_listed():
    assert is_listed_publicly("public") and is_listed_publicly("anonymous")
    assert not is_listed_publicly("confidential")


@pytest.mark.parametrize("privacy, expected", [("public", "public"), ("anonymous", "public"), ("confidential", None)])
def test_a_stranger_sees_at_most_the_public_view(privacy, expected):
    assert view_for(access(privacy), None, None) == expected
    assert view_for(access(privacy), Caller(sub="citizen-2"), None) == expected


def test_the_reporter_sees_the_full_view_by_token_or_receipt():
    assert view_for(access("confidential"), Caller(sub="citizen-1"), None) == "full"
    anonymous = access("confidential", reporter=None, receipt=RECEIPT)
    assert view_for(anonymous, None, RECEIPT) == "full"
    assert view_for(anonymous, None, RECEIPT + "!") is None
    assert view_for(anonymous, None, "") is None


@pytest.mark.parametrize("caller, expected", [
    (staff("tenant_admin"), "full"),
    (staff("supervisor"), "full"),
    (staff("officer", agency="INSPEKTORAT"), "full"),
    (staff("officer", agency="DLH"), None),
    (staff("tenant_admin", tenant="karo"), None),
    (staff("platform_admin", tenant=None), "full"),
    (Caller(sub="x", roles=frozenset({"officer"}), tenant="kupang", agency=None), None),
])
def test_staff_see_confidential_reports_only_in_their_tenant_and_unit(caller, expected):
    assert view_for(access("confidential", agency="INSPEKTORAT"), caller, None) == expected


def test_receipts_are_random_and_only_their_hash_is_compared():
    first, second = new_receipt(), new_receipt()
    assert first != second and len(first) >= 24
    assert receipt_matches(first, hash_receipt(first))
    assert not receipt_matches(first, hash_receipt(second))
    assert not receipt_matches(None, hash_receipt(first))
    assert not receipt_matches(first, None)
