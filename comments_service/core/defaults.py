"""Default values of every setting of the comments service and of the comments plugin.

Read through `settings.resolve()` only (the one resolver): it applies `COMMENTS_<NAME>`
environment variables and explicit overrides on top of these, and derives the empty path
settings from where the code runs. Names are the Flask config keys of the service; in the
environment and in Pelican settings they carry the `COMMENTS_` prefix.
"""

# Storage. DATABASE_URL: any SQLAlchemy URL (sqlite:///path or postgresql+psycopg://...).
#: Empty -> a SQLite file in INSTANCE_PATH.
DATABASE_URL = ""
#: Instance folder (default SQLite file, generated development secret), shared by the build and
#: the service. Empty -> `instance/` of the checkout when running from one, else of the working
#: directory.
INSTANCE_PATH = ""
#: Run `alembic upgrade head` when the app starts (under a lock, so several workers are safe).
AUTO_MIGRATE = True
#: The thread manifest written by the site build; relative paths are taken from the working dir.
#: Empty -> output/comments/threads.json of the checkout (else of the working directory).
THREADS_MANIFEST = ""
#: Same-host static root (docs/deploy.md): the built site's folder. When set, every write that
#: readers see queues its thread for a re-bake (the rebake_queue table), and a baker thread in each
#: worker re-renders the article's comments section into its static page off the request path
#: (rebake.py, baker.py); empty -> pages change at the next build only (or see REBAKE_QUEUE).
SITE_DIR = ""
#: Queue re-bakes even without SITE_DIR: the static root is on another host, where
#: `flask --app comments_service rebake-worker` (with COMMENTS_SITE_DIR set) bakes them.
REBAKE_QUEUE = False
#: With SITE_DIR set, bake in a thread of each service worker (false: only rebake-worker does).
REBAKE_IN_PROCESS = True
#: Seconds the no-JS poster's landing page (GET /api/threads/<slug>/posted/<id>) waits for the
#: bake of their comment before it shows them the whole thread on the service's page instead.
REBAKE_WAIT_SECONDS = 3
#: Seconds a queued bake waits for more writes to the same thread, baked with it: under a stream
#: of posts a page is baked at most about once per this (a bake of a 1,000-comment page is ~10 ms
#: of CPU taken from the workers), at the price of this much delay for the no-JS landing page.
REBAKE_DELAY_SECONDS = 0.25
#: Seconds between two looks of a baker at the queue for rows other processes queued (its own
#: worker's writes wake it at once).
REBAKE_POLL_SECONDS = 1
#: Seconds a bake in hand is leased to its baker: one killed mid-bake leaves the row to the next.
REBAKE_LEASE_SECONDS = 60
#: A failed bake is retried after 1 s, then twice as long each time, at most this far apart.
REBAKE_RETRY_MAX_SECONDS = 300
#: A folder whose comments.html replaces the packaged partial (core/templates/comments.html) in
#: the build and in re-bake alike; empty -> the packaged one.
TEMPLATES = ""
#: Where the comments form posts and the widget reads: the public URL of the /api prefix, the
#: same for the build and the service (re-bake renders the same form).
API_URL = "/api"
#: The baked comments section (build and re-bake) shows this many top-level comments, each with
#: all its replies, then a "Show all N comments" link to the service's page of the whole thread
#: (GET /api/threads/<slug>/all; the widget pages the rest in with `limit` / `after`).
SECTION_TOP_LEVEL_MAX = 50
#: Build: close an article's thread this many days after publication (None: never by age; an
#: article closes its own with `Comments: closed`).
CLOSE_AFTER_DAYS = None
#: Build: a production build (publish.conf.py) must sign its form tokens with SECRET_KEY; a
#: development build falls back to the key kept in INSTANCE_PATH.
PRODUCTION = False
#: Signs form, edit and subscription tokens and the moderators' sessions. Required in production
#: (the service refuses to start, a production build stops); never commit it.
SECRET_KEY = ""

# Input limits (see validation.py): they are the documented contract, change them with care.
MAX_CONTENT_LENGTH = 64 * 1024  # request body, bytes -> 413 above
MAX_LINKS = 3  # more links than this in a comment -> 400
MAX_COUNT_THREADS = 50  # `thread` parameters accepted by GET /api/counts
#: Bytes of serialised thread pages each worker keeps (page_cache.py); 0 turns the cache off.
PAGE_CACHE_BYTES = 16 * 1024 * 1024
#: Seconds a shared cache (nginx's micro-cache, a CDN; docs/deploy.md) may serve a thread page
#: (GET /api/threads/<slug>/comments) without asking the service: `Cache-Control: public,
#: max-age=` this. A reader may then see a new comment this much later in the widget (never in
#: the service's own answers: its page cache is keyed by the thread's version). The response holds
#: nothing per reader (the form token names the thread and a time, not a reader), so one copy
#: serves everyone. 0 -> `no-cache` (every view revalidates at the service).
THREAD_CACHE_SECONDS = 5
#: ... and seconds past that a cache may still serve the old copy while it fetches the new one
#: (`stale-while-revalidate`): readers never wait for the service on a busy article.
THREAD_STALE_SECONDS = 30

# Moderation: "none" (publish at once), "first" (hold a reader's comments until their email
# address is confirmed: approving one mails the address a link, needs SMTP_HOST), "all" (hold
# everything). Under "first" and "all" an author's edit of a published comment waits too.
MODERATION = "none"
#: Readers' reports (spam, abuse, off-topic; one per reader) that take a published comment back to
#: the moderation queue, flagged `reported`, until a moderator approves it again.
REPORT_HOLD_AFTER = 3

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
#: The service's HTML pages for readers (e.g. a no-JS comment that could not be posted) look like
#: the site: its name (pelican.conf.py SITENAME) in their header, linking to SITE_URL, and its
#: stylesheet, this path under SITE_URL (THEME_STATIC_DIR/css/site.css of the theme).
SITE_NAME = "Newsroom"
SITE_STYLESHEET = "theme/css/site.css"

# Moderation UI at /admin/ (admin/, docs/moderation.md).
#: {"name": "<werkzeug password hash>"}; `flask --app comments_service set-password NAME` prints
#: one. Empty -> /admin/ is switched off (404).
ADMIN_USERS: dict[str, str] = {}
#: Every /admin request, per client address and page (replaces the read/write limits below).
ADMIN_RATE_LIMIT = "300 per minute"
#: Login attempts per client address (checked before the password, so guessing is throttled).
ADMIN_LOGIN_RATE_LIMIT = "5 per minute;20 per hour"
#: Comments or log rows per admin page.
ADMIN_PAGE_SIZE = 50
#: Flask's session cookie names the moderator's login, which lives in the database (table
#: moderator_sessions: logging out ends it on every worker): always SameSite=Strict and HttpOnly,
#: Secure when the request came over https (SESSION_COOKIE_SECURE=true: always).
SESSION_COOKIE_SECURE = False
#: A login ends this long after it began, however busy (seconds; checked against the database).
PERMANENT_SESSION_LIFETIME = 8 * 3600
#: ... and after this long without a request (seconds).
ADMIN_SESSION_IDLE_SECONDS = 30 * 60

# Email (mail.py, notify.py): moderator alerts for held comments and double-opt-in reply
# notifications. Each mail is a row of the outbox committed with the comment that causes it, sent
# afterwards by a background thread in each worker (never on the request path), retried when it
# fails; rows survive restarts. `flask --app comments_service send-mail` sends what is due once.
#: SMTP server name; empty -> no mail at all (and `notify` on a comment stores nothing).
SMTP_HOST = ""
#: 0 -> the usual port for SMTP_SECURITY: 25 (none), 587 (starttls), 465 (ssl).
SMTP_PORT = 0
#: "none" (plain, e.g. a local relay), "starttls" (upgrade after connecting) or "ssl" (TLS at once).
SMTP_SECURITY = "starttls"
#: Login for the SMTP server; empty username -> no login.
SMTP_USERNAME = ""
SMTP_PASSWORD = ""
#: The From address of every mail, e.g. "News comments <comments@news.example.org>".
SMTP_FROM = ""
#: Seconds to wait for the SMTP server (connect and each command) before the mail counts as failed.
SMTP_TIMEOUT = 30
#: A failed mail is tried again after MAIL_RETRY_BASE_SECONDS, then after twice as long each
#: time, at most MAIL_RETRY_MAX_SECONDS apart, MAIL_MAX_ATTEMPTS times in all (the defaults: for
#: about 8 hours). Then it is kept in the outbox as failed and logged as an error;
#: `send-mail --retry-failed` tries it again, `purge` deletes it after IP_RETENTION_DAYS.
MAIL_MAX_ATTEMPTS = 15
MAIL_RETRY_BASE_SECONDS = 30
MAIL_RETRY_MAX_SECONDS = 3600
#: Seconds a mail being sent is leased to its sender: a sender killed mid-send leaves it to the
#: next one after this. Keep it well above what one delivery can take (a few SMTP_TIMEOUTs), or
#: a slow delivery may be sent twice.
MAIL_LEASE_SECONDS = 600
#: Seconds between two looks of each worker's sender at the outbox (mail other processes queued,
#: retries coming due); mail a worker queues itself is sent at once.
MAIL_POLL_SECONDS = 15
#: At shutdown, seconds a worker waits for the mail it is sending (then it stops waiting and the
#: mail stays in the outbox); keep it below gunicorn's graceful_timeout.
MAIL_SHUTDOWN_SECONDS = 5
#: Who gets a mail when a comment is held for moderation (JSON list in the environment).
MODERATOR_EMAILS: list[str] = []
#: Scheme and host of the public /api (e.g. "https://news.example.org") for the links in mails;
#: empty -> SITE_URL, else the request's host. Use https: List-Unsubscribe (RFC 8058) needs it.
SERVICE_URL = ""
#: Seconds a confirmation link works (reply notifications; an address under MODERATION=first).
SUBSCRIPTION_CONFIRM_MAX_AGE = 7 * 24 * 3600
#: Limit of the /api/subscriptions links, GET and POST alike: RFC 8058 one-click unsubscribes
#: come from the mail provider's servers, many readers behind one address, so the write limit
#: would refuse them; the signed token is the credential and the work is one row.
SUBSCRIPTION_RATE_LIMIT = "300 per minute"

# Rate limits per client address and endpoint (Flask-Limiter syntax; see security.py).
READ_RATE_LIMIT = "600 per minute"
WRITE_RATE_LIMIT = "10 per minute;60 per hour"
RATELIMIT_ENABLED = True
RATELIMIT_STORAGE_URI = "memory://"  # e.g. redis://127.0.0.1:6379/0
#: When that storage does not answer, count in each worker's memory (logged; /api/health says
#: "degraded") rather than failing every request; back to it once it answers again.
RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
RATELIMIT_KEY_PREFIX = "comments"
#: X-RateLimit-* on every response cost two more round trips to the storage per request (the
#: window's count and expiry), more than the count itself; a 429 carries Retry-After either way
#: (security.py).
RATELIMIT_HEADERS_ENABLED = False
