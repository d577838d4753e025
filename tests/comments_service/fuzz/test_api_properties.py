"""Properties of the whole API under hostile input, on SQLite and PostgreSQL (issue "Hostile
readers and failing parts"): whatever a client sends to any endpoint, in any field,

- the answer is never a 5xx, and nothing is logged as an error (a failure swallowed after the
  commit is a failure too);
- every 4xx is the JSON error object `{"error": {"code", "message", "fields"?}}`, or an HTML page
  where the contract says so (the no-JS form, the subscription links);
- every comment an answer shows is inert HTML in the public shape;
- the comments (and subscriptions) of someone else, posted before, are exactly as they were.

Each test runs a bounded number of examples against one app whose database keeps what earlier
examples stored, as a live service would. The numbers of requests per endpoint are printed (-s).
"""

import logging
import os
import time
from collections import Counter
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from comments_service import create_app
from comments_service.core.storage import comments as stored
from comments_service.core.storage import database
from comments_service.core.storage.addresses import confirm_address
from comments_service.core.storage.subscriptions import subscribe, subscription_of
from comments_service.core.storage.tables import comments, reply_subscriptions
from comments_service.core.times import stamp
from comments_service.core.tokens import issue_confirm_token, issue_form_token, issue_unsubscribe_token
from comments_service.db import engine as app_engine
from comments_service.notifications import mail
from tests.comments_service.conftest import ORIGIN, CommentsAPI, assert_inert, mail_settings

from .strategies import (
    NEAR_VALID,
    NUMBER_STRINGS,
    Obj,
    comment_fields,
    form_body,
    header_values,
    hostile_text,
    json_body,
    path_segments,
    to_json,
    url_bytes,
    url_encoded,
    wrong_values,
)

#: Examples per test and backend; COMMENTS_FUZZ_EXAMPLES=2000 digs deeper (minutes, not seconds).
EXAMPLES = int(os.environ.get("COMMENTS_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large, HealthCheck.large_base_example])
PUBLIC_FIELDS = {"id", "parent", "author", "website", "html", "created", "edited", "likes",
                 "dislikes", "picked", "pick_note", "kind", "about_reference", "about_paragraph"}
PAGE = "<html><body><!-- comments:start --><!-- comments:end --></body></html>"
SOMEONE = "someone@example.org"  # someone else, whose comments must never change
FUZZER = "fuzzer@example.org"
JSON_TYPES = ["application/json", "application/json; charset=latin-1", "application/json; charset=utf-16"]
OTHER_TYPES = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
               "multipart/form-data; boundary=x", "application/merge-patch+json", "", None]
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
origins = st.one_of(st.just(ORIGIN), st.just(ORIGIN), st.just(None),
                    st.sampled_from(["http://evil.example", "null", ORIGIN + "/", "HTTP://LOCALHOST"]),
                    header_values)


class World:
    """One app on one database with a thread by someone else, and what the fuzzer may use."""

    def __init__(self, app, caplog):
        self.app, self.caplog = app, caplog
        self.client = app.test_client()
        self.api = CommentsAPI(self.client)
        self.engine = database.engine_from_url(app.config["DATABASE_URL"])
        self.tally: Counter = Counter()
        self.others, self.other_tokens = self._someone_elses_thread()
        self.known_ids = [*self.others, 10**6, 2**31 - 1]
        with database.connect(self.engine) as conn:  # what a reply on first-article may answer
            self.repliable = [comment.id for comment in stored.thread_page(conn, "first-article").comments]
        # from now on the fuzzer's own address is approved, as someone's is
        self._approve(self.api.post(author="Fuzzer", email=FUZZER).get_json()["comment"]["id"])
        with database.connect(self.engine, write=True) as conn:
            confirm_address(conn, FUZZER)
            conn.commit()
        self.subscription_tokens = self.own_subscription_tokens()
        self.before = self.others_state()
        caplog.clear()

    def _someone_elses_thread(self) -> tuple[list[int], dict[int, str]]:
        """Comments, replies, a placeholder, a held comment and a confirmed subscription."""
        tokens = {}

        def post(slug="first-article", **fields):
            body = self.api.post(slug, author="Someone", email=SOMEONE, website="https://someone.example",
                                 text=f"Someone's comment number {len(tokens)}.", **fields).get_json()
            tokens[body["comment"]["id"]] = body["edit_token"]
            return body["comment"]["id"]

        first = post()
        self._approve(first)
        with database.connect(self.engine, write=True) as conn:  # and they confirmed their address:
            confirm_address(conn, SOMEONE)  # under moderation "first" their later comments go up at once
            conn.commit()
        reply = post(parent=first)
        post(parent=reply)
        post("second-article")
        gone = post()
        post(parent=gone)
        assert self.api.delete(gone, tokens[gone]).status_code == 200  # a placeholder now
        held = self.api.post(author="Someone", text="Held: posted without an email.").get_json()
        tokens[held["comment"]["id"]] = held["edit_token"]
        with database.connect(self.engine, write=True) as conn:
            subscribe(conn, first, SOMEONE)
            conn.commit()
        return sorted(tokens), tokens

    def _approve(self, comment_id: int) -> None:
        with database.connect(self.engine, write=True) as conn:
            stored.approve_comment(conn, comment_id)
            conn.commit()

    def others_state(self) -> tuple[list, list]:
        """Every column of someone else's comments and subscriptions, as stored."""
        with database.connect(self.engine) as conn:
            return (conn.execute(select(comments).where(comments.c.id.in_(self.others)).order_by(comments.c.id)).all(),
                    conn.execute(select(reply_subscriptions).where(reply_subscriptions.c.comment_id.in_(self.others))
                                 .order_by(reply_subscriptions.c.id)).all())

    def own_comment(self, **fields) -> tuple[int, str]:
        """A comment of the fuzzer's (published with an email, held without)."""
        response = self.call("POST comment", "POST", "/api/threads/first-article/comments",
                             data=to_json(Obj(({"author": "Fuzzer", "text": "My own comment."} | fields).items())),
                             content_type="application/json", headers={"Origin": ORIGIN})
        assert response.status_code in (201, 202), response.get_data(as_text=True)
        body = response.get_json()
        return body["comment"]["id"], body["edit_token"]

    def own_subscription_tokens(self) -> tuple[str, str]:
        comment_id, _ = self.own_comment(email=FUZZER)
        with database.connect(self.engine, write=True) as conn:
            subscribe(conn, comment_id, FUZZER)
            conn.commit()
            row = subscription_of(conn, comment_id)
        key = self.app.secret_key
        return (issue_confirm_token(key, row.id, stamp(row.created)),
                issue_unsubscribe_token(key, row.id, stamp(row.created)))

    def call(self, label, method, path, **request):
        """One request, checked: no 5xx, the documented error shape, inert public comments."""
        self.tally[label] += 1
        response = self.client.open(path, method=method, **request)
        html_errors = (method in ("GET", "POST") and path.startswith("/api/subscriptions/")
                       or method == "POST" and (request.get("content_type") or "").partition(";")[0] in FORM_TYPES
                       # the reader's pages (pages.py), when the URL reaches them
                       or method == "GET" and response.mimetype == "text/html"
                       and ("/reply/" in path or path.endswith("/all")))
        described = (f"{method} {path} {str(request)[:300]} -> {response.status}: "
                     f"{response.get_data(as_text=True)[:300]!r}")
        assert response.status_code < 500, described
        if response.status_code >= 400 and method != "HEAD":
            if html_errors:
                assert response.mimetype == "text/html", described
            else:
                assert response.mimetype == "application/json", described
                error = response.get_json()["error"]
                assert set(error) <= {"code", "message", "fields"}, described
                assert isinstance(error["code"], str) and isinstance(error["message"], str), described
        elif response.is_json and response.status_code == 200 and method != "HEAD" and isinstance(
                body := response.get_json(), dict):
            for comment in filter(None, [body.get("comment"), *body.get("comments", [])]):
                assert set(comment) == PUBLIC_FIELDS, described
                assert_inert(comment["html"])
        return response

    def check_invariants(self) -> None:
        """After each example: nothing logged as an error, someone else's comments unchanged."""
        errors = [record for record in self.caplog.records if record.levelno >= logging.ERROR]
        self.caplog.clear()
        assert not errors, [record.getMessage() for record in errors]
        comments_now, subscriptions_now = self.others_state()
        assert comments_now == self.before[0], ("someone else's comments changed:",
                                                set(comments_now) ^ set(self.before[0]))
        assert subscriptions_now == self.before[1], ("someone else's subscriptions changed:",
                                                     set(subscriptions_now) ^ set(self.before[1]))


@pytest.fixture
def world(any_database_url, app_config, tmp_path, smtp_server, caplog, request):
    site = tmp_path / "site"
    site.mkdir()
    for name in ("first-article", "second-article", "closed-article"):
        (site / f"{name}.html").write_text(PAGE, encoding="utf-8")
    app = create_app(app_config | mail_settings(smtp_server.port) | {
        "DATABASE_URL": any_database_url, "MODERATION": "first", "SITE_DIR": str(site),
        "MIN_FILL_SECONDS": 0})
    caplog.set_level(logging.WARNING)
    world = World(app, caplog)
    yield world
    mail.flush(app)  # what the examples queued is delivered (or its failure logged) before the check
    mail.close(app)
    world.check_invariants()
    print(f"\n{request.node.name}: {sum(world.tally.values())} requests {dict(world.tally)}")
    world.engine.dispose()
    with app.app_context():
        app_engine().dispose()


def slugs() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(["first-article", "first-article", "second-article", "closed-article"]),
                     path_segments)


@FUZZ
@given(data=st.data())
def test_posting_any_json_breaks_nothing(world, data):
    fields = comment_fields(world.known_ids)
    slug = data.draw(slugs())
    body = data.draw(json_body(fields))
    content_type = data.draw(st.sampled_from(JSON_TYPES[:1] * 6 + JSON_TYPES[1:] + OTHER_TYPES[:2]))
    origin = data.draw(origins)
    world.call("POST comment", "POST", f"/api/threads/{slug}/comments", data=body, content_type=content_type,
               headers={"Origin": origin} if origin is not None else {})
    world.check_invariants()


@FUZZ
@given(data=st.data())
def test_posting_any_form_breaks_nothing(world, data):
    slug = data.draw(slugs())
    body = data.draw(form_body(world.known_ids))
    if data.draw(st.booleans()):  # the no-JS form's proof: a token baked into the page
        age = data.draw(st.sampled_from([10, 0, -60, 40 * 86400]))
        body += b"&form_token=" + quote(issue_form_token(world.app.secret_key, "first-article",
                                                          time.time() - age)).encode()
    origin = data.draw(origins)
    content_type = data.draw(st.sampled_from(["application/x-www-form-urlencoded"] * 4 +
                                             ["application/x-www-form-urlencoded; charset=latin-1",
                                              "multipart/form-data; boundary=x"]))
    headers = {"Origin": origin} if origin is not None else {}
    if data.draw(st.integers(0, 4)) == 0:  # where the no-JS form is sent back to comes from the Host
        headers["Host"] = data.draw(header_values)
    world.call("POST form", "POST", f"/api/threads/{slug}/comments", data=body, content_type=content_type,
               headers=headers)
    world.check_invariants()


@st.composite
def authorizations(draw, world: World, own_token: str, target: str) -> str | None:
    """An Authorization header: the fuzzer's own token, someone else's (never for the comment it
    was issued for: that edit would be theirs), a mangled one, another kind of token, garbage."""
    theirs = [token for comment_id, token in world.other_tokens.items() if str(comment_id) != target]
    token = draw(st.sampled_from([own_token[:-1], own_token + "x", own_token.upper(), own_token.replace(".", ".."),
                                  issue_form_token(world.app.secret_key, "first-article"),
                                  *world.subscription_tokens, *theirs]))
    return draw(st.one_of(
        st.just(f"Bearer {own_token}"), st.sampled_from(theirs).map("Bearer {}".format),
        st.sampled_from(["Bearer {}", "bearer   {}  ", "{}", "Basic {}", "Bearer", "Bearer ", ""]).map(
            lambda shape: shape.format(token)),
        st.none(), header_values, header_values.map("Bearer {}".format)))


@FUZZ
@given(data=st.data())
def test_editing_and_deleting_with_any_input_breaks_nothing(world, data):
    reply_to = data.draw(st.one_of(st.none(), st.sampled_from(world.repliable)))
    own_id, own_token = world.own_comment(**data.draw(st.sampled_from([{}, {"email": FUZZER}])),
                                          **({"parent": reply_to} if reply_to else {}))
    target = data.draw(st.one_of(st.just(str(own_id)), st.just(str(own_id)), st.sampled_from(world.others).map(str),
                                 st.sampled_from(world.others).map(str), path_segments, st.integers().map(str)))
    authorization = data.draw(authorizations(world, own_token, target))
    headers = {"Authorization": authorization} if authorization is not None else {}
    origin = data.draw(origins)
    if origin is not None:
        headers["Origin"] = origin
    method = data.draw(st.sampled_from(["PATCH", "PATCH", "DELETE", "DELETE", "PUT", "POST", "GET"]))
    fields = st.one_of(st.just(Obj([("text", "An edit that is fine.")])),
                       st.builds(lambda text: Obj([("text", text)]), st.one_of(NEAR_VALID["text"], wrong_values)),
                       comment_fields(world.known_ids))
    body = data.draw(st.one_of(json_body(fields), st.none()))
    content_type = data.draw(st.sampled_from(JSON_TYPES[:1] * 6 + JSON_TYPES[1:] + OTHER_TYPES))
    world.call(f"{method} comment", method, f"/api/comments/{target}", data=body, content_type=content_type,
               headers=headers)
    if data.draw(st.booleans()):  # and again: a second edit, or an edit of a deleted comment
        world.call(f"{method} comment", method, f"/api/comments/{target}", data=body,
                   content_type=content_type, headers=headers)
    world.check_invariants()


def query(name: str, values: list[str | bytes]) -> dict:
    """Request options sending `name=value` for each value, percent-encoded (surrogates as the
    bytes a careless encoder would send)."""
    return {"query_string": url_encoded([(name.encode(), value if isinstance(value, bytes) else
                                          value.encode("utf-8", "surrogatepass")) for value in values]).decode()}


#: A query string as sent on the wire: percent-encoded hostile bytes, or raw bytes (latin-1 in WSGI).
def query_strings(names: list[str]) -> st.SearchStrategy[dict]:
    encoded = st.tuples(st.sampled_from(names), st.lists(url_bytes, max_size=3)).map(lambda args: query(*args))
    raw = url_bytes.map(lambda value: {"environ_overrides": {"QUERY_STRING": value.decode("latin-1")}})
    return st.one_of(encoded, encoded, raw)


@st.composite
def reads(draw) -> tuple[str, str, str, dict]:
    """(label, method, path, request options) of a read: thread pages, counts, feeds."""
    slug = draw(slugs())
    kind = draw(st.sampled_from(["thread", "thread page", "counts", "thread feed", "site feed", "health",
                                 "openapi", "reply page", "whole thread"]))
    if kind == "thread":
        since = st.one_of(st.sampled_from(NUMBER_STRINGS), st.integers().map(str), hostile_text)
        options = draw(st.one_of(st.lists(since, max_size=2).map(lambda values: query("since", values)),
                                 query_strings(["since", "SINCE", "x"])))
        path = f"/api/threads/{slug}/comments"
    elif kind == "thread page":
        number = st.one_of(st.sampled_from(NUMBER_STRINGS + ["500", "501", "1", "2"]), st.integers().map(str),
                           hostile_text)
        options = draw(st.one_of(
            # Percent-encoded like `query` (a dict would make the test client fail on a surrogate).
            st.tuples(number, number).map(lambda pair: {"query_string": "&".join(
                query(name, [value])["query_string"] for name, value in zip(("limit", "after"), pair))}),
            query_strings(["limit", "after", "since"])))
        path = f"/api/threads/{slug}/comments"
    elif kind in ("reply page", "whole thread"):
        options = draw(query_strings(["x", "parent"]))
        target = draw(st.one_of(st.integers(0, 2**64).map(str), st.sampled_from(["1", "2", "-1", "01", "x"])))
        path = f"/api/threads/{slug}/" + (f"reply/{target}" if kind == "reply page" else "all")
    elif kind == "counts":
        names = st.one_of(slugs(), hostile_text, st.just("first-article"))
        options = draw(st.one_of(st.lists(names, max_size=60).map(lambda values: query("thread", values)),
                                 query_strings(["thread", "thread[]"])))
        path = "/api/counts"
    else:
        options = draw(query_strings(["x", "token", "since"]))
        path = {"thread feed": f"/api/threads/{slug}/feed.atom", "site feed": "/api/feed.atom",
                "health": "/api/health", "openapi": "/api/openapi.yaml"}[kind]
    if draw(st.booleans()):
        options["headers"] = {"If-None-Match": draw(st.one_of(header_values, st.just("*"), st.just('W/"x"')))}
    method = draw(st.sampled_from(["GET"] * 8 + ["HEAD", "OPTIONS", "PUT", "DELETE", "TRACE", "PATCH"]))
    return f"{method} {kind}", method, path, options


@FUZZ
@given(read=reads())
def test_reading_with_any_parameters_breaks_nothing(world, read):
    label, method, path, options = read
    world.call(label, method, path, **options)
    world.check_invariants()


@FUZZ
@given(data=st.data())
def test_subscription_links_with_any_token_break_nothing(world, data):
    confirm, unsubscribe = world.own_subscription_tokens() if data.draw(st.booleans()) else ("", "")
    action = data.draw(st.sampled_from(["confirm", "unsubscribe"]))
    valid = confirm if action == "confirm" else unsubscribe
    token = data.draw(st.one_of(
        st.sampled_from([valid, valid, confirm, unsubscribe, valid[:-1], valid + "A", valid[::-1], "x" * 1001]),
        hostile_text, st.just(world.other_tokens[world.others[0]])))
    options = data.draw(st.one_of(
        st.just(query("token", [token])), st.just(query("token", [token, token + "x"])),
        query_strings(["token", "Token", "x"])))
    method = data.draw(st.sampled_from(["GET", "GET", "POST", "POST", "HEAD", "PUT", "DELETE"]))
    if method == "POST":
        options |= data.draw(st.sampled_from([
            {}, {"data": b"List-Unsubscribe=One-Click", "content_type": "application/x-www-form-urlencoded"},
            {"data": b"\xff\xfe", "content_type": "application/json"},
            {"data": b"token=elsewhere", "content_type": "multipart/form-data"}]))
    world.call(f"{method} {action}", method, f"/api/subscriptions/{action}", **options)
    world.check_invariants()
