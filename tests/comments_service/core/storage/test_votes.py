"""Readers' votes (core/storage/votes.py), on SQLite and (when it answers) on PostgreSQL: one vote
per reader and comment, by cookie or address, the counts kept exact, and two votes of one reader
racing on PostgreSQL counted once."""

import threading

import pytest
from sqlalchemy import func, select

from comments_service.core.comment import PENDING
from comments_service.core.storage import comments as stored
from comments_service.core.storage import database
from comments_service.core.storage import threads as thread_store
from comments_service.core.storage.tables import comment_votes, comments
from comments_service.core.storage.votes import DOWN, NONE, UP, NotPublished, Votes, cast_vote
from tests.comments_service.conftest import run

from .conftest import add_comment, wait_until_blocked

ANN, BOB = "a" * 64, "b" * 64  # readers' cookie digests
HOME, WORK = "1" * 64, "2" * 64  # address hashes


def vote(engine, comment_id, value, voter=ANN, ip_hash=HOME) -> Votes:
    return run(engine, cast_vote, comment_id, voter=voter, ip_hash=ip_hash, value=value)


def counts(engine, comment_id) -> tuple[int, int]:
    with engine.connect() as conn:
        row = conn.execute(select(comments.c.likes, comments.c.dislikes).where(comments.c.id == comment_id)).one()
    return row.likes, row.dislikes


def vote_rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(
            select(comment_votes.c.comment_id, comment_votes.c.voter, comment_votes.c.ip_hash,
                   comment_votes.c.value).order_by(comment_votes.c.voter))]


def test_a_vote_counts_and_is_stored_with_the_reader_and_the_address(engine, add):
    comment_id = add()
    assert vote(engine, comment_id, UP) == Votes(likes=1, dislikes=0, vote=UP, changed=True)
    assert vote(engine, comment_id, DOWN, voter=BOB, ip_hash=WORK) == Votes(1, 1, DOWN, True)
    assert counts(engine, comment_id) == (1, 1)
    assert vote_rows(engine) == [(comment_id, ANN, HOME, UP), (comment_id, BOB, WORK, DOWN)]


def test_the_same_cookie_replaces_its_vote_even_from_another_address(engine, add):
    comment_id = add()
    vote(engine, comment_id, UP)
    assert vote(engine, comment_id, DOWN, ip_hash=WORK) == Votes(0, 1, DOWN, True)
    assert vote_rows(engine) == [(comment_id, ANN, WORK, DOWN)]


def test_the_same_address_replaces_the_vote_of_another_cookie(engine, add):
    """Clearing cookies does not buy a second vote."""
    comment_id = add()
    vote(engine, comment_id, UP)
    assert vote(engine, comment_id, UP, voter=BOB) == Votes(1, 0, UP, False)
    assert vote_rows(engine) == [(comment_id, BOB, HOME, UP)]


def test_a_vote_matching_two_earlier_ones_replaces_both(engine, add):
    comment_id = add()
    vote(engine, comment_id, UP)  # Ann at home
    vote(engine, comment_id, UP, voter=BOB, ip_hash=WORK)  # Bob at work
    assert vote(engine, comment_id, DOWN, voter=BOB, ip_hash=HOME) == Votes(0, 1, DOWN, True)
    assert vote_rows(engine) == [(comment_id, BOB, HOME, DOWN)]


def test_without_an_address_only_the_cookie_matches(engine, add):
    comment_id = add()
    vote(engine, comment_id, UP, ip_hash=None)
    vote(engine, comment_id, UP, voter=BOB, ip_hash=None)
    assert counts(engine, comment_id) == (2, 0)


def test_withdrawing_removes_the_vote_and_again_changes_nothing(engine, add):
    comment_id = add()
    vote(engine, comment_id, DOWN)
    assert vote(engine, comment_id, NONE) == Votes(0, 0, NONE, True)
    assert vote(engine, comment_id, NONE) == Votes(0, 0, NONE, False)
    assert vote_rows(engine) == []


def test_votes_add_to_imported_counts_and_stay_on_their_comment(engine, add):
    imported, other = add(), add()
    with database.connect(engine, write=True) as conn:
        conn.execute(comments.update().where(comments.c.id == imported).values(likes=7, dislikes=2))
        conn.commit()
    assert vote(engine, imported, UP) == Votes(8, 2, UP, True)
    assert vote(engine, other, DOWN) == Votes(0, 1, DOWN, True)
    assert counts(engine, imported) == (8, 2)


def test_a_vote_bumps_the_thread_version(engine, add):
    comment_id = add()
    before = run(engine, thread_store.thread_state, "first-article").version
    vote(engine, comment_id, UP)
    assert run(engine, thread_store.thread_state, "first-article").version > before


@pytest.mark.parametrize("unpublish", ["held", "deleted", "gone"])
def test_only_published_comments_take_votes(engine, add, unpublish):
    comment_id = add(state=PENDING) if unpublish == "held" else add()
    if unpublish == "deleted":
        add(parent=comment_id)  # so that it stays, as a placeholder
    if unpublish in ("deleted", "gone"):
        run(engine, stored.delete_comment, comment_id)
    with pytest.raises(NotPublished), database.connect(engine, write=True) as conn:
        cast_vote(conn, comment_id, voter=ANN, ip_hash=HOME, value=UP)
    assert vote_rows(engine) == []


def test_a_vote_is_up_down_or_none(engine, add):
    with pytest.raises(ValueError), database.connect(engine, write=True) as conn:
        cast_vote(conn, add(), voter=ANN, ip_hash=HOME, value=2)


# Two votes of one reader at once, on two real connections (PostgreSQL; SQLite has one writer) --

def race(engine, comment_id, first: dict, second: dict) -> Votes:
    """Cast `first` on one connection, left open, then `second` on another while it is; commit
    the first; return what the second got."""
    result: dict = {}
    finished = threading.Event()

    def second_vote():
        try:
            with database.connect(engine, write=True) as conn:
                conn.exec_driver_sql("SET lock_timeout = '20s'")
                result["votes"] = cast_vote(conn, comment_id, **second)
                conn.commit()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            result["error"] = error
        finally:
            finished.set()

    with database.connect(engine, write=True) as conn:
        cast_vote(conn, comment_id, **first)
        voter = threading.Thread(target=second_vote)
        voter.start()
        wait_until_blocked(engine, finished)
        conn.commit()
    voter.join()
    assert "error" not in result, result.get("error")
    return result["votes"]


@pytest.mark.postgres
def test_two_votes_of_one_cookie_at_once_count_once(postgres_engine):
    comment_id = add_comment(postgres_engine)
    second = race(postgres_engine, comment_id, dict(voter=ANN, ip_hash=HOME, value=UP),
                  dict(voter=ANN, ip_hash=WORK, value=DOWN))
    assert second == Votes(0, 1, DOWN, True)
    assert counts(postgres_engine, comment_id) == (0, 1)
    assert vote_rows(postgres_engine) == [(comment_id, ANN, WORK, DOWN)]


@pytest.mark.postgres
def test_two_votes_from_one_address_at_once_count_once(postgres_engine):
    comment_id = add_comment(postgres_engine)
    race(postgres_engine, comment_id, dict(voter=ANN, ip_hash=HOME, value=UP),
         dict(voter=BOB, ip_hash=HOME, value=UP))
    assert counts(postgres_engine, comment_id) == (1, 0)
    with postgres_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(comment_votes)).scalar() == 1
