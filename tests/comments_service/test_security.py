"""Write defences (Origin, form token, honeypot) and rate limits, in memory and on Redis."""

import time
import uuid

import pytest
import redis

from comments_service import create_app
from comments_service.core.tokens import issue_form_token
from comments_service.db import engine as app_engine
from tests.conftest import require_backend

from .conftest import ORIGIN, error_of

URL = "/api/threads/first-article/comments"
COMMENT = {"author": "Ann", "text": "Hello there"}


def token(slug="first-article", age=60.0, key="test secret key") -> str:
    return issue_form_token(key, slug, now=time.time() - age)


@pytest.mark.parametrize("origin", ["https://evil.example", "http://localhost:8080", "null",
                                    "http://localhost.evil.example"])
def test_foreign_origin_is_403_even_with_a_valid_token(client, origin):
    response = client.post(URL, json=COMMENT | {"form_token": token()}, headers={"Origin": origin})
    assert response.status_code == 403 and error_of(response)["code"] == "bad_origin"


def test_foreign_origin_cannot_edit_or_delete(api, client):
    created = api.comment()
    headers = {"Authorization": f"Bearer {created['edit_token']}", "Origin": "https://evil.example"}
    comment_url = f"/api/comments/{created['comment']['id']}"
    assert client.patch(comment_url, json={"text": "Hijacked!"}, headers=headers).status_code == 403
    assert client.delete(comment_url, headers=headers).status_code == 403


def test_configured_origin_is_allowed(client, app):
    app.config["ALLOWED_ORIGINS"] = ["https://news.example"]
    response = client.post(URL, json=COMMENT, headers={"Origin": "https://news.example"})
    assert response.status_code == 201


def test_no_origin_and_no_token_is_403(client):
    response = client.post(URL, json=COMMENT)
    assert response.status_code == 403 and error_of(response)["code"] == "missing_token"


def test_a_valid_form_token_stands_in_for_origin(client):
    assert client.post(URL, json=COMMENT | {"form_token": token()}).status_code == 201
    assert client.post(URL, data=COMMENT | {"form_token": token()}).status_code == 303


@pytest.mark.parametrize("case, token_args, message", [
    ("too fast", {"age": 0}, "wait a few seconds"),
    ("expired", {"age": 31 * 24 * 3600}, "expired"),
    ("other thread", {"slug": "second-article"}, "another page"),
    ("other key", {"key": "another key"}, "not valid"),
])
def test_bad_form_tokens_are_403_even_from_the_same_origin(client, app, case, token_args, message):
    response = client.post(URL, json=COMMENT | {"form_token": token(**token_args)}, headers={"Origin": ORIGIN})
    assert response.status_code == 403
    assert error_of(response)["code"] == "bad_token" and message in error_of(response)["message"]
    with app.app_context(), app_engine().connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM comments").scalar_one() == 0


def test_honeypot_gets_a_neutral_400(client):
    response = client.post(URL, json=COMMENT | {"homepage": "x"}, headers={"Origin": ORIGIN})
    assert response.status_code == 400
    assert error_of(response) == {"code": "rejected", "message": "Your comment could not be accepted."}


def test_stored_ip_is_a_salted_hash(api, app):
    api.client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    api.comment()
    with app.app_context(), app_engine().connect() as conn:
        stored = conn.exec_driver_sql("SELECT ip_hash FROM comments").scalar_one()
    assert stored and "198.51.100.7" not in stored and len(stored) == 64


# --- rate limits ------------------------------------------------------------------------------

@pytest.fixture
def limited_app(app_config):
    """Rate limits on, small: 2 writes and 5 requests per minute per client."""

    def _make(**extra):
        app = create_app(app_config | {"RATELIMIT_ENABLED": True, "WRITE_RATE_LIMIT": "2 per minute",
                                       "READ_RATE_LIMIT": "5 per minute"} | extra)
        apps.append(app)
        return app

    apps = []
    yield _make
    for app in apps:
        with app.app_context():
            app_engine().dispose()


def assert_rate_limited(response):
    assert response.status_code == 429
    assert error_of(response)["code"] == "rate_limited"
    assert 0 < int(response.headers["Retry-After"]) <= 60


def exercise_limits(client):
    """Writes hit the write limit, reads the read limit, each endpoint on its own."""
    post = lambda: client.post(URL, json=COMMENT, headers={"Origin": ORIGIN})  # noqa: E731
    assert [post().status_code for _ in range(2)] == [201, 201]
    assert_rate_limited(post())
    for path in ("/api/health", "/api/counts?thread=first-article", "/api/feed.atom"):
        assert [client.get(path).status_code for _ in range(5)] == [200] * 5
        assert_rate_limited(client.get(path))


def test_rate_limits_in_memory(limited_app):
    exercise_limits(limited_app().test_client())


def test_rate_limits_are_per_client(limited_app):
    app = limited_app()
    first, second = app.test_client(), app.test_client()
    second.environ_base["REMOTE_ADDR"] = "198.51.100.8"
    for _ in range(5):
        first.get("/api/health")
    assert first.get("/api/health").status_code == 429
    assert second.get("/api/health").status_code == 200


@pytest.mark.redis
def test_rate_limits_on_redis(limited_app):
    redis_url = require_backend("COMMENTS_TEST_REDIS_URL", "Redis")
    prefix = f"comments-test-{uuid.uuid4().hex}"
    store = redis.Redis.from_url(redis_url)
    try:
        app = limited_app(RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_KEY_PREFIX=prefix)
        exercise_limits(app.test_client())
        assert list(store.scan_iter(f"*{prefix}*")), "the counters are not in Redis"
        # A second app (another worker) on the same Redis shares the counters.
        other = limited_app(RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_KEY_PREFIX=prefix)
        assert_rate_limited(other.test_client().get("/api/health"))
    finally:
        keys = list(store.scan_iter(f"*{prefix}*"))
        if keys:
            store.delete(*keys)
        store.close()


@pytest.mark.redis
def test_an_allowed_read_costs_one_redis_round_trip_and_a_refusal_still_says_when(limited_app):
    """The limiter counts a request in one command (INCR and EXPIRE in one script); the
    X-RateLimit-* headers, which cost two more on every response, are off, and only a 429
    reads its window for Retry-After (issue 16: the limiter cost more than half the reads)."""
    redis_url = require_backend("COMMENTS_TEST_REDIS_URL", "Redis")
    prefix = f"comments-test-{uuid.uuid4().hex}"
    app = limited_app(RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_KEY_PREFIX=prefix)
    client = app.test_client()
    client.get(URL)  # loads the script, opens the pool's connection
    store = app.extensions["comments_limiter"].storage.storage
    commands = []
    plain = store.execute_command
    store.execute_command = lambda *args, **options: commands.append(args[0]) or plain(*args, **options)
    try:
        response = client.get(URL)
        assert response.status_code == 200 and commands == ["EVALSHA"]
        assert not any(name.startswith("X-RateLimit") for name, _ in response.headers)
        for _ in range(3):
            client.get(URL)
        assert_rate_limited(client.get(URL))
    finally:
        del store.execute_command
        keys = list(store.scan_iter(f"*{prefix}*"))
        if keys:
            store.delete(*keys)


def test_flask_limiter_hooks_only_the_blueprints_with_limits_of_their_own(limited_app):
    """The counter (request_limits.py) counts every other request: there Flask-Limiter's three
    hooks had nothing to do but cost every request (the thread GET above all, issue 16)."""
    app = limited_app(RATELIMIT_HEADERS_ENABLED=True, SUBSCRIPTION_RATE_LIMIT="2 per minute")
    limiter = app.extensions["comments_limiter"]

    def its(funcs):
        return [func for func in funcs
                if getattr(func, "__self__", None) is limiter or limiter in getattr(func, "args", ())]

    hooks = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)
    assert [its(funcs.get(None, [])) for funcs in hooks] == [[], [], []]
    for blueprint in ("admin", "subscriptions", "preview"):
        assert [len(its(funcs[blueprint])) for funcs in hooks] == [1, 1, 1]
        assert its(app.before_request_funcs[blueprint]) == app.before_request_funcs[blueprint][:1]
        # after_request hooks run last first: Flask-Limiter's after the blueprint's own, as before
        assert its(app.after_request_funcs[blueprint]) == app.after_request_funcs[blueprint][1:2]
    client = app.test_client()
    url = "/api/subscriptions/unsubscribe?token=nonsense"
    answers = [client.get(url) for _ in range(3)]
    assert [answer.status_code for answer in answers][2] == 429  # still counted by Flask-Limiter
    assert "X-RateLimit-Limit" in answers[0].headers  # with its headers where it counts
    thread = client.get(URL)
    assert thread.status_code == 200
    assert not any(name.startswith("X-RateLimit") for name in thread.headers.keys())
