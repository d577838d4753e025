"""Reading time: words of the text only, 230 a minute, to the nearest minute, at least one."""

import pytest

from plugins.references.tests.rendering import render
from plugins.related.reading_time import minutes, reading_time, word_count


@pytest.mark.parametrize(("words", "expected"), [
    (0, 1), (1, 1), (229, 1), (230, 1), (344, 1), (345, 2), (574, 2), (575, 3), (2300, 10),
])
def test_minutes_round_to_nearest_halves_up_never_below_one(words, expected):
    assert minutes(words) == expected


def test_markup_separates_words_and_is_not_counted():
    assert word_count('<h2 id="a-b">Two words</h2><p>one<br>two <a href="x y z">three</a></p>') == 5
    assert word_count("<!-- a comment of several words --><p>Only these three</p>") == 3


def test_citation_markers_and_the_references_section_do_not_count():
    html = render("Officials said [^1] the port reopened.\n\n[^1]: " + "source " * 50 + "https://a.example/\n")
    assert 'class="references"' in html  # the section is there, its words are not counted
    assert word_count(html) == 5


def test_reading_time_of_a_rendered_text():
    assert reading_time(render("word " * 460)) == 2
    assert reading_time(render("word " * 700 + "[^s]\n\n[^s]: " + "x " * 400)) == 3
    assert reading_time("") == 1
