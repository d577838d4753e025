"""The comments section of an article page: the ONE builder, used by the site build
(plugins/comments) and by the service's re-bake (comments_service/rebake.py). No Flask here.

`section_context(values, key, ...)` makes the partial's context (its `thread` variable) from the
settings (`core.settings.resolve()`), the signing key, the thread's comments and the article's
reference count; the baked page shows the first SECTION_TOP_LEVEL_MAX top-level comments with
all their replies, the service's /all page (comments_service/pages.py) the whole thread;
`render_section(context, values)` renders the partial (`core/templates/comments.html`, or the
TEMPLATES override) with a plain Jinja environment; `splice_section` replaces the section
between the `<!-- comments:start -->` / `<!-- comments:end -->` markers of a built page.
"""

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

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


def display_time(iso_moment: str | None) -> str | None:
    """'2025-07-15T09:30:00Z' -> '15 July 2025, 09:30 UTC' (the page's text; the widget shows
    the reader's local time instead); None stays None."""
    if iso_moment is None:
        return None
    moment = datetime.fromisoformat(iso_moment)
    return f"{moment.day} {moment:%B %Y}, {moment:%H:%M} UTC"


def comment_node(comment: Comment) -> dict[str, Any]:
    """A comment as the partial shows it: its public view, plus `date` and `time` (display text
    of `created`), `edited_time` (of `edited`, or None), `score` (likes - dislikes), `deleted`
    for a placeholder without a moderator's public reason, and no `replies` yet."""
    node = public_view(comment)
    node.update(replies=[], date=display_date(node["created"]), time=display_time(node["created"]),
                edited_time=display_time(node["edited"]), score=node["likes"] - node["dislikes"],
                deleted=comment.deleted and not comment.moderation_reason)
    return node


def comment_tree(comments: list[Comment], limit: int | None = None) -> list[dict[str, Any]]:
    """Published comments in display order -> the top-level ones as the partial shows them
    (`comment_node`), each with its `replies` nested at most REPLY_DEPTH_MAX deep: a reply below
    that is shown next to its parent, at the deepest level, so no stored thread (however deep,
    e.g. from before the limit) can make the partial recurse without bound. A reply whose parent
    is not shown (held, rejected, or not read yet) is shown at the top level rather than lost.
    `limit`: only the first `limit` top-level comments (with all their replies)."""
    roots, held_by = _placement(comments)
    return _nodes(roots if limit is None else roots[:limit], held_by)


def _placement(comments: list[Comment]) -> tuple[list[Comment], dict[int, list[Comment]]]:
    """Where comment_tree puts each comment, without building any node: the top-level comments,
    and {comment id: the replies shown under it}. Nodes are then built for the comments shown
    only: a 1,000-comment thread's page shows its first SECTION_TOP_LEVEL_MAX threads, and a
    node costs more than all the rest of the placement."""
    roots: list[Comment] = []
    held_by: dict[int, list[Comment]] = {}
    owner: dict[int, int | None] = {}  # comment id -> the comment whose replies hold it (None: top level)
    depths: dict[int, int] = {}
    for comment in comments:
        parent = comment.parent
        if parent not in depths:
            holder, depth = None, 0
        elif depths[parent] < REPLY_DEPTH_MAX:
            holder, depth = parent, depths[parent] + 1
        else:
            holder, depth = owner[parent], depths[parent]
        (roots if holder is None else held_by.setdefault(holder, [])).append(comment)
        owner[comment.id], depths[comment.id] = holder, depth
    return roots, held_by


def _nodes(comments: list[Comment], held_by: dict[int, list[Comment]]) -> list[dict[str, Any]]:
    """The nodes of `comments` with their replies (recursion at most REPLY_DEPTH_MAX deep)."""
    nodes = []
    for comment in comments:
        node = comment_node(comment)
        node["replies"] = _nodes(held_by.get(comment.id, []), held_by)
        nodes.append(node)
    return nodes


class ThreadTotals(NamedTuple):
    """What the section states about the WHOLE thread, however little of it is shown: `count`
    (published comments, placeholders excluded), `last_id` (the newest id, placeholders
    included), `top_level_count`, `picks` (the published picked comments, newest first) and
    `about` ({reference number: published comments about it}, those with some only).
    `thread_totals` computes them from the whole thread; a re-bake has the database count them
    (storage/section_page.py) and reads only the comments the page shows."""

    count: int
    last_id: int
    top_level_count: int
    picks: list[Comment]
    about: dict[int, int]


def thread_totals(comments: list[Comment], top_level_count: int | None = None) -> ThreadTotals:
    """The totals of a thread from all its published comments and placeholders (display order);
    `top_level_count` when the caller has placed them already."""
    published = [comment for comment in comments if not comment.deleted]
    if top_level_count is None:
        top_level_count = len(_placement(comments)[0])
    return ThreadTotals(count=len(published), last_id=max((comment.id for comment in comments), default=0),
                        top_level_count=top_level_count,
                        picks=[comment for comment in reversed(published) if comment.picked],
                        about=comments_about(published))


def comments_about(comments: list[Comment]) -> dict[int, int]:
    """{reference number: published comments about it} of a thread's comments (placeholders
    of deleted ones count for none), those with some only."""
    return dict(Counter(comment.about_reference for comment in comments
                        if comment.about_reference and not comment.deleted))


def reference_counts(about: Mapping[int, int], references: int) -> dict[int, int]:
    """{n: published comments about [n]}: every reference 1..`references` (0 for none), then
    any other number commented on, in order (`about`: `ThreadTotals.about`)."""
    return dict.fromkeys(range(1, references + 1), 0) | dict(sorted(about.items()))


def section_context(values: Mapping[str, Any], secret_key: str, *, slug: str, url: str,
                    comments: list[Comment], is_open: bool, references: int = 0,
                    whole: bool = False, totals: ThreadTotals | None = None,
                    issued_at: float | None = None) -> dict[str, Any]:
    """What the partial renders (its `thread` variable), from the thread's published comments in
    display order and the article's number of `references`:
    - `comments`: the comment tree, its first `shown_limit` (SECTION_TOP_LEVEL_MAX) top-level
      comments with all their replies, or every one when `whole` (the /all page); `truncated`
      when some are left out, `top_level_count` of them in all; `next`: the id of the last
      top-level comment shown when truncated (the API's `after` for the rest), else None;
    - `count` (placeholders excluded) and `last_id` (the newest id: the widget asks for newer
      ones only) of the whole thread;
    - `picks`: the editors' picks (comment nodes without replies), newest first;
    - `references`: the numbers [1..n] of the article's references; `reference_counts`: {n:
      published comments about [n]}, every reference there, 0 for none;
    - whether the form is shown (`open`), its signed `form_token`, `api_url` (API_URL) and the
      service's URLs: `all_url` (the whole thread), `feed_url` (its Atom feed), `reply_url` (the
      no-JS reply page: append the comment id). The token is dated `issued_at` (default: now;
      the site build dates it to the start of its day, so a rebuild on the same day bakes the
      same bytes).
    `totals`: the whole thread's (ThreadTotals), when `comments` holds only the part shown: at
    least the first SECTION_TOP_LEVEL_MAX top-level comments with all their replies (the result
    is then the same as from the whole thread); None computes them from `comments`."""
    roots, held_by = _placement(comments)
    shown_limit = values["SECTION_TOP_LEVEL_MAX"]
    shown = _nodes(roots if whole else roots[:shown_limit], held_by)
    if totals is None:
        totals = thread_totals(comments, len(roots))
    api_url = values["API_URL"]
    thread_url = f"{api_url}/threads/{quote(slug, safe='')}"
    truncated = len(shown) < totals.top_level_count
    return {
        "slug": slug,
        "url": url,
        "open": is_open,
        "comments": shown,
        "count": totals.count,
        "last_id": totals.last_id,
        "form_token": issue_form_token(secret_key, slug, issued_at),
        "api_url": api_url,
        "picks": [comment_node(comment) for comment in totals.picks],
        "shown_limit": shown_limit,
        "top_level_count": totals.top_level_count,
        "truncated": truncated,
        "next": shown[-1]["id"] if truncated and shown else None,
        "all_url": f"{thread_url}/all",
        "feed_url": f"{thread_url}/feed.atom",
        "reply_url": f"{thread_url}/reply/",
        "references": list(range(1, references + 1)),
        "reference_counts": reference_counts(totals.about, references),
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
