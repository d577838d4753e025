"""Queries of the moderator_sessions table on both backends: a session is live within both
lifetimes only, a purge removes exactly the expired ones, and an ended one is gone."""

from datetime import timedelta

from comments_service.core.storage import moderator_sessions as stored
from comments_service.core.times import utcnow

from tests.comments_service.conftest import run

LIFETIMES = {"idle": timedelta(minutes=30), "lifetime": timedelta(hours=8)}


def test_sessions_live_within_both_lifetimes_and_end_when_deleted(engine):
    now = utcnow()
    run(engine, stored.start_session, "fresh", "ann", "key", now)
    run(engine, stored.start_session, "idle", "ann", "key", now - timedelta(minutes=31))
    run(engine, stored.start_session, "old", "ann", "key", now - timedelta(hours=9))
    run(engine, stored.touch_session, "old", now)  # busy, yet past its absolute lifetime
    live = {name: run(engine, stored.live_session, name, now=now, **LIFETIMES) is not None
            for name in ("fresh", "idle", "old", "unknown")}
    assert live == {"fresh": True, "idle": False, "old": False, "unknown": False}
    assert run(engine, stored.purge_expired_sessions, now=now, **LIFETIMES) == 2
    run(engine, stored.end_session, "fresh")
    assert run(engine, stored.live_session, "fresh", now=now, **LIFETIMES) is None
