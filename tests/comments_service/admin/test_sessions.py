"""The moderator's session and the guard (admin/sessions.py): off without accounts, login
required, the cookie's flags, sessions that end, the CSRF token on every form, the security
headers on every /admin response, and no session outside /admin."""

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from werkzeug.security import generate_password_hash

from comments_service import create_app
from comments_service.core.storage.tables import moderator_sessions
from comments_service.core.times import as_utc, utcnow
from comments_service.db import engine as app_engine

from ..conftest import FAST_HASH, PASSWORD, csrf_of, log_in
from .conftest import held


def cookie_header(response) -> str:
    [cookie] = [value for name, value in response.headers if name == "Set-Cookie" and value.startswith("session=")]
    return cookie


def test_without_accounts_moderation_is_disabled(app_config):
    app = create_app(app_config | {"ADMIN_USERS": {}})
    response = app.test_client().get("/admin/")
    assert response.status_code == 404
    assert "Moderation is disabled" in response.get_data(as_text=True)
    assert response.headers["X-Frame-Options"] == "DENY"
    with app.app_context():
        app_engine().dispose()


def test_pages_need_a_login(client):
    response = client.get("/admin/")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/login"


def test_login_sets_a_strict_http_only_session_cookie(client):
    response = log_in(client)
    assert response.status_code == 303 and response.headers["Location"] == "/admin/"
    cookie = cookie_header(response)
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie
    assert "Expires=" in cookie
    assert client.get("/admin/").status_code == 200


def test_session_cookie_is_secure_over_https(app):
    client = app.test_client()
    client.get("/admin/login", base_url="https://localhost")
    response = client.post("/admin/login", base_url="https://localhost",
                           data={"csrf_token": csrf_of(client), "name": "ann", "password": PASSWORD})
    assert response.status_code == 303 and "; Secure" in cookie_header(response)


def test_secure_flag_can_be_forced(app, client):
    app.config["SESSION_COOKIE_SECURE"] = True
    assert "; Secure" in cookie_header(log_in(client))


def test_logout_ends_the_session(moderator, client):
    response = moderator.post("/admin/logout")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/login"
    assert client.get("/admin/").status_code == 303


def test_a_new_password_ends_old_sessions(app, moderator, client):
    app.config["ADMIN_USERS"] = {"ann": generate_password_hash("a brand new password", method=FAST_HASH)}
    assert client.get("/admin/").status_code == 303


def test_anonymous_posts_change_nothing(client, api):
    comment_id = held(api)
    client.get("/admin/login")
    response = client.post("/admin/moderate", data={"csrf_token": csrf_of(client), "action": "approve",
                                                    "ids": str(comment_id)})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/login"
    assert api.thread()["comments"] == []


FORMS = [("/admin/login", {"name": "ann", "password": PASSWORD}),
         ("/admin/logout", {}),
         ("/admin/moderate", {"action": "approve", "ids": "1"}),
         ("/admin/comments/1/edit", {"text": "New text here"}),
         ("/admin/threads/first-article/lock", {"locked": "1"})]


@pytest.mark.parametrize("path, data", FORMS)
@pytest.mark.parametrize("token, status", [(None, 400), ("forged", 403)])
def test_every_form_needs_the_session_csrf_token(moderator, api, client, path, data, token, status):
    comment_id = held(api)
    data = data | ({} if token is None else {"csrf_token": token})
    response = client.post(path, data=data)
    assert response.status_code == status
    assert "security token" in response.get_data(as_text=True)
    assert client.get(f"/admin/comments/{comment_id}/edit").status_code == 200  # still logged in
    assert api.thread()["comments"] == []
    assert moderator.log() == []


def test_security_headers_on_every_admin_response(moderator, client):
    for path in ("/admin/", "/admin/login", "/admin/log", "/admin/no-such-page",
                 "/admin/static/admin.css", "/admin/threads/no-such-article"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp, path
        assert "form-action 'self'" in csp and "base-uri 'none'" in csp and "unsafe-inline" not in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" not in client.get("/api/health").headers


def test_the_public_api_has_no_session(client, moderator):
    """Only /admin reads and signs the session cookie; the API ignores it and never sets one."""
    response = client.get("/api/threads/first-article/comments")
    assert response.status_code == 200
    assert not [value for name, value in response.headers if name == "Set-Cookie"]
    assert moderator.page("/admin/")  # the moderator's session still works


# Server-side sessions ------------------------------------------------------------------------------

def stored_sessions(app) -> list:
    with app.app_context(), app_engine().connect() as conn:
        return conn.execute(select(moderator_sessions)).all()


def age_sessions(app, **ago) -> None:
    """Move every stored session's `created` / `last_seen` this far into the past (the clock of
    the lifetimes is the database's timestamps; nothing sleeps)."""
    with app.app_context(), app_engine().begin() as conn:
        for column, seconds in ago.items():
            conn.execute(update(moderator_sessions).values({column: utcnow() - timedelta(seconds=seconds)}))


def test_logout_refuses_a_cookie_copied_before_it_on_every_worker(app_config, any_database_url):
    """The login lives in the database, not in the cookie: logging out on one worker ends it for
    a copy of the cookie sent to another worker (here another app on the same database)."""
    config = app_config | {"DATABASE_URL": any_database_url}
    workers = [create_app(config), create_app(config)]
    browser = workers[0].test_client()
    log_in(browser)
    copied = browser.get_cookie("session").value
    thief = workers[1].test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/admin/").status_code == 200
    assert browser.post("/admin/logout", data={"csrf_token": csrf_of(browser)}).status_code == 303
    for worker in workers:
        client = worker.test_client()
        client.set_cookie("session", copied)
        assert client.get("/admin/").status_code == 303, worker
    assert stored_sessions(workers[0]) == []
    for worker in workers:
        with worker.app_context():
            app_engine().dispose()


def test_only_a_hash_of_the_session_id_is_stored(app, client):
    log_in(client)
    with client.session_transaction("/admin/") as session:
        session_id = session["sid"]
    [row] = stored_sessions(app)
    assert row.id_hash == hashlib.sha256(session_id.encode()).hexdigest() != session_id
    assert row.moderator == "ann"


def test_a_session_ends_after_idle_time_and_activity_keeps_it(app, moderator, client):
    idle = app.config["ADMIN_SESSION_IDLE_SECONDS"]
    age_sessions(app, last_seen=idle - 60)
    assert client.get("/admin/").status_code == 200  # still in time, and now seen again
    [row] = stored_sessions(app)
    assert utcnow() - as_utc(row.last_seen) < timedelta(seconds=60)
    age_sessions(app, last_seen=idle + 1)
    assert client.get("/admin/").status_code == 303


def test_a_session_ends_after_its_absolute_lifetime_however_busy(app, moderator, client):
    age_sessions(app, created=app.config["PERMANENT_SESSION_LIFETIME"] - 60)
    assert client.get("/admin/").status_code == 200
    age_sessions(app, created=app.config["PERMANENT_SESSION_LIFETIME"] + 1)
    assert client.get("/admin/").status_code == 303


def test_a_login_clears_away_expired_sessions(app, client):
    log_in(client)
    age_sessions(app, last_seen=app.config["ADMIN_SESSION_IDLE_SECONDS"] + 1)
    log_in(app.test_client())
    assert len(stored_sessions(app)) == 1
