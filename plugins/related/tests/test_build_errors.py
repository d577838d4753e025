"""A related-reading setting of the wrong kind stops `make html` with one line naming the settings file."""

import pytest

from plugins.build_errors.tests.make_html import REPO, last_line, make_html

ARTICLE = "Title: Harbour reopens\nDate: 2025-07-16 08:00\nTags: ports\n\nThe harbour reopened.\n"

# The site's own settings plus one override, as an editor would write them in pelican.conf.py.
SETTINGS = f"""\
import runpy
globals().update({{name: value for name, value in runpy.run_path({str(REPO / "pelican.conf.py")!r}).items()
                  if name.isupper()}})
THEME = {str(REPO / "theme")!r}
"""


@pytest.mark.parametrize(("setting", "shown"), [
    ('RELATED_MAX = "four"', "'four'"),
    ("RELATED_SECTION_MAX = -1", "-1"),
    ("RELATED_MAX = 2.5", "2.5"),
])
def test_a_wrong_setting_is_a_build_error_naming_the_settings_file(tmp_path, setting, shown):
    (tmp_path / "pelican.conf.py").write_text(SETTINGS + setting + "\n", encoding="utf-8")
    result = make_html(tmp_path, {"harbour.md": ARTICLE}, CONFFILE=str(tmp_path / "pelican.conf.py"))
    name, default = setting.split(" = ")[0], 4
    assert result.returncode != 0
    assert "Traceback" not in result.stdout
    assert last_line(result) == (f"pelican.conf.py: {name} must be a whole number of articles "
                                 f"(0 hides the list), not {shown}: for example {name} = {default}")


def test_the_settings_are_honoured(tmp_path):
    (tmp_path / "pelican.conf.py").write_text(SETTINGS + "RELATED_MAX = 0\nRELATED_SECTION_MAX = 1\n",
                                              encoding="utf-8")
    files = {f"a{day}.md": ARTICLE.replace("16", f"1{day}").replace("Harbour", f"Harbour {day}")
             for day in range(1, 4)}
    result = make_html(tmp_path, files, CONFFILE=str(tmp_path / "pelican.conf.py"))
    assert result.returncode == 0, result.stdout
    html = (tmp_path / "output" / "harbour-1-reopens.html").read_text(encoding="utf-8")
    assert html.count("<aside") == 1 and html.count('<li><a href="/harbour-') == 1
    assert '<a href="/harbour-3-reopens.html">Harbour 3 reopens</a>' in html
