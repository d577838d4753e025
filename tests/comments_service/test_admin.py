"""The moderation UI at /admin/ (admin.py): accounts, login, session cookie, CSRF on every form,
security headers, the queue, every action and its log row, and what readers see afterwards."""

import json

import pytest
from werkzeug.security import check_password_hash, generate_password_hash

from comments_service import create_app, rebake
from comments_service.admin import accounts
from comments_service.db import engine as app_engine

from .conftest import FAST_HASH, ORIGIN, PASSWORD, Moderator, admin_users, csrf_of, error_of, log_in


@pytest.fixture
def app_config(app_config):
    return app_config | {"MODERATION": "all",
                         "ADMIN_USERS": admin_users()}


@pytest.fixture
def moderator(client):
    return Moderator(client)


def held(api, slug="first-article", **fields) -> int:
    """Post a comment that is held for moderation (MODERATION=all); return its id."""
    response = api.post(slug, **fields)
    assert response.status_code == 202, response.get_data(as_text=True)
    return response.get_json()["comment"]["id"]


def cookie_header(response) -> str:
    [cookie] = [value for name, value in response.headers if name == "Set-Cookie" and value.startswith("session=")]
    return cookie


# --- accounts -----------------------------------------------------------------------------------

def test_without_accounts_moderation_is_disabled(app_config):
    app = create_app(app_config | {"ADMIN_USERS": {}})
    response = app.test_client().get("/admin/")
    assert response.status_code == 404
    assert "Moderation is disabled" in response.get_data(as_text=True)
    assert response.headers["X-Frame-Options"] == "DENY"
    with app.app_context():
        app_engine().dispose()


@pytest.mark.parametrize("users, problem", [
    ("not json", "must be a JSON object"),
    ({"ann": "plain password"}, "not a password hash"),
    ({" ann": generate_password_hash("x", method=FAST_HASH)}, "not a usable moderator name"),
])
def test_bad_account_settings_stop_the_start(app_config, users, problem):
    with pytest.raises(RuntimeError, match=problem):
        create_app(app_config | {"ADMIN_USERS": users})


def test_set_password_prints_a_hash_and_the_environment_line(app):
    result = app.test_cli_runner().invoke(args=["set-password", "bob"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    line = result.output.strip().splitlines()[-1]
    name, _, quoted = line.partition("=")
    users = json.loads(quoted.strip("'"))
    assert name == "COMMENTS_ADMIN_USERS" and set(users) == {"ann", "bob"}
    assert check_password_hash(users["bob"], PASSWORD) and users["bob"] in result.output
    assert PASSWORD not in result.output


@pytest.mark.parametrize("args, text, problem", [
    (["set-password", "bob"], "short\n", "12 to 1024 characters"),
    (["set-password", " bob"], PASSWORD + "\n", "moderator name"),
])
def test_set_password_names_the_problem(app, args, text, problem):
    result = app.test_cli_runner().invoke(args=args, input=text)
    assert result.exit_code != 0 and problem in result.output


# --- login, session -------------------------------------------------------------------------------

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


@pytest.mark.parametrize("name, password", [("ann", "wrong password"), ("nobody", PASSWORD),
                                            ("ann", ""), ("ann", PASSWORD + "x" * 2000)])
def test_bad_logins_are_refused_alike(client, name, password):
    response = log_in(client, name, password)
    assert response.status_code == 403
    assert "Wrong name or password." in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 303


def test_an_unknown_name_costs_a_password_check_too(client, monkeypatch):
    checked = []

    def recording_check(password_hash, password):
        checked.append(password_hash)
        return check_password_hash(password_hash, password)

    monkeypatch.setattr(accounts, "check_password_hash", recording_check)
    log_in(client, "nobody", PASSWORD)
    assert len(checked) == 1 and checked[0].startswith(FAST_HASH + "$")


def test_login_is_throttled_per_client(app_config):
    app = create_app(app_config | {"RATELIMIT_ENABLED": True, "ADMIN_LOGIN_RATE_LIMIT": "3 per minute"})
    client = app.test_client()
    for _ in range(3):
        assert log_in(client, password="wrong").status_code == 403
    response = log_in(client)  # even the right password waits
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert "Too many" in response.get_data(as_text=True)
    assert client.get("/admin/login").status_code == 200  # the page itself is not throttled
    with app.app_context():
        app_engine().dispose()


def test_logout_ends_the_session(moderator, client):
    response = moderator.post("/admin/logout")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/login"
    assert client.get("/admin/").status_code == 303


def test_a_new_password_ends_old_sessions(app, moderator, client):
    app.config["ADMIN_USERS"] = {"ann": generate_password_hash("a brand new password", method=FAST_HASH)}
    assert client.get("/admin/").status_code == 303


# --- CSRF, headers --------------------------------------------------------------------------------

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


def test_pages_have_no_script_and_no_inline_style(moderator, api):
    held(api)
    for path in ("/admin/", "/admin/log", "/admin/threads/first-article", "/admin/comments/1/edit"):
        html = moderator.page(path)
        assert "<script" not in html and "style=" not in html and "<style" not in html


# --- queue ----------------------------------------------------------------------------------------

def test_queue_shows_held_comments_newest_first_with_what_moderators_need(moderator, api):
    first = held(api, author="Early", email="early@example.org", text="First, see https://a.example")
    second = held(api, "second-article", author="Late", text="Second <b>bold</b>")
    html = moderator.page()
    assert html.index(f"#{second}<") < html.index(f"#{first}<")
    assert "Second &lt;article&gt;" in html and "First article" in html  # titles, escaped
    assert "early@example.org" in html and "Early" in html
    assert "Second &lt;b&gt;bold&lt;/b&gt;" in html  # the text as typed, escaped
    assert "moderation-all links" in html


def test_queue_pages_and_states(app, moderator, api):
    app.config["ADMIN_PAGE_SIZE"] = 1
    first = held(api, text="First one")
    held(api, text="Second one")
    assert "Second one" in moderator.page() and "First one" not in moderator.page()
    assert "First one" in moderator.page(page=2)
    moderator.act("approve", first)
    assert "First one" in moderator.page(state="approved")


@pytest.mark.parametrize("params", [{"state": "everything"}, {"page": "0"}, {"page": "x"}])
def test_bad_listing_parameters_are_400(moderator, client, params):
    assert client.get("/admin/", query_string=params).status_code == 400


# --- actions --------------------------------------------------------------------------------------

def test_approve_publishes_and_logs(moderator, api):
    comment_id = held(api, text="Worth reading")
    assert api.thread()["comments"] == []
    response = moderator.act("approve", comment_id, next="/admin/?state=pending")
    assert response.headers["Location"] == "/admin/?state=pending"
    [comment] = api.thread()["comments"]
    assert comment["id"] == comment_id and "Worth reading" in comment["html"]
    assert moderator.log()[0][1:4] == ["ann", "approve", f"#{comment_id}"]


def test_reject_hides_and_logs(moderator, api):
    comment_id = held(api)
    moderator.act("reject", comment_id, reason="spam")
    assert api.thread()["comments"] == []
    assert f"#{comment_id}<" in moderator.page(state="rejected")
    assert moderator.log()[0][1:] == ["ann", "reject", f"#{comment_id}", "first-article", "spam"]


def test_delete_with_a_public_reason_is_escaped_for_readers(moderator, api, client):
    comment_id = held(api, email="reader@example.org")
    moderator.act("approve", comment_id)
    moderator.act("delete", comment_id, reason="<script>alert(1)</script>", public="on")
    body = api.thread()
    [placeholder] = body["comments"]
    assert placeholder["html"].endswith("Removed by a moderator: &lt;script&gt;alert(1)&lt;/script&gt;</p>")
    assert "<script>" not in json.dumps(body) and body["count"] == 0
    assert moderator.log()[0][1:] == ["ann", "delete", f"#{comment_id}", "first-article",
                                      "<script>alert(1)</script>"]


def test_delete_without_public_reason_removes_the_comment(moderator, api):
    comment_id = held(api)
    moderator.act("approve", comment_id)
    moderator.act("delete", comment_id, reason="private note")
    assert api.thread()["comments"] == []


def test_edit_re_renders_and_sanitises(moderator, api):
    comment_id = held(api)
    moderator.act("approve", comment_id)
    response = moderator.post(f"/admin/comments/{comment_id}/edit", text="Now *better* <script>x</script>",
                              next="/admin/log")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/log"
    [comment] = api.thread()["comments"]
    assert "<em>better</em>" in comment["html"] and "<script>" not in comment["html"]
    assert comment["edited"] is not None
    assert moderator.log()[0][2] == "edit"


def test_edit_keeps_what_was_typed_on_a_bad_text(moderator, api):
    comment_id = held(api)
    response = moderator.post(f"/admin/comments/{comment_id}/edit", text="ab")
    assert response.status_code == 400
    assert "at least 3 characters" in response.get_data(as_text=True)
    assert moderator.client.get("/admin/comments/999/edit").status_code == 404


def test_bulk_action_on_many_comments(moderator, api):
    ids = [held(api, text=f"Comment number {n}") for n in range(3)]
    moderator.act("approve", *ids[:2])
    assert [c["id"] for c in api.thread()["comments"]] == ids[:2]
    assert [row[2:4] for row in moderator.log()] == [["approve", f"#{ids[1]}"], ["approve", f"#{ids[0]}"]]


@pytest.mark.parametrize("data, message", [
    ({"action": "publish", "ids": "1"}, "action must be one of"),
    ({"action": "approve"}, "Select at least one"),
    ({"action": "approve", "ids": "one"}, "by their numbers"),
    ({"action": "approve", "ids": str(2**40)}, "by their numbers"),
    ({"action": "approve", "ids": [str(n) for n in range(1, 502)]}, "at most 500"),
    ({"action": "delete", "ids": "1", "public": "on"}, "Write the reason"),
    ({"action": "reject", "ids": "1", "reason": "x" * 501}, "at most 500"),
])
def test_bad_moderation_input_is_400_with_a_message(moderator, api, data, message):
    held(api)
    response = moderator.post("/admin/moderate", **data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert moderator.log() == []


def test_next_never_leaves_the_admin_pages(moderator, api):
    comment_id = held(api)
    response = moderator.act("approve", comment_id, next="https://evil.example/admin/")
    assert response.headers["Location"] == "/admin/"


def test_lock_refuses_new_comments_until_unlocked(moderator, api):
    response = moderator.post("/admin/threads/first-article/lock", locked="1", reason="flame war")
    assert response.status_code == 303
    assert "locked" in moderator.page("/admin/threads/first-article")
    refused = api.post()
    assert refused.status_code == 403 and error_of(refused)["code"] == "thread_locked"
    assert api.thread()["open"] is False
    moderator.post("/admin/threads/first-article/lock", locked="0")
    assert api.post().status_code == 202
    assert [row[2] for row in moderator.log()] == ["unlock", "lock"]


def test_lock_input_is_checked(moderator):
    assert moderator.post("/admin/threads/first-article/lock", locked="yes").status_code == 400
    assert moderator.post("/admin/threads/nowhere/lock", locked="1").status_code == 404


def test_actions_that_readers_see_rebake_the_article(moderator, api, monkeypatch):
    rebaked = []
    monkeypatch.setattr(rebake, "rebake_article", lambda thread: rebaked.append(thread.slug))
    comment_id = held(api, text="Held then approved")
    moderator.act("reject", held(api, text="Never seen"))
    assert rebaked == []
    moderator.act("approve", comment_id)
    moderator.post("/admin/threads/second-article/lock", locked="1")
    assert rebaked == ["first-article", "second-article"]


def test_anonymous_posts_change_nothing(client, api):
    comment_id = held(api)
    client.get("/admin/login")
    response = client.post("/admin/moderate", data={"csrf_token": csrf_of(client), "action": "approve",
                                                    "ids": str(comment_id)})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/login"
    assert api.thread()["comments"] == []


def test_no_email_reaches_the_public_api_after_actions(moderator, api, client):
    ids = [held(api, email=f"reader{n}@example.org", text=f"Comment number {n}") for n in range(3)]
    moderator.act("approve", *ids)
    moderator.post(f"/admin/comments/{ids[0]}/edit", text="Edited by a moderator")
    moderator.act("delete", ids[1], reason="rude", public="on")
    public = [client.get(path, headers={"Origin": ORIGIN}).get_data(as_text=True)
              for path in ("/api/threads/first-article/comments", "/api/feed.atom",
                           "/api/threads/first-article/feed.atom")]
    assert all("@example.org" not in text for text in public)


def test_the_public_api_has_no_session(client, moderator):
    """Only /admin reads and signs the session cookie; the API ignores it and never sets one."""
    response = client.get("/api/threads/first-article/comments")
    assert response.status_code == 200
    assert not [value for name, value in response.headers if name == "Set-Cookie"]
    assert moderator.page("/admin/")  # the moderator's session still works
