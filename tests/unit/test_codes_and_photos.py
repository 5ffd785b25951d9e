"""Tracking codes people can read aloud, and the photo rules."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from chalicelib.domain import photos
from chalicelib.domain.reports import new_tracking_code, normalise_tracking_code


def test_tracking_codes_are_short_and_avoid_confusable_letters():
    codes = {new_tracking_code("KPG") for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert re.fullmatch(r"KPG-[0-9A-HJKMNP-TV-Z]{6}", code)
        assert not set(code[4:]) & set("ILOU")


def test_tracking_codes_are_read_case_insensitively():
    assert normalise_tracking_code(" kpg-7q4m2x ") == "KPG-7Q4M2X"


def test_upload_keys_round_trip_and_nothing_else_parses():
    key = photos.upload_key("kupang", "01ABC", "01PHOTO")
    assert photos.parse_upload_key(key) == ("kupang", "01ABC", "01PHOTO")
    for other in ("photos/kupang/01ABC/01PHOTO.jpg", "uploads/kupang/01ABC", "uploads//x/y", "uploads/a/b/c/d"):
        assert photos.parse_upload_key(other) is None


def test_a_pending_photo_lapses_after_its_upload_window():
    created = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    ttl = timedelta(minutes=15)
    assert not photos.is_lapsed("pending", created, created + timedelta(minutes=19), ttl)
    assert photos.is_lapsed("pending", created, created + timedelta(minutes=21), ttl)
    assert not photos.is_lapsed("ready", created, created + timedelta(days=3), ttl)


def test_originals_processed_and_thumbnails_live_apart():
    keys = {photos.upload_key("t", "r", "p"), photos.display_key("t", "r", "p"), photos.thumbnail_key("t", "r", "p")}
    assert len({k.split("/")[0] for k in keys}) == 3
