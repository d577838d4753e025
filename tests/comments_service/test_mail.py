"""mail.py: plain-text messages, sent off the request path through a real SMTP server (aiosmtpd),
and the moderator mail a held comment causes (notify.py)."""

import logging

import pytest

from comments_service import create_app
from comments_service.notifications import mail
from comments_service.notifications.mail import Outgoing, build_message, header_text
from tests.comments_service.conftest import error_of, free_port, mail_settings, outbox_rows


@pytest.fixture
def app_config(app_config, smtp_server):
    return app_config | mail_settings(smtp_server.port) | {"MODERATION": "all"}


def delivered(app, smtp_server):
    mail.flush(app)
    return smtp_server.messages


def test_held_comment_mails_every_moderator_in_plain_text(app, api, smtp_server):
    response = api.post(author="Ann", email="ann@example.org", website="https://ann.example",
                        text="See <b>this</b> and **that** at https://example.org/x")
    assert response.status_code == 202

    [message] = delivered(app, smtp_server)
    assert smtp_server.recipients == [["editor@news.example.org", "desk@news.example.org"]]
    assert message["To"] == "editor@news.example.org, desk@news.example.org"
    assert message["From"] == "News comments <comments@news.example.org>"
    assert message["Subject"] == "Held for moderation: comment by Ann on “First article”"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"] and message["Date"]
    assert not message.is_multipart() and message.get_content_type() == "text/plain"
    body = message.get_content()
    assert "See <b>this</b> and **that** at https://example.org/x" in body  # as typed, not HTML
    assert "First article\n         http://localhost/first-article.html" in body
    assert "Author:  Ann" in body and "Email:   ann@example.org" in body
    assert "Held because: every comment is held, contains links" in body
    assert "https://news.example.org/admin/" in body


def test_published_comment_mails_nobody(app, api, smtp_server):
    app.config["MODERATION"] = "none"
    api.comment(email="ann@example.org")
    assert delivered(app, smtp_server) == []


def test_post_returns_while_the_smtp_server_is_blocked(app, api, smtp_server):
    smtp_server.gate.clear()  # the server takes the mail but does not answer DATA
    assert api.post().status_code == 202
    assert smtp_server.messages == []  # the response came first
    smtp_server.gate.set()
    [message] = delivered(app, smtp_server)
    assert message["Subject"].startswith("Held for moderation")


def test_smtp_server_down_still_accepts_the_comment_keeps_the_mail_and_logs(app_config, caplog):
    app = create_app(app_config | {"SMTP_PORT": free_port()})  # nothing listens there
    with caplog.at_level(logging.WARNING, logger="comments_service.notifications"):
        response = app.test_client().post("/api/threads/first-article/comments",
                                          json={"author": "Ann", "text": "Still here."},
                                          headers={"Origin": "http://localhost"})
        mail.flush(app)
    mail.close(app)
    assert response.status_code == 202
    [record] = caplog.records  # one attempt: the next one is MAIL_RETRY_BASE_SECONDS away
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert "not sent (attempt 1 of 15)" in message and "Held for moderation" in message
    assert isinstance(record.exc_info[1], ConnectionRefusedError)
    [row] = outbox_rows(app)
    assert row.attempts == 1 and "ConnectionRefusedError" in row.last_error and row.failed_at is None


def test_line_breaks_in_a_name_cannot_add_headers(app, api, smtp_server):
    assert error_of(api.post(author="Eve\r\nBcc: victim@example.org"))["fields"] == {
        "author": "must not contain control characters"}
    assert api.post(author="Eve\u2028Bcc: victim@example.org\u2029X-Evil: 1").status_code == 202

    [message] = delivered(app, smtp_server)
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert message["Subject"] == ("Held for moderation: comment by Eve Bcc: victim@example.org "
                                  "X-Evil: 1 on “First article”")
    assert smtp_server.recipients == [["editor@news.example.org", "desk@news.example.org"]]


@pytest.mark.parametrize("raw, clean", [
    ("Ann\r\nBcc: x@example.org", "Ann Bcc: x@example.org"),
    ("a\nb\rc\x85d\u2028e\u2029f\x00g", "a b c d e f g"),
    ("  spaced \t out  ", "spaced out"),
])
def test_header_text_is_one_clean_line(raw, clean):
    assert header_text(raw) == clean


def test_built_message_is_plain_utf8_text():
    message = build_message("Desk <desk@example.org>", Outgoing(
        ("reader@example.org",), "Grüße\r\nBcc: x@example.org", "Zeile 1\nÜbermorgen ✓\n" + "x" * 2000,
        (("List-Unsubscribe", "<https://example.org/u?token=abc>"),)))
    assert message["Subject"] == "Grüße Bcc: x@example.org" and message["Bcc"] is None
    assert message.get_content_type() == "text/plain" and message.get_content_charset() == "utf-8"
    assert message.get_content() == "Zeile 1\nÜbermorgen ✓\n" + "x" * 2000 + "\n"
    assert all(len(line) <= 998 for line in message.as_bytes().splitlines())
    assert message["List-Unsubscribe"] == "<https://example.org/u?token=abc>"


def test_an_address_that_is_not_one_is_refused():
    with pytest.raises(ValueError):
        build_message("desk@example.org", Outgoing(("a,b@example.org",), "Hi", "Hello"))


@pytest.mark.parametrize("settings, problem", [
    ({"SMTP_SECURITY": "tls"}, "COMMENTS_SMTP_SECURITY must be one of none, starttls, ssl"),
    ({"SMTP_FROM": ""}, "COMMENTS_SMTP_FROM must be set"),
    ({"MODERATOR_EMAILS": "desk@example.org"}, "COMMENTS_MODERATOR_EMAILS must be a JSON list"),
    ({"MAIL_MAX_ATTEMPTS": 0}, "COMMENTS_MAIL_MAX_ATTEMPTS must be a whole number, 1 or more"),
    ({"MAIL_RETRY_BASE_SECONDS": 0}, "COMMENTS_MAIL_RETRY_BASE_SECONDS must be a number of seconds"),
    ({"MAIL_LEASE_SECONDS": "soon"}, "COMMENTS_MAIL_LEASE_SECONDS must be a number of seconds"),
])
def test_bad_smtp_settings_stop_the_app_with_a_clear_message(app_config, settings, problem):
    with pytest.raises(RuntimeError, match=problem):
        create_app(app_config | settings)


def test_default_port_follows_the_security_setting(app):
    ports = {security: mail.smtp_settings(app.config | {"SMTP_PORT": 0, "SMTP_SECURITY": security}).port
             for security in ("none", "starttls", "ssl")}
    assert ports == {"none": 25, "starttls": 587, "ssl": 465}
    assert mail.smtp_settings(app.config | {"SMTP_HOST": ""}) is None


FORGED = ("Nice article.\nApprove or reject it: https://evil.example/admin/\u2028"
          "Held because: nothing\u2029Author:  The Editor")


def test_a_hostile_host_header_and_text_cannot_forge_the_moderator_mail(app, api, smtp_server):
    app.config["SITE_URL"] = "https://news.example.org"
    response = api.post(author="Ann", email="ann@example.org", text=FORGED, notify=True,
                        headers={"Host": "evil.example", "Origin": "http://evil.example"})
    assert response.status_code == 202
    messages = delivered(app, smtp_server)
    bodies = [message.get_content() for message in messages]
    assert bodies and all("evil.example" not in body.replace("https://evil.example/admin/", "")
                          for body in bodies)
    moderator = bodies[0]
    lines = moderator.splitlines()
    assert [line for line in lines if line.startswith("Approve or reject it:")] == [
        "Approve or reject it: https://news.example.org/admin/"]
    forged = [line for line in lines if "evil.example" in line]
    assert forged and all(line.startswith("> ") for line in forged)
    assert "https://news.example.org/first-article.html" in moderator


def test_production_refuses_to_start_without_the_public_address(app_config):
    with pytest.raises(RuntimeError, match="COMMENTS_SITE_URL is not set"):
        create_app(app_config | {"TESTING": False})
    with pytest.raises(RuntimeError, match="absolute http"):
        create_app(app_config | {"SITE_URL": "news.example.org"})
