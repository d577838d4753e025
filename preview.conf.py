"""Preview settings (`make preview`): the development settings, plus every unpublished article
and page written into the preview folder and marked as a preview (plugins/preview).

`pelican.conf.py` is not importable by name (Pelican loads it by path), so it is run with runpy
and its UPPERCASE names are copied here, as publish.conf.py does. The Makefile writes the preview
into PREVIEWDIR (preview/), never into output/: the live site and its comments manifest stay as
the last `make html` / `make publish` left them.
"""

import runpy
from pathlib import Path

globals().update(
    {
        name: value
        for name, value in runpy.run_path(str(Path(__file__).with_name("pelican.conf.py"))).items()
        if name.isupper()
    }
)

# plugins.preview (in PLUGINS) and the theme mark every page as a preview only when this is on.
PREVIEW = True

# Drafts and future-dated articles (drafts too: WITH_FUTURE_DATES stays False, so the preview
# shows what is not yet public) are written where Pelican puts them by default, under drafts/,
# so no draft can clash with a published article of the same slug.
DRAFT_URL = DRAFT_SAVE_AS = "drafts/{slug}.html"
DRAFT_LANG_URL = DRAFT_LANG_SAVE_AS = "drafts/{slug}-{lang}.html"
DRAFT_PAGE_URL = DRAFT_PAGE_SAVE_AS = "drafts/pages/{slug}.html"
DRAFT_PAGE_LANG_URL = DRAFT_PAGE_LANG_SAVE_AS = "drafts/pages/{slug}-{lang}.html"
