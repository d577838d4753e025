"""Size budgets: the comments widget (issue 5), its JavaScript plus its CSS, gzipped, at most 8 KB;
the whole site's CSS (issue 15), gzipped, at most 15 KB.
(The request budget, one API request per article view, is asserted in tests/e2e.)"""

import gzip
import re

from tests.conftest import ROOT

BUDGET_BYTES = 8 * 1024
WIDGET_JS = ROOT / "theme" / "static" / "js" / "comments.js"
SITE_CSS = ROOT / "theme" / "static" / "css" / "site.css"
#: The comments rules of the theme stylesheet are one delimited block.
COMMENTS_CSS = re.compile(r"/\* comments:start .*?/\* comments:end \*/", re.S)


def gzipped_size(text: str) -> int:
    return len(gzip.compress(text.encode("utf-8"), compresslevel=9))


def comments_css() -> str:
    block = COMMENTS_CSS.search(SITE_CSS.read_text(encoding="utf-8"))
    assert block, "site.css has no /* comments:start ... */ ... /* comments:end */ block"
    return block.group()


def test_comments_js_and_css_fit_in_8_kb_gzipped():
    size = gzipped_size(WIDGET_JS.read_text(encoding="utf-8")) + gzipped_size(comments_css())
    assert size <= BUDGET_BYTES, f"comments JS + CSS are {size} bytes gzipped, budget {BUDGET_BYTES}"


#: The whole site's CSS (issue 15), gzipped: every stylesheet of the theme.
SITE_CSS_BUDGET_BYTES = 15 * 1024


def test_the_site_css_fits_in_15_kb_gzipped():
    sheets = sorted((ROOT / "theme" / "static").rglob("*.css"))
    assert SITE_CSS in sheets
    size = sum(gzipped_size(sheet.read_text(encoding="utf-8")) for sheet in sheets)
    assert size <= SITE_CSS_BUDGET_BYTES, f"site CSS: {size} bytes gzipped, budget {SITE_CSS_BUDGET_BYTES}"
