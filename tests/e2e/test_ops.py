"""When something goes wrong, and moderating, in Chromium (issue 15, items 4-6): the site's 404
page, the no-JS comment error page in the site's look, `make serve` refusing a `make publish`
build, and a moderator made with the real `set-password` command logging in to the admin pages
(Held count, words not codes, dark mode). Each page is axe-clean and asks no other host."""

import json
import os
import re
import shlex
import subprocess
import sys

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.conftest import ROOT
from tests.site.conftest import run_pelican

from .conftest import SECRET_KEY, write_content

PASSWORD = "a moderator's long password"
DARK_BACKGROUND = "rgb(18, 18, 18)"  # --bg of the dark palette (site.css, admin.css)


def axe_violations(page) -> str:
    results = Axe().run(page)
    return "" if results.violations_count == 0 else results.generate_report()


def watch_requests(page) -> list[str]:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    return requests


def foreign(requests: list[str], server) -> list[str]:
    return [url for url in requests if not url.startswith((server.base_url + "/", "data:"))]


def background(page, selector="body") -> str:
    return page.locator(selector).evaluate("element => getComputedStyle(element).backgroundColor")


# 404 ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/no-such-article.html", "/deep/unknown/path/"])
def test_an_unknown_page_is_the_sites_404_page(page, server, path):
    requests = watch_requests(page)
    response = page.goto(server.base_url + path)
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    expect(page.locator(".site-title a")).to_have_attribute("href", "/")
    # The site's stylesheet applied (the masthead rule), whatever the depth of the URL.
    assert page.locator(".site-header").evaluate("e => getComputedStyle(e).borderBottomStyle") == "solid"
    expect(page.get_by_role("link", name="Search the site")).to_have_attribute("href", "/search.html")
    expect(page.get_by_role("link", name="Go to the front page")).to_have_attribute("href", "/")
    expect(page.locator("main .term-list a").first).to_have_attribute("href", re.compile(r"^/category/"))
    page.get_by_role("link", name="Go to the front page").click()
    expect(page.locator(".site-title")).to_be_visible()
    assert page.url == server.base_url + "/"
    assert foreign(requests, server) == []


def test_the_404_page_is_axe_clean_in_light_and_dark(browser, server):
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        assert page.goto(server.base_url + "/missing.html").status == 404
        assert (background(page) == DARK_BACKGROUND) == (scheme == "dark")
        assert axe_violations(page) == ""
        context.close()


def test_the_api_keeps_json_errors(page, server):
    response = page.request.get(server.base_url + "/api/no-such-endpoint")
    assert response.status == 404 and response.json()["error"]["code"] == "not_found"


# The no-JS comment error page --------------------------------------------------------------------

def post_plain_form(page, server, slug: str, **fields: str) -> None:
    """Post the comments endpoint as the no-JS form does (a plain form POST from the article),
    in a page that has JavaScript for axe: the widget is bypassed, not the browser."""
    page.goto(server.url(slug))
    with page.expect_navigation():
        page.evaluate("""([action, fields]) => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = action;
            for (const [name, value] of Object.entries(fields)) {
                const input = document.createElement("input");
                input.type = "hidden"; input.name = name; input.value = value;
                form.append(input);
            }
            document.body.append(form);
            form.submit();
        }""", [f"{server.base_url}/api/threads/{slug}/comments", fields])


def test_the_no_js_error_page_looks_like_the_site_and_says_what_to_fix(browser, static_page, server):
    static_page.goto(server.url("scenario-ops-error"))
    static_page.fill("#comment-author", '<b>Ann</b>')
    static_page.fill("#comment-text", "ab")
    static_page.click("#comment-form button[type=submit]")
    expect(static_page.locator("h1")).to_have_text("Your comment was not posted")
    expect(static_page.locator(".site-title a")).to_have_text("Newsroom")
    expect(static_page.locator("main")).to_contain_text("Correct the fields marked below, then post your "
                                                        "comment again.")
    assert static_page.input_value("#author") == "<b>Ann</b>"  # kept as text
    back = static_page.get_by_role("link", name=re.compile("Back to the article"))
    expect(back).to_have_attribute("href", server.url("scenario-ops-error") + "#comment-form")
    header = static_page.locator(".site-header")
    assert header.evaluate("e => getComputedStyle(e).borderBottomStyle") == "solid"

    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        requests = watch_requests(page)
        post_plain_form(page, server, "scenario-ops-error", author="Ann", text="ab")
        expect(page.locator("#text-error")).to_be_visible()
        assert (background(page) == DARK_BACKGROUND) == (scheme == "dark")
        assert axe_violations(page) == ""
        assert foreign(requests, server) == []
        context.close()


# make serve and make publish ---------------------------------------------------------------------

def test_serve_refuses_a_publish_build_and_says_to_run_make_html(tmp_path):
    write_content(tmp_path / "content", scenarios=())
    env = {"COMMENTS_SECRET_KEY": SECRET_KEY}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        built = run_pelican(tmp_path / "content", tmp_path / "public", settings=ROOT / "publish.conf.py")
    assert built.returncode == 0, built.stdout + built.stderr
    result = subprocess.run([sys.executable, "-m", "comments_service.devserver", "--site",
                             str(tmp_path / "public"), "--port", "8"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env={**os.environ, **env})
    assert result.returncode != 0
    assert result.stderr.strip().endswith("run `make html` and serve output/.")
    assert "news.example.org" in result.stderr and len(result.stderr.strip().splitlines()) == 1


# Moderating --------------------------------------------------------------------------------------

def set_password(tmp_path, name: str) -> dict[str, str]:
    """COMMENTS_ADMIN_USERS as the real `flask --app comments_service set-password NAME` prints it
    in a checkout with no production settings."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("COMMENTS_")}
    env.update(PYTHONPATH=str(ROOT), COMMENTS_INSTANCE_PATH=str(tmp_path / "instance"))
    command = [sys.executable, "-m", "flask", "--app", "comments_service", "set-password", name]
    result = subprocess.run(command, input=PASSWORD + "\n", capture_output=True, text=True,
                            cwd=tmp_path, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip().splitlines()[-1]
    assert line.startswith("COMMENTS_ADMIN_USERS=")
    return json.loads(shlex.split(line.partition("=")[2])[0])


@pytest.fixture(scope="module")
def admin_server(start_server, tmp_path_factory):
    users = set_password(tmp_path_factory.mktemp("set-password"), "alice")
    return start_server(COMMENTS_MODERATION="all", COMMENTS_ADMIN_USERS=json.dumps(users))


def log_in(page, server):
    page.goto(server.base_url + "/admin/")
    page.fill("#name", "alice")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("h1")).to_have_text("Held comments")


def test_a_moderator_logs_in_and_sees_the_queue_in_words(browser, admin_server):
    posted = browser.new_context().request.post(
        f"{admin_server.base_url}/api/threads/scenario-ops-admin/comments",
        headers={"Origin": admin_server.base_url},
        data={"author": "Held Reader", "text": "Please look at https://example.org first."})
    assert posted.status == 202, posted.text()
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        requests = watch_requests(page)
        log_in(page, admin_server)
        navigation = page.get_by_role("navigation", name="Moderation")
        held = navigation.get_by_role("link", name=re.compile(r"^Held \(\d+\)$"))
        expect(held).to_have_attribute("aria-current", "page")
        assert int(re.search(r"\d+", held.inner_text()).group()) >= 1
        comment = page.locator("li.comment", has_text="Held Reader")
        expect(comment.locator(".flags")).to_have_text("every comment is held; contains links")
        expect(comment.locator(".state")).to_have_text("held")
        expect(comment.locator("header time")).to_have_text(re.compile(r"^\d{1,2} \w+ \d{4}, \d\d:\d\d UTC$"))
        assert (background(page) == DARK_BACKGROUND) == (scheme == "dark")
        assert axe_violations(page) == ""
        assert foreign(requests, admin_server) == []
        context.close()
