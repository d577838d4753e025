"""Fast checks of the benchmark harness (the benchmarks themselves run with `make bench`)."""

import sys

import pytest

from bench import build, stats
from plugins.references.extension import ReferencesExtension
from markdown import Markdown


@pytest.mark.parametrize("index", [0, 1, 2])
def test_generated_articles_are_seed_like_and_cite_every_source(index):
    title, paragraphs = build.seed_parts()
    text = build.article_markdown(index, title, paragraphs)
    body, _, notes = text.partition("\n\n")[2].rpartition("\n\n")
    html = Markdown(extensions=["meta", ReferencesExtension()]).convert(text)
    assert len(paragraphs) == 8
    assert html.count('role="doc-noteref"') == body.count("[^") == 7
    assert html.count("<li id=") == notes.count("[^")


def test_run_measured_reports_a_child_peak_and_rejects_failures():
    seconds, peak_kib = stats.run_measured([sys.executable, "-c", "x = bytearray(64 << 20)"])
    assert seconds > 0
    assert peak_kib > 64 * 1024
    with pytest.raises(Exception):
        stats.run_measured([sys.executable, "-c", "raise SystemExit(3)"])


def test_summarize_and_plot(tmp_path):
    summary = stats.summarize([3.0, 1.0, 2.0])
    assert (summary["median"], summary["min"], summary["max"]) == (2.0, 1.0, 3.0)
    row = {name: {"seconds": stats.summarize([1.0]), "peak_rss_kib": 1} for name in ("bare", "ours")}
    build.plot({"10": {**row, "ratio": 1.0}}, tmp_path / "plot.png")
    assert (tmp_path / "plot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
