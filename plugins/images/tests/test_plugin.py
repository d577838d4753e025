"""The plugin through `make html`, as an editor runs it: every build error at its line, the
variants in output/images/, originals kept private, and a rebuild that does no image work."""

import os
from pathlib import Path

import pytest

from plugins.build_errors.tests.make_html import last_line, make_html

from .pictures import encoded, jpeg, photo, png_header_only

PICTURE = jpeg(1000, 600)
ARTICLE = """Title: Harbour reopens
Date: 2025-07-15 09:00
{fields}

The harbour reopened on Tuesday.
"""
GOOD_FIELDS = "Image: images/harbour.jpg\nImageAlt: Boats at dawn\nImageCaption: Tuesday.\nImageCredit: Ana Ruiz"


def build(tmp_path: Path, files: dict):
    """`make html` with the variants cached in tmp_path/cache (never in the repository's)."""
    return make_html(tmp_path, files,
                     PELICANOPTS=f"--fatal errors -e 'IMAGES_CACHE_PATH=\"{tmp_path / 'cache'}\"'")


def article(fields: str) -> str:
    return ARTICLE.format(fields=fields)


def assert_error(result, line: int, message: str):
    assert result.returncode != 0
    assert "Traceback" not in result.stdout
    assert last_line(result) == f"content/harbour.md:{line}: {message}", result.stdout


EXAMPLE = "`Image: images/harbour.jpg`"
OUTSIDE = (f"outside content/: put the picture under content/ (e.g. content/images/) and write its "
           f"path relative to content/, like {EXAMPLE}")


@pytest.mark.parametrize("fields, files, line, message", [
    ("Image: images/harbour.jpg", {}, 3,
     "Image has no ImageAlt: add a line `ImageAlt: <what the picture shows>`, read to readers who "
     "cannot see it"),
    ("Image: images/harbour.jpg\nImageAlt:   ", {}, 4,
     "ImageAlt is empty: describe what the picture shows, for readers who cannot see it"),
    ("ImageAlt: Boats\nImage:", {}, 4,
     f"Image is empty: give the picture's path relative to content/ ({EXAMPLE}) or remove the line"),
    ("ImageCaption: Tuesday.", {}, 3,
     f"ImageCaption is set but Image is not: add the picture ({EXAMPLE}) or remove ImageCaption"),
    ("Image: images/harbour.jpg\nImageAlt: Boats\nImage: images/other.jpg", {}, 5,
     "Image is given 2 times: an article has one lead image; keep one Image line"),
    ("Image: images/missing.jpg\nImageAlt: Boats", {}, 3,
     "Image file not found: content/images/missing.jpg does not exist (the path is relative to "
     "content/, and names are case-sensitive)"),
    ("Image: ../secret.jpg\nImageAlt: Boats", {}, 3, f"Image `../secret.jpg` points {OUTSIDE}"),
    ("Image: /etc/hostname\nImageAlt: Boats", {}, 3,
     f"Image must be a path relative to content/, like {EXAMPLE}, not `/etc/hostname`"),
    ("Image: https://example.org/harbour.jpg\nImageAlt: Boats", {}, 3,
     "Image must be a picture file under content/, not a web address: save the picture in "
     f"content/images/ and write its path, like {EXAMPLE}"),
    ("Image: images/" + "a" * 300 + ".jpg\nImageAlt: Boats", {"images/x.jpg": PICTURE}, 3,
     "Image `images/" + "a" * 72 + "…` cannot be a file name here (File name too long): use a "
     f"shorter path, like {EXAMPLE}"),
    ("Image: images\nImageAlt: Boats", {"images/x.jpg": PICTURE}, 3,
     "Image `images` is a folder, not a picture file"),
    ("Image: images/chart.svg\nImageAlt: A chart", {"images/chart.svg": "<svg/>"}, 3,
     "Image `images/chart.svg` is an SVG: a lead image must be a photo-like picture that link "
     "previews show; export it as PNG (or JPEG) and use that"),
    ("Image: images/notes.jpg\nImageAlt: Boats", {"images/notes.jpg": "Not a photo at all.\n"}, 3,
     "Image content/images/notes.jpg is not a picture the build can read (JPEG, PNG, GIF, WebP, "
     "AVIF, TIFF or BMP): export it again as JPEG or PNG"),
    ("Image: images/cut.jpg\nImageAlt: Boats", {"images/cut.jpg": PICTURE[:3000]}, 3,
     "Image content/images/cut.jpg is damaged or cut short: export it again from the original"),
    ("Image: images/bomb.png\nImageAlt: Boats", {"images/bomb.png": png_header_only(100_000, 100_000)}, 3,
     "Image content/images/bomb.png has more pixels than the build will decode (over 89 megapixels, "
     "a guard against decompression bombs): export it at most 4000 pixels wide"),
    # Pillow's WebP encoder refuses more than 16383 pixels a side: it ended in a bare ValueError.
    ("Image: images/tall.png\nImageAlt: A strip", {"images/tall.png": encoded(photo(2, 20_000), "PNG")}, 3,
     "Image content/images/tall.png is too tall for a lead image (its largest variant would be "
     "20000 pixels high; WebP stops at 16383): crop it"),
])
def test_every_lead_image_mistake_is_a_build_error_at_its_line(tmp_path, fields, files, line, message):
    result = build(tmp_path, {"harbour.md": article(fields), **files})
    assert_error(result, line, message)


def test_a_symlink_out_of_content_is_refused(tmp_path):
    (tmp_path / "private.jpg").write_bytes(PICTURE)
    (tmp_path / "content" / "images").mkdir(parents=True)
    (tmp_path / "content" / "images" / "harbour.jpg").symlink_to(tmp_path / "private.jpg")
    result = build(tmp_path, {"harbour.md": article(GOOD_FIELDS)})
    assert_error(result, 3, f"Image `images/harbour.jpg` links to a file {OUTSIDE}")


def test_lead_image_fields_on_a_page_are_refused(tmp_path):
    page = "Title: About us\nImageCaption: Our office.\nImage: images/office.jpg\n\nWe are a newsroom.\n"
    result = build(tmp_path, {"pages/about.md": page, "images/office.jpg": PICTURE})
    assert result.returncode != 0 and "Traceback" not in result.stdout
    assert last_line(result) == (
        "content/pages/about.md:3: Image: lead images are shown on articles, not on pages; remove "
        "the Image lines, or put the picture in the text with ![what it shows]({static}/images/name.jpg)")


def cache_state(folder: Path) -> dict[str, tuple[int, int]]:
    """Each cached file's inode and modification time: a file written again changes both."""
    return {path.name: (path.stat().st_ino, path.stat().st_mtime_ns) for path in folder.iterdir()}


def test_variants_are_published_and_a_rebuild_does_no_image_work(tmp_path):
    transparent = photo(300, 200, "RGBA")
    transparent.putalpha(128)
    files = {"harbour.md": article(GOOD_FIELDS), "images/harbour.jpg": PICTURE,
             "same.md": article(GOOD_FIELDS).replace("Harbour reopens", "Same picture"),
             "logo.md": article("Image: images/logo.png\nImageAlt: Logo").replace("Harbour", "Logo"),
             "images/logo.png": encoded(transparent, "PNG"), "images/unused.jpg": PICTURE}
    first = build(tmp_path, files)
    assert first.returncode == 0, first.stdout
    output, cache = tmp_path / "output" / "images", tmp_path / "cache"
    published = sorted(os.listdir(output))
    # Two sources (one shared by two articles): 1000 px gives 480, 800, 1000; 300 px gives 300.
    assert len([name for name in published if name.endswith(".webp")]) == 4
    assert len([name for name in published if name.endswith(".jpg")]) == 3 + 1  # unused.jpg
    assert len([name for name in published if name.endswith(".png")]) == 1
    # The originals, with whatever metadata they carry, are not published; other files still are.
    assert "harbour.jpg" not in published and "logo.png" not in published
    assert "unused.jpg" in published
    before = cache_state(cache)
    assert len(before) == len(published) - 1 + 2  # the variants and two manifests, no unused.jpg

    second = build(tmp_path, files)
    assert second.returncode == 0, second.stdout
    assert cache_state(cache) == before
    assert sorted(os.listdir(output)) == published


def test_a_draft_not_written_publishes_no_picture(tmp_path):
    """A draft's picture is published with the draft or not at all (it could give a story away)."""
    draft = article(GOOD_FIELDS) + "Status: draft\n"
    draft = draft.replace("Date: 2025-07-15 09:00\n", "Date: 2025-07-15 09:00\nStatus: draft\n")
    files = {"harbour.md": draft, "images/harbour.jpg": PICTURE}
    written = make_html(tmp_path, files, PELICANOPTS=(  # as `make preview` writes drafts
        f"--fatal errors -e 'IMAGES_CACHE_PATH=\"{tmp_path / 'cache'}\"' 'DRAFT_SAVE_AS=\"drafts/{{slug}}.html\"'"))
    assert written.returncode == 0, written.stdout
    assert len(os.listdir(tmp_path / "output" / "images")) == 6
    hidden = build(tmp_path / "unwritten", files)  # pelican.conf.py writes no drafts
    assert hidden.returncode == 0, hidden.stdout
    assert not (tmp_path / "unwritten" / "output" / "images").exists()


def test_a_field_continued_on_an_indented_line_is_one_value(tmp_path):
    """Markdown's metadata continues a field on an indented line; Pelican hands the parts over as
    a list, which read as "given 2 times" (with no line)."""
    fields = ("Image:\n    images/harbour.jpg\nImageAlt: Boats leaving\n    the harbour at dawn\n"
              "ImageCaption: Tuesday,\n    at six.")
    result = build(tmp_path, {"harbour.md": article(fields), "images/harbour.jpg": PICTURE})
    assert result.returncode == 0, result.stdout
    page = (tmp_path / "output" / "harbour-reopens.html").read_text(encoding="utf-8")
    assert 'alt="Boats leaving the harbour at dawn"' in page
    assert "<figcaption>Tuesday, at six.</figcaption>" in page
