"""`make serve`: the built site and the comments service on one origin, for trying the product.

    python -m comments_service.devserver --site output --port 8000 --bind 127.0.0.1

Files under --site are served as a static web server would (a folder URL serves its index.html,
every response revalidated so a re-baked page is never served stale); everything else goes to
the service (`create_app()`: /api, feeds, ...). Unless the environment says otherwise, the service
runs with its development defaults (the SQLite file and the secret key kept in instance/), reads
the thread manifest the build wrote into the site, and re-bakes an article's comments into the
site after each post (COMMENTS_SITE_DIR), so a reader who posts without JavaScript sees their
comment. Not for production: see docs/deploy.md.
"""

import argparse
import os
from pathlib import Path

from werkzeug.middleware.shared_data import SharedDataMiddleware
from werkzeug.serving import run_simple

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


def site_and_service(site_dir: Path):
    """The WSGI app: static files of `site_dir` first, the comments service for the rest."""
    static = SharedDataMiddleware(create_app(), {"/": str(site_dir)}, cache_timeout=0)
    return DirectoryIndex(static, site_dir)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=Path("output"), help="the built site (output/)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--bind", default="127.0.0.1")
    args = parser.parse_args(argv)
    site_dir = args.site.resolve()
    if not (site_dir / "index.html").is_file():
        parser.error(f"{site_dir} has no index.html: run `make html` first")
    for name, value in development_environment(site_dir).items():
        os.environ.setdefault(name, value)
    print(f"Serving {site_dir} and the comments API on http://{args.bind}:{args.port}/", flush=True)
    run_simple(args.bind, args.port, site_and_service(site_dir), threaded=True)


if __name__ == "__main__":
    main()
