"""The preview plugin's own decisions: which banner each unpublished entry gets, and nothing at
all without PREVIEW. Whole builds (banner, noindex, comments, output/ untouched) are tested in
tests/site/test_drafts.py."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from plugins.preview import DRAFT_LABEL, UNDATED, display_moment, mark_previews, preview_label

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
#: Pelican's date for a draft without one.
UNDATED_DATE = datetime.max.replace(tzinfo=UTC)


def entry(status=None, date=NOW + timedelta(days=1), **attributes):
    metadata = {} if status is None else {"status": status}
    return SimpleNamespace(metadata=metadata, date=date, locale_date="as Pelican wrote it", **attributes)


def generators(preview=True, **lists):
    """A settings-only generator, then one holding the given lists (as Pelican's do)."""
    settings = {"PREVIEW": True} if preview else {}
    return [SimpleNamespace(settings=settings), SimpleNamespace(settings=settings, **lists)]


@pytest.mark.parametrize("status", ["draft", "Draft", " draft "])
def test_status_draft_is_a_draft_whatever_its_date(status):
    assert preview_label(entry(status), NOW) == DRAFT_LABEL


def test_a_future_date_without_status_draft_is_scheduled():
    assert preview_label(entry(), NOW) == "Preview — not published: scheduled for 2 March 2026, 12:00 UTC"
    assert preview_label(entry("published"), NOW).endswith("scheduled for 2 March 2026, 12:00 UTC")


def test_the_scheduled_time_is_shown_in_the_sites_timezone():
    paris = datetime(2099, 1, 1, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))
    assert display_moment(paris) == "1 January 2099, 09:00 CET"
    assert preview_label(entry(date=paris), NOW).endswith("scheduled for 1 January 2099, 09:00 CET")


def test_an_undated_draft_is_a_draft():
    assert preview_label(entry(date=UNDATED_DATE), NOW) == DRAFT_LABEL


def test_every_kind_of_unpublished_entry_is_marked_and_an_undated_one_says_so():
    far = datetime(2099, 1, 1, 9, 0, tzinfo=UTC)  # the handler reads the clock
    draft, future, translation = entry("draft", date=NOW - timedelta(days=3)), entry(date=far), entry("draft")
    page, page_translation = entry("draft", date=UNDATED_DATE), entry("draft", date=UNDATED_DATE)
    published = entry("published", date=NOW - timedelta(days=3))
    mark_previews(generators(drafts=[draft, future], drafts_translations=[translation],
                             draft_pages=[page], draft_translations=[page_translation],
                             articles=[published]))
    assert [e.preview_label for e in (draft, translation, page, page_translation)] == [DRAFT_LABEL] * 4
    assert future.preview_label == "Preview — not published: scheduled for 1 January 2099, 09:00 UTC"
    assert not hasattr(published, "preview_label")
    assert (page.locale_date, draft.locale_date) == (UNDATED, "as Pelican wrote it")


def test_nothing_is_marked_without_preview():
    draft = entry("draft", date=UNDATED_DATE)
    mark_previews(generators(preview=False, drafts=[draft]))
    assert not hasattr(draft, "preview_label") and draft.locale_date == "as Pelican wrote it"
    mark_previews([])
