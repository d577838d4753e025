"""A wrong `Featured:` value or FRONTPAGE_SECTION_MAX stops `make html` with one line naming where."""

import pytest

from plugins.build_errors.tests.make_html import REPO, last_line, make_html

ARTICLE = "Title: Harbour reopens\nDate: 2025-07-16 08:00\nCategory: Local\n{field}\nThe harbour reopened.\n"
MESSAGE = ("Featured must be true or false, not {shown}: write `Featured: true` to make this article "
           "the front page's lead story, or leave the field out")


@pytest.mark.parametrize(("field", "shown"), [
    ("Featured: maybe", "'maybe'"),
    ("Featured: 1", "'1'"),
    ("Featured: " + "x" * 100, repr("x" * 40 + "…")),
])
def test_a_featured_value_that_is_not_true_or_false_names_its_line(tmp_path, field, shown):
    files = {"other.md": ARTICLE.format(field="Featured: true"),
             "harbour.md": ARTICLE.format(field=field)}
    result = make_html(tmp_path, files)
    assert result.returncode != 0
    assert "Traceback" not in result.stdout
    assert last_line(result) == "content/harbour.md:4: " + MESSAGE.format(shown=shown)


def test_a_draft_is_checked_too(tmp_path):
    draft = ARTICLE.format(field="Status: draft\nFeatured: sometimes")
    result = make_html(tmp_path, {"notes/draft.md": draft})
    assert last_line(result) == "content/notes/draft.md:5: " + MESSAGE.format(shown="'sometimes'")


SETTINGS = f"""\
import runpy
globals().update({{name: value for name, value in runpy.run_path({str(REPO / "pelican.conf.py")!r}).items()
                  if name.isupper()}})
THEME = {str(REPO / "theme")!r}
"""


@pytest.mark.parametrize(("setting", "shown"), [("FRONTPAGE_SECTION_MAX = 'four'", "'four'"),
                                                ("FRONTPAGE_SECTION_MAX = -1", "-1"),
                                                ("FRONTPAGE_SECTION_MAX = True", "True")])
def test_a_wrong_setting_names_the_settings_file(tmp_path, setting, shown):
    (tmp_path / "pelican.conf.py").write_text(SETTINGS + setting + "\n", encoding="utf-8")
    result = make_html(tmp_path, {"harbour.md": ARTICLE.format(field="")},
                       CONFFILE=str(tmp_path / "pelican.conf.py"))
    assert result.returncode != 0
    assert last_line(result) == (
        f"pelican.conf.py: FRONTPAGE_SECTION_MAX must be a whole number of headlines (0 hides the "
        f"section blocks), not {shown}: for example FRONTPAGE_SECTION_MAX = 4")
