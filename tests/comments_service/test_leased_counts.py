"""Fixed-window counts taken from a shared Redis in leases (leased_counts.py): never past the
limit across workers, one round trip per lease in a burst, exact for a client that comes now and
then, and a refusal remembered for the length of a lease."""

import uuid

import pytest
from limits import parse
from limits.storage import RedisStorage

from comments_service import leased_counts
from comments_service.leased_counts import LEASE_SECONDS, LeasedCounts
from tests.conftest import require_backend

pytestmark = pytest.mark.redis


class CountedRedis(RedisStorage):
    """A real Redis storage that counts the round trips the counter makes."""

    def __init__(self, url):
        super().__init__(url)
        self.incrs = self.expiries = 0

    def incr(self, key, expiry, amount=1):
        self.incrs += 1
        return super().incr(key, expiry, amount=amount)

    def get_expiry(self, key):
        self.expiries += 1
        return super().get_expiry(key)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def storage():
    store = CountedRedis(require_backend("COMMENTS_TEST_REDIS_URL", "Redis"))
    yield store
    store.reset()


@pytest.fixture
def client_id():
    return f"test-{uuid.uuid4().hex}"  # a key of this test's own


def test_workers_sharing_a_redis_never_allow_a_client_past_the_amount(storage, client_id):
    item = parse("800 per minute")
    workers = [LeasedCounts(storage), LeasedCounts(storage)]
    allowed = sum(workers[n % 2].hit(item, client_id) for n in range(1000))
    assert allowed <= 800
    # Leases taken and not used count against the client: at most half a lease per worker.
    assert allowed >= 800 - 2 * LeasedCounts.largest_lease(item)


def test_a_burst_costs_one_round_trip_per_lease_not_per_hit(storage, client_id):
    item = parse("800 per minute")
    counter = LeasedCounts(storage, clock=Clock())
    assert all(counter.hit(item, client_id) for _ in range(160))
    # Leases of 1, 2, 4 and 8 hits (15 in all), then of 16 each.
    assert storage.incrs == 4 + -(-(160 - 15) // 16)
    assert storage.incrs < 160 / 10


def test_a_client_that_comes_now_and_then_is_counted_exactly(storage, client_id):
    item = parse("800 per minute")
    clock = Clock()
    counter = LeasedCounts(storage, clock=clock)
    for _ in range(10):
        assert counter.hit(item, client_id)
        clock.now += LEASE_SECONDS
    assert storage.incrs == 10
    assert storage.get(item.key_for(client_id)) == 10


def test_small_limits_are_counted_hit_by_hit(storage, client_id):
    item = parse("10 per minute")
    counter = LeasedCounts(storage, clock=Clock())
    assert [counter.hit(item, client_id) for _ in range(11)] == [True] * 10 + [False]
    assert storage.incrs == 11


def test_a_refusal_is_remembered_for_a_lease_then_asked_again(storage, client_id):
    item = parse("50 per minute")
    clock = Clock()
    counter = LeasedCounts(storage, clock=clock)
    assert all(counter.hit(item, client_id) for _ in range(50))
    asked = storage.incrs
    assert not counter.hit(item, client_id)
    assert not counter.hit(item, client_id)
    assert storage.incrs == asked + 1  # the second refusal cost no round trip
    reset_at = counter.reset_at(item, client_id)
    assert storage.expiries == 1  # read once, when the window refused
    assert reset_at == counter.reset_at(item, client_id) and storage.expiries == 1
    clock.now += LEASE_SECONDS
    assert not counter.hit(item, client_id)
    assert storage.incrs == asked + 2


def test_a_worker_keeps_a_bounded_number_of_leases(storage, monkeypatch):
    monkeypatch.setattr(leased_counts, "MAX_KEPT", 5)
    item = parse("800 per minute")
    clock = Clock()
    counter = LeasedCounts(storage, clock=clock)
    for n in range(12):
        counter.hit(item, f"test-{uuid.uuid4().hex}-{n}")
        clock.now += 0.1
    assert len(counter._leases) <= 5
