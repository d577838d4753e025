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
           reason=None, **fields):
    return Comment(id=comment_id, thread="s", parent=parent, state=APPROVED, deleted=deleted,
                   author=author, email=None, website=website, text=None, html=html,
                   created=datetime(2026, 1, 2, 9, 30), edited=None, flags=None,
                   moderation_reason=reason, **fields)


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


def context_of(comments, settings=SETTINGS, **kwargs):
    return section_context(settings, "key", slug="s", url="s.html", comments=comments, is_open=True,
                           **kwargs)


def test_nodes_carry_time_edited_time_and_score():
    edited = public(1, likes=5, dislikes=7)._replace(created=datetime(2025, 7, 15, 9, 5),
                                                     edited=datetime(2025, 7, 16, 18, 45))
    [node, fresh] = comment_tree([edited, public(2, likes=3)])
    assert (node["date"], node["time"], node["edited_time"]) == (
        "15 July 2025", "15 July 2025, 09:05 UTC", "16 July 2025, 18:45 UTC")
    assert (node["score"], fresh["score"], fresh["edited_time"]) == (-2, 3, None)


def test_the_baked_section_shows_the_first_top_level_comments_with_all_their_replies():
    settings = SETTINGS | {"SECTION_TOP_LEVEL_MAX": 2}
    comments = [public(1), public(2), public(3), public(4, parent=2), public(5, parent=4), public(6)]
    context = context_of(comments, settings)
    assert shape(context["comments"]) == [(1, []), (2, [(4, [(5, [])])])]
    assert (context["shown_limit"], context["top_level_count"], context["truncated"]) == (2, 4, True)
    assert (context["next"], context["count"], context["last_id"]) == (2, 6, 6)
    html = render_section(context, settings)
    assert 'id="comment-5"' in html and 'id="comment-3"' not in html and 'id="comment-6"' not in html


def test_the_whole_thread_is_never_truncated():
    settings = SETTINGS | {"SECTION_TOP_LEVEL_MAX": 2}
    context = context_of([public(n) for n in range(1, 6)], settings, whole=True)
    assert (len(context["comments"]), context["truncated"], context["next"]) == (5, False, None)


def test_the_default_shows_50_top_level_comments():
    assert SETTINGS["SECTION_TOP_LEVEL_MAX"] == 50
    context = context_of([public(n) for n in range(1, 51)])
    assert (len(context["comments"]), context["truncated"], context["next"]) == (50, False, None)
    context = context_of([public(n) for n in range(1, 52)])
    assert (len(context["comments"]), context["truncated"], context["next"]) == (50, True, 50)


def test_picks_are_the_published_picked_comments_newest_first():
    comments = [public(1, picked=True, pick_note="Well sourced"), public(2), public(3, parent=1, picked=True),
                placeholder(4)._replace(picked=True)]
    picks = context_of(comments)["picks"]
    assert [(pick["id"], pick["pick_note"]) for pick in picks] == [(3, None), (1, "Well sourced")]
    assert picks[0]["time"] == "2 January 2026, 09:30 UTC" and picks[0]["replies"] == []


def test_the_service_urls_are_under_api_url():
    context = section_context(resolve({"API_URL": "https://c.example/api/"}, environ={}), "key",
                              slug="a story", url="s.html", comments=[], is_open=True)
    assert (context["all_url"], context["feed_url"], context["reply_url"]) == (
        "https://c.example/api/threads/a%20story/all", "https://c.example/api/threads/a%20story/feed.atom",
        "https://c.example/api/threads/a%20story/reply/")


def test_references_and_the_comments_about_each():
    comments = [public(1, about_reference=2), public(2, about_reference=2), public(3, about_reference=7),
                public(4), placeholder(5)._replace(about_reference=1)]
    context = context_of(comments, references=3)
    assert context["references"] == [1, 2, 3]
    assert context["reference_counts"] == {1: 0, 2: 2, 3: 0, 7: 1}
    empty = context_of([])
    assert (empty["references"], empty["reference_counts"], empty["picks"]) == ([], {}, [])
