"""Re-encoding strips metadata and refuses what is not a photo."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from chalicelib.adapters.images import PhotoRejected, clean
from tests.images import gif, jpeg_with_gps, png_with_alpha, webp


def test_a_clean_photo_has_no_metadata_left():
    result = clean(jpeg_with_gps())
    for data in (result.display, result.thumbnail):
        image = Image.open(io.BytesIO(data))
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info and "icc_profile" not in image.info
    assert result.source_format == "JPEG"


def test_large_photos_are_scaled_down_and_thumbnails_are_small():
    result = clean(jpeg_with_gps(size=(3000, 1500)))
    assert (result.width, result.height) == (2048, 1024)
    assert max(Image.open(io.BytesIO(result.thumbnail)).size) == 320


def test_transparent_png_and_webp_become_jpeg():
    for data in (png_with_alpha(), webp()):
        assert Image.open(io.BytesIO(clean(data).display)).format == "JPEG"


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"), (b"hello world", "not_an_image"), (gif(), "not_an_image"),
    (jpeg_with_gps()[:200], "not_an_image"), (b"\xff\xd8" + b"\0" * (10 * 1024 * 1024), "too_large"),
], ids=["empty", "text", "gif", "truncated", "too-large"])
def test_what_is_not_an_allowed_image_is_refused_with_a_reason(data, reason):
    with pytest.raises(PhotoRejected) as refused:
        clean(data)
    assert refused.value.reason == reason


def test_a_decompression_bomb_is_refused():
    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, format="PNG")  # tiny file, 81 megapixels
    with pytest.raises(PhotoRejected) as refused:
        clean(out.getvalue())
    assert refused.value.reason == "too_many_pixels"
