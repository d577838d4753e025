"""The plugin's own decisions: which threads are open and what the manifest says.
The whole build (database -> pages) is tested in tests/site/test_comments.py."""

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from comments_service.core.manifest import write_manifest
from plugins.comments import MANIFEST, manifest_thread, reference_count, thread_is_open

PUBLISHED = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def article(slug="story", metadata=None, **attributes):
    """An article as bake_comments leaves it (its thread context carries the URL)."""
    values = dict(slug=slug, url=f"{slug}.html", title=f"A <em>{slug}</em> &amp; more",
                  date=PUBLISHED, metadata=metadata or {}, comments_open=True) | attributes
    return SimpleNamespace(**values, comments_thread={"url": values["url"]})


@pytest.mark.parametrize("value", ["closed", "Closed", " closed "])
def test_comments_closed_metadata_closes_the_thread(value):
    assert not thread_is_open(article(metadata={"comments": value}), None, PUBLISHED)


def test_other_comments_metadata_leaves_the_thread_open():
    assert thread_is_open(article(metadata={"comments": "open"}), None, PUBLISHED + timedelta(days=9999))


@pytest.mark.parametrize(("age", "is_open"), [
    (timedelta(days=29, hours=23), True),
    (timedelta(days=30), False),
    (timedelta(days=400), False),
])
def test_threads_close_a_set_number_of_days_after_publication(age, is_open):
    assert thread_is_open(article(), 30, PUBLISHED + age) is is_open


def test_manifest_lists_each_thread_once_with_a_plain_title(tmp_path):
    original = article("story")
    translation = article("story", url="story-fr.html")
    closed = article("closed-story", comments_open=False)
    write_manifest(tmp_path / MANIFEST, map(manifest_thread, [original, translation, closed]))
    entries = json.loads((tmp_path / "comments" / "threads.json").read_text(encoding="utf-8"))
    assert entries == [
        {"slug": "story", "url": "story.html", "title": "A story & more",
         "published": "2026-01-01T09:00:00+00:00", "open": True, "references": 0},
        {"slug": "closed-story", "url": "closed-story.html", "title": "A closed-story & more",
         "published": "2026-01-01T09:00:00+00:00", "open": False, "references": 0},
    ]


def test_manifest_carries_each_articles_reference_count(tmp_path):
    """plugins/references leaves `reference_count` on articles with references; others have 0."""
    cited = article("cited", reference_count=4)
    write_manifest(tmp_path / MANIFEST, map(manifest_thread, [cited, article("plain")]))
    entries = json.loads((tmp_path / "comments" / "threads.json").read_text(encoding="utf-8"))
    assert [entry["references"] for entry in entries] == [4, 0]


@pytest.mark.parametrize("value", [None, "3", -1, 0, True, 2.5])
def test_a_missing_or_odd_reference_count_is_0(value):
    assert reference_count(article(reference_count=value)) == 0
