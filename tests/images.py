"""Test pictures: real image bytes, some carrying the metadata we must strip."""

from __future__ import annotations

import io

from PIL import Image

GPS_IFD = 0x8825


def jpeg_with_gps(size: tuple[int, int] = (640, 480), orientation: int | None = None) -> bytes:
    """A JPEG whose EXIF holds a camera make/model, a serial number and GPS coordinates in Kupang."""
    image = Image.new("RGB", size, (30, 120, 60))
    for x in range(0, size[0], 8):
        image.putpixel((x, x * size[1] // size[0]), (250, 10, 10))
    exif = Image.Exif()
    exif[0x010F] = "AduanPhone"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0xA431] = "SERIAL-123456"  # BodySerialNumber
    if orientation:
        exif[0x0112] = orientation
    exif[GPS_IFD] = {1: "S", 2: (10.0, 10.0, 12.5), 3: "E", 4: (123.0, 36.0, 7.25)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_with_alpha(size: tuple[int, int] = (200, 100)) -> bytes:
    image = Image.new("RGBA", size, (0, 0, 255, 128))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def webp(size: tuple[int, int] = (120, 80)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 200, 0)).save(out, format="WEBP")
    return out.getvalue()


def gif(size: tuple[int, int] = (50, 50)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 0, 0)).save(out, format="GIF")
    return out.getvalue()
