"""cache.py: a picture is decoded and encoded once, whatever the number of builds; files are
written whole or not at all; publishing links the variants into the output folder."""

import os

import pytest

from comments_service.core.files import NEW_FILE_MODE
from plugins.images import cache as cache_module
from plugins.images import variants
from plugins.images.cache import ImageCache

from .pictures import jpeg

WIDTHS = (480, 800)


@pytest.fixture
def counted_renders(monkeypatch):
    """Every call of variants.render (the only code that decodes or encodes), counted."""
    calls = []
    real = variants.render

    def render(data, key, widths):
        calls.append(key)
        return real(data, key, widths)

    monkeypatch.setattr(variants, "render", render)
    return calls


def test_a_second_cache_over_the_same_folder_does_no_image_work(tmp_path, counted_renders):
    data = jpeg(1000, 500)
    first = ImageCache(tmp_path, WIDTHS).rendition(data)
    again = ImageCache(tmp_path, WIDTHS)  # a new build: nothing shared but the folder
    assert again.rendition(data) == first
    assert len(counted_renders) == 1 and again.made == 0
    assert sorted(os.listdir(tmp_path)) == sorted(
        [f"{first.key}.json"] + [variant.file for variant in first.variants])


def test_the_key_is_the_content_and_the_recipe(tmp_path):
    data = jpeg(1000, 500)
    cache = ImageCache(tmp_path, WIDTHS)
    assert cache.key(data) == ImageCache(tmp_path / "elsewhere", WIDTHS).key(data)
    assert cache.key(data) != cache.key(jpeg(1000, 501))
    assert cache.key(data) != ImageCache(tmp_path, (480, 900)).key(data)


def test_a_missing_variant_is_made_again(tmp_path, counted_renders):
    data = jpeg(1000, 500)
    made = ImageCache(tmp_path, WIDTHS).rendition(data)
    (tmp_path / made.variants[0].file).unlink()
    assert ImageCache(tmp_path, WIDTHS).rendition(data) == made
    assert len(counted_renders) == 2
    assert (tmp_path / made.variants[0].file).is_file()


def test_an_interrupted_write_leaves_no_file_under_a_final_name(tmp_path, monkeypatch):
    data = jpeg(1000, 500)
    real_replace, calls = os.replace, []

    def interrupted(source, target):
        calls.append(target)
        if len(calls) == 3:
            raise KeyboardInterrupt
        real_replace(source, target)

    monkeypatch.setattr(cache_module.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ImageCache(tmp_path, WIDTHS).rendition(data)
    monkeypatch.setattr(cache_module.os, "replace", real_replace)
    left = os.listdir(tmp_path)
    assert len(left) == 2 and not any(name.endswith((".tmp", ".json")) for name in left)
    # The next build sees no manifest, so it makes the whole set again.
    cache = ImageCache(tmp_path, WIDTHS)
    made = cache.rendition(data)
    assert cache.made == 1
    assert sorted(os.listdir(tmp_path)) == sorted(
        [f"{made.key}.json"] + [variant.file for variant in made.variants])


def test_publish_links_the_files_and_is_idempotent(tmp_path):
    cache = ImageCache(tmp_path / "cache", WIDTHS)
    made = cache.rendition(jpeg(1000, 500))
    output = tmp_path / "output" / "images"
    cache.publish(made, output)
    cache.publish(made, output)
    assert sorted(os.listdir(output)) == sorted(variant.file for variant in made.variants)
    for variant in made.variants:
        assert (output / variant.file).read_bytes() == (tmp_path / "cache" / variant.file).read_bytes()


def test_published_files_are_readable_like_any_new_file(tmp_path):
    """A web server running as another user must read them: not mkstemp's private 0600."""
    cache = ImageCache(tmp_path / "cache", WIDTHS)
    cache.publish(cache.rendition(jpeg(1000, 500)), tmp_path / "output")
    assert {path.stat().st_mode & 0o777 for path in (tmp_path / "output").iterdir()} == {NEW_FILE_MODE}
