"""The image work: decode a source picture once and encode its responsive variants with Pillow.

`render(data, key, widths)` returns a `Rendition` (what was made) and the encoded files as
{file name: bytes}. Every variant is sRGB, upright (EXIF orientation applied) and carries no
metadata (no EXIF, GPS, ICC profile or text chunks). Formats: WebP for every width, plus a JPEG
fallback, or PNG when the picture really uses transparency. Widths are those of `widths` below
the source's width, plus the source's own width when it is narrower than the largest: a variant is
never upscaled. An animated GIF/WebP/PNG gives its first frame.

`ImageProblem` says, in an editor's words, why a file cannot be used (not a picture Pillow reads,
damaged or truncated, more pixels than Pillow's decompression-bomb limit, so tall that a variant
would pass WebP's 16383 pixels).
"""

from __future__ import annotations

import io
import warnings
from PIL import ExifTags, Image, ImageCms, ImageOps, UnidentifiedImageError

from .rendition import JPEG, MIME, PNG, WEBP, ImageProblem, Rendition, Variant

#: What an editor may upload: formats whose decoders are plain Pillow code (no Ghostscript, no
#: external tools). Anything else is "not a picture the build can read".
FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "AVIF", "TIFF", "BMP")
READABLE = "JPEG, PNG, GIF, WebP, AVIF, TIFF or BMP"
DAMAGED = "is damaged or cut short: export it again from the original"
#: The most pixels a WebP picture has on a side (libwebp's limit).
WEBP_MAX_SIDE = 16383


def target_widths(source_width: int, widths: tuple[int, ...]) -> list[int]:
    """The variant widths for a source `source_width` pixels wide: never wider than the source."""
    chosen = sorted({width for width in widths if width < source_width})
    if source_width <= max(widths):
        chosen.append(source_width)
    elif max(widths) not in chosen:
        chosen.append(max(widths))
    return chosen


def decode(data: bytes, at_least: int | None = None) -> Image.Image:
    """The picture in `data`, first frame, fully loaded; ImageProblem when it cannot be used.

    A JPEG is decoded at the smallest of 1/1, 1/2, 1/4 or 1/8 scale that is still at least
    `at_least` pixels wide as shown (libjpeg scales while decoding: a 24-megapixel camera picture
    decodes in a quarter of the time and memory; no variant is wider than `at_least`)."""
    with warnings.catch_warnings():
        # Pillow only warns between its limit and twice it; both are refused.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=FORMATS)
            if at_least and image.format in ("JPEG", "MPO"):
                # The width readers see: the stored height when EXIF turns the picture a quarter.
                turned = image.getexif().get(ExifTags.Base.Orientation, 1) in (5, 6, 7, 8)
                image.draft(None, (1, at_least) if turned else (at_least, 1))
            image.load()
            return image
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            limit = round((Image.MAX_IMAGE_PIXELS or 0) / 1e6)
            raise ImageProblem(
                f"has more pixels than the build will decode (over {limit} megapixels, a guard "
                "against decompression bombs): export it at most 4000 pixels wide") from None
        except UnidentifiedImageError:
            raise ImageProblem(f"is not a picture the build can read ({READABLE}): "
                               "export it again as JPEG or PNG") from None
        except (OSError, SyntaxError, ValueError, EOFError, MemoryError):
            raise ImageProblem(DAMAGED) from None


_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(image: Image.Image, mode: str) -> Image.Image:
    """`image` converted to `mode` ("RGB" or "RGBA"), through its ICC profile when it has one
    LittleCMS can use (CMYK, Adobe RGB, Display P3...), else by Pillow's plain conversion."""
    profile = image.info.get("icc_profile")
    if profile and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            out_mode = mode if image.mode in ("RGB", "RGBA") else "RGB"
            converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=out_mode)
            if converted is not None:
                return converted.convert(mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken or unusual profile: the plain conversion below still gives a picture
    return image.convert(mode)


def normalise(image: Image.Image) -> tuple[Image.Image, bool]:
    """(`image` upright, in sRGB RGB or RGBA, without metadata; whether it uses transparency)."""
    image = ImageOps.exif_transpose(image)
    if image.mode.startswith("I"):  # 16-bit greyscale: scale to 8 bits instead of clipping
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    elif image.mode == "F":
        image = image.convert("L")
    transparent = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if image.mode in ("P", "PA", "1", "LA", "La", "RGBa") or "transparency" in image.info:
        image = image.convert("RGBA" if transparent else "RGB")
    image = _to_srgb(image, "RGBA" if transparent else "RGB")
    if transparent and image.getchannel("A").getextrema()[0] == 255:
        image, transparent = image.convert("RGB"), False  # an alpha channel nothing uses
    image.info = {}
    return image, transparent


def _encode(image: Image.Image, ext: str) -> bytes:
    out = io.BytesIO()
    if ext == "webp":
        image.save(out, "WEBP", **WEBP)
    elif ext == "jpg":
        image.save(out, "JPEG", **JPEG)
    else:
        image.save(out, "PNG", **PNG)
    return out.getvalue()


def render(data: bytes, key: str, widths: tuple[int, ...]) -> tuple[Rendition, dict[str, bytes]]:
    """Decode `data` and encode every variant; returns what was made and the files' bytes."""
    try:
        image, transparent = normalise(decode(data, max(widths)))
    except (OSError, SyntaxError, ValueError, EOFError):  # e.g. a broken EXIF block
        raise ImageProblem(DAMAGED) from None
    widest = target_widths(image.width, widths)[-1]
    tallest = max(1, round(image.height * widest / image.width))
    if tallest > WEBP_MAX_SIDE:
        raise ImageProblem(f"is too tall for a lead image (its largest variant would be {tallest} "
                           f"pixels high; WebP stops at {WEBP_MAX_SIDE}): crop it")
    fallback = "png" if transparent else "jpg"
    made, files = [], {}
    # Widest first, each from the one before: resizing a 1600 px copy, not the 6000 px original,
    # for every narrower width (the build's largest cost after encoding).
    sized, source_width, source_height = image, image.width, image.height
    for width in reversed(target_widths(image.width, widths)):
        height = max(1, round(source_height * width / source_width))
        if width != sized.width:
            sized = sized.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        for ext in ("webp", fallback):
            name = f"{key}-{width}.{ext}"
            files[name] = _encode(sized, ext)
            made.append(Variant(name, width, height, MIME[ext]))
    made.sort(key=lambda variant: variant.width)  # stable: webp before the fallback at each width
    return Rendition(key, tuple(made)), files
