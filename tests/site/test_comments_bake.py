"""comments_service.bake without a server: the context of the partial, the splice, the file."""

import os
import stat

import pytest

from comments_service.bake import (END_MARKER, START_MARKER, MarkersMissing, article_file,
                                   comment_tree, replace_file, section_context, splice_section)


def public(comment_id, parent=None, author="Reader", html="<p>Hi</p>", website=None):
    return {"id": comment_id, "parent": parent, "author": author, "website": website, "html": html,
            "created": "2026-01-02T09:30:00Z", "edited": None}


def shape(nodes):
    """(id, [replies...]) of a comment tree."""
    return [(node["id"], shape(node["replies"])) for node in nodes]


def test_replies_nest_under_their_parents_in_display_order():
    comments = [public(1), public(2), public(3, parent=1), public(4, parent=3), public(5, parent=1)]
    assert shape(comment_tree(comments)) == [(1, [(3, [(4, [])]), (5, [])]), (2, [])]


def test_a_reply_whose_parent_is_not_shown_stays_visible_at_the_top():
    assert shape(comment_tree([public(7, parent=6)])) == [(7, [])]


def test_tree_adds_display_date_and_deleted_flag():
    [kept, deleted] = comment_tree([public(1), public(2, author="[deleted]", html="")])
    assert (kept["date"], kept["deleted"]) == ("2 January 2026", False)
    assert deleted["deleted"] is True


def test_context_counts_comments_but_not_placeholders_and_keeps_the_newest_id():
    comments = [public(3, author="[deleted]", html=""), public(8, parent=3), public(5)]
    context = section_context(slug="s", url="s.html", comments=comments, is_open=True,
                              form_token="t", api_url="/api/")
    assert (context["count"], context["last_id"], context["api_url"]) == (2, 8, "/api")


def test_empty_thread_context():
    context = section_context(slug="s", url="s.html", comments=[], is_open=False, form_token="t",
                              api_url="/api")
    assert (context["comments"], context["count"], context["last_id"]) == ([], 0, 0)


def page(section: str) -> str:
    return f"<main><h1>Story</h1>{START_MARKER}{section}{END_MARKER}<footer>end</footer></main>"


def test_splice_replaces_only_the_marked_section():
    rendered = f"{{# macro #}}\n{START_MARKER}<section>new</section>{END_MARKER}\n"
    assert splice_section(page("<section>old</section>"), rendered) == page("<section>new</section>")


def test_splice_refuses_a_page_without_markers():
    with pytest.raises(MarkersMissing):
        splice_section("<main>no comments here</main>", page("x"))


@pytest.mark.parametrize(("url", "relative"), [
    ("story.html", "story.html"),
    ("/2026/story.html", "2026/story.html"),
    ("2026/story/", "2026/story/index.html"),
])
def test_article_file_maps_urls_to_files_in_the_site(tmp_path, url, relative):
    assert article_file(tmp_path, url) == (tmp_path / relative).resolve()


def test_article_file_refuses_urls_outside_the_site(tmp_path):
    with pytest.raises(ValueError):
        article_file(tmp_path / "site", "../secrets.html")


def test_replace_file_keeps_the_permissions_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "story.html"
    target.write_text("old", encoding="utf-8")
    os.chmod(target, 0o640)
    replace_file(target, "new ✓")
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [path.name for path in tmp_path.iterdir()] == ["story.html"]
