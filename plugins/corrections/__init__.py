"""Pelican plugin: updates and corrections, as a newsroom prints them.

An article's `Correction: 2025-07-16 10:00 | What was wrong and what is right.` fields (the key
repeated for several) become `article.corrections` (`Correction` records, oldest first: date,
inline HTML, plain text, anchor), shown by the theme's `partials/corrections.html` after the
text and given to the JSON-LD as `CorrectionComment`s; `article.last_updated` is the latest of
`Modified:` and the corrections (the JSON-LD `dateModified`). A Corrections page lists every
published correction, newest first, with its own Atom feed when CORRECTIONS_FEED_ATOM is set.
A bad entry, or a `Modified:` before `Date:`, is a `BuildError` at its line.

`register()` hooks `get_generators` only: `CorrectionsGenerator` (generator.py) does the work;
entries.py reads and checks one article's fields.
"""

from pelican import signals

from .entries import Correction
from .generator import CorrectionsGenerator

__all__ = ["Correction", "CorrectionsGenerator", "register"]


def corrections_generator(_pelican):
    """`get_generators` handler."""
    return CorrectionsGenerator


def register():
    signals.get_generators.connect(corrections_generator)
