"""Moments as the comments store and show them: aware UTC datetimes in, ISO 8601 with a Z out."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; SQLite hands datetimes back naive, they were stored as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def isoformat(moment: datetime | None) -> str | None:
    """UTC ISO 8601 to the second with a Z, as the API and the page show times (called twice per
    comment served: naive SQLite values, stored as UTC, skip the time zone arithmetic)."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="seconds") + "Z"


def stamp(created: datetime) -> str:
    """What ties a token to one row besides its id: the row's creation time to the microsecond,
    in UTC. A token naming a deleted row can then never match a later row with the same id."""
    return as_utc(created).isoformat()


def exact_isoformat(moment: datetime | None) -> str | None:
    """UTC RFC 3339 with a Z and every microsecond: the export format, which must round-trip."""
    return None if moment is None else as_utc(moment).isoformat().replace("+00:00", "Z")
