"""Two service hosts, one PostgreSQL, one Redis, behind the nginx of docs/deploy.md (issue 16 items
7 and 8; the setup is tests/deploy/hosts.py): what one host writes the other reads at once, rate
limits and moderator sessions are shared, the static host re-bakes what the service hosts queue,
and 1,000 article views through nginx cost the service at most 5 requests."""

from __future__ import annotations

import gzip
import http.client
import http.cookiejar
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from werkzeug.security import generate_password_hash

from comments_service.core.storage.tables import rebake_queue
from plugins.search import build_index
from tests.comments_service.conftest import FAST_HASH, free_port, postgres_schema_url
from tests.conftest import require_backend
from tests.deploy.hosts import Nginx, RebakeWorker, service_host, service_requests, wait_until
from tests.site.conftest import FIXTURE_CONTENT, run_pelican
from tests.test_deploy import Service

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.nginx]

SLUG = "ferries-return"
PAGE = f"/{SLUG}.html"
THREAD = f"/api/threads/{SLUG}/comments"
SECRET_KEY = "two-hosts-secret"
MODERATOR, PASSWORD = "editor", "a long moderator password"
WRITES_PER_MINUTE = 2
VIEWS = 1000
BAKE_SECONDS = 20


@dataclass
class Hosts:
    a: Service
    b: Service
    nginx: Nginx
    site: Path
    database_url: str
    static_env: dict
    folder: Path
    baker: RebakeWorker | None = None

    def start_baker(self) -> RebakeWorker:
        self.baker = RebakeWorker(self.static_env, self.folder / "rebake-worker.log")
        return self.baker


@pytest.fixture(scope="module")
def hosts(tmp_path_factory):
    nginx = require_backend("COMMENTS_TEST_NGINX", "nginx")
    redis_url = require_backend("COMMENTS_TEST_REDIS_URL", "Redis")
    folder = tmp_path_factory.mktemp("two-hosts")
    site = folder / "static-host" / "public"
    with postgres_schema_url() as database_url, pytest.MonkeyPatch.context() as env:
        common = {"COMMENTS_DATABASE_URL": database_url, "COMMENTS_SECRET_KEY": SECRET_KEY}
        for name, value in common.items():
            env.setenv(name, value)  # run_pelican hands the environment to the build
        build = run_pelican(FIXTURE_CONTENT, site, "-e", "ASSETS_PRECOMPRESS=true")  # as publish.conf.py
        assert build.returncode == 0, build.stdout + build.stderr
        build_index(site)  # as `make html` does: the search page runs Pagefind under the policy
        manifest = site / "comments" / "threads.json"
        nginx_port = free_port()
        started, hosts = [], None
        try:
            service_env = common | {
                "COMMENTS_SITE_URL": f"http://127.0.0.1:{nginx_port}",
                "COMMENTS_RATELIMIT_STORAGE_URI": redis_url,
                "COMMENTS_RATELIMIT_KEY_PREFIX": f"two-hosts-{uuid.uuid4().hex}",  # no earlier run's counts
                "COMMENTS_WRITE_RATE_LIMIT": f"{WRITES_PER_MINUTE} per minute",
                "COMMENTS_PROXY_COUNT": "1",
                "COMMENTS_MIN_FILL_SECONDS": "0",  # the browser test posts as soon as the widget loads
                "COMMENTS_REBAKE_QUEUE": "true",
                "COMMENTS_SITE_DIR": "",  # not on these hosts: they only queue
                "COMMENTS_ADMIN_USERS": json.dumps({MODERATOR: generate_password_hash(PASSWORD,
                                                                                     method=FAST_HASH)}),
            }
            services = []
            for name in ("host-a", "host-b"):
                services.append(service_host(folder / name, service_env, manifest))
                started.append(services[-1])
            for service in services:
                service.wait_until_healthy()
            upstreams = [f"127.0.0.1:{service.port}" for service in services]
            proxy = Nginx(nginx, folder / "nginx", site, upstreams, nginx_port)
            started.append(proxy)
            hosts = Hosts(*services, proxy, site, database_url, common | {
                "COMMENTS_SITE_DIR": str(site), "COMMENTS_SITE_URL": proxy.url,
                "COMMENTS_INSTANCE_PATH": str(folder / "static-host" / "instance"),
                "COMMENTS_THREADS_MANIFEST": str(manifest)}, folder)
            yield hosts
        finally:
            for process in started:
                process.stop()
            if hosts is not None and hosts.baker is not None:
                hosts.baker.stop()


def post(service: Service, text: str, client: str) -> tuple[int, dict]:
    """POST a comment to one host directly, as from the reader at address `client` (the host
    trusts one proxy's X-Forwarded-For, as behind nginx)."""
    request = urllib.request.Request(
        service.url + THREAD, method="POST",
        data=json.dumps({"author": "Reader", "text": text}).encode(),
        headers={"Content-Type": "application/json", "Origin": service.url, "X-Forwarded-For": client})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def texts(service: Service) -> list[str]:
    with urllib.request.urlopen(service.url + THREAD, timeout=10) as response:
        return [comment["html"] for comment in json.load(response)["comments"]]


def test_what_one_host_writes_the_other_reads_at_once(hosts):
    before_a, before_b = texts(hosts.a), texts(hosts.b)  # both page caches hold the thread now
    assert before_a == before_b
    assert post(hosts.a, "Posted through host A.", "198.51.100.1")[0] == 201
    assert texts(hosts.b) == [*before_b, "<p>Posted through host A.</p>"]
    assert post(hosts.b, "Posted through host B.", "198.51.100.1")[0] == 201
    assert texts(hosts.a)[-2:] == ["<p>Posted through host A.</p>", "<p>Posted through host B.</p>"]


def test_rate_limits_are_counted_across_both_hosts(hosts):
    client = "198.51.100.2"
    statuses = [post(service, f"Comment {n} from one reader.", client)[0]
                for n, service in enumerate([hosts.a, hosts.b, hosts.a])]
    # Counted per host, host A would have seen 2 of its allowed 2.
    assert statuses == [201, 201, 429]


def test_a_moderator_logged_out_on_one_host_is_logged_out_on_both(hosts):
    # One browser: cookies belong to the host name, not the port, so both hosts get the cookie.
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def page(service, path, form=None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        with browser.open(service.url + path, data=data, timeout=10) as response:
            return response.url, response.read().decode()

    csrf = re.compile(r'name="csrf_token" value="([^"]+)"')
    _, login = page(hosts.a, "/admin/login")
    url, queue = page(hosts.a, "/admin/login", {"csrf_token": csrf.search(login).group(1),
                                                "name": MODERATOR, "password": PASSWORD})
    assert not url.endswith("/admin/login") and "Log out" in queue
    url, on_b = page(hosts.b, "/admin/")
    assert not url.endswith("/admin/login") and "Log out" in on_b
    page(hosts.a, "/admin/logout", {"csrf_token": csrf.search(on_b).group(1)})
    url, _ = page(hosts.b, "/admin/")
    assert url.endswith("/admin/login")


def test_the_static_host_bakes_what_the_service_hosts_queue(hosts):
    page = hosts.site / f"{SLUG}.html"
    engine = create_engine(hosts.database_url)
    try:
        status, body = post(hosts.a, "Baked on the static host.", "198.51.100.3")
        assert status == 201
        with engine.connect() as conn:
            row = conn.execute(select(rebake_queue).where(rebake_queue.c.slug == SLUG)).one()
        assert row.version > row.baked_version  # queued by host A ...
        assert "Baked on the static host." not in page.read_text(encoding="utf-8")  # ... not baked by it
        baker = hosts.start_baker()
        wait_until(lambda: "Baked on the static host." in page.read_text(encoding="utf-8"),
                   f"the re-bake of {page.name}\n{baker.log()}", baker.process, BAKE_SECONDS)
        wait_until(lambda: _pending(engine) == 0, "the queue to empty", baker.process, BAKE_SECONDS)
    finally:
        engine.dispose()
    # nginx sends the .gz copy to browsers (gzip_static): the worker rewrote it with the page.
    response = fetch(hosts.nginx, PAGE, {"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert f'id="comment-{body["comment"]["id"]}"' in gzip.decompress(response.body).decode()
    for name in ("host-a", "host-b"):  # the service hosts have no copy of the site to write to
        assert not list((hosts.folder / name).rglob("*.html")), name


def _pending(engine) -> int:
    with engine.connect() as conn:
        rows = conn.execute(select(rebake_queue)).all()
    return sum(row.version > row.baked_version for row in rows)


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes


def fetch(nginx: Nginx, path: str, headers: dict | None = None, connection=None) -> Response:
    conn = connection or http.client.HTTPConnection("127.0.0.1", nginx.port, timeout=10)
    conn.request("GET", path, headers=headers or {})
    answer = conn.getresponse()
    response = Response(answer.status, dict(answer.getheaders()), answer.read())
    if connection is None:
        conn.close()
    return response


def test_a_thousand_views_of_an_article_cost_the_service_at_most_five_requests(hosts):
    """Each view is what a browser asks: the page (static) and the widget's thread GET."""
    html = fetch(hosts.nginx, PAGE).body.decode()
    last_id = re.search(r'data-last-id="(\d*)"', html)
    thread = f"{THREAD}?since={last_id.group(1) if last_id and last_id.group(1) else 0}"
    before = sum(service_requests(service, THREAD) for service in (hosts.a, hosts.b))
    statuses, lock = [], threading.Lock()

    def reader(views: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", hosts.nginx.port, timeout=10)
        seen = []
        for _ in range(views):
            for path in (PAGE, thread):
                seen.append(fetch(hosts.nginx, path, {"Accept-Encoding": "gzip, br"}, connection).status)
        connection.close()
        with lock:
            statuses.extend(seen)

    readers = [threading.Thread(target=reader, args=(VIEWS // 4,)) for _ in range(4)]
    started = time.monotonic()
    for thread_ in readers:
        thread_.start()
    for thread_ in readers:
        thread_.join()
    elapsed = time.monotonic() - started
    assert statuses.count(200) == 2 * VIEWS
    asked = sum(service_requests(service, THREAD) for service in (hosts.a, hosts.b)) - before
    print(f"{VIEWS} views in {elapsed:.2f}s: {asked} request(s) reached the service")
    assert asked <= 5


def test_the_static_side_is_cdn_shaped(hosts):
    page = fetch(hosts.nginx, PAGE, {"Accept-Encoding": "gzip"})
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self' 'wasm-unsafe-eval'" in csp and "'unsafe-inline'" not in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    assert page.headers["Content-Encoding"] == "gzip" and page.headers["Vary"] == "Accept-Encoding"
    stylesheet = re.search(r'href="(/theme/css/site\.[0-9a-f]{8}\.css)"', gzip.decompress(page.body).decode())
    css = fetch(hosts.nginx, stylesheet.group(1))
    assert css.status == 200 and css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Cache-Control" not in fetch(hosts.nginx, "/theme/css/site.css").headers  # revalidated
    api = fetch(hosts.nginx, THREAD)
    assert api.headers["Cache-Control"].startswith("public, max-age=")
    assert "Content-Security-Policy" not in api.headers  # the service's pages send their own
    assert not [name for name in api.headers if name.lower().startswith("x-ratelimit")]


@pytest.mark.browser
def test_the_widget_and_the_search_run_under_the_policy_without_a_violation(hosts, browser):
    """Chromium through nginx, with the shipped Content-Security-Policy: the article's widget posts
    a comment, the search page runs Pagefind (WebAssembly), and nothing is refused (the JSON-LD
    data blocks included)."""
    context = browser.new_context()
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    page.add_init_script("""window.violations = [];
        document.addEventListener('securitypolicyviolation',
            event => window.violations.push(event.violatedDirective + ' ' + event.blockedURI));""")
    try:
        page.goto(hosts.nginx.url + PAGE)
        page.wait_for_load_state("networkidle")
        assert page.locator('script[type="application/ld+json"]').count() == 1
        page.fill("#comment-author", "Ann Reader")
        page.fill("#comment-text", "Posted under the policy.")
        page.click("#comment-form button[type=submit]")
        expect(page.locator("#comment-form .comment-status")).to_have_text("Your comment is posted.")
        assert page.evaluate("window.violations") == []
        page.goto(hosts.nginx.url + "/search.html?q=harbour")
        # (a locator, not wait_for_function: Playwright evaluates that string, which the policy refuses)
        expect(page.locator("#search-results > li").first).to_be_visible()
        assert page.evaluate("window.violations") == []
    finally:
        context.close()
    assert not [text for text in console if "Content Security Policy" in text], console
