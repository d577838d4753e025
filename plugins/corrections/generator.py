"""The Pelican generator: reads every article's corrections, writes the Corrections page and feed.

Registered through `get_generators`, it runs after Pelican's ArticlesGenerator: its
`generate_context` sees every article already read and sets, on each,
`article.corrections` (a tuple of `Correction`, oldest first; empty without any),
`article.last_updated` (the latest of `Modified:` and the corrections, or None when the article
has neither) and, with `Modified:`, `article.locale_modified_time` (its date and time as printed),
before any page is written; `generate_output` writes the Corrections page
(template `corrections`) and, when CORRECTIONS_FEED_ATOM is set, its Atom feed with the site's
writer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import NamedTuple
from zoneinfo import ZoneInfo

from markdown import Markdown
from markdown.blockprocessors import ParagraphProcessor
from markdown.util import Registry
from markupsafe import Markup, escape
from pelican.generators import Generator

from .entries import Correction, article_corrections, check_modified, local_text

#: Settings and their defaults. The feed is off unless a settings file names it (pelican.conf.py
#: does, for every build; plugins/discovery gives feeds absolute URLs while SITEURL is empty).
DEFAULTS = {
    "CORRECTIONS_SAVE_AS": "corrections.html",
    "CORRECTIONS_FEED_ATOM": None,
    "CORRECTIONS_FEED_ATOM_URL": None,
}


class Listed(NamedTuple):
    """A correction on the Corrections page: the article it corrects and the correction."""

    article: object
    correction: Correction


@dataclass(frozen=True)
class FeedItem:
    """A correction as Pelican's `Writer.write_feed` reads an item (title, url, date, author,
    summary, get_content); the link goes to the notice on the article."""

    title: str
    url: str
    date: datetime
    author: str
    text_html: str
    article_title: str
    #: No Atom <summary>: the content is a sentence or two.
    summary = None

    def get_content(self, site_url: str) -> str:
        """The correction, then a link to the article (absolute, as feed readers need)."""
        return (f"<p>{self.text_html}</p>\n<p>Correction to "
                f'<a href="{escape(site_url)}/{escape(self.url)}">{escape(self.article_title)}</a>.</p>')


def inline_markdown() -> Markdown:
    """A Markdown that knows paragraphs only, so the text of a correction stays inline however it
    starts ("1986. ..." is not a list, "# 3" not a heading), without images, and with raw HTML
    shown as text: an unclosed `<div>` in a one-line notice cannot break the page."""
    md = Markdown(output_format="html5")
    md.parser.blockprocessors = Registry()
    md.parser.blockprocessors.register(ParagraphProcessor(md.parser), "paragraph", 10)
    md.preprocessors.deregister("html_block")
    for name in ("html", "image_link", "image_reference", "short_image_ref"):
        md.inlinePatterns.deregister(name)
    return md


def render_inline(md: Markdown, text: str) -> str:
    """`text` as inline HTML (the paragraph Markdown wraps it in, removed)."""
    html = md.reset().convert(text)
    return html.removeprefix("<p>").removesuffix("</p>")


def with_translations(articles):
    for article in articles:
        yield article
        yield from getattr(article, "translations", ())


class CorrectionsGenerator(Generator):
    """Corrections of every article (published, draft and hidden), and the Corrections page of
    the published ones."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, value in DEFAULTS.items():
            self.settings.setdefault(name, value)
            # The context was copied from the settings before generators were made.
            self.context.setdefault(name, self.settings[name])
        self.listed: list[Listed] = []
        self._md: Markdown | None = None

    def render(self, text: str) -> str:
        if self._md is None:
            self._md = inline_markdown()
        return render_inline(self._md, text)

    def generate_context(self) -> None:
        zone = ZoneInfo(self.settings.get("TIMEZONE") or "UTC")
        now = datetime.now(timezone.utc)
        published = {id(article) for article in with_translations(self.context.get("articles", ()))}
        everything = [*self.context.get("articles", ()), *self.context.get("drafts", ()),
                      *self.context.get("hidden_articles", ())]
        seen = set()
        for article in with_translations(everything):
            if id(article) in seen:
                continue
            seen.add(id(article))
            check_modified(article, now)
            if getattr(article, "modified", None) is not None:
                article.locale_modified_time = local_text(article.modified)
            corrections = article_corrections(article, now, self.render, zone)
            article.corrections = corrections
            moments = [correction.when for correction in corrections]
            if getattr(article, "modified", None) is not None:
                moments.append(article.modified)
            article.last_updated = max(moments) if moments else None
            if id(article) in published:
                self.listed.extend(Listed(article, correction) for correction in corrections)
        self.listed.sort(key=lambda entry: entry.correction.when, reverse=True)

    def generate_output(self, writer) -> None:
        save_as = self.settings["CORRECTIONS_SAVE_AS"]
        if not save_as:
            return
        writer.write_file(save_as, self.get_template("corrections"), self.context,
                          relative_urls=self.settings["RELATIVE_URLS"], corrections=self.listed,
                          template_name="corrections", page_name=save_as.rsplit(".", 1)[0])
        feed = self.settings["CORRECTIONS_FEED_ATOM"]
        if feed:
            writer.write_feed([self.feed_item(entry) for entry in self.listed], self.context, feed,
                              self.settings["CORRECTIONS_FEED_ATOM_URL"], feed_title="Corrections")

    def listings(self) -> list[tuple[str, str]]:
        """The files `generate_output` writes, for plugins/build_errors: no article may take them
        (an empty or None name is a file not written)."""
        if not self.settings["CORRECTIONS_SAVE_AS"]:
            return []
        return [(self.settings["CORRECTIONS_SAVE_AS"], "the Corrections page"),
                (self.settings["CORRECTIONS_FEED_ATOM"], "the Corrections feed")]

    def feed_item(self, entry: Listed) -> FeedItem:
        article, correction = entry
        title = Markup(article.title).striptags()
        return FeedItem(title=f"Correction: {title}", url=f"{article.url}#{correction.anchor}",
                        date=correction.when, author=Markup(self.settings["SITENAME"]).striptags(),
                        text_html=correction.html, article_title=title)
