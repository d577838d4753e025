"""Every size limit of a comment and its thread, defined once.

The database columns (storage/tables.py), the input check (validation.py), the importers, the
moderation UI and the export schema (comments-export.schema.json, checked against these by a
test) all take their numbers from here, so a limit cannot drift between the places that enforce
it. They are the documented contract (docs/api.md): change them with a migration and with care.
"""

AUTHOR_MAX = 100
EMAIL_MAX = 254
WEBSITE_MAX = 254
TEXT_MIN, TEXT_MAX = 3, 10_000
#: The anti-spam form fields (form_token, homepage).
TOKEN_MAX = 1000
#: Ids are 32-bit integers on PostgreSQL.
ID_MAX = 2**31 - 1
#: Readers' votes (comments.likes, comments.dislikes) are counted in 32-bit integers too.
VOTES_MAX = ID_MAX
SLUG_MAX = 200
#: An importer's name ("disqus") and a source's own id of a comment (Remark42's are UUIDs,
#: Disqus's 64-bit numbers): storage/tables.py imported_comments.
IMPORT_SOURCE_MAX, SOURCE_ID_MAX = 20, 200
#: What a comment may be about: a reference [n] of the article (at most the article's own
#: number of references when the thread manifest knows it) or a paragraph (from 1).
REFERENCE_MAX, PARAGRAPH_MAX = 999, 9999
#: A comment's kind ("comment", "correction") and a report's reason ("spam", "abuse"...).
KIND_MAX, REPORT_REASON_MAX = 12, 20
#: Space-separated reason codes of a held comment.
FLAGS_MAX = 200
#: A moderator's reason (moderation_log.reason and comments.moderation_reason).
REASON_MAX = 500
#: A moderator's name (moderation_log.actor).
MODERATOR_NAME_MAX = 100
#: A moderator action's name ("approve-edit"; moderation_log.action).
MODERATION_ACTION_MAX = 20
#: Salted SHA-256 hex digest of a client address.
IP_HASH_MAX = 64
#: SHA-256 hex digests a moderator's session is stored as (its id, its password fingerprint).
SESSION_DIGEST_MAX = 64
#: Replies nest this deep at most (a top-level comment is depth 0). A reply to a comment at this
#: depth is attached next to it, at the deepest level, as large comment systems do; pages show
#: older, deeper chains at this depth too, so no thread can nest without limit.
REPLY_DEPTH_MAX = 8
