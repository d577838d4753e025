"""The comments plugin in a real build: a database seeded through comments_service.storage, the
fixture site built with the real pelican.conf.py, the pages and the manifest read back."""

import json
import logging
import re
import shutil
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pelican.log
import pytest
from sqlalchemy import Engine, event

import plugins.comments
from comments_service.core.comment import APPROVED, PENDING, Comment
from comments_service.core.limits import REPLY_DEPTH_MAX
from comments_service.core.render import render
from comments_service.core.section import END_MARKER, START_MARKER, render_section, section_context
from comments_service.core.settings import resolve
from comments_service.core.storage import comments as stored
from comments_service.core.storage import database
from comments_service.core.tokens import check_form_token
from plugins.references.tests.html_text import read_page
from tests.site.conftest import FIXTURE_CONTENT, run_pelican

SECRET_KEY = "site-test-secret"
SLUG = "harbour-reopens"
CLOSED_ARTICLE = """Title: Closed for comments
Date: 2025-07-10 10:00
Comments: closed

Nothing to discuss.
"""
VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                       "source", "track", "wbr"})


def seed(url: str) -> dict[str, int]:
    """A thread with a reply chain, a held comment, a hostile author, a deleted parent."""
    engine = database.engine_from_url(url)
    database.upgrade_schema(engine)
    ids = {}
    with database.connect(engine, write=True) as conn:
        def add(name, author, text, parent=None, state=APPROVED, slug=SLUG, website=None):
            row = stored.create_comment(conn, slug=slug, parent=ids.get(parent), author=author,
                                         email=None, website=website, text=text, html=render(text),
                                         ip_hash=None, state=state)
            ids[name] = row.id

        add("first", "Ada", "First!", website="https://ada.example")
        add("reply", "Bob", "A reply to Ada.", parent="first")
        add("nested", "Ada", "A reply to Bob.", parent="reply")
        add("held", "Spammer", "Held for moderation.", state=PENDING)
        add("hostile", "<b>Mallory</b>", "<script>alert(1)</script> [x](javascript:alert(1))")
        add("gone", "Carol", "Soon deleted.")
        add("after-gone", "Dan", "Reply to a deleted comment.", parent="gone")
        add("other", "Eve", "On another article.", slug="council-budget")
        stored.delete_comment(conn, ids["gone"])
        conn.commit()
    engine.dispose()
    return ids


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """(ids, output dir) of the fixture site plus a closed article, built against a seeded DB."""
    root = tmp_path_factory.mktemp("comments-build")
    ids = seed(f"sqlite:///{root / 'comments.sqlite3'}")
    content = root / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    (content / "closed.md").write_text(CLOSED_ARTICLE, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COMMENTS_DATABASE_URL", f"sqlite:///{root / 'comments.sqlite3'}")
        patch.setenv("COMMENTS_SECRET_KEY", SECRET_KEY)
        result = run_pelican(content, root / "output")
    assert result.returncode == 0, result.stdout + result.stderr
    return ids, root / "output"


class CommentNesting(HTMLParser):
    """Each comment id (from `<article id="comment-N">`) with the ids of the comments it is
    nested under (a comment's replies are inside its `<li>`), and every form control."""

    def __init__(self):
        super().__init__()
        self.stack: list[list] = []  # [tag, id of the comment this <li> holds]
        self.ancestors: dict[int, list[int]] = {}
        self.controls: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        suffix = attrs.get("id", "").removeprefix("comment-")
        if tag == "article" and suffix.isdigit():
            self.ancestors[int(suffix)] = [held for _, held in self.stack if held is not None]
            next(entry for entry in reversed(self.stack) if entry[0] == "li")[1] = int(suffix)
        if tag in {"input", "textarea"}:
            self.controls.append(attrs)
        if tag not in VOID_TAGS:
            self.stack.append([tag, None])

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass


def nesting(html: str) -> CommentNesting:
    parser = CommentNesting()
    parser.feed(html)
    parser.close()
    return parser


def comments_section(html: str) -> str:
    return html[html.index(START_MARKER):html.index(END_MARKER) + len(END_MARKER)]


def article_html(output: Path, slug: str = SLUG) -> str:
    return (output / f"{slug}.html").read_text(encoding="utf-8")


def test_approved_comments_are_baked_threaded(seeded):
    ids, output = seeded
    parsed = nesting(comments_section(article_html(output)))
    assert parsed.ancestors == {
        ids["first"]: [], ids["reply"]: [ids["first"]], ids["nested"]: [ids["first"], ids["reply"]],
        ids["hostile"]: [], ids["gone"]: [], ids["after-gone"]: [ids["gone"]],
    }


def test_reader_sees_authors_dates_text_and_placeholders(seeded):
    _, output = seeded
    lines = read_page(article_html(output)).lines()
    start = lines.index("Comments (5)")  # the heading counts what readers see (issue 13)
    assert re.fullmatch(r"Ada · \d{1,2} [A-Z][a-z]+ 20\d\d, \d\d:\d\d UTC", lines[start + 1]), lines[start + 1]
    assert lines[start + 2] == "First!"
    assert "A reply to Bob." in lines and "This comment was deleted." in lines
    assert "Held for moderation." not in lines and "On another article." not in lines
    assert "No comments yet" not in lines


def test_comment_markup_is_escaped_and_inert(seeded):
    ids, output = seeded
    section = comments_section(article_html(output))
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in section and "<b>Mallory" not in section
    assert "<script>" not in section and "javascript:" not in section
    assert f'<a class="u-url" href="#comment-{ids["hostile"]}">' in section


def test_website_links_author_with_nofollow(seeded):
    _, output = seeded
    assert '<a href="https://ada.example" rel="nofollow ugc noopener">Ada</a>' in article_html(output)


def test_count_and_newest_id_are_baked(seeded):
    ids, output = seeded
    html = article_html(output)
    assert f'data-last-id="{ids["after-gone"]}"' in html  # the newest of this thread, not "other"
    index = read_page((output / "index.html").read_text(encoding="utf-8")).lines()
    assert "5 comments" in index  # approved and not deleted: first, reply, nested, hostile, after-gone
    assert "1 comment" in index  # council-budget
    assert "0 comments" in index


def test_form_has_labelled_fields_honeypot_and_a_valid_token(seeded):
    _, output = seeded
    html = article_html(output)
    form = html[html.index('<form id="comment-form"'):]
    controls = {attrs["name"]: attrs for attrs in nesting(form[:form.index("</form>")]).controls}
    assert set(controls) == {"author", "email", "notify", "website", "kind", "text", "homepage",
                             "parent", "form_token"}
    assert (controls["kind"]["type"], controls["kind"]["value"]) == ("checkbox", "correction")
    for name in ("author", "email", "notify", "website", "text", "homepage"):
        assert f'<label for="{controls[name]["id"]}">' in html, name
    assert "required" in controls["author"] and "required" in controls["text"]
    assert (controls["homepage"]["tabindex"], controls["homepage"]["autocomplete"]) == ("-1", "off")
    assert (controls["parent"]["type"], controls["parent"]["value"]) == ("hidden", "")
    assert controls["notify"]["type"] == "checkbox" and "checked" not in controls["notify"]
    # dated to the start of the build's day (plugins/comments.token_date): at most a day old
    check_form_token(SECRET_KEY, controls["form_token"]["value"], SLUG, min_age=0, max_age=24 * 3600 + 600)
    assert f'<form id="comment-form" class="comment-form" method="post" action="/api/threads/{SLUG}/comments"' in html


def test_manifest_lists_every_article_thread(seeded):
    _, output = seeded
    entries = json.loads((output / "comments" / "threads.json").read_text(encoding="utf-8"))
    by_slug = {entry["slug"]: entry for entry in entries}
    assert set(by_slug) == {"closed-for-comments", SLUG, "council-budget", "checking-sources", "ferries-return",
                            "wsj-trump-administration-reorganizes-delivery-of-patriot-systems-to-allies-prioritizing-ukraine"}
    assert by_slug["closed-for-comments"] == {
        "slug": "closed-for-comments", "url": "closed-for-comments.html", "title": "Closed for comments",
        "published": "2025-07-10T10:00:00+00:00", "open": False, "references": 0}
    assert by_slug[SLUG]["open"] is True


def test_manifest_counts_each_articles_references(seeded):
    """plugins/references counts them while reading; the service bounds `about_reference` by it."""
    _, output = seeded
    entries = json.loads((output / "comments" / "threads.json").read_text(encoding="utf-8"))
    counts = {entry["slug"]: entry["references"] for entry in entries}
    assert (counts[SLUG], counts["council-budget"], counts["closed-for-comments"]) == (1, 2, 0)


def test_closed_thread_has_no_form(seeded):
    _, output = seeded
    html = article_html(output, "closed-for-comments")
    outside_template = re.sub(r"<template.*?</template>", "", html, flags=re.S)
    # No form but the header's search (issue 15).
    assert not re.search(r'<form(?! class="site-search")', outside_template) and "Comments are closed." in html
    assert "No comments yet" in read_page(html).lines()


def test_section_rendered_by_the_service_is_the_one_pelican_baked(seeded):
    """The re-bake renders the partial outside Pelican: same context, same bytes."""
    _, output = seeded
    html = article_html(output, "closed-for-comments")
    values = resolve(environ={})
    context = section_context(values, "unused", slug="closed-for-comments",
                              url="closed-for-comments.html", comments=[], is_open=False)
    assert comments_section(render_section(context, values)) == comments_section(html)


def test_build_without_a_database_says_no_comments_yet(build, tmp_path, monkeypatch):
    monkeypatch.setenv("COMMENTS_DATABASE_URL", f"sqlite:///{tmp_path / 'missing' / 'none.sqlite3'}")
    monkeypatch.setenv("COMMENTS_SECRET_KEY", SECRET_KEY)
    result, output = build({"story.md": "Title: Story\nDate: 2026-01-01\n\nText.\n"})
    assert result.returncode == 0, result.stderr
    lines = read_page((output / "story.html").read_text(encoding="utf-8")).lines()
    assert lines[lines.index("Comments") + 1] == "No comments yet"
    assert not (tmp_path / "missing").exists()


def test_the_build_gives_the_section_the_articles_references(build, tmp_path, monkeypatch):
    """plugins/references counts them while reading; the one builder lists them (a TEMPLATES
    partial prints what it gets)."""
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "comments.html").write_text(
        f"{START_MARKER}<p>refs={{{{ thread.references }}}} shown={{{{ thread.shown_limit }}}}</p>{END_MARKER}",
        encoding="utf-8")
    monkeypatch.setenv("COMMENTS_DATABASE_URL", f"sqlite:///{tmp_path / 'missing' / 'none.sqlite3'}")
    monkeypatch.setenv("COMMENTS_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("COMMENTS_TEMPLATES", str(partial))
    result, output = build({"story.md": "Title: Story\nDate: 2026-01-01\n\nA [^a] and B [^b].\n\n"
                                        "[^a]: https://a.example/\n[^b]: https://b.example/\n",
                            "plain.md": "Title: Plain\nDate: 2026-01-01\n\nText.\n"})
    assert result.returncode == 0, result.stderr
    assert "<p>refs=[1, 2] shown=50</p>" in (output / "story.html").read_text(encoding="utf-8")
    assert "<p>refs=[] shown=50</p>" in (output / "plain.html").read_text(encoding="utf-8")


def fake_generator(output: Path, count: int):
    date = datetime(2026, 1, 1, tzinfo=UTC)
    articles = [SimpleNamespace(slug=f"story-{n}", url=f"story-{n}.html", title=f"Story {n}",
                                date=date, metadata={}) for n in range(count)]
    return SimpleNamespace(settings={"COMMENTS_API_URL": "/api"}, output_path=str(output),
                           articles=articles, hidden_articles=[], translations=[],
                           hidden_translations=[], drafts=[], drafts_translations=[])


def test_one_query_reads_every_thread(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'comments.sqlite3'}"
    engine = database.engine_from_url(url)
    database.upgrade_schema(engine)
    with database.connect(engine, write=True) as conn:
        for n in range(0, 40, 3):
            stored.create_comment(conn, slug=f"story-{n}", parent=None, author="A", email=None,
                                   website=None, text="Hello", html="<p>Hello</p>", ip_hash=None,
                                   state=APPROVED)
        conn.commit()
    engine.dispose()
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    monkeypatch.setenv("COMMENTS_DATABASE_URL", url)
    monkeypatch.setenv("COMMENTS_SECRET_KEY", SECRET_KEY)
    generator = fake_generator(tmp_path / "output", 40)
    event.listen(Engine, "before_cursor_execute", record)  # the plugin makes its own engine
    try:
        plugins.comments.bake_comments(generator)
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    reads = [statement for statement in statements if "FROM comments" in statement]
    assert len(reads) == 1, statements
    assert [a.comment_count for a in generator.articles[:4]] == [1, 0, 0, 1]


def test_a_reply_chain_of_any_depth_never_stops_the_build(build, tmp_path, monkeypatch):
    """A reader could once halt publishing: a reply chain ~250 deep made `make html` fail with
    RecursionError. Stored chains of any depth build, nested at most REPLY_DEPTH_MAX deep."""
    url = f"sqlite:///{tmp_path / 'deep.sqlite3'}"
    engine = database.engine_from_url(url)
    database.upgrade_schema(engine)
    with database.connect(engine, write=True) as conn:
        parent = None
        for number in range(600):  # inserted directly: the API would cap the depth itself
            parent = stored.create_comment(conn, slug="deep-thread", parent=parent, author="Chain",
                                           email=None, website=None, text=f"Link {number}",
                                           html=f"<p>Link {number}</p>", ip_hash=None, state=APPROVED).id
        conn.commit()
    engine.dispose()
    monkeypatch.setenv("COMMENTS_DATABASE_URL", url)
    result, output = build({"deep.md": "Title: Deep thread\nDate: 2026-01-01 09:00\nSlug: deep-thread\n\nText.\n"})
    assert result.returncode == 0, result.stdout + result.stderr
    page = nesting((output / "deep-thread.html").read_text(encoding="utf-8"))
    assert len(page.ancestors) == 600
    assert max(map(len, page.ancestors.values())) == REPLY_DEPTH_MAX


def _one_article_generator(monkeypatch):
    """A fake article generator holding one published article, "story" (no manifest written)."""
    article = SimpleNamespace(slug="story", url="story.html", title="Story", metadata={},
                              date=datetime(2026, 1, 1, tzinfo=UTC), source_path="content/story.md")
    generator = SimpleNamespace(settings={"COMMENTS_SECRET_KEY": "k"}, articles=[article], hidden_articles=[],
                                translations=[], hidden_translations=[], drafts=[], drafts_translations=[],
                                output_path="/nonexistent")
    monkeypatch.setattr(plugins.comments, "write_manifest", lambda path, threads: list(threads))
    return article, generator


def test_the_comment_links_read_a_threads_reference_counts_without_making_it(monkeypatch):
    """plugins/references annotates every article, its page rendered or kept as it was
    (plugins/memo/pages.py): the counts it reads are the context's, made without the context."""
    made = []
    real = plugins.comments.section_context

    def counted(values, key, **thread):
        made.append(thread["slug"])
        return real(values, key, **thread)

    def comment(number, about, deleted=False):
        return Comment(id=number, thread="story", parent=None, state=APPROVED, deleted=deleted,
                       author="Ada", email=None, website=None, text="x", html="<p>x</p>",
                       created=datetime(2026, 1, 2, tzinfo=UTC), edited=None, flags=None,
                       moderation_reason=None, about_reference=about)

    comments = [comment(1, 2), comment(2, 2), comment(3, None), comment(4, 1, deleted=True), comment(5, 7)]
    monkeypatch.setattr(plugins.comments, "section_context", counted)
    monkeypatch.setattr(plugins.comments, "load_comments", lambda url: {"story": comments})
    article, generator = _one_article_generator(monkeypatch)
    article.reference_count = 3
    plugins.comments.bake_comments(generator)
    thread = article.comments_thread
    made.clear()
    assert thread.get("reference_counts") == {1: 0, 2: 2, 3: 0, 7: 1} and made == []
    assert thread.context()["reference_counts"] == thread["reference_counts"] and made == ["story"]


def test_a_thread_that_cannot_be_rendered_is_logged_and_left_empty(monkeypatch, caplog):
    """Comment data must never stop publishing: the failing thread is built without comments,
    and the warning does not stop `make html` either (its `--fatal errors` raises on any error)."""
    monkeypatch.setattr(pelican.log.FatalLogger, "fatal_lvl", logging.ERROR)
    real = plugins.comments.section_context
    calls = []

    def fails_once(values, key, *, comments, **thread):
        calls.append(comments)
        if len(calls) == 1:
            raise RecursionError("maximum recursion depth exceeded")
        return real(values, key, comments=comments, **thread)

    monkeypatch.setattr(plugins.comments, "section_context", fails_once)
    monkeypatch.setattr(plugins.comments, "load_comments", lambda url: {"story": ["unrenderable"]})
    article, generator = _one_article_generator(monkeypatch)
    plugins.comments.bake_comments(generator)
    assert calls == [["unrenderable"], []]
    assert article.comment_count == 0 and "No comments yet" in str(article.comments_section)
    assert "content/story.md" in caplog.text and "could not be rendered" in caplog.text
    assert "RecursionError" in caplog.text
    assert max(record.levelno for record in caplog.records) < logging.ERROR


def test_a_section_that_fails_when_printed_is_logged_and_printed_without_comments(monkeypatch, caplog):
    """The section is rendered when the page prints it (BakedSection, not held all build long):
    a failure then still never stops publishing, and the article's count follows the section."""
    monkeypatch.setattr(pelican.log.FatalLogger, "fatal_lvl", logging.ERROR)
    real = plugins.comments.render_section
    calls = []

    def fails_once(context, values):
        calls.append(len(context["comments"]))
        if len(calls) == 1:
            raise RecursionError("too deep to print")  # not the other test's: Pelican drops repeated messages
        return real(context, values)

    monkeypatch.setattr(plugins.comments, "render_section", fails_once)
    comment = Comment(id=1, thread="story", parent=None, state=APPROVED, deleted=False, author="Ada",
                      email=None, website=None, text="Hi", html="<p>Hi</p>",
                      created=datetime(2026, 1, 1, 9, tzinfo=UTC), edited=None, flags=None,
                      moderation_reason=None)
    monkeypatch.setattr(plugins.comments, "load_comments", lambda url: {"story": [comment]})
    article, generator = _one_article_generator(monkeypatch)
    plugins.comments.bake_comments(generator)
    assert calls == [] and article.comment_count == 1  # nothing rendered before a page prints it
    printed = str(article.comments_section)
    assert calls == [1, 0]
    assert "No comments yet" in printed and article.comment_count == 0
    assert "content/story.md" in caplog.text and "RecursionError" in caplog.text
    assert max(record.levelno for record in caplog.records) < logging.ERROR


def test_a_rendered_draft_gets_a_whole_comments_section_without_a_thread(tmp_path, monkeypatch):
    """Issue 14: drafts got no thread context at all, so a draft page (Pelican writes them when a
    DRAFT_SAVE_AS is set, as the preview build does) had no comments section and any template
    reading the thread was one step from an UndefinedError. A draft now says when comments open,
    and offers nothing that would post to the live service: no form, no feed, no widget, none of
    the comments stored under its slug (an article taken back to draft keeps them hidden)."""
    url = f"sqlite:///{tmp_path / 'comments.sqlite3'}"
    seed(url)
    monkeypatch.setenv("COMMENTS_DATABASE_URL", url)
    monkeypatch.setenv("COMMENTS_SECRET_KEY", SECRET_KEY)
    content = tmp_path / "content"
    content.mkdir()
    (content / "draft.md").write_text(f"Title: Harbour draft\nDate: 2025-07-01 10:00\nSlug: {SLUG}\n"
                                      "Status: draft\n\nText [^1].\n\n[^1]: https://example.org/\n",
                                      encoding="utf-8")
    (content / "future.md").write_text("Title: Future\nDate: 2099-01-01 10:00\n\nLater.\n", encoding="utf-8")
    result = run_pelican(content, tmp_path / "output", "-e", 'DRAFT_SAVE_AS="drafts/{slug}.html"')
    assert result.returncode == 0, result.stdout + result.stderr
    for slug in (SLUG, "future"):
        html = (tmp_path / "output" / "drafts" / f"{slug}.html").read_text(encoding="utf-8")
        lines = read_page(html).lines()
        assert lines[lines.index("Comments") + 1] == "Comments open when the article is published."
        assert not re.search(r'<form(?! class="site-search")', html)  # the header's search only
        assert "comments.js" not in html and "feed.atom" not in html
        assert "First!" not in lines and "ref-comments" not in html
    entries = json.loads((tmp_path / "output" / "comments" / "threads.json").read_text(encoding="utf-8"))
    assert entries == []


def test_a_baked_thread_is_made_when_read_and_let_go_once_its_page_is_written(monkeypatch):
    """Build memory (issue 16): an article's thread context (~1.6 KB) is not held from the bake
    to the end of the build. `comments_thread` reads as the context the bake made; what list
    pages read of it (slug, url, open, api_url) never makes it; its page makes it once, and once
    that page is written it is let go."""
    made = []
    real = plugins.comments.section_context

    def counted(values, key, **thread):
        made.append(thread["slug"])
        return real(values, key, **thread)

    monkeypatch.setattr(plugins.comments, "section_context", counted)
    monkeypatch.setattr(plugins.comments, "load_comments", lambda url: {})
    article, generator = _one_article_generator(monkeypatch)
    plugins.comments.bake_comments(generator)
    thread = article.comments_thread
    assert made == ["story"] and article.comment_count == 0 and article.comments_open is True
    assert (thread["slug"], thread["url"], thread["open"]) == ("story", "story.html", True)
    assert thread["api_url"] and thread and made == ["story"]  # a card reads these: nothing made
    context = dict(thread)
    assert made == ["story", "story"]
    assert context["count"] == 0 and context["form_token"] and set(context) >= {"feed_url", "references"}
    assert thread["feed_url"] == context["feed_url"] and "No comments yet" in str(article.comments_section)
    assert made == ["story", "story"]  # the page reads it many times: made once
    plugins.comments.forget_written_thread("story.html", context={"article": article})
    assert dict(thread) == context and made == ["story", "story", "story"]
