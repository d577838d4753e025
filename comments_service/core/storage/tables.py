"""Database tables (SQLAlchemy Core). The schema is versioned by Alembic: change it here AND add a
migration under migrations/versions/ (`alembic -c comments_service/core/storage/alembic.ini revision
--autogenerate -m "..."` with COMMENTS_DATABASE_URL pointing at an up-to-date database)."""

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    false,
    text,
)

from ..limits import (
    AUTHOR_MAX,
    EMAIL_MAX,
    FLAGS_MAX,
    IMPORT_SOURCE_MAX,
    IP_HASH_MAX,
    KIND_MAX,
    MODERATION_ACTION_MAX,
    MODERATOR_NAME_MAX,
    REASON_MAX,
    REPORT_REASON_MAX,
    SESSION_DIGEST_MAX,
    SLUG_MAX,
    SOURCE_ID_MAX,
    WEBSITE_MAX,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: One row per thread that has ever received a comment. The thread's existence, URL, title and
#: open/closed state come from the build's manifest; `locked` is the moderator's switch.
threads = Table(
    "threads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(SLUG_MAX), nullable=False, unique=True),
    Column("locked", Boolean, nullable=False, server_default=false()),
    #: Bumped by every write to the thread or its comments (core/storage/threads.py): the API's ETags and its
    #: cache of serialised pages name it, so neither can outlive a change.
    Column("version", Integer, nullable=False, server_default=text("0")),
)

comments = Table(
    "comments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("thread_id", ForeignKey("threads.id", ondelete="CASCADE"), nullable=False),
    Column("parent_id", ForeignKey("comments.id"), nullable=True),
    Column("state", String(10), nullable=False),
    Column("deleted", Boolean, nullable=False, server_default=false()),
    Column("author", String(AUTHOR_MAX), nullable=False),
    Column("email", String(EMAIL_MAX), nullable=True),
    Column("website", String(WEBSITE_MAX), nullable=True),
    Column("text", Text, nullable=False),
    Column("html", Text, nullable=False),
    Column("ip_hash", String(IP_HASH_MAX), nullable=True),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("edited", DateTime(timezone=True), nullable=True),
    #: Why the spam defences held the comment for a moderator (space-separated reason codes).
    Column("flags", String(FLAGS_MAX), nullable=True),
    #: A moderator's public reason for removing it ("removed by a moderator: <reason>").
    Column("moderation_reason", String(REASON_MAX), nullable=True),
    #: An author's edit of the published text, held for a moderator (MODERATION all / first):
    #: text as typed, rendered html, since when. NULL when no edit waits.
    Column("pending_text", Text, nullable=True),
    Column("pending_html", Text, nullable=True),
    Column("pending_since", DateTime(timezone=True), nullable=True),
    #: Readers' votes: imported with the comment (Isso, Remark42) plus those cast here.
    Column("likes", Integer, nullable=False, server_default=text("0")),
    Column("dislikes", Integer, nullable=False, server_default=text("0")),
    #: An editor's pick, shown above the thread, with the editor's note (public).
    Column("picked", Boolean, nullable=False, server_default=false()),
    Column("pick_note", String(REASON_MAX), nullable=True),
    #: COMMENT, or CORRECTION (a reader's correction, held for the moderators as its own kind).
    Column("kind", String(KIND_MAX), nullable=False, server_default=text("'comment'")),
    #: What of the article it is about: reference [n] of its References, or its n-th paragraph.
    Column("about_reference", Integer, nullable=True),
    Column("about_paragraph", Integer, nullable=True),
    #: The comment's public view as JSON text, written by the database's triggers on every write
    #: of the row (public_json.py): a thread page on a cache miss concatenates these.
    Column("public_json", Text, nullable=True),
    # Read paths: a thread's visible comments in id order; latest across the site (feed,
    # moderation queue); replies of a comment (soft delete); an email's approved comments;
    # the edits waiting in the moderation queue.
    Index(None, "thread_id", "state", "id"),
    Index(None, "state", "id"),
    Index(None, "parent_id"),
    Index(None, "email", "state"),
    Index(None, "pending_since"),
    Index(None, "thread_id", "picked"),
    # Never give a deleted comment's id again (SQLite would reuse the last row's): anchors, feed
    # entry ids and edit tokens name comments by id.
    sqlite_autoincrement=True,
)

#: Every moderator action: who did what to which comment or thread, when and why. Comment ids are
#: kept as plain numbers (no foreign key) so the record outlives a deleted comment.
moderation_log = Table(
    "moderation_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(MODERATOR_NAME_MAX), nullable=False),
    Column("action", String(MODERATION_ACTION_MAX), nullable=False),
    Column("comment_id", Integer, nullable=True),
    Column("thread_slug", String(SLUG_MAX), nullable=True),
    Column("reason", String(REASON_MAX), nullable=True),
    Index(None, "at"),
)

#: Reply notifications a commenter asked for on one of their comments (double opt-in: `confirmed`
#: is set when they follow the link in the confirmation mail).
reply_subscriptions = Table(
    "reply_subscriptions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("comment_id", ForeignKey("comments.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("email", String(EMAIL_MAX), nullable=False),
    Column("confirmed", Boolean, nullable=False, server_default=false()),
    Column("created", DateTime(timezone=True), nullable=False),
)

def _per_reader(name: str, person: str, *columns: Column) -> Table:
    """A table of one row per reader and comment: a reader is `person` (the HMAC of the signed
    cookie the service gave them) and is also matched by `ip_hash` (comment_votes.py)."""
    return Table(
        name,
        metadata,
        Column("comment_id", ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True),
        Column(person, String(IP_HASH_MAX), primary_key=True),
        Column("ip_hash", String(IP_HASH_MAX), nullable=True),
        *columns,
        Column("created", DateTime(timezone=True), nullable=False),
        Index(None, "comment_id", "ip_hash"),
    )


#: Readers' votes: +1 or -1, one per reader and comment (comments.likes/dislikes hold the sums).
comment_votes = _per_reader("comment_votes", "voter", Column("value", SmallInteger, nullable=False))
#: Readers' reports of a comment (REPORT_REASONS), one per reader and comment.
comment_reports = _per_reader("comment_reports", "reporter",
                              Column("reason", String(REPORT_REASON_MAX), nullable=False))

#: Where imported comments came from (importers/): a source's comment id and the comment it
#: became, so that importing the same export again adds only what is new. `comment_id` becomes
#: NULL when the comment is deleted here: the next import must not bring it back.
imported_comments = Table(
    "imported_comments",
    metadata,
    Column("source", String(IMPORT_SOURCE_MAX), primary_key=True),
    Column("source_id", String(SOURCE_ID_MAX), primary_key=True),
    Column("comment_id", ForeignKey("comments.id", ondelete="SET NULL"), nullable=True),
    Index(None, "comment_id"),
)

#: Moderators' logins (comments_service/admin/sessions.py). The session cookie carries a random id;
#: only its SHA-256 is stored, so a copy of this table opens no session. Logging out deletes the
#: row, for every worker at once; a row is void once idle for ADMIN_SESSION_IDLE_SECONDS or older
#: than PERMANENT_SESSION_LIFETIME, or when the moderator's password hash no longer matches
#: `password_key` (an HMAC of the hash it logged in with).
moderator_sessions = Table(
    "moderator_sessions",
    metadata,
    Column("id_hash", String(SESSION_DIGEST_MAX), primary_key=True),
    Column("moderator", String(MODERATOR_NAME_MAX), nullable=False),
    Column("password_key", String(SESSION_DIGEST_MAX), nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
)

#: Email addresses whose owner proved they read them (MODERATION=first): a moderator approved a
#: comment with the address, which was then mailed a link, and the link was followed. Only these
#: skip moderation; typing an address proves nothing.
confirmed_addresses = Table(
    "confirmed_addresses",
    metadata,
    Column("email", String(EMAIL_MAX), primary_key=True),
    Column("confirmed", DateTime(timezone=True), nullable=False),
)

#: The outbox (core/storage/outbox.py): one row per mail still to send, written in the same
#: transaction as the comment or subscription that causes it, deleted once the SMTP server has
#: accepted it. `next_attempt_at` is when a sender may take it next (a claimed row's lease ends
#: then); `failed_at` is set when MAIL_MAX_ATTEMPTS have failed, and the row is kept.
mail_outbox = Table(
    "mail_outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    #: JSON list of addresses; `headers` a JSON list of [name, value] pairs beyond the usual ones.
    Column("recipients", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("headers", Text, nullable=False),
    #: Fixed when queued, so a mail sent twice (a sender killed after the server took it) carries
    #: the same Message-ID and the mail can be recognised as a copy.
    Column("message_id", Text, nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("last_error", Text, nullable=True),
    Column("failed_at", DateTime(timezone=True), nullable=True),
    Index(None, "next_attempt_at"),
    # Never give a sent mail's id to a new one: a sender whose lease ran out names its row by id
    # and attempt number, and must never touch a later mail.
    sqlite_autoincrement=True,
)

#: The re-bake queue (core/storage/rebake_queue.py): one row per thread whose static page a write
#: has changed. `version` counts the writes enqueued, `baked_version` is the newest of them a
#: finished bake covered: the thread is pending while version > baked_version. A baker takes a row
#: when `due_at` has come, leasing it (due_at moves to the lease's end); `failures` in a row and
#: the `last_error` push due_at back on failure. Rows are kept (one per thread ever written) so
#: the no-JS poster's landing page can ask whether THEIR version is baked.
rebake_queue = Table(
    "rebake_queue",
    metadata,
    Column("slug", String(SLUG_MAX), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("baked_version", Integer, nullable=False, server_default=text("0")),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("failures", Integer, nullable=False, server_default=text("0")),
    Column("last_error", Text, nullable=True),
    Index(None, "due_at"),
)
