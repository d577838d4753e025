"""Development settings for the news site (flat UPPERCASE names only).

`make html` passes this file with `-s pelican.conf.py`; `publish.conf.py` loads it by path and
overrides what production needs.
"""

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
PLUGINS = ["plugins.build_errors", "plugins.references", "plugins.images", "plugins.comments"]

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
DEFAULT_PAGINATION = 10
SUMMARY_MAX_LENGTH = 50

# Feeds are generated only by publish.conf.py, where SITEURL is absolute.
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
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
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
