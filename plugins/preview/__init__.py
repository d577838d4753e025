"""Pelican plugin: mark the unpublished pages of a preview build (`make preview`) for editors.

Active only when the setting PREVIEW is true (preview.conf.py sets it; the live builds never do).
`register()` hooks `all_generators_finalized`, which runs once every generator has read its
content and before any page is written, and gives each unpublished article and page (Pelican's
drafts: `Status: draft`, and, with WITH_FUTURE_DATES = False, every article dated in the future)
`preview_label`, the banner's text:

* "Preview — not published: draft" for `Status: draft` (whatever its date);
* "Preview — not published: scheduled for 1 January 2099, 09:00 UTC" for an article whose date
  is still ahead, in the site's TIMEZONE (the date an editor wrote, naive dates included).

An undated draft (Pelican dates it 9999-12-31) gets `locale_date` "not dated yet", so its
byline reads as such instead of an empty date. The theme shows the banner
(`partials/preview_banner.html`: the label, or "Preview — not the live site" on every other
page) and `<meta name="robots" content="noindex">` whenever PREVIEW is on. The comments plugin
gives unpublished articles a section without a form (plugins/comments), and the preview build
writes into its own folder, so the live site's comments manifest is never touched.
"""

import logging
from collections.abc import Iterable
from datetime import UTC, datetime

from pelican import signals

logger = logging.getLogger(__name__)

DRAFT_LABEL = "Preview — not published: draft"
SCHEDULED_LABEL = "Preview — not published: scheduled for {when}"
UNDATED = "not dated yet"
#: Pelican's date for a draft without one (datetime.max in the site's timezone).
UNDATED_YEAR = datetime.max.year


def display_moment(moment: datetime) -> str:
    """'1 January 2099, 09:00 UTC': the moment in its own timezone, as the editor wrote it."""
    zone = moment.tzname() or "UTC"
    return f"{moment.day} {moment:%B %Y}, {moment:%H:%M} {zone}"


def is_undated(entry) -> bool:
    date = getattr(entry, "date", None)
    return date is None or date.year == UNDATED_YEAR


def preview_label(entry, now: datetime) -> str:
    """The banner text of an unpublished article or page at the moment `now` (aware)."""
    explicit = str(entry.metadata.get("status", "")).strip().lower()
    if explicit == "draft" or is_undated(entry) or entry.date <= now:
        return DRAFT_LABEL
    return SCHEDULED_LABEL.format(when=display_moment(entry.date))


def unpublished(generators: Iterable) -> list:
    """The drafts of every generator that has them (articles and pages, with translations)."""
    names = ("drafts", "drafts_translations", "draft_pages", "draft_translations")
    return [entry for generator in generators for name in names
            for entry in getattr(generator, name, ())]


def mark_previews(generators: list) -> None:
    """`all_generators_finalized` handler: label every unpublished entry when PREVIEW is on."""
    if not generators or not generators[0].settings.get("PREVIEW"):
        return
    now = datetime.now(UTC)
    entries = unpublished(generators)
    for entry in entries:
        entry.preview_label = preview_label(entry, now)
        if is_undated(entry):
            entry.locale_date = UNDATED
    logger.info("preview: %d unpublished articles and pages marked", len(entries))


def register():
    signals.all_generators_finalized.connect(mark_previews)
