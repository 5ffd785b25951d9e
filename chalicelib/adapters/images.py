"""Decode, check and re-encode photos with Pillow.

Re-encoding from pixels is what removes EXIF, GPS, maker notes, XMP and ICC data: nothing from the
original file is carried over but the (correctly rotated) pixels.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from chalicelib.domain import photos as rules


class PhotoRejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CleanPhoto:
    display: bytes
    thumbnail: bytes
    width: int
    height: int
    source_format: str


def _jpeg(image: object, max_side: int) -> tuple[bytes, int, int]:
    from PIL import Image

    assert isinstance(image, Image.Image)
    copy = image.copy()
    copy.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue(), copy.width, copy.height


def clean(data: bytes) -> CleanPhoto:
    """The photo as a metadata-free JPEG plus a thumbnail, or PhotoRejected with a reason code."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not data:
        raise PhotoRejected("empty")
    if len(data) > rules.MAX_PHOTO_BYTES:
        raise PhotoRejected("too_large")
    Image.MAX_IMAGE_PIXELS = rules.MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                source_format = opened.format or ""
                if source_format not in rules.ALLOWED_FORMATS:
                    raise PhotoRejected("not_an_image")
                if opened.width * opened.height > rules.MAX_PIXELS:
                    raise PhotoRejected("too_many_pixels")
                opened.load()
                upright = ImageOps.exif_transpose(opened)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRejected("too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoRejected("not_an_image") from None
    if upright.mode in ("RGBA", "LA", "P"):
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        upright = flat
    elif upright.mode != "RGB":
        upright = upright.convert("RGB")
    display, width, height = _jpeg(upright, rules.DISPLAY_MAX_SIDE)
    thumbnail, _, _ = _jpeg(upright, rules.THUMBNAIL_MAX_SIDE)
    return CleanPhoto(display=display, thumbnail=thumbnail, width=width, height=height,
                      source_format=source_format)
