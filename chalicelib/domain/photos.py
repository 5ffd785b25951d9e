"""Photo rules: what may be uploaded, how many, and when a pending upload has lapsed."""

from __future__ import annotations

from datetime import datetime, timedelta

ALLOWED_CONTENT_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
ALLOWED_FORMATS = frozenset(ALLOWED_CONTENT_TYPES.values())
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTOS_PER_REPORT = 5
MAX_PIXELS = 40_000_000  # beyond this an "image" is a decompression bomb, not a phone photo
DISPLAY_MAX_SIDE = 2048
THUMBNAIL_MAX_SIDE = 320
# Grace after the upload URL expires for the storage event to arrive.
UPLOAD_GRACE = timedelta(minutes=5)

REJECTION_REASONS = {
    "not_an_image": {"id": "Berkas bukan gambar JPEG, PNG atau WebP.",
                     "en": "The file is not a JPEG, PNG or WebP image."},
    "too_large": {"id": "Berkas lebih besar dari 10 MB.", "en": "The file is larger than 10 MB."},
    "empty": {"id": "Berkas kosong.", "en": "The file is empty."},
    "too_many_pixels": {"id": "Resolusi gambar terlalu besar.", "en": "The image resolution is too large."},
}


def is_lapsed(status: str, created_at: datetime, now: datetime, upload_ttl: timedelta) -> bool:
    """A pending photo whose upload window has closed no longer holds one of the five places."""
    return status == "pending" and now > created_at + upload_ttl + UPLOAD_GRACE


def holds_a_place(status: str) -> bool:
    """A rejected photo does not count toward the five a report may have."""
    return status != "rejected"


def upload_key(tenant: str, report_id: str, photo_id: str) -> str:
    """Where the client uploads the original; never served, deleted once processed."""
    return f"uploads/{tenant}/{report_id}/{photo_id}"


def display_key(tenant: str, report_id: str, photo_id: str) -> str:
    return f"photos/{tenant}/{report_id}/{photo_id}.jpg"


def thumbnail_key(tenant: str, report_id: str, photo_id: str) -> str:
    return f"thumbnails/{tenant}/{report_id}/{photo_id}.jpg"


def parse_upload_key(key: str) -> tuple[str, str, str] | None:
    """(tenant, report_id, photo_id) from an upload key, or None for anything else."""
    parts = key.split("/")
    if len(parts) != 4 or parts[0] != "uploads" or not all(parts[1:]):
        return None
    return parts[1], parts[2], parts[3]
