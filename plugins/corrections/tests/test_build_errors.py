"""Every mistake an editor can make in `Correction:` or `Modified:` stops `make html` with
`content/<file>.md:<line>: <message>` as the last line printed, and no traceback."""

import pytest

from plugins.build_errors.tests.make_html import last_line, make_html

EXAMPLE = "`Correction: 2025-07-16 10:00 | What was wrong and what is right.`"
HEADER = "Title: Harbour\nDate: 2025-07-15 09:00\nSlug: harbour\n"

CASES = {
    "no bar": (
        HEADER + "Correction: 2025-07-16 10:00 The harbour reopened on Tuesday.\n", 4,
        f"a correction needs its date and time, a `|`, then what was corrected, as in {EXAMPLE}"),
    "empty field": (
        HEADER + "Correction: 2025-07-16 10:00 | Fine.\nCorrection:\n", 5,
        f"a correction needs its date and time, a `|`, then what was corrected, as in {EXAMPLE}"),
    "date only": (
        HEADER + "Correction: 2025-07-16 | Tuesday, not Monday.\n", 4,
        "cannot read the correction's date `2025-07-16`: write it as YYYY-MM-DD HH:MM (24-hour, in the "
        f"site's time zone, UTC), as in {EXAMPLE}"),
    "impossible date": (
        HEADER + "Correction: 2025-07-16 10:00 | Fine.\nCorrection: 2025-02-30 10:00 | Bad day.\n", 5,
        "cannot read the correction's date `2025-02-30 10:00`: write it as YYYY-MM-DD HH:MM (24-hour, in "
        f"the site's time zone, UTC), as in {EXAMPLE}"),
    "words for a date": (
        HEADER + "Correction: yesterday at ten | Tuesday, not Monday.\n", 4,
        "cannot read the correction's date `yesterday at ten`: write it as YYYY-MM-DD HH:MM (24-hour, in "
        f"the site's time zone, UTC), as in {EXAMPLE}"),
    "empty text": (
        HEADER + "Correction: 2025-07-16 10:00 |   \n", 4,
        "the correction has no text after the `|`: say what was wrong and what is right"),
    "control character": (
        HEADER + "Correction: 2025-07-16 10:00 | Tuesday\x00, not Monday.\n", 4,
        "the correction's text contains an invisible control character: retype the line"),
    "before the article": (
        HEADER + "Correction: 2025-07-15 08:59 | Tuesday, not Monday.\n", 4,
        "the correction is dated 2025-07-15 08:59, before the article's Date (2025-07-15 09:00): "
        "a correction comes after publication"),
    "in the future": (
        HEADER + "Correction: 2025-07-16 10:00 | Fine.\nCorrection: 2999-07-16 10:00 | Typo in the year.\n", 5,
        "the correction is dated 2999-07-16 10:00, which is in the future (times are in the site's "
        "time zone, UTC): check the date"),
    "modified before date": (
        HEADER + "Modified: 2025-07-14 10:00\n", 4,
        "Modified (2025-07-14 10:00) is before Date (2025-07-15 09:00): an update comes after "
        "publication; check both"),
    # "Updated 16 July 2999" on a published article: a typo in the year.
    "modified in the future": (
        HEADER + "Modified: 2999-07-16 10:00\n", 4,
        "Modified (2999-07-16 10:00) is in the future: an update is dated when it is made; "
        "check the date"),
    # A link that runs script would run it on the article, the Corrections page and the feed.
    "script link": (
        HEADER + "Correction: 2025-07-16 10:00 | Fine.\nCorrection: 2025-07-16 11:00 | See "
        "[the statement](java\tscript:alert(1)).\n", 5,
        "the correction links to `java script:alert(1)`: a link in a correction must be a web "
        "address (https://...), a mailto: address or a path on this site"),
    # A continuation line is one more value in Markdown's Meta: the line still counts right.
    "after a continued entry": (
        HEADER + "Correction: 2025-07-16 10:00 | A long text\n    that goes on.\n"
        "Tags: port\nCorrection: 2025-07-16 | Date without a time.\n", 7,
        "cannot read the correction's date `2025-07-16`: write it as YYYY-MM-DD HH:MM (24-hour, in the "
        f"site's time zone, UTC), as in {EXAMPLE}"),
}


@pytest.mark.parametrize("name", CASES)
def test_bad_field_is_reported_at_its_line(tmp_path, name):
    text, line, message = CASES[name]
    result = make_html(tmp_path, {"harbour.md": "\n".join([text, "The harbour reopened.\n"])})
    assert result.returncode != 0
    assert "Traceback" not in result.stdout
    assert last_line(result) == f"content/harbour.md:{line}: {message}"


def test_a_good_site_builds(tmp_path):
    """The cases above fail for their one bad line: the same article without it builds."""
    text = HEADER + ("Modified: 2025-07-16 12:00\nCorrection: 2025-07-16 10:00 | A long text\n"
                     "    that goes on.\nCorrection: 2025-07-16 11:00 | Fine | with a bar.\n"
                     "Correction: 2025-07-16 11:30 | See [this](https://example.org/a?b=1&c=2), "
                     "[that](/other.html#x) and <mailto:desk@example.org>.\n")
    result = make_html(tmp_path, {"harbour.md": "\n".join([text, "The harbour reopened.\n"])})
    assert result.returncode == 0, result.stdout
    page = (tmp_path / "output" / "harbour.html").read_text(encoding="utf-8")
    assert "A long text that goes on.</p>" in page
    assert "Fine | with a bar.</p>" in page
    assert '<a href="https://example.org/a?b=1&amp;c=2">this</a>' in page
