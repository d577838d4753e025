"""Default settings of the comments service, each one overridable.

Order of precedence (lowest first): the values below, then every `COMMENTS_<NAME>` environment
variable (`app.config.from_prefixed_env("COMMENTS")`, values parsed as JSON where they can be, so
`COMMENTS_RATELIMIT_ENABLED=false` is a boolean), then the `test_config` mapping given to
`create_app`. Flask-Limiter reads its own `RATELIMIT_*` keys, so `COMMENTS_RATELIMIT_STORAGE_URI`
lands on `RATELIMIT_STORAGE_URI` directly.
"""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Instance folder (default SQLite file, generated development secret). Shared with the build.
INSTANCE_PATH = PROJECT_ROOT / "instance"
DEFAULT_DATABASE_URL = f"sqlite:///{INSTANCE_PATH / 'comments.sqlite3'}"

# Storage. DATABASE_URL: any SQLAlchemy URL (sqlite:///path or postgresql+psycopg://...).
DATABASE_URL = DEFAULT_DATABASE_URL
#: Run `alembic upgrade head` when the app starts (under a lock, so several workers are safe).
AUTO_MIGRATE = True
#: The thread manifest written by the site build; relative paths are taken from the working dir.
THREADS_MANIFEST = str(PROJECT_ROOT / "output" / "comments" / "threads.json")
#: Same-host static root (docs/deploy.md): the built site's folder. When set, every write re-bakes
#: the article's comments section into its static page (bake.py); empty -> pages change at the
#: next build only.
SITE_DIR = ""
#: The theme templates folder holding comments.html, the partial that re-bake renders.
THEME_TEMPLATES = str(PROJECT_ROOT / "theme" / "templates")

# Input limits (see validation.py): they are the documented contract, change them with care.
MAX_CONTENT_LENGTH = 64 * 1024  # request body, bytes -> 413 above
MAX_LINKS = 3  # more links than this in a comment -> 400
MAX_COUNT_THREADS = 50  # `thread` parameters accepted by GET /api/counts

# Moderation: "none" (publish at once), "first" (hold an email's comments until one of them has
# been approved), "all" (hold everything).
MODERATION = "none"

# Tokens. EDIT_WINDOW: seconds after posting during which the edit token works.
EDIT_WINDOW = 15 * 60
#: A form token younger than this proves a bot filled the form (seconds).
MIN_FILL_SECONDS = 3
#: A form token older than this is refused ("reload the page"); baked pages must be rebuilt
#: (or the widget refreshes the token from X-Form-Token) more often than this (seconds).
FORM_TOKEN_MAX_AGE = 30 * 24 * 3600
#: Origins allowed to write besides the request's own (e.g. ["https://news.example"]).
ALLOWED_ORIGINS: list[str] = []
#: Salt of the stored IP hash; empty -> derived from SECRET_KEY.
IP_HASH_SALT = ""
#: Days a comment's IP hash is kept; `flask --app comments_service purge` clears older ones.
IP_RETENTION_DAYS = 30
#: Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
PROXY_COUNT = 0

# Feeds.
FEED_SIZE = 50
#: Base URL for relative thread URLs in feeds and redirects; empty -> the request's host URL.
SITE_URL = ""

# Rate limits per client address and endpoint (Flask-Limiter syntax; see security.py).
READ_RATE_LIMIT = "600 per minute"
WRITE_RATE_LIMIT = "10 per minute;60 per hour"
RATELIMIT_ENABLED = True
RATELIMIT_STORAGE_URI = "memory://"  # e.g. redis://127.0.0.1:6379/0
RATELIMIT_KEY_PREFIX = "comments"
RATELIMIT_HEADERS_ENABLED = True
