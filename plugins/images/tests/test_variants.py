"""variants.py: widths, formats, orientation, colour modes, stripped metadata, refused files."""

import pytest
from PIL import Image

from plugins.images.variants import ImageProblem, decode, render, target_widths

from .pictures import decoded, encoded, jpeg, photo, png_header_only, with_exif

WIDTHS = (480, 800, 1200, 1600)


@pytest.mark.parametrize("source, expected", [
    (3000, [480, 800, 1200, 1600]),
    (1600, [480, 800, 1200, 1600]),
    (1000, [480, 800, 1000]),
    (480, [480]),
    (300, [300]),
])
def test_widths_are_never_wider_than_the_source(source, expected):
    assert target_widths(source, WIDTHS) == expected


def made(data: bytes, widths=WIDTHS):
    rendition, files = render(data, "k", widths)
    return rendition, {name: decoded(blob) for name, blob in files.items()}


def test_a_photo_gets_webp_and_jpeg_at_every_width_with_its_aspect_ratio():
    rendition, images = made(jpeg(2000, 1000))
    assert [(v.file, v.width, v.height, v.mime) for v in rendition.variants] == [
        (f"k-{w}.{ext}", w, w // 2, mime) for w in WIDTHS
        for ext, mime in (("webp", "image/webp"), ("jpg", "image/jpeg"))]
    for variant in rendition.variants:
        image = images[variant.file]
        assert image.size == (variant.width, variant.height)
        assert image.format == {"image/webp": "WEBP", "image/jpeg": "JPEG"}[variant.mime]
    assert rendition.fallback_mime == "image/jpeg"


def test_a_large_jpeg_is_decoded_at_a_reduced_scale_never_narrower_than_the_widest_variant():
    assert decode(jpeg(3400, 2000)).size == (3400, 2000)
    assert decode(jpeg(3400, 2000), 1600).size == (1700, 1000)
    assert decode(jpeg(7000, 1000), 1600).size == (1750, 250)
    assert decode(jpeg(3100, 2000), 1600).size == (3100, 2000)  # half would be 1550 wide
    # Stored 3400 wide but shown 2000 wide (EXIF turns it): half would show 1000 wide.
    assert decode(with_exif(3400, 2000, orientation=6), 1600).size == (3400, 2000)
    assert decode(with_exif(2000, 3400, orientation=6), 1600).size == (1000, 1700)
    rendition, _ = render(jpeg(6400, 4000), "k", WIDTHS)
    assert max(v.width for v in rendition.variants) == 1600


def test_exif_orientation_is_applied_and_every_metadata_block_is_dropped():
    # Stored 300x200 with "rotate 90° clockwise": readers must see it 200 wide and 300 high.
    rendition, images = made(with_exif(300, 200, orientation=6))
    assert {(v.width, v.height) for v in rendition.variants} == {(200, 300)}
    for image in images.values():
        assert image.size == (200, 300)
        assert not image.getexif()
        assert "icc_profile" not in image.info and "exif" not in image.info


def test_transparency_keeps_a_png_fallback_and_webp_alpha():
    image = photo(400, 300, "RGBA")
    image.putalpha(Image.linear_gradient("L").resize((400, 300)))
    rendition, images = made(encoded(image, "PNG"))
    assert rendition.fallback_mime == "image/png"
    assert {v.mime for v in rendition.variants} == {"image/webp", "image/png"}
    assert images["k-400.png"].mode == "RGBA" and images["k-400.webp"].mode == "RGBA"
    assert images["k-400.png"].getchannel("A").getextrema()[0] < 255


def test_an_alpha_channel_nothing_uses_gives_a_jpeg():
    rendition, images = made(encoded(photo(400, 300, "RGBA"), "PNG"))
    assert rendition.fallback_mime == "image/jpeg"
    assert images["k-400.jpg"].mode == "RGB"


@pytest.mark.parametrize("mode, fmt", [("CMYK", "JPEG"), ("P", "PNG"), ("L", "PNG"), ("1", "BMP"),
                                       ("LA", "PNG"), ("I;16", "PNG"), ("RGB", "TIFF")])
def test_every_colour_mode_becomes_rgb_or_rgba(mode, fmt):
    source = photo(240, 160).convert("L" if mode in ("LA", "I;16", "1") else "RGB")
    if mode == "I;16":
        source = source.point(lambda value: value * 256, "I").convert("I;16")
    else:
        source = source.convert(mode)
    rendition, images = made(encoded(source, fmt))
    assert rendition.variants
    assert {image.mode for image in images.values()} <= {"RGB", "RGBA"}


def test_sixteen_bit_greyscale_is_scaled_not_clipped_to_white():
    grey = Image.new("I;16", (100, 50), 0x8000)
    _, images = made(encoded(grey, "PNG"))
    red, _, _ = images["k-100.jpg"].getpixel((50, 25))
    assert 120 <= red <= 136


def test_a_cmyk_white_stays_white():
    # No ink is white: an inverted (Adobe) or naive conversion would give black or cyan.
    white = Image.new("CMYK", (64, 64), (0, 0, 0, 0))
    _, images = made(encoded(white, "JPEG", quality=95))
    assert all(channel > 245 for channel in images["k-64.jpg"].getpixel((32, 32)))


def test_an_animated_gif_gives_its_first_frame():
    frames = [Image.new("RGB", (120, 80), colour) for colour in ((200, 0, 0), (0, 0, 200))]
    data = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    _, images = made(data)
    red, green, blue = images["k-120.jpg"].getpixel((60, 40))
    assert red > 150 and blue < 60
    assert getattr(images["k-120.webp"], "n_frames", 1) == 1


@pytest.mark.parametrize("data, expected", [
    (b"Harbour reopens, says the port authority.\n" * 20, "is not a picture the build can read"),
    (jpeg(800, 600)[:2000], "is damaged or cut short"),
    (png_header_only(100_000, 100_000), "more pixels than the build will decode"),
    (png_header_only(12_000, 10_000), "more pixels than the build will decode"),  # Pillow only warns
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "is not a picture the build can read"),
])
def test_files_that_cannot_be_used_are_problems_not_crashes(data, expected):
    with pytest.raises(ImageProblem, match=expected):
        render(data, "k", WIDTHS)
