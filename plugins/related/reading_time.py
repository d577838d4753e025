"""Reading time: the words of an article's text at WORDS_PER_MINUTE, rounded, at least 1 minute."""

from __future__ import annotations

import re

from plugins.references.extension import plain_body

WORDS_PER_MINUTE = 230

# A tag, comment or doctype: it separates words but is not one ("a<br>b" is two words).
_MARKUP = re.compile(r"<[^>]*>")


def word_count(html: str) -> int:
    """Whitespace-separated words of the article's HTML without citation markers, without the
    references section (plugins/references) and without markup. Code and entities count as text."""
    return len(_MARKUP.sub(" ", plain_body(html)).split())


def minutes(words: int) -> int:
    """`words` at WORDS_PER_MINUTE, to the nearest minute (halves up), never less than 1."""
    return max(1, (words + WORDS_PER_MINUTE // 2) // WORDS_PER_MINUTE)


def reading_time(html: str) -> int:
    return minutes(word_count(html))
