"""`make serve`: the built site and the comments service on one origin, for trying the product.

    python -m comments_service.devserver --site output --port 8000 --bind 127.0.0.1

Files under --site are served as a static web server would (a folder URL serves its index.html,
every response revalidated so a re-baked page is never served stale); everything else goes to
the service (`create_app()`: /api, feeds, ...). Unless the environment says otherwise, the service
runs with its development defaults (the SQLite file and the secret key kept in instance/), reads
the thread manifest the build wrote into the site, and re-bakes an article's comments into the
site after each post (COMMENTS_SITE_DIR), so a reader who posts without JavaScript sees their
comment. Not for production: see docs/deploy.md.

A URL under the service's prefixes (/api, /admin) that matches nothing keeps the service's own
answer (JSON errors for /api); any other unknown URL gets the site's 404.html with status 404, as
nginx's `error_page 404 /404.html;` does in production. A folder built by `make publish` (its
pages load their stylesheet from another host, e.g. https://news.example.org) is refused: served
here it would show unstyled pages and send readers to that host.
"""

import argparse
import os
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from werkzeug.middleware.shared_data import SharedDataMiddleware
from werkzeug.serving import run_simple
from werkzeug.wrappers import Response

from . import create_app
from .core.section import article_file


def development_environment(site_dir: Path) -> dict[str, str]:
    """COMMENTS_* defaults for serving `site_dir`; variables already set win."""
    return {
        "COMMENTS_DEBUG": "true",
        "COMMENTS_THREADS_MANIFEST": str(site_dir / "comments" / "threads.json"),
        "COMMENTS_SITE_DIR": str(site_dir),
    }


class DirectoryIndex:
    """WSGI middleware: a URL naming a folder of the site is served as its index.html."""

    def __init__(self, app, site_dir: Path):
        self.app = app
        self.site_dir = site_dir

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO") or "/"
        if path.endswith("/"):
            try:
                index_exists = article_file(self.site_dir, path).is_file()
            except ValueError:  # a path that climbs out of the site
                index_exists = False
            if index_exists:
                environ = {**environ, "PATH_INFO": path + "index.html"}
        return self.app(environ, start_response)


#: URL prefixes the comments service answers (nginx proxies the same ones, docs/deploy.md).
SERVICE_PREFIXES = ("/api", "/admin")


def is_service_path(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in SERVICE_PREFIXES)


def not_found(site_dir: Path):
    """WSGI app: the site's 404.html with status 404, or a plain-text 404 when the build has none."""

    def app(environ, start_response):
        try:
            page = (site_dir / "404.html").read_bytes()
        except OSError:
            response = Response("Not found. There is no page at this address.\n", status=404,
                                mimetype="text/plain")
        else:
            response = Response(page, status=404, mimetype="text/html")
        response.headers["Cache-Control"] = "no-cache"
        return response(environ, start_response)

    return app


def site_and_service(site_dir: Path):
    """The WSGI app: static files of `site_dir` first, then the comments service for its prefixes
    and the site's 404 page for every other URL."""
    service, missing = create_app(), not_found(site_dir)

    def service_or_not_found(environ, start_response):
        app = service if is_service_path(environ.get("PATH_INFO") or "/") else missing
        return app(environ, start_response)

    static = SharedDataMiddleware(service_or_not_found, {"/": str(site_dir)}, cache_timeout=0)
    return DirectoryIndex(static, site_dir)


class _Stylesheets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "link" and "stylesheet" in (values.get("rel") or "").split() and values.get("href"):
            self.hrefs.append(values["href"])


def foreign_site_host(site_dir: Path, bind: str, port: int) -> str | None:
    """The host the front page's stylesheets come from when it is not the address served here
    (`make publish` writes SITEURL, e.g. news.example.org, into every link), else None."""
    parser = _Stylesheets()
    parser.feed((site_dir / "index.html").read_text(encoding="utf-8", errors="replace"))
    here = {f"{host}:{port}" for host in (bind, "127.0.0.1", "localhost")}
    for href in parser.hrefs:
        host = urlsplit(href).netloc
        if host and host not in here:
            return host
    return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=Path("output"), help="the built site (output/)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--bind", default="127.0.0.1")
    args = parser.parse_args(argv)
    site_dir = args.site.resolve()
    if not (site_dir / "index.html").is_file():
        parser.error(f"{site_dir} has no index.html: run `make html` first")
    foreign = foreign_site_host(site_dir, args.bind, args.port)
    if foreign:
        sys.exit(f"make serve: {site_dir} was built for {foreign} (make publish), so its pages would load "
                 f"nothing here: run `make html` and serve output/.")
    for name, value in development_environment(site_dir).items():
        os.environ.setdefault(name, value)
    print(f"Serving {site_dir} and the comments API on http://{args.bind}:{args.port}/", flush=True)
    run_simple(args.bind, args.port, site_and_service(site_dir), threaded=True)


if __name__ == "__main__":
    main()
