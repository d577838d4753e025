"""Readers' reports of published comments, with no Flask import (the web side is
comments_service/reactions.py, which also takes votes straight to storage/votes.py).

- A report (storage/reports.py) is one per reader and comment. The report that brings a comment
  to `hold_after` (REPORT_HOLD_AFTER) takes it back to the moderation queue (PENDING, flag
  `reported`), so readers stop seeing it, and logs that in moderation_log under the actor
  READERS; a moderator who approves it again clears its reports (moderation.publish).
Each function runs in the caller's transaction; the caller commits.
"""

from sqlalchemy import Connection

from .comment import Comment
from .storage import comments as stored
from .storage.moderation_log import log_action
from .storage.reports import add_report, reports_of

#: The moderation log's actor for what readers' reports did, and the flag of a held comment.
READERS, REPORTED = "readers", "reported"
#: The moderation log's action when reports hold a comment.
HOLD = "hold"


def report(conn: Connection, row: Comment, *, reporter: str, ip_hash: str | None, reason: str,
           hold_after: int) -> bool:
    """Record the reader's report of the published comment `row` (again: nothing happens); True
    when it was the one that held the comment for the moderators."""
    count = add_report(conn, row.id, reporter=reporter, ip_hash=ip_hash, reason=reason)
    if count is None or count < hold_after or not stored.hold_comment(conn, row.id, REPORTED):
        return False
    reasons = reports_of(conn, [row.id])[row.id].reasons
    summary = ", ".join(f"{reason} ×{number}" for reason, number in reasons.items())
    log_action(conn, READERS, HOLD, comment_id=row.id, slug=row.thread,
               reason=f"{count} reports: {summary}")
    return True
