"""The comments section of an article page, baked by the site build and re-baked by the service.

No Flask here: the Pelican build imports this module (the service side is rebake.py).

One partial, `theme/templates/comments.html`, renders the section from one context,
`section_context(...)`, exposed to the template as `thread`:

* the Pelican plugin (plugins/comments) puts that context on each article and article.html
  includes the partial;
* the service, when it is given the static root (`COMMENTS_SITE_DIR`, "same-host static root"
  in docs/deploy.md), renders the same partial with a plain Jinja environment after every write and
  splices it between the `<!-- comments:start -->` / `<!-- comments:end -->` markers of the
  article's HTML file, so a reader who posted without JavaScript lands on a page that shows
  their comment. The file is replaced atomically, under a lock, with the thread re-read inside the
  lock, so concurrent posts never drop one another's comment.
"""

import os
import tempfile
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader

from . import storage
from .config import PROJECT_ROOT

THEME_TEMPLATES = PROJECT_ROOT / "theme" / "templates"
PARTIAL = "comments.html"
START_MARKER = "<!-- comments:start -->"
END_MARKER = "<!-- comments:end -->"
#: Pelican's default JINJA_ENVIRONMENT: the partial must render the same in both places.
JINJA_OPTIONS = {"trim_blocks": True, "lstrip_blocks": True}


class MarkersMissing(ValueError):
    """The page has no comments section to replace (built without the comments plugin)."""


def display_date(iso_moment: str) -> str:
    """'2025-07-15T09:30:00Z' -> '15 July 2025' (the widget formats new comments the same way)."""
    moment = datetime.fromisoformat(iso_moment)
    return f"{moment.day} {moment:%B %Y}"


def comment_tree(comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Public comments in display order -> the top-level ones, each with its `replies` nested, and
    `date` (display text) and `deleted` added. A reply whose parent is not shown (held or rejected)
    is shown at the top level rather than lost."""
    nodes = {comment["id"]: {**comment, "replies": [], "date": display_date(comment["created"]),
                             "deleted": comment["author"] == storage.DELETED_AUTHOR and not comment["html"]}
             for comment in comments}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node["parent"])
        (parent["replies"] if parent else roots).append(node)
    return roots


def section_context(*, slug: str, url: str, comments: list[dict[str, Any]], is_open: bool,
                    form_token: str, api_url: str) -> dict[str, Any]:
    """What the partial renders (its `thread` variable): the threaded comments, their count
    (placeholders of deleted comments excluded), the newest id (the widget asks for newer ones
    only), whether the form is shown, its signed token and where it posts."""
    return {
        "slug": slug,
        "url": url,
        "open": is_open,
        "comments": comment_tree(comments),
        "count": sum(1 for comment in comments if not storage.is_placeholder(comment)),
        "last_id": max((comment["id"] for comment in comments), default=0),
        "form_token": form_token,
        "api_url": api_url.rstrip("/"),
    }


def render_section(context: dict[str, Any], templates: Path = THEME_TEMPLATES) -> str:
    """The partial rendered alone, as Pelican renders it inside article.html (no autoescape:
    the partial escapes every reader-supplied value itself, as Pelican's environment needs)."""
    return _environment(templates).get_template(PARTIAL).render(thread=context)


@lru_cache(maxsize=4)
def _environment(templates: Path) -> Environment:
    """One Jinja environment per templates folder, so the partial is compiled once per process
    (the loader still notices an edited file), not on every write that re-bakes a page."""
    return Environment(loader=FileSystemLoader(templates), **JINJA_OPTIONS)


def _section_bounds(html: str) -> tuple[int, int]:
    """Start and end offsets of the marked comments section, markers included."""
    start = html.find(START_MARKER)
    end = html.find(END_MARKER, start + len(START_MARKER))
    if start < 0 or end < 0:
        raise MarkersMissing("no comments markers")
    return start, end + len(END_MARKER)


def splice_section(page: str, rendered_partial: str) -> str:
    """`page` with its marked comments section replaced by the one in `rendered_partial`."""
    start, end = _section_bounds(rendered_partial)
    page_start, page_end = _section_bounds(page)
    return page[:page_start] + rendered_partial[start:end] + page[page_end:]


def article_file(site_dir: Path, url: str) -> Path:
    """The HTML file serving the site-relative article `url` (a folder URL serves index.html)."""
    path = (site_dir / url.lstrip("/")).resolve()
    if url.endswith("/") or not url:
        path = path / "index.html"
    if not path.is_relative_to(site_dir.resolve()):
        raise ValueError(f"article URL {url!r} points outside the site directory")
    return path


def replace_file(path: Path, text: str) -> None:
    """Write `text` to `path` atomically (temp file in the same folder, then os.replace),
    keeping the file's permission bits (new files get 0644) so the web server can read it."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False,
                                     prefix=f".{path.name}.", suffix=".tmp") as temp:
        temp.write(text)
    try:
        os.chmod(temp.name, mode)
        os.replace(temp.name, path)
    except BaseException:
        os.unlink(temp.name)
        raise
