"""The app's thread manifest (core/manifest.py): which articles take comments, and their URLs."""

from urllib.parse import urljoin

from flask import Flask, current_app, request

from .core.manifest import Thread, ThreadManifest

_EXTENSION = "comments_threads"


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = ThreadManifest(app.config["THREADS_MANIFEST"])


def find_thread(slug: str) -> Thread | None:
    """The current app's thread `slug` from the manifest, or None."""
    return current_app.extensions[_EXTENSION].get(slug)


def current_thread() -> Thread | None:
    """The thread named by the request URL's `slug`, if any."""
    slug = (request.view_args or {}).get("slug")
    return find_thread(slug) if slug else None


def site_base() -> str:
    """The site's public address, SITE_URL. Only in development and tests (where create_app does
    not require it) the request's own host stands in: in production a Host header sent by anyone
    never makes it into a link, a mail or a redirect."""
    return current_app.config["SITE_URL"] or request.host_url


def service_base() -> str:
    """The public address of the service (for links in mails): SERVICE_URL, else site_base()."""
    return current_app.config["SERVICE_URL"] or site_base()


def site_link(path: str = "") -> str:
    """`path` (relative to the site's root) on the site's public address, site_base()."""
    return site_base().rstrip("/") + "/" + path.lstrip("/")


def thread_url(thread: Thread) -> str:
    """The article's absolute URL: relative manifest URLs are joined to site_base()."""
    return urljoin(site_base(), thread.url)
