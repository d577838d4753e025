"""Each article's and page's `url`, computed once per build.

Pelican's `Content.url` is a property that formats the URL setting anew on every access (copying
the metadata and resolving the source path each time): at 1,000 articles the templates and
plugins ask some 17,000 times. Once a generator has read every file, nothing changes what it
formats (slug, date, language, category, status), so `freeze_urls` stores it in Pelican's own
`override_url` attribute, which `get_url_setting` returns as it is.

Not `save_as`: Pelican reads it a few times per article, and an `override_save_as` means more to
it (the writer then lets the file replace another output file, as a page with `Save_as:
index.html` replaces the front page), which would hide an article written over a page the site
writes itself (plugins/build_errors/outputs.py names those).
"""

from __future__ import annotations

from plugins.build_errors.outputs import CONTENT_LISTS


def freeze(content) -> None:
    """Store `content`'s url as Pelican computes it now; an existing override (from `URL:`
    metadata) is kept as it is."""
    if not hasattr(content, "override_url"):
        content.override_url = content.url


def freeze_urls(generator) -> None:
    """Freeze every content item of `generator`: published, hidden, drafts and translations."""
    for name in CONTENT_LISTS:
        for content in getattr(generator, name, ()) or ():
            freeze(content)
