"""The one comments-section builder (core/section.py): the partial's context, its rendering, the
splice into a built page, and the page's file."""

from datetime import datetime

import pytest

from comments_service.core.comment import APPROVED, DELETED_AUTHOR, Comment
from comments_service.core.section import (
    END_MARKER,
    START_MARKER,
    MarkersMissing,
    article_file,
    comment_tree,
    render_section,
    section_context,
    splice_section,
)
from comments_service.core.settings import resolve

SETTINGS = resolve({"API_URL": "/api/"}, environ={})


def public(comment_id, parent=None, author="Reader", html="<p>Hi</p>", website=None, deleted=False,
           reason=None):
    return Comment(id=comment_id, thread="s", parent=parent, state=APPROVED, deleted=deleted,
                   author=author, email=None, website=website, text=None, html=html,
                   created=datetime(2026, 1, 2, 9, 30), edited=None, flags=None,
                   moderation_reason=reason)


def placeholder(comment_id, reason=None):
    return public(comment_id, author=DELETED_AUTHOR, html="", deleted=True, reason=reason)


def shape(nodes):
    """(id, [replies...]) of a comment tree."""
    return [(node["id"], shape(node["replies"])) for node in nodes]


def test_replies_nest_under_their_parents_in_display_order():
    comments = [public(1), public(2), public(3, parent=1), public(4, parent=3), public(5, parent=1)]
    assert shape(comment_tree(comments)) == [(1, [(3, [(4, [])]), (5, [])]), (2, [])]


def test_a_reply_whose_parent_is_not_shown_stays_visible_at_the_top():
    assert shape(comment_tree([public(7, parent=6)])) == [(7, [])]


def test_tree_adds_display_date_and_deleted_flag():
    [kept, deleted, removed] = comment_tree([public(1), placeholder(2), placeholder(3, "spam")])
    assert (kept["date"], kept["deleted"]) == ("2 January 2026", False)
    assert deleted["deleted"] is True and deleted["author"] == DELETED_AUTHOR
    assert removed["deleted"] is False and "Removed by a moderator: spam" in removed["html"]


def test_a_reader_named_like_a_placeholder_is_not_one():
    """Deletion is a stored flag, never guessed from the author's name or an empty text."""
    [node] = comment_tree([public(1, author=DELETED_AUTHOR, html="")])
    assert node["deleted"] is False
    context = section_context(SETTINGS, "key", slug="s", url="s.html",
                              comments=[public(1, author=DELETED_AUTHOR)], is_open=True)
    assert context["count"] == 1


def test_context_counts_comments_but_not_placeholders_and_keeps_the_newest_id():
    comments = [placeholder(3), public(8, parent=3), public(5)]
    context = section_context(SETTINGS, "key", slug="s", url="s.html", comments=comments, is_open=True)
    assert (context["count"], context["last_id"], context["api_url"]) == (2, 8, "/api")
    assert context["form_token"]


def test_empty_thread_context():
    context = section_context(SETTINGS, "key", slug="s", url="s.html", comments=[], is_open=False)
    assert (context["comments"], context["count"], context["last_id"]) == ([], 0, 0)


def test_render_uses_the_packaged_partial_unless_a_folder_overrides_it(tmp_path):
    context = section_context(SETTINGS, "key", slug="s", url="s.html", comments=[public(1)], is_open=True)
    packaged = render_section(context, SETTINGS)
    assert START_MARKER in packaged and 'id="comment-1"' in packaged and 'action="/api/threads/s/comments"' in packaged
    (tmp_path / "comments.html").write_text(f"{START_MARKER}custom {{{{ thread.count }}}}{END_MARKER}", encoding="utf-8")
    assert render_section(context, SETTINGS | {"TEMPLATES": str(tmp_path)}) == f"{START_MARKER}custom 1{END_MARKER}"


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


def test_a_chain_of_any_depth_renders_nested_no_deeper_than_the_maximum():
    """A reply chain 2,000 deep (stored before the limit, or imported) renders, capped."""
    from comments_service.core.limits import REPLY_DEPTH_MAX

    chain = [public(1)] + [public(number, parent=number - 1) for number in range(2, 2001)]
    context = section_context(SETTINGS, "key", slug="s", url="s.html", comments=chain, is_open=True)
    html = render_section(context, SETTINGS)
    assert html.count('class="comment h-entry"') == 2000 + 1  # and the template's own
    deepest, nodes = 0, context["comments"]
    while nodes:
        nodes, deepest = nodes[0]["replies"], deepest + 1
    assert deepest == REPLY_DEPTH_MAX + 1
