"""Atom feeds of published comments: one per thread and one for the whole site (newest first,
FEED_SIZE entries); an editor's pick's entry title starts with PICK_PREFIX. Comment HTML was
sanitised at write time; feedgenerator escapes the rest. A character XML 1.0 cannot hold (a
control character of a comment restored from an old export, of an article's title) shows as
U+FFFD: one such comment must not make the whole feed unwritable (a 500 for every reader)."""

import re
from urllib.parse import urljoin

from feedgenerator import Atom1Feed
from flask import Blueprint, current_app, request

from . import db
from .api import conditional, require_thread
from .core.comment import Comment
from .core.storage.comments import latest_comments
from .core.times import as_utc
from .threads import find_thread, service_base, site_base, thread_url

bp = Blueprint("feeds", __name__, url_prefix="/api")

PICK_PREFIX = "Editor's pick: "
#: What XML 1.0 cannot hold (its Char production), surrogates aside: no database stores those.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


@bp.get("/threads/<slug>/feed.atom")
def thread_feed(slug: str):
    thread = require_thread(slug)
    rows = latest_comments(db.connection(), current_app.config["FEED_SIZE"], slug)
    return _atom(f"Comments on {thread.title}", thread_url(thread), rows)


@bp.get("/feed.atom")
def site_feed():
    rows = latest_comments(db.connection(), current_app.config["FEED_SIZE"])
    return _atom("Latest comments", site_base(), rows)


def _atom(title: str, link: str, rows: list[Comment]):
    feed_url = urljoin(service_base(), request.full_path.rstrip("?"))
    title = _xml(title)
    feed = Atom1Feed(title=title, link=link, description=title, feed_url=feed_url, language="en")
    for row in rows:
        thread = find_thread(row.thread)
        if thread is None:  # the article is gone from the site
            continue
        url = f"{thread_url(thread)}#comment-{row.id}"
        prefix = PICK_PREFIX if row.picked else ""
        feed.add_item(title=_xml(f"{prefix}{row.author} on {thread.title}"), link=url, unique_id=url,
                      description=_xml(row.html), author_name=_xml(row.author),
                      pubdate=as_utc(row.created),
                      updateddate=as_utc(row.edited or row.created))
    response = current_app.response_class(feed.writeString("utf-8"),
                                          mimetype="application/atom+xml")
    return conditional(response)
