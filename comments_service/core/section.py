"""The comments section of an article page: the ONE builder, used by the site build
(plugins/comments) and by the service's re-bake (comments_service/rebake.py). No Flask here.

`section_context(values, key, ...)` makes the partial's context (its `thread` variable) from the
settings (`core.settings.resolve()`), the signing key and the thread's comments;
`render_section(context, values)` renders the partial (`core/templates/comments.html`, or the
TEMPLATES override) with a plain Jinja environment; `splice_section` replaces the section
between the `<!-- comments:start -->` / `<!-- comments:end -->` markers of a built page.
"""

from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader

from .comment import Comment, public_view
from .limits import REPLY_DEPTH_MAX
from .settings import templates_dirs
from .tokens import issue_form_token

PARTIAL = "comments.html"
START_MARKER = "<!-- comments:start -->"
END_MARKER = "<!-- comments:end -->"
#: Pelican's default JINJA_ENVIRONMENT, so the partial renders as the theme's templates do.
JINJA_OPTIONS = {"trim_blocks": True, "lstrip_blocks": True}


class MarkersMissing(ValueError):
    """The page has no comments section to replace (built without the comments plugin)."""


def display_date(iso_moment: str) -> str:
    """'2025-07-15T09:30:00Z' -> '15 July 2025' (the widget formats new comments the same way)."""
    moment = datetime.fromisoformat(iso_moment)
    return f"{moment.day} {moment:%B %Y}"


def comment_tree(comments: list[Comment]) -> list[dict[str, Any]]:
    """Published comments in display order -> the top-level ones as the partial shows them (their
    public view, `date` as display text, `deleted` for a placeholder without a moderator's
    public reason), each with its `replies` nested at most REPLY_DEPTH_MAX deep: a reply below
    that is shown next to its parent, at the deepest level, so no stored thread (however deep,
    e.g. from before the limit) can make the partial recurse without bound. A reply whose parent
    is not shown (held, rejected, or not read yet) is shown at the top level rather than lost."""
    nodes: dict[int, dict[str, Any]] = {}
    placed_in: dict[int, list] = {}  # comment id -> the list holding it
    depths: dict[int, int] = {}
    roots: list[dict[str, Any]] = []
    for comment in comments:
        node = public_view(comment)
        node.update(replies=[], date=display_date(node["created"]),
                    deleted=comment.deleted and not comment.moderation_reason)
        parent = nodes.get(comment.parent)
        if parent is None:
            siblings, depth = roots, 0
        elif depths[comment.parent] < REPLY_DEPTH_MAX:
            siblings, depth = parent["replies"], depths[comment.parent] + 1
        else:
            siblings, depth = placed_in[comment.parent], depths[comment.parent]
        siblings.append(node)
        nodes[comment.id], placed_in[comment.id], depths[comment.id] = node, siblings, depth
    return roots


def section_context(values: Mapping[str, Any], secret_key: str, *, slug: str, url: str,
                    comments: list[Comment], is_open: bool) -> dict[str, Any]:
    """What the partial renders (its `thread` variable): the threaded comments, their count
    (placeholders excluded), the newest id (the widget asks for newer ones only), whether the
    form is shown, its signed token and where it posts (API_URL)."""
    return {
        "slug": slug,
        "url": url,
        "open": is_open,
        "comments": comment_tree(comments),
        "count": sum(1 for comment in comments if not comment.deleted),
        "last_id": max((comment.id for comment in comments), default=0),
        "form_token": issue_form_token(secret_key, slug),
        "api_url": values["API_URL"],
    }


def render_section(context: dict[str, Any], values: Mapping[str, Any]) -> str:
    """The partial rendered alone (no autoescape, as in Pelican: the partial escapes every
    reader-supplied value itself)."""
    return _environment(tuple(templates_dirs(values))).get_template(PARTIAL).render(thread=context)


@lru_cache(maxsize=4)
def _environment(folders: tuple[Path, ...]) -> Environment:
    """One Jinja environment per template search path, so the partial is compiled once per
    process (the loader still notices an edited file), not on every page."""
    return Environment(loader=FileSystemLoader(folders), **JINJA_OPTIONS)


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
