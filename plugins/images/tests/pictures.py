"""Test pictures made with Pillow on the fly (no binary fixtures needed)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageCms


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def photo(width: int = 640, height: int = 400, mode: str = "RGB") -> Image.Image:
    """A picture with detail (a gradient under a diagonal), so encoders have work to do."""
    base = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", (base, base.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
                                base.transpose(Image.Transpose.FLIP_TOP_BOTTOM)))
    return image.convert(mode) if mode != "RGB" else image


def jpeg(width: int = 640, height: int = 400, **options) -> bytes:
    return encoded(photo(width, height), "JPEG", quality=85, **options)


def with_exif(width: int, height: int, orientation: int) -> bytes:
    """A JPEG carrying an orientation tag, a camera model and GPS coordinates."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x0110] = "Newsroom Camera"
    exif.get_ifd(0x8825).update({1: "N", 2: (59.0, 54.0, 0.0)})
    return encoded(photo(width, height), "JPEG", exif=exif.tobytes(),
                   icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` x `height` pixels, with no pixel data to speak of."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b""))


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
