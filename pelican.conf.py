"""Development settings for the news site (flat UPPERCASE names only).

`make html` passes this file with `-s pelican.conf.py`; `publish.conf.py` loads it by path and
overrides what production needs.
"""

import os

AUTHOR = "Newsroom"
SITENAME = "Newsroom"
SITESUBTITLE = "News with sources you can check"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_CATEGORY = "News"
DEFAULT_DATE_FORMAT = "%-d %B %Y"

THEME = "theme"
# plugins.preview does nothing unless PREVIEW is on (preview.conf.py, `make preview`).
# memo second: the plugins after it read each article's url as computed once (plugins/memo).
PLUGINS = ["plugins.build_errors", "plugins.memo", "plugins.references", "plugins.authors",
           "plugins.images", "plugins.corrections", "plugins.related", "plugins.preview",
           "plugins.comments", "plugins.frontpage", "plugins.discovery",
           # last: fingerprints the theme's CSS/JS (the `asset()` of the templates) and writes the
           # .gz/.br copies of the finished output.
           "plugins.assets"]

# Author files (bio, photo, links: plugins/authors) live in content/authors/; the plugin reads them,
# so they must not also be published as articles or pages. AUTHOR (above) stays the byline of an
# article that names no author.
AUTHOR_FILES_PATH = "authors"
ARTICLE_EXCLUDES = [AUTHOR_FILES_PATH]
PAGE_EXCLUDES = [AUTHOR_FILES_PATH]

# Python-Markdown: the references plugin adds its footnote extension to this list at start-up.
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.codehilite": {"css_class": "highlight"},
        "markdown.extensions.extra": {},
        "markdown.extensions.meta": {},
    },
    "output_format": "html5",
}

ARTICLE_URL = "{slug}.html"
ARTICLE_SAVE_AS = "{slug}.html"

# Unpublished work never reaches output/ (issue 14): Pelican would write drafts to drafts/, where
# anyone who guesses the URL reads them. An empty SAVE_AS makes it write nothing; `make preview`
# (preview.conf.py) restores the drafts/ folder, in its own output folder.
DRAFT_SAVE_AS = ""
DRAFT_LANG_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
DRAFT_PAGE_LANG_SAVE_AS = ""
# Scheduling: an article dated in the future is a draft until a build runs after its date (naive
# dates are in TIMEZONE), so publishing on time needs a periodic rebuild (README, "Scheduling").
WITH_FUTURE_DATES = False
DEFAULT_PAGINATION = 10
# Page 1 of a listing keeps its address; page N is a folder below it (`tag/t1/page/2/`, and
# `page/2/` for the front page: Pelican's {base_name} of "index.html" is ""). Pelican's default,
# `{name}{number}{extension}`, put page 2 of tag "t1" at tag/t12.html, tag "t12"'s page, and page 2
# of the front page at index2.html, an article's: the build failed. A slug holds no "/" (what
# still can is a BuildError: plugins/build_errors/outputs.py). `make serve`, Pelican's -l server and
# nginx (`index index.html`, docs/deploy.md) answer a folder URL with its index.html.
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)
# Pelican's direct templates plus the search page (theme/templates/search.html; its index is built
# after Pelican by plugins/search, `make html`) and 404.html, the page unknown URLs answer with
# (`make serve`, and nginx's error_page in docs/deploy.md).
DIRECT_TEMPLATES = ["index", "tags", "categories", "authors", "archives", "search", "404"]
SUMMARY_MAX_LENGTH = 50

# Feeds in every build (issue 15): the site's, one per section, and the Corrections page's
# (plugins/corrections; beside that page, not in feeds/, where a section named "Corrections" would
# put its own). Atom needs absolute URLs: while SITEURL stays "" (root-relative pages), feeds,
# sitemaps and robots.txt (plugins/discovery) use FEED_DOMAIN, the `make serve` origin, which the
# Makefile passes as SITE_ORIGIN. publish.conf.py sets both to the public URL.
FEED_DOMAIN = os.environ.get("SITE_ORIGIN") or "http://127.0.0.1:8000"
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
CORRECTIONS_FEED_ATOM = "corrections.atom.xml"
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

# Comments: the plugin resolves its settings (database, key, COMMENTS_API_URL, ...) with the
# service's resolver, from COMMENTS_* variables and any COMMENTS_* name set here (plugins/comments).

# Pelican makes CACHE_PATH absolute relative to this file: the images plugin keeps its variants in
# cache/images/ of the repository (IMAGES_CACHE_PATH), whatever folder make runs from.
CACHE_PATH = "cache"

DELETE_OUTPUT_DIRECTORY = False
RELATIVE_URLS = False
# Pelican's own content cache stays off: it keys a file by mtime, ignores settings and plugin code,
# and cannot pickle our settings. Our Markdown reader keeps its own, in CACHE_PATH/read-cache/, keyed
# by each file's bytes and a fingerprint of the settings, the plugins' code and the library
# versions (plugins/references/read_cache.py): a rebuild converts only the files that changed.
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
CONTENT_READ_CACHE = True
