"""Moderator actions (core/moderation.py), on SQLite and (when it answers) on
PostgreSQL: the queue, every action with its log row, public removal reasons."""

import pytest
from sqlalchemy import func, select

from comments_service.core import moderation
from comments_service.core.comment import (
    APPROVED,
    DELETED_AUTHOR,
    PENDING,
    REJECTED,
    REMOVED_PREFIX,
    public_view,
)
from comments_service.core.privacy import hash_ip
from comments_service.core.storage import comments as stored
from comments_service.core.storage import database
from comments_service.core.storage import threads as thread_store
from comments_service.core.storage.moderation_log import log_entries
from comments_service.core.storage.tables import comments, moderation_log


@pytest.fixture
def conn(engine):
    with database.connect(engine, write=True) as connection:
        yield connection


def add(conn, slug="first-article", *, state=PENDING, parent=None, text="Hello there", flags=None) -> int:
    row = stored.create_comment(
        conn, slug=slug, parent=parent, author="Ann", email="ann@example.org",
        website="https://ann.example", text=text, html=f"<p>{text}</p>",
        ip_hash=hash_ip("salt", "192.0.2.1"), state=state, flags=flags)
    return row.id


def log_rows(conn) -> list:
    return list(conn.execute(select(moderation_log).order_by(moderation_log.c.id)))


def test_hold_flags_name_the_rule_and_the_link_signal():
    assert moderation.hold_flags("all", "Plain words") == "moderation-all"
    assert moderation.hold_flags("first", "Plain words") == "first-comment"
    assert moderation.hold_flags("first", "See www.example.org") == "first-comment links"


def test_queue_is_newest_first_without_deleted_and_paginated(conn):
    older = add(conn, flags="moderation-all")
    newer = add(conn, "second-article")
    add(conn, state=APPROVED)
    placeholder = add(conn, state=PENDING)
    stored.delete_comment(conn, placeholder, public_reason="spam")

    page = moderation.comments_in_state(conn, PENDING)
    assert [row.id for row in page.rows] == [newer, older]
    assert not page.has_next and page.number == 1
    assert page.rows[1].email == "ann@example.org" and page.rows[1].flags == "moderation-all"
    assert page.rows[0].thread == "second-article"

    first = moderation.comments_in_state(conn, PENDING, page=1, size=1)
    second = moderation.comments_in_state(conn, PENDING, page=2, size=1)
    assert [row.id for row in first.rows] == [newer] and first.has_next
    assert [row.id for row in second.rows] == [older] and not second.has_next


def test_publish_approves_and_logs_once(conn):
    comment_id = add(conn)
    row = stored.get_comment(conn, comment_id)
    assert moderation.publish(conn, "ann", row, "fine")
    assert stored.get_comment(conn, comment_id).state == APPROVED
    assert not moderation.publish(conn, "ann", stored.get_comment(conn, comment_id))
    [entry] = log_rows(conn)
    assert (entry.actor, entry.action, entry.comment_id, entry.thread_slug, entry.reason) == (
        "ann", "approve", comment_id, "first-article", "fine")
    assert entry.at is not None


def test_reject_keeps_the_comment_and_logs(conn):
    comment_id = add(conn, state=APPROVED)
    assert moderation.reject(conn, "bob", stored.get_comment(conn, comment_id))
    assert not moderation.reject(conn, "bob", stored.get_comment(conn, comment_id))
    assert stored.get_comment(conn, comment_id).state == REJECTED
    assert [(entry.actor, entry.action, entry.reason) for entry in log_rows(conn)] == [("bob", "reject", None)]


def test_public_removal_leaves_an_escaped_placeholder_without_personal_data(conn):
    comment_id = add(conn, state=APPROVED)
    reason = "<script>alert(1)</script> & spam"
    assert moderation.delete(conn, "ann", stored.get_comment(conn, comment_id), reason, public=True)

    row = stored.get_comment(conn, comment_id)
    public = public_view(row)
    assert public["html"] == (REMOVED_PREFIX
                              + "&lt;script&gt;alert(1)&lt;/script&gt; &amp; spam</p>")
    assert public["author"] == DELETED_AUTHOR and row.deleted
    raw = conn.execute(select(comments).where(comments.c.id == comment_id)).one()
    assert raw.email is None and raw.ip_hash is None and raw.text == ""
    assert stored.approved_counts(conn, ["first-article"]) == {"first-article": 0}
    assert [(entry.action, entry.reason) for entry in log_rows(conn)] == [("delete", reason)]
    assert not moderation.delete(conn, "ann", stored.get_comment(conn, comment_id))


def test_public_reason_is_ignored_for_comments_readers_never_saw(conn):
    comment_id = add(conn, state=PENDING)
    assert moderation.delete(conn, "ann", stored.get_comment(conn, comment_id), "spam", public=True)
    assert stored.get_comment(conn, comment_id) is None


def test_private_reason_goes_to_the_log_only(conn):
    comment_id = add(conn, state=APPROVED)
    moderation.delete(conn, "ann", stored.get_comment(conn, comment_id), "duplicate")
    assert stored.get_comment(conn, comment_id) is None
    assert [entry.reason for entry in log_rows(conn)] == ["duplicate"]


def test_a_placeholder_with_a_public_reason_outlives_its_replies(conn):
    parent = add(conn, state=APPROVED)
    reply = add(conn, state=APPROVED, parent=parent)
    moderation.delete(conn, "ann", stored.get_comment(conn, parent), "off topic", public=True)
    moderation.delete(conn, "ann", stored.get_comment(conn, reply))
    assert stored.get_comment(conn, parent).moderation_reason == "off topic"


def test_bulk_moderation_skips_missing_and_unchanged_comments(conn):
    held = add(conn)
    published = add(conn, state=APPROVED)
    changed = moderation.moderate(conn, "ann", "approve", [held, published, 999_999], reason="ok")
    assert [row.id for row in changed] == [held]
    assert changed[0].state == PENDING  # as it was before
    assert [(entry.action, entry.comment_id) for entry in log_rows(conn)] == [("approve", held)]


def test_bulk_delete_of_a_parent_and_its_pruned_placeholder(conn):
    parent = add(conn, state=APPROVED)
    reply = add(conn, state=APPROVED, parent=parent)
    moderation.delete(conn, "ann", stored.get_comment(conn, parent))  # placeholder (has a reply)
    changed = moderation.moderate(conn, "ann", "delete", [reply, parent])
    assert [row.id for row in changed] == [reply]  # the reply's removal pruned the placeholder
    assert stored.get_comment(conn, parent) is None


def test_action_and_log_row_commit_or_roll_back_together(engine):
    with database.connect(engine, write=True) as conn:
        comment_id = add(conn)
        conn.commit()
        moderation.publish(conn, "ann", stored.get_comment(conn, comment_id))
        conn.rollback()
    with database.connect(engine) as conn:
        assert stored.get_comment(conn, comment_id).state == PENDING
        assert conn.execute(select(func.count()).select_from(moderation_log)).scalar_one() == 0


def test_edit_replaces_text_and_html_and_logs(conn):
    comment_id = add(conn, state=APPROVED)
    edited = moderation.edit(conn, "ann", stored.get_comment(conn, comment_id),
                             text="Fixed *typo*", html="<p>Fixed <em>typo</em></p>", reason="typo")
    assert (edited.html, edited.edited is not None) == ("<p>Fixed <em>typo</em></p>", True)
    assert stored.get_comment(conn, comment_id).text == "Fixed *typo*"
    assert [(entry.action, entry.reason) for entry in log_rows(conn)] == [("edit", "typo")]


def test_lock_and_unlock_a_thread_are_logged(conn):
    moderation.set_thread_locked(conn, "ann", "first-article", True, "flame war")
    assert thread_store.thread_is_locked(conn, "first-article")
    moderation.set_thread_locked(conn, "ann", "first-article", False)
    assert not thread_store.thread_is_locked(conn, "first-article")
    assert [(entry.action, entry.thread_slug, entry.comment_id, entry.reason) for entry in log_rows(conn)] == [
        ("lock", "first-article", None, "flame war"), ("unlock", "first-article", None, None)]


def test_thread_comments_lists_every_state_oldest_first_a_page_at_a_time(conn):
    ids = [add(conn, state=state) for state in (APPROVED, PENDING, REJECTED)]
    add(conn, "second-article")
    assert [row.id for row in moderation.thread_comments(conn, "first-article").rows] == ids
    first = moderation.thread_comments(conn, "first-article", page=1, size=2)
    second = moderation.thread_comments(conn, "first-article", page=2, size=2)
    assert ([row.id for row in first.rows], first.has_next) == (ids[:2], True)
    assert ([row.id for row in second.rows], second.has_next, second.number) == (ids[2:], False, 2)


def test_log_is_newest_first_and_paginated(conn):
    for slug in ("first-article", "second-article", "closed-article"):
        moderation.set_thread_locked(conn, "ann", slug, True)
    first = log_entries(conn, page=1, size=2)
    second = log_entries(conn, page=2, size=2)
    assert [entry.thread_slug for entry in first.rows] == ["closed-article", "second-article"]
    assert first.has_next and not second.has_next
    assert [entry.thread_slug for entry in second.rows] == ["first-article"]


def test_a_waiting_edit_is_applied_or_dropped_and_logged_and_never_outlives_its_comment(conn):
    comment_id = add(conn, state=APPROVED, text="Published")
    others = [add(conn, state=APPROVED), add(conn, state=APPROVED)]
    for other in [comment_id, *others]:
        stored.propose_edit(conn, other, text="Proposed", html="<p>Proposed</p>")
    row = stored.get_comment(conn, comment_id)
    assert (row.text, row.pending_text, row.html) == ("Published", "Proposed", "<p>Published</p>")
    assert public_view(row)["html"] == "<p>Published</p>"
    held = moderation.comments_in_state(conn, PENDING).rows
    assert {row.id for row in held} == {comment_id, *others}

    assert moderation.approve_edit(conn, "ann", row)
    assert not moderation.approve_edit(conn, "ann", row)  # nothing waits any more
    row = stored.get_comment(conn, comment_id)
    assert (row.text, row.html, row.pending_text, row.pending_since) == ("Proposed", "<p>Proposed</p>", None, None)
    assert row.edited is not None
    assert moderation.reject_edit(conn, "ann", stored.get_comment(conn, others[0]))
    assert stored.get_comment(conn, others[0]).text == "Hello there"
    assert [(r.action, r.comment_id) for r in log_rows(conn)] == [("approve-edit", comment_id),
                                                                 ("reject-edit", others[0])]
    stored.delete_comment(conn, others[1], public_reason="spam")  # a placeholder keeps no text
    assert stored.get_comment(conn, others[1]).pending_text is None
    assert moderation.comments_in_state(conn, PENDING).rows == []


def test_hold_flags_name_a_correction_first():
    assert moderation.hold_flags("none", "Plain words", correction=True, by_mode=False) == "correction"
    assert moderation.hold_flags("all", "See www.example.org", correction=True) == "correction moderation-all links"


def test_corrections_queue_lists_only_corrections(conn):
    plain = add(conn)
    correction = stored.create_comment(
        conn, slug="first-article", parent=None, author="Ann", email=None, website=None,
        text="Wrong date", html="<p>Wrong date</p>", ip_hash=None, state=PENDING, flags="correction",
        kind="correction", about_paragraph=2).id
    edited = add(conn, state=APPROVED)
    stored.propose_edit(conn, edited, text="New", html="<p>New</p>")
    assert [row.id for row in moderation.comments_in_state(conn, PENDING, kind="correction").rows] == [correction]
    assert [row.id for row in moderation.comments_in_state(conn, PENDING).rows] == [edited, correction, plain]
    assert moderation.comments_in_state(conn, APPROVED, kind="correction").rows == []


def test_pick_and_unpick_a_published_comment_with_a_public_note(conn):
    comment_id = add(conn, state=APPROVED)
    held = add(conn)
    row = stored.get_comment(conn, comment_id)
    assert moderation.pick(conn, "ann", row, "Well sourced")
    assert not moderation.pick(conn, "ann", stored.get_comment(conn, comment_id), "Well sourced")  # unchanged
    assert not moderation.pick(conn, "ann", stored.get_comment(conn, held), "Held")
    picked = stored.get_comment(conn, comment_id)
    assert (picked.picked, picked.pick_note) == (True, "Well sourced")
    assert moderation.readers_see(moderation.PICK, row) and not moderation.readers_see(
        moderation.PICK, stored.get_comment(conn, held))
    assert [pick.id for pick in moderation.thread_picks(conn, "first-article")] == [comment_id]
    assert moderation.moderate(conn, "ann", moderation.UNPICK, [comment_id, held], reason="old") == [picked]
    unpicked = stored.get_comment(conn, comment_id)
    assert (unpicked.picked, unpicked.pick_note) == (False, None)
    assert moderation.thread_picks(conn, "first-article") == []
    assert [(row.action, row.comment_id, row.reason) for row in log_rows(conn)] == [
        ("pick", comment_id, "Well sourced"), ("unpick", comment_id, "old")]


def test_picks_are_newest_first_and_leave_out_what_readers_do_not_see(conn):
    older, newer, rejected, deleted = (add(conn, state=APPROVED) for _ in range(4))
    for comment_id in (older, newer, rejected, deleted):
        stored.set_picked(conn, comment_id, True, None)
    stored.reject_comment(conn, rejected)
    moderation.delete(conn, "ann", stored.get_comment(conn, deleted), "gone", public=True)
    assert [pick.id for pick in moderation.thread_picks(conn, "first-article")] == [newer, older]


def test_a_pick_bumps_the_thread_version(conn):
    comment_id = add(conn, state=APPROVED)
    before = thread_store.thread_state(conn, "first-article").version
    stored.set_picked(conn, comment_id, True, "note")
    assert thread_store.thread_state(conn, "first-article").version == before + 1
