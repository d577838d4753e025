"""Comment queries (core/storage/comments.py), on SQLite and (when it answers) on
PostgreSQL: the one Comment shape, pages, counts, soft delete, approval."""


from comments_service.core.comment import (
    DELETED_AUTHOR,
    PENDING,
    PUBLIC_FIELDS,
    REJECTED,
    Comment,
    public_view,
)
from comments_service.core.storage import comments as stored
from comments_service.core.storage import database
from comments_service.core.storage import threads as thread_store
from comments_service.core.storage.tables import comments
from tests.comments_service.conftest import run


def test_public_comment_carries_only_the_allowed_fields(engine, add):
    comment_id = add(email="ann@example.org")
    [stored_comment] = run(engine, stored.thread_page, "first-article").comments
    assert stored_comment.email is None and stored_comment.text is None  # never read for readers
    comment = public_view(stored_comment)
    assert tuple(comment) == PUBLIC_FIELDS
    assert comment["id"] == comment_id and comment["author"] == "Ann"
    assert comment["created"].endswith("Z") and comment["edited"] is None
    assert "ann@example.org" not in repr(comment) and "192.0.2.1" not in repr(comment)


def test_thread_page_in_order_since_and_only_approved(engine, add):
    first = add()
    add(state=PENDING)
    rejected = add()
    run(engine, stored.reject_comment, rejected)
    third = add()
    add("second-article")
    assert [c.id for c in run(engine, stored.thread_page, "first-article").comments] == [first, third]
    assert [c.id for c in run(engine, stored.thread_page, "first-article", since=first).comments] == [third]


def test_thread_page_counts_the_whole_thread_and_says_if_it_is_locked(engine, add):
    assert run(engine, stored.thread_page, "never-commented") == stored.ThreadPage(False, 0, [])
    first = add()
    add(state=PENDING)
    second = add(parent=first)
    run(engine, stored.delete_comment, first)  # a placeholder: shown, not counted
    newest = add()
    page = run(engine, stored.thread_page, "first-article", since=second)
    assert (page.locked, page.count, [c.id for c in page.comments]) == (False, 2, [newest])
    run(engine, thread_store.set_thread_locked, "first-article", True)
    page = run(engine, stored.thread_page, "first-article", since=newest)
    assert (page.locked, page.count, page.comments) == (True, 2, [])
    assert run(engine, stored.thread_page, "second-article").count == 0


def test_approve_publishes_a_held_comment(engine, add):
    held = add(state=PENDING, email="new@example.org")
    assert run(engine, stored.approve_comment, held)
    assert [c.id for c in run(engine, stored.thread_page, "first-article").comments] == [held]
    assert not run(engine, stored.approve_comment, held + 100)


def test_hold_takes_a_published_comment_back_to_the_queue_with_its_flag(engine, add):
    flagged, plain, held = add(), add(), add(state=PENDING)
    with database.connect(engine, write=True) as conn:
        conn.execute(comments.update().where(comments.c.id == flagged).values(flags="links"))
        conn.commit()
    before = run(engine, thread_store.thread_state, "first-article").version
    assert run(engine, stored.hold_comment, flagged, "reported")
    assert run(engine, stored.hold_comment, plain, "reported")
    assert run(engine, thread_store.thread_state, "first-article").version > before
    assert [(c.state, c.flags) for c in (run(engine, stored.get_comment, i) for i in (flagged, plain))] == [
        (PENDING, "links reported"), (PENDING, "reported")]
    assert not run(engine, stored.hold_comment, flagged, "reported")  # held already: no second flag
    assert not run(engine, stored.hold_comment, held, "reported")
    assert run(engine, stored.get_comment, held).flags is None
    assert run(engine, stored.thread_page, "first-article").comments == []


def test_counts_cover_every_asked_slug(engine, add):
    add(), add(), add("second-article"), add(state=PENDING)
    counts = run(engine, stored.approved_counts, ["first-article", "second-article", "nothing"])
    assert counts == {"first-article": 2, "second-article": 1, "nothing": 0}


def test_delete_with_replies_leaves_a_placeholder(engine, add):
    parent = add(email="ann@example.org")
    reply = add(parent=parent)
    placeholder = run(engine, stored.delete_comment, parent)
    assert placeholder.deleted and placeholder.author == DELETED_AUTHOR and placeholder.html == ""
    assert placeholder.website is None and placeholder.email is None
    shown = run(engine, stored.thread_page, "first-article").comments
    assert [(c.id, c.parent) for c in shown] == [(parent, None), (reply, parent)]
    assert run(engine, stored.get_comment, parent).email is None
    assert run(engine, stored.approved_counts, ["first-article"]) == {"first-article": 1}


def test_delete_without_replies_removes_it_and_orphaned_placeholders(engine, add):
    grandparent = add()
    parent = add(parent=grandparent)
    reply = add(parent=parent)
    keep = add()
    run(engine, stored.delete_comment, grandparent)
    run(engine, stored.delete_comment, parent)
    assert run(engine, stored.delete_comment, reply) is None
    assert [c.id for c in run(engine, stored.thread_page, "first-article").comments] == [keep]


def test_a_comment_whose_only_replies_were_rejected_can_be_deleted(engine, add):
    """Rejected replies are kept for the moderation record but shown nowhere: the comment has no
    replies to hold up, so it goes, and the rejected reply stays stored without its parent (the
    foreign key used to refuse the delete: a 500 for the author and for a moderator)."""
    parent = add()
    rejected = add(parent=parent)
    run(engine, stored.reject_comment, rejected)
    assert run(engine, stored.delete_comment, parent) is None
    assert run(engine, stored.get_comment, parent) is None
    kept = run(engine, stored.get_comment, rejected)
    assert kept.state == REJECTED and kept.parent is None


def test_a_placeholder_left_with_rejected_replies_only_is_pruned(engine, add):
    parent = add()
    published, rejected = add(parent=parent), add(parent=parent)
    run(engine, stored.reject_comment, rejected)
    assert run(engine, stored.delete_comment, parent).deleted  # a placeholder: a reply is shown
    assert run(engine, stored.delete_comment, published) is None
    assert run(engine, stored.get_comment, parent) is None  # the placeholder went with it
    assert run(engine, stored.thread_page, "first-article").comments == []
    assert run(engine, stored.get_comment, rejected).parent is None


def test_edit_changes_text_and_sets_edited(engine, add):
    comment_id = add()
    row = run(engine, stored.edit_comment, comment_id, text="New words", html="<p>New words</p>")
    assert row.html == "<p>New words</p>" and row.edited is not None


def test_parent_must_be_published_in_the_same_thread(engine, add):
    parent = add()
    held = add(state=PENDING)
    assert run(engine, stored.parent_accepts_replies, parent, "first-article")
    assert not run(engine, stored.parent_accepts_replies, parent, "second-article")
    assert not run(engine, stored.parent_accepts_replies, held, "first-article")
    assert not run(engine, stored.parent_accepts_replies, parent + 100, "first-article")


def test_latest_comments_newest_first_per_thread_or_site(engine, add):
    a, b, c = add(), add("second-article"), add()
    assert [row.id for row in run(engine, stored.latest_comments, 10)] == [c, b, a]
    assert [row.id for row in run(engine, stored.latest_comments, 1, "first-article")] == [c]


def test_rejected_state_hides_but_keeps_the_comment(engine, add):
    comment_id = add()
    run(engine, stored.reject_comment, comment_id)
    assert run(engine, stored.get_comment, comment_id).state == REJECTED
    assert run(engine, stored.thread_page, "first-article").comments == []


def test_comments_are_read_by_column_label_not_position(engine, add):
    """A select whose columns come in another order (or with extra ones) still fills every field
    of the one shape correctly."""
    comment_id = add(email="ann@example.org")
    columns = stored.comment_columns()
    shuffled = stored.select_comments().with_only_columns(*reversed(columns)).add_columns(
        comments.c.ip_hash.label("extra"))
    with database.connect(engine) as conn:
        [comment] = stored.as_comments(conn.execute(shuffled.where(comments.c.id == comment_id)))
    assert comment == run(engine, stored.get_comment, comment_id)
    assert (comment.author, comment.email, comment.thread) == ("Ann", "ann@example.org", "first-article")


def test_every_comment_field_has_one_column_and_reader_pages_leave_private_ones_unread():
    public = {column.name: column for column in stored.comment_columns(public=True)}
    assert list(public) == list(Comment._fields)
    assert all(str(public[name].element) == "NULL" for name in ("email", "text", "flags"))


def test_public_view_of_a_removed_comment_shows_only_the_escaped_reason(engine, add):
    comment_id = add(email="ann@example.org")
    run(engine, stored.delete_comment, comment_id, public_reason="<b>spam</b>")
    view = public_view(run(engine, stored.get_comment, comment_id))
    assert tuple(view) == PUBLIC_FIELDS
    assert view["author"] == DELETED_AUTHOR and view["website"] is None
    assert view["html"].endswith("&lt;b&gt;spam&lt;/b&gt;</p>")


def test_create_stores_the_kind_and_what_the_comment_is_about(engine):
    row = run(engine, stored.create_comment, slug="first-article", parent=None, author="Ann", email=None,
              website=None, text="Wrong year", html="<p>Wrong year</p>", ip_hash=None, state=PENDING,
              flags="correction", kind="correction", about_reference=3, about_paragraph=12)
    assert (row.kind, row.about_reference, row.about_paragraph, row.flags) == ("correction", 3, 12, "correction")
    again = run(engine, stored.get_comment, row.id)
    assert (again.kind, again.about_reference, again.about_paragraph) == ("correction", 3, 12)
    plain = run(engine, stored.create_comment, slug="first-article", parent=None, author="Ann", email=None,
                website=None, text="Hi", html="<p>Hi</p>", ip_hash=None, state=PENDING)
    assert (plain.kind, plain.about_reference, plain.about_paragraph) == ("comment", None, None)


def test_set_picked_keeps_the_note_only_while_picked(engine, add):
    comment_id = add()
    assert run(engine, stored.set_picked, comment_id, True, "A fine source")
    [shown] = run(engine, stored.thread_page, "first-article").comments
    assert (shown.picked, shown.pick_note) == (True, "A fine source")
    assert run(engine, stored.set_picked, comment_id, False, "ignored")
    [shown] = run(engine, stored.thread_page, "first-article").comments
    assert (shown.picked, shown.pick_note) == (False, None)
    assert not run(engine, stored.set_picked, 999, True)
