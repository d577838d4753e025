"""The baker's share of the CPU (baker.py): its thread rests after each bake so that bakes take at
most BAKE_SHARE of a core, whatever the storm; a drain in the caller's thread (`rebake-worker
--once`, tests) never rests. A fake clock stands for the bake's duration: nothing here sleeps."""

import threading

import pytest

from comments_service.baker import BAKE_SHARE, MAX_REST_SECONDS, Baker, SharedRest
from comments_service.core.storage import rebake_queue
from comments_service.db import engine as app_engine
from tests.comments_service.conftest import run


class FakeTime:
    """A clock that a bake and a rest move forward."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class RecordingStop(threading.Event):
    """A stop event whose waits are recorded and pass on the fake clock instead of sleeping."""

    def __init__(self, clock: FakeTime):
        super().__init__()
        self.clock, self.waits = clock, []

    def wait(self, timeout=None):
        self.waits.append(timeout)
        self.clock.now += timeout
        return self.is_set()


@pytest.fixture
def baker_of(app, tmp_path):
    """A Baker of `app` whose bakes take `seconds` on a fake clock; (baker, clock, baked slugs).
    Its rest is kept in this test's folder (the fake clock's times mean nothing to real bakers),
    shared with the other bakers made here, as bakers of one host share it."""
    def make(seconds: float, clock: FakeTime | None = None):
        clock, baked = clock or FakeTime(), []

        def bake(_app, slug):
            baked.append(slug)
            clock.now += seconds

        baker = Baker(app, bake)
        baker.clock = baker.cpu_clock = clock  # the bake's CPU time is all of its duration here
        baker.rest = SharedRest(tmp_path / "rebake.rest")
        return baker, clock, baked

    return make


def queue(app, *slugs):
    with app.app_context():
        for slug in slugs:
            run(app_engine(), rebake_queue.enqueue, slug)


def test_after_a_bake_the_thread_rests_so_bakes_take_a_tenth_of_a_core(app, baker_of):
    baker, clock, baked = baker_of(0.2)
    queue(app, "first-article")
    assert baker.rest_seconds() == 0
    assert baker.drain(RecordingStop(clock), pace=True) == (1, 0)
    assert baked == ["first-article"]
    assert baker.rest_seconds() == pytest.approx(0.2 / BAKE_SHARE - 0.2)
    clock.now += 10
    assert baker.rest_seconds() == 0


def test_a_storm_over_many_threads_is_baked_at_the_paced_rate_and_none_is_skipped(app, baker_of):
    baker, clock, baked = baker_of(0.05)
    queue(app, "first-article", "second-article", "closed-article")
    stop = RecordingStop(clock)
    assert baker.drain(stop, pace=True) == (3, 0)
    assert sorted(baked) == ["closed-article", "first-article", "second-article"]
    assert stop.waits == [pytest.approx(0.45)] * 2  # between the bakes, not after the last
    assert baker.pending() == []


def test_a_drain_in_the_callers_thread_never_rests(app, baker_of):
    baker, clock, baked = baker_of(0.3)
    queue(app, "first-article", "second-article")
    stop = RecordingStop(clock)
    assert baker.drain(stop) == (2, 0)
    assert stop.waits == [] and len(baked) == 2


def test_the_bakers_of_one_host_share_one_rest(app, baker_of):
    """Each worker runs a baker: paced each on its own, four of them took four tenths of a core
    between them (issue 16: POSTs on PostgreSQL at twice their cost with re-bake on)."""
    first, clock, baked = baker_of(0.2)
    second, _, _ = baker_of(0.2, clock)
    queue(app, "first-article")
    assert first.drain(RecordingStop(clock), pace=True) == (1, 0)
    assert second.rest_seconds() == pytest.approx(0.2 / BAKE_SHARE - 0.2)
    queue(app, "second-article")
    stop = RecordingStop(clock)
    assert second.drain(stop, pace=True) == (1, 0)
    assert stop.waits == [pytest.approx(0.2 / BAKE_SHARE - 0.2)]
    assert first.rest_seconds() == pytest.approx(0.2 / BAKE_SHARE - 0.2)


def test_a_rest_from_another_clock_is_not_waited_for(tmp_path):
    """A rest written before the clock jumped back (or the machine restarted) ends at once."""
    rest = SharedRest(tmp_path / "rebake.rest")
    rest.extend(now=1_000_000.0, seconds=1.0)
    assert rest.remaining(now=5.0) == 0
    rest.extend(now=5.0, seconds=1.0)
    assert rest.remaining(now=5.0) == pytest.approx(1.0)
    rest.extend(now=5.0, seconds=10 * MAX_REST_SECONDS)
    assert rest.remaining(now=5.0) == pytest.approx(MAX_REST_SECONDS)


def test_an_unreadable_rest_means_no_rest(tmp_path):
    (tmp_path / "rebake.rest").write_text("not a number")
    assert SharedRest(tmp_path / "rebake.rest").remaining(now=5.0) == 0
    blocked = SharedRest(tmp_path / "a-file" / "rebake.rest")
    (tmp_path / "a-file").write_text("")
    blocked.extend(now=5.0, seconds=1.0)  # cannot be written: logged, the baker goes on
    assert blocked.remaining(now=5.0) == 0
