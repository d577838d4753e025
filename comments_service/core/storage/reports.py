"""Queries of the `comment_reports` table: readers' reports of a published comment (spam, abuse,
off-topic), one per reader and comment; a reader is known by cookie OR address, as for votes
(votes.py). Moderators see the count and the reasons in the queue (admin/); approving the comment
clears them (core/moderation.py), so it takes as many new reports to hold it again.

A report locks the comment's row first (SELECT ... FOR UPDATE on PostgreSQL; SQLite has one
writer at a time), so concurrent reports of one comment are counted one after the other and the
one that reaches the hold threshold sees every report before it. Each function runs in the
caller's transaction and never commits.
"""

from typing import NamedTuple

from sqlalchemy import Connection, delete, func, select

from ..times import utcnow
from .tables import comment_reports, comments
from .votes import NotPublished, published, same_reader

SPAM, ABUSE, OFF_TOPIC = "spam", "abuse", "off-topic"
#: What a reader can report a comment as (the order the moderation queue lists them in).
REASONS = (SPAM, ABUSE, OFF_TOPIC)


class Reports(NamedTuple):
    """A comment's reports: how many, and how many of each reason (in REASONS order)."""

    count: int
    reasons: dict[str, int]


def add_report(conn: Connection, comment_id: int, *, reporter: str, ip_hash: str | None,
               reason: str) -> int | None:
    """Record the reader's report and return how many readers have reported the comment now;
    None when this reader (by cookie or address) had reported it already: nothing changes.
    NotPublished when the comment is not published (the caller rolls back)."""
    if reason not in REASONS:
        raise ValueError(f"a report's reason is one of {REASONS}, not {reason!r}")
    if conn.execute(select(comments.c.id).where(published(comment_id)).with_for_update()).first() is None:
        raise NotPublished(comment_id)
    theirs = same_reader(comment_reports, comment_reports.c.reporter, comment_id, reporter, ip_hash)
    if conn.execute(select(comment_reports.c.comment_id).where(theirs).limit(1)).first() is not None:
        return None
    conn.execute(comment_reports.insert().values(comment_id=comment_id, reporter=reporter,
                                                 ip_hash=ip_hash, reason=reason, created=utcnow()))
    return report_count(conn, comment_id)


def report_count(conn: Connection, comment_id: int) -> int:
    return conn.execute(select(func.count()).select_from(comment_reports)
                        .where(comment_reports.c.comment_id == comment_id)).scalar_one()


def reports_of(conn: Connection, comment_ids: list[int]) -> dict[int, Reports]:
    """The reports of each of these comments that has any, in one query (a queue page's)."""
    if not comment_ids:
        return {}
    query = (select(comment_reports.c.comment_id, comment_reports.c.reason, func.count())
             .where(comment_reports.c.comment_id.in_(comment_ids))
             .group_by(comment_reports.c.comment_id, comment_reports.c.reason))
    counted: dict[int, dict[str, int]] = {}
    for comment_id, reason, count in conn.execute(query):
        counted.setdefault(comment_id, {})[reason] = count
    return {comment_id: Reports(count=sum(reasons.values()),
                                reasons={reason: reasons[reason] for reason in REASONS if reason in reasons})
            for comment_id, reasons in counted.items()}


def clear_reports(conn: Connection, comment_id: int) -> int:
    """Forget the comment's reports (a moderator approved it); return how many there were."""
    return conn.execute(delete(comment_reports).where(comment_reports.c.comment_id == comment_id)).rowcount
