"""Supports ("me too") and comments: who may add them, to which reports, and what people are told.

Pure rules: no AWS, no HTTP. Decisions made here:

- Supports and comments exist only on publicly listed reports (public, anonymous). A confidential
  report stays a 404 to anyone who may not see it, and is refused (409 ``report_not_public``) to the
  few who may: a "me too" there would tell nobody anything.
- A support is one per signed-in citizen and report; the reporter's own report is not theirs to
  support (409). A finished report (closed, rejected) takes no new support (409 ``report_finished``):
  nobody prioritises it any more. Withdrawing is always possible.
- Staff accounts neither support nor comment (403): they act on reports through the workflow.
- Marking a report a duplicate moves its supporters to the original; someone supporting both, or the
  original's own reporter, counts once (``merge_plan``).
- Comments: 1 to ``MAX_COMMENT_CHARS`` characters of text, not blank, at most ``COMMENTS_PER_HOUR``
  per citizen and tenant. Staff of the report (desk, supervisors, the unit's officers) hide one with a
  reason code; the author is told the reason in both languages, never the moderator's own note.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chalicelib.domain.notifications import receipt_box, user_box
from chalicelib.domain.reports import is_listed_publicly
from chalicelib.domain.workflow import FINISHED

MAX_COMMENT_CHARS = 1000
COMMENTS_PER_HOUR = 10  # per citizen and tenant
MODERATOR_ROLES = frozenset({"desk", "supervisor", "officer"})  # as domain/workflow.actor_role names them

MERGED = "report.merged"
COMMENT_HIDDEN = "comment.hidden"

# reason code -> (Bahasa Indonesia, English), as the author reads it
HIDE_REASONS: dict[str, tuple[str, str]] = {
    "offensive": ("bahasa kasar atau menyinggung", "offensive or abusive language"),
    "personal_data": ("memuat data pribadi", "it contains personal data"),
    "spam": ("spam atau iklan", "spam or advertising"),
    "off_topic": ("tidak terkait laporan ini", "not about this report"),
    "misinformation": ("informasi yang menyesatkan", "misleading information"),
    "other": ("melanggar pedoman komentar", "it breaks the comment guidelines"),
}

_STRICT = ConfigDict(strict=True, extra="forbid")


class NewComment(BaseModel):
    model_config = _STRICT
    text: str = Field(min_length=1, max_length=MAX_COMMENT_CHARS)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("blank")
        if any(ord(ch) < 32 and ch not in "\n\t" for ch in value):
            raise ValueError("control_characters")
        return value.strip()


class HideComment(BaseModel):
    model_config = _STRICT
    reason: Literal["offensive", "personal_data", "spam", "off_topic", "misinformation", "other"]
    note: str | None = Field(default=None, max_length=500)  # staff's own words; never sent to the author


def support_refusal(*, status: str, privacy: str, own_report: bool) -> str | None:
    """The problem code that refuses a new support, or None when it may be added."""
    if not is_listed_publicly(privacy):
        return "report_not_public"
    if own_report:
        return "support_own_report"
    if status in FINISHED:
        return "report_finished"
    return None


def comment_refusal(*, privacy: str) -> str | None:
    """The problem code that refuses a comment, or None: any status of a listed report takes comments."""
    return None if is_listed_publicly(privacy) else "report_not_public"


def may_moderate(role: str | None) -> bool:
    return role in MODERATOR_ROLES


def is_merge(old: dict[str, Any] | None, new: dict[str, Any] | None) -> bool:
    """True for the stream record in which a report became a rejected duplicate of another one."""
    if not new or new.get("status") != "rejected" or not new.get("duplicate_of"):
        return False
    return (old or {}).get("status") != "rejected"


def merge_plan(supporters: Iterable[str], on_original: set[str],
               original_reporter: str | None) -> tuple[list[str], list[str]]:
    """(move, drop): who becomes a supporter of the original, and who only leaves the duplicate.

    Everyone leaves the duplicate; those already supporting the original, and the original's own
    reporter, are not added again, so a person counts once.
    """
    move, drop = [], []
    for sub in supporters:
        (drop if sub in on_original or sub == original_reporter else move).append(sub)
    return move, drop


def reporter_mailbox(reporter_sub: str | None, receipt_hash: str | None) -> str | None:
    """The duplicate's reporter: by account, or by receipt for a report filed without sign-in."""
    if reporter_sub:
        return user_box(reporter_sub)
    if receipt_hash:
        return receipt_box(receipt_hash)
    return None


def merged_message(duplicate_code: str, original_code: str) -> dict[str, dict[str, str]]:
    """What the duplicate's reporter reads: only tracking codes, no personal data."""
    return {
        "title": {"id": f"Laporan {duplicate_code} digabung ke {original_code}",
                  "en": f"Report {duplicate_code} merged into {original_code}"},
        "body": {"id": f"Laporan Anda {duplicate_code} sama dengan laporan {original_code} yang sudah ada. Dukungan "
                       f"untuk laporan Anda dipindahkan ke sana; ikuti perkembangannya dengan kode {original_code}.",
                 "en": f"Your report {duplicate_code} is the same as the existing report {original_code}. Its "
                       f"supporters were moved there; follow its progress with the code {original_code}."},
    }


def hidden_message(tracking_code: str, reason: str) -> dict[str, dict[str, str]]:
    """What a comment's author reads when staff hid it: the reason in words, not the moderator's note."""
    reason_id, reason_en = HIDE_REASONS.get(reason, HIDE_REASONS["other"])
    return {
        "title": {"id": f"Komentar Anda pada laporan {tracking_code} disembunyikan",
                  "en": f"Your comment on report {tracking_code} was hidden"},
        "body": {"id": f"Petugas menyembunyikan komentar Anda pada laporan {tracking_code} karena {reason_id}. "
                       "Komentar itu tidak lagi tampil untuk publik.",
                 "en": f"Staff hid your comment on report {tracking_code} because {reason_en}. "
                       "It is no longer shown to the public."},
    }
