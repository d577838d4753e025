"""Top-level cursor paging (core/storage/paging.py) on SQLite and (when it answers) PostgreSQL:
each page holds `limit` top-level comments with all their replies, and walking the pages with
`after = next` shows every published comment exactly once, in display order."""

from comments_service.core.comment import PENDING
from comments_service.core.storage import comments as stored
from comments_service.core.storage import threads as thread_store
from comments_service.core.storage.paging import paged_thread_page
from tests.comments_service.conftest import run


def ids(page):
    return [comment.id for comment in page.comments]


def walk(engine, limit, **kwargs):
    """Every page of first-article, following `next`."""
    pages, after = [], 0
    while True:
        page = run(engine, paged_thread_page, "first-article", limit=limit, after=after, **kwargs)
        pages.append(ids(page))
        if page.next is None:
            return pages
        after = page.next


def test_a_page_holds_its_top_level_comments_and_all_their_replies(engine, add):
    one = add()
    two = add()
    deep = add(parent=one)
    deeper = add(parent=deep)
    three = add()
    other = add(parent=two)
    page = run(engine, paged_thread_page, "first-article", limit=1)
    assert (ids(page), page.next, page.count) == ([one, deep, deeper], one, 6)
    page = run(engine, paged_thread_page, "first-article", limit=2, after=one)
    assert (ids(page), page.next) == ([two, three, other], None)  # id order
    assert walk(engine, 2) == [[one, two, deep, deeper, other], [three]]


def test_walking_the_pages_shows_every_published_comment_once(engine, add):
    roots = [add() for _ in range(7)]
    replies = [add(parent=root) for root in roots[::2]]
    add(state=PENDING)
    everything = run(engine, stored.thread_page, "first-article").comments
    for limit in (1, 2, 3, 7, 500):
        pages = walk(engine, limit)
        assert sorted(sum(pages, [])) == [comment.id for comment in everything]
        assert len(pages) == -(-len(roots) // limit)
    assert len(everything) == len(roots) + len(replies)


def test_a_reply_whose_parent_was_rejected_is_a_top_level_comment(engine, add):
    parent = add()
    reply = add(parent=parent)
    run(engine, stored.reject_comment, parent)
    page = run(engine, paged_thread_page, "first-article", limit=1)
    assert (ids(page), page.next) == ([reply], None)


def test_placeholders_are_shown_and_held_comments_are_not(engine, add):
    parent = add()
    reply = add(parent=parent)
    run(engine, stored.delete_comment, parent)  # keeps a placeholder for its reply
    add(state=PENDING)
    add(parent=reply, state=PENDING)
    page = run(engine, paged_thread_page, "first-article", limit=10)
    assert (ids(page), page.count) == ([parent, reply], 1)
    assert page.comments[0].deleted


def test_since_keeps_only_newer_comments_of_the_page(engine, add):
    one = add()
    reply = add(parent=one)
    add()
    assert ids(run(engine, paged_thread_page, "first-article", limit=1, since=one)) == [reply]


def test_an_empty_or_unknown_thread_has_one_empty_page(engine, add):
    assert run(engine, paged_thread_page, "never-commented", limit=5) == stored.ThreadPage(False, 0, [])
    only = add()
    run(engine, thread_store.set_thread_locked, "first-article", True)
    page = run(engine, paged_thread_page, "first-article", limit=5, after=only)
    assert (page.locked, page.count, page.comments, page.next) == (True, 1, [], None)


def test_other_threads_are_never_on_the_page(engine, add):
    add("second-article")
    mine = add()
    add("second-article")
    assert walk(engine, 1) == [[mine]]
