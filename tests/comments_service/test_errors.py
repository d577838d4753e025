"""Error rendering: JSON for the API, an HTML page that keeps the input for the no-JS form."""

import re

import pytest
from flask import Blueprint

from .conftest import ORIGIN, error_of

URL = "/api/threads/first-article/comments"


def form_post(client, data, **headers):
    return client.post(URL, data=data, headers={"Origin": ORIGIN} | headers)


def test_form_validation_error_page_keeps_input_and_marks_fields(client):
    response = form_post(client, {"author": 'Ann "<b>', "email": "bad", "text": "Hi", "parent": ""})
    assert response.status_code == 400 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'value="Ann &#34;&lt;b&gt;"' in page  # kept, escaped
    assert '<textarea id="text" name="text" rows="8" required aria-invalid="true"' in page
    assert "Comment must be at least 3 characters." in page
    assert 'id="email-error">Email (optional, never shown) must be an email address' in page
    assert 'action="/api/threads/first-article/comments"' in page
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    assert token and client.get(URL).status_code == 200


def test_resubmitting_the_error_page_works(client, app):
    page = form_post(client, {"author": "Ann", "text": "Hi"}).get_data(as_text=True)
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    app.config["MIN_FILL_SECONDS"] = 0
    response = client.post(URL, data={"author": "Ann", "text": "Hi again, longer", "form_token": token})
    assert response.status_code == 303


@pytest.mark.parametrize("data, status, message", [
    ({"author": "Ann", "text": "Hello there", "homepage": "spam"}, 400, "could not be accepted"),
    ({"author": "Ann", "text": "x" * 70_000}, 413, "too long to be sent"),
])
def test_other_form_errors_are_html_pages_too(client, data, status, message):
    response = form_post(client, data)
    assert response.status_code == status and response.mimetype == "text/html"
    assert message in response.get_data(as_text=True)


def test_closed_thread_form_page(client):
    response = client.post("/api/threads/closed-article/comments", data={"author": "A", "text": "Hello"},
                           headers={"Origin": ORIGIN})
    assert response.status_code == 403 and "Comments are closed" in response.get_data(as_text=True)


def test_unknown_url_is_json_404(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_unexpected_errors_are_500_json_without_details(app_config):
    from comments_service import create_app

    app = create_app(app_config)
    boom = Blueprint("boom", __name__)

    @boom.get("/boom")
    def explode():
        raise RuntimeError("secret internals")

    app.register_blueprint(boom)
    app.testing = False  # let the handler answer instead of propagating
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert error_of(response) == {"code": "internal_error", "message": "Something went wrong on our side."}
    assert b"secret internals" not in response.data and b"Traceback" not in response.data


def test_a_connection_pool_exhausted_too_long_is_a_503_with_retry_after(app_config, tmp_path):
    """Every pooled connection held past the pool's timeout (a slow database under load: 16
    threads a worker, 15 connections) raises SQLAlchemy's TimeoutError, not an OperationalError:
    it was a 500 "internal_error", though nothing was stored and a retry may work."""
    from sqlalchemy import create_engine

    from comments_service import create_app

    app = create_app(app_config)
    busy = create_engine(f"sqlite:///{tmp_path / 'busy.sqlite3'}", pool_size=1, max_overflow=0,
                         pool_timeout=0.01)
    held = busy.connect()
    slow = Blueprint("slow", __name__)

    @slow.get("/slow")
    def wait_for_a_connection():
        with busy.connect():
            return "never"

    app.register_blueprint(slow)
    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/slow")
    held.close()
    busy.dispose()
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert error_of(response)["code"] == "unavailable"


def test_the_error_page_keeps_what_the_comment_is_about(client):
    """A correction sent without JavaScript stays a correction when the reader fixes the text."""
    page = form_post(client, {"author": "Ann", "text": "Hi", "kind": "correction", "about_paragraph": "3",
                              "about_reference": ""}).get_data(as_text=True)
    assert '<input type="hidden" name="kind" value="correction">' in page
    assert '<input type="hidden" name="about_paragraph" value="3">' in page
    assert 'name="about_reference"' not in page
    page = form_post(client, {"author": "Ann", "text": "Hello there", "about_reference": "1000"}).get_data(as_text=True)
    assert 'id="about_reference-error">The reference must be the number of a reference, 1-999.' in page
    assert '<input type="hidden" name="about_reference" value="1000">' in page


def test_the_error_page_has_the_sites_look_and_says_what_to_fix(client):
    """Issue 15: the site's stylesheet and header (its name linking home), the problem, then
    what to do in plain words, and a way back to the article's form."""
    response = form_post(client, {"author": "Ann", "text": "Hi"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<link rel="stylesheet" href="http://localhost/theme/css/site.css">' in page
    assert '<p class="site-title"><a href="http://localhost/">Newsroom</a></p>' in page
    assert "Correct the fields marked below, then post your comment again." in page
    assert 'href="http://localhost/first-article.html#comment-form"' in page


def test_the_error_page_uses_the_configured_site(app, client):
    app.config.update(SITE_URL="https://news.example.org", SITE_NAME="The <Daily>")
    page = form_post(client, {"author": "Ann", "text": "Hi"}).get_data(as_text=True)
    assert '<link rel="stylesheet" href="https://news.example.org/theme/css/site.css">' in page
    assert '<a href="https://news.example.org/">The &lt;Daily&gt;</a>' in page


def test_an_expired_form_says_to_post_again(client, app):
    page = form_post(client, {"author": "Ann", "text": "Hello there", "form_token": "x.y.z"})
    assert page.status_code == 403
    assert "Your text is kept below in a fresh form: post it again." in page.get_data(as_text=True)


def test_hostile_input_stays_text_on_the_error_page(client):
    hostile = '"><script>alert(1)</script>'
    page = form_post(client, {"author": hostile, "text": hostile, "website": "javascript:alert(1)"}
                     ).get_data(as_text=True)
    assert "<script>" not in page and "&lt;script&gt;" in page
