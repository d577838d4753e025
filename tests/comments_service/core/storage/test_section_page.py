"""The section's read (core/storage/section_page.py) on SQLite and PostgreSQL: after any sequence
of writes, the context built from the comments the page shows plus the totals the database
counted, and the section rendered from it, are exactly those built from the whole thread, which
is what the site build renders (core/section.py)."""

import random

import pytest

from comments_service.core.comment import APPROVED, PENDING, REJECTED
from comments_service.core.section import render_section, section_context
from comments_service.core.settings import resolve
from comments_service.core.storage import comments as stored
from comments_service.core.storage import votes
from comments_service.core.storage.comments import thread_page
from comments_service.core.storage.section_page import section_page
from tests.comments_service.conftest import run

SLUG = "first-article"


def both_contexts(engine, shown_max: int, references: int = 3):
    """(context from the whole thread, context from section_page), as the build and a re-bake
    make them."""
    values = resolve({"API_URL": "/api", "SECTION_TOP_LEVEL_MAX": shown_max}, environ={})
    whole = run(engine, thread_page, SLUG)
    page = run(engine, section_page, SLUG, shown_max)
    common = dict(slug=SLUG, url="/first-article.html", references=references)
    full = section_context(values, "k", comments=whole.comments, is_open=not whole.locked, **common)
    part = section_context(values, "k", comments=page.comments, totals=page.totals,
                           is_open=not page.locked, **common)
    return values, full, part, len(page.comments), len(whole.comments)


class Writer:
    """Random writes of every kind that changes what the section shows."""

    def __init__(self, engine, rng: random.Random):
        self.engine, self.rng, self.ids = engine, rng, []

    def step(self) -> None:
        rng, ids = self.rng, self.ids
        action = rng.choice(["post"] * 6 + ["reply"] * 6 + ["delete", "remove", "reject", "pick", "hold",
                                                          "approve", "vote"])
        if action in ("post", "reply") or not ids:
            parent = rng.choice(ids) if action == "reply" and ids else None
            if parent is not None and run(self.engine, stored.get_comment, parent) is None:
                parent = None  # deleted since
            state = rng.choice([APPROVED] * 5 + [PENDING])
            about = rng.choice([None, None, 1, 2, 3, 7])
            row = run(self.engine, stored.create_comment, slug=SLUG, parent=parent, author=f"R{len(ids)}",
                      email=None, website=rng.choice([None, "https://example.org/"]),
                      text="t", html=f"<p>comment {len(ids)}</p>", ip_hash=None, state=state,
                      about_reference=about)
            ids.append(row.id)
            return
        target = rng.choice(ids)
        comment = run(self.engine, stored.get_comment, target)
        if comment is None or (action == "vote" and (comment.state != APPROVED or comment.deleted)):
            return
        if action == "delete":
            run(self.engine, stored.delete_comment, target)
        elif action == "remove":
            run(self.engine, stored.delete_comment, target, public_reason="Off topic <b>")
        elif action == "reject":
            run(self.engine, stored.reject_comment, target)
        elif action == "approve":
            run(self.engine, stored.approve_comment, target)
        elif action == "pick":
            run(self.engine, stored.set_picked, target, rng.random() < 0.7, "A <good> one")
        elif action == "hold":
            run(self.engine, stored.hold_comment, target, "reported")
        else:
            run(self.engine, votes.cast_vote, target, voter=f"v{rng.random()}", ip_hash=None,
                value=rng.choice([1, -1]))


@pytest.mark.parametrize("seed", range(4))
def test_the_section_from_the_shown_part_is_the_section_from_the_whole_thread(engine, seed):
    rng = random.Random(seed)
    writer = Writer(engine, rng)
    shown_smaller = 0
    for _ in range(12):
        for _ in range(rng.randint(1, 8)):
            writer.step()
        shown_max = rng.choice([1, 2, 3, 50])
        values, full, part, read, whole = both_contexts(engine, shown_max)
        assert part == full
        assert render_section(part, values) == render_section(full, values)
        shown_smaller += read < whole
    assert shown_smaller  # some pages really were read in part


def test_the_read_is_bounded_by_what_the_page_shows(engine):
    """A thread of 30 top-level comments with a page of 5: five comments read, the totals whole."""
    ids = [run(engine, stored.create_comment, slug=SLUG, parent=None, author="A", email=None, website=None,
               text="t", html="<p>x</p>", ip_hash=None, state=APPROVED).id for _ in range(30)]
    run(engine, stored.set_picked, ids[-1], True)
    page = run(engine, section_page, SLUG, 5)
    assert [comment.id for comment in page.comments] == ids[:5]
    assert (page.totals.count, page.totals.last_id, page.totals.top_level_count) == (30, ids[-1], 30)
    assert [pick.id for pick in page.totals.picks] == [ids[-1]]


def test_an_empty_or_unknown_thread_has_empty_totals(engine):
    page = run(engine, section_page, "nobody-here", 5)
    assert (page.locked, page.comments, tuple(page.totals)) == (False, [], (0, 0, 0, [], {}))
    rejected = run(engine, stored.create_comment, slug=SLUG, parent=None, author="A", email=None,
                   website=None, text="t", html="<p>x</p>", ip_hash=None, state=REJECTED)
    assert rejected.id and tuple(run(engine, section_page, SLUG, 5).totals) == (0, 0, 0, [], {})
