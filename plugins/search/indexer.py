"""Index a built site with Pagefind, and swap the new search bundle in whole.

Pagefind (the `pagefind[extended]` package ships its binary) reads every HTML file of the site;
as soon as one page carries `data-pagefind-body`, only the elements so marked are indexed (the
theme marks articles and static pages), less EXCLUDE_SELECTORS: their title and text. The bundle is
written into a staging folder and then renamed to `<site>/pagefind/`: Pagefind itself would leave
the fragments of the previous index beside the new ones, and a reader searching meanwhile would
see half of each.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

#: The bundle's folder in the site; the theme's search page loads `<SITEURL>/pagefind/pagefind.js`.
BUNDLE = "pagefind"
#: What an indexed page (article.html, page.html: `data-pagefind-body`) holds that is not its
#: title or text: the byline, the lead image's caption and credit, the corrections notice and the
#: comments section (its form, its notices and the comments themselves, which change after the
#: build). Selectors of theme/templates and the comments partial.
EXCLUDE_SELECTORS = (".byline", ".lead-image", ".corrections", "#comments")
STAGING = ".pagefind-new"
RETIRED = ".pagefind-old"
INSTALL_HINT = ("run `make venv` (pyproject.toml installs `pagefind[extended]`, which ships the "
                "binary), or set PAGEFIND_BINARY_PATH to a pagefind executable")


class SearchIndexError(Exception):
    """The index could not be built; the message says why and what to do."""


def find_pagefind() -> Path:
    """The Pagefind executable: PAGEFIND_BINARY_PATH, else the one `pagefind[extended]` (or
    `pagefind[bin]`) installed, else `pagefind` on PATH (the `pagefind` package's own lookup)."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        raise SearchIndexError(f"the `pagefind` Python package is not installed: {INSTALL_HINT}") from None
    path = get_executable()
    if path is None or not Path(path).is_file() or not os.access(path, os.X_OK):
        shown = f" ({path} is not an executable file)" if path is not None else ""
        raise SearchIndexError(f"no Pagefind binary found{shown}: {INSTALL_HINT}")
    return Path(path)


def build_index(site: Path, binary: Path | None = None) -> int:
    """Index the built site `site` into `site/pagefind/`; return the number of pages indexed.

    Raises SearchIndexError, with what to do, when the site is not built, the binary is missing,
    or Pagefind fails (its own last lines are in the message); the previous bundle is then left
    as it was."""
    site = Path(site).resolve()
    if not (site / "index.html").is_file():
        raise SearchIndexError(f"{site} has no index.html: build the site first (`make html`)")
    binary = binary or find_pagefind()
    staging, retired = site / STAGING, site / RETIRED
    shutil.rmtree(staging, ignore_errors=True)
    cmd = [str(binary), "--site", str(site), "--output-path", str(staging)]
    for selector in EXCLUDE_SELECTORS:
        cmd += ["--exclude-selectors", selector]
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    except OSError as error:
        raise SearchIndexError(f"could not run {binary}: {error}; {INSTALL_HINT}") from None
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0 or not (staging / "pagefind.js").is_file():
        shutil.rmtree(staging, ignore_errors=True)
        last = " / ".join(line.strip() for line in output.splitlines()[-3:] if line.strip())
        raise SearchIndexError(f"Pagefind failed on {site} (exit {result.returncode}): {last or 'no output'}")
    shutil.rmtree(retired, ignore_errors=True)
    bundle = site / BUNDLE
    if bundle.exists():
        bundle.rename(retired)
    staging.rename(bundle)
    shutil.rmtree(retired, ignore_errors=True)
    pages = re.search(r"Indexed (\d+) page", output)
    return int(pages.group(1)) if pages else 0
