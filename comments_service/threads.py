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


def thread_url(thread: Thread) -> str:
    """The article's absolute URL: relative manifest URLs are joined to SITE_URL (else the host)."""
    return urljoin(current_app.config["SITE_URL"] or request.host_url, thread.url)
