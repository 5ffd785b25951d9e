"""Supports and comments as pure rules (domain/community.py): who may, on what, and what people read."""

from __future__ import annotations

import pytest

from chalicelib.domain import community as rules
from chalicelib.domain.commands import parse
from chalicelib.errors import ProblemError


@pytest.mark.parametrize(("status", "privacy", "own", "expected"), [
    ("submitted", "public", False, None),
    ("resolved", "anonymous", False, None),
    ("submitted", "confidential", False, "report_not_public"),
    ("closed", "confidential", False, "report_not_public"),  # never says more than "not public"
    ("submitted", "public", True, "support_own_report"),
    ("closed", "public", False, "report_finished"),
    ("rejected", "public", False, "report_finished"),
])
def test_a_support_is_refused_on_reports_that_are_not_public_ones_own_or_finished(status, privacy, own, expected):
    assert rules.support_refusal(status=status, privacy=privacy, own_report=own) == expected


def test_comments_are_taken_on_any_listed_report_and_never_on_a_confidential_one():
    assert rules.comment_refusal(privacy="public") is None
    assert rules.comment_refusal(privacy="anonymous") is None
    assert rules.comment_refusal(privacy="confidential") == "report_not_public"


def test_only_the_report_s_staff_moderate():
    assert all(rules.may_moderate(role) for role in ("desk", "supervisor", "officer"))
    assert not any(rules.may_moderate(role) for role in ("reporter", None, "citizen"))


def test_a_supporter_of_both_reports_or_the_original_s_reporter_counts_once():
    move, drop = rules.merge_plan(["ani", "budi", "cici", "dodi"], on_original={"budi"}, original_reporter="cici")
    assert move == ["ani", "dodi"]
    assert drop == ["budi", "cici"]  # they leave the duplicate without being added again


def test_nobody_to_move_is_an_empty_plan():
    assert rules.merge_plan([], on_original=set(), original_reporter=None) == ([], [])


@pytest.mark.parametrize(("old", "new", "expected"), [
    ({"status": "submitted"}, {"status": "rejected", "duplicate_of": "01J"}, True),
    (None, {"status": "rejected", "duplicate_of": "01J"}, True),
    ({"status": "submitted"}, {"status": "rejected"}, False),  # spam or not ours: nobody to move
    ({"status": "rejected", "duplicate_of": "01J"}, {"status": "rejected", "duplicate_of": "01J",
                                                     "support_count": 0}, False),  # the merge's own writes
    ({"status": "submitted"}, {"status": "dispatched"}, False),
    ({"status": "rejected"}, None, False),
])
def test_the_merge_follows_the_one_change_that_made_a_report_a_duplicate(old, new, expected):
    assert rules.is_merge(old, new) is expected


def test_the_duplicate_s_reporter_is_reached_by_account_or_by_receipt():
    assert rules.reporter_mailbox("sub-1", None) == "user#sub-1"
    assert rules.reporter_mailbox(None, "abc") == "receipt#abc"
    assert rules.reporter_mailbox(None, None) is None


def test_the_merge_notice_names_the_original_s_tracking_code_in_both_languages():
    message = rules.merged_message("KPG-AAAAAA", "KPG-BBBBBB")
    for lang in ("id", "en"):
        assert "KPG-BBBBBB" in message["title"][lang] and "KPG-BBBBBB" in message["body"][lang]
        assert "KPG-AAAAAA" in message["body"][lang]


@pytest.mark.parametrize("reason", sorted(rules.HIDE_REASONS))
def test_the_hidden_notice_gives_the_reason_in_words(reason):
    message = rules.hidden_message("KPG-CCCCCC", reason)
    words_id, words_en = rules.HIDE_REASONS[reason]
    assert words_id in message["body"]["id"] and words_en in message["body"]["en"]
    assert "KPG-CCCCCC" in message["title"]["id"] and "KPG-CCCCCC" in message["title"]["en"]


def _field_codes(body: object) -> set[tuple[str, str]]:
    with pytest.raises(ProblemError) as raised:
        parse(rules.NewComment, body)
    assert raised.value.code == "validation_failed"
    return {(e.field, e.code) for e in raised.value.errors}


def test_comment_text_is_between_one_and_a_thousand_characters_and_not_blank():
    assert parse(rules.NewComment, {"text": "  Masih ada  "}).text == "Masih ada"
    assert len(parse(rules.NewComment, {"text": "x" * rules.MAX_COMMENT_CHARS}).text) == rules.MAX_COMMENT_CHARS
    assert parse(rules.NewComment, {"text": "Baris satu\nBaris dua"}).text == "Baris satu\nBaris dua"
    assert _field_codes({"text": ""}) == {("text", "string_too_short")}
    assert _field_codes({"text": " \n "}) == {("text", "blank")}
    assert _field_codes({"text": "x" * (rules.MAX_COMMENT_CHARS + 1)}) == {("text", "string_too_long")}
    assert _field_codes({"text": "bel\x07"}) == {("text", "control_characters")}
    assert _field_codes({}) == {("text", "missing")}
    assert ("extra", "extra_forbidden") in _field_codes({"text": "a", "extra": 1})


def test_a_comment_is_hidden_only_for_a_known_reason():
    assert parse(rules.HideComment, {"reason": "spam"}).reason == "spam"
    with pytest.raises(ProblemError):
        parse(rules.HideComment, {"reason": "I do not like it"})
    with pytest.raises(ProblemError):
        parse(rules.HideComment, {"reason": "spam", "note": "x" * 501})


def test_every_reason_a_moderator_may_give_has_words_for_the_author():
    from typing import get_args

    assert set(get_args(rules.HideComment.model_fields["reason"].annotation)) == set(rules.HIDE_REASONS)
