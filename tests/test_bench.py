"""Fast checks of the benchmark harness (the benchmarks themselves run with `make bench`)."""

import sys

import pytest
from markdown import Markdown

from bench import build, lighthouse, service, stats
from bench.__main__ import main as bench_main
from plugins.references.extension import ReferencesExtension


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


def test_run_measured_does_not_count_the_harness_memory():
    """Linux carries a process's peak RSS across exec: a child started straight from a large
    harness would report the harness's size instead of its own."""
    ballast = bytearray(256 << 20)
    ballast[::4096] = b"\x01" * len(range(0, len(ballast), 4096))  # make every page resident
    _, peak_kib = stats.run_measured([sys.executable, "-c", "pass"])
    assert peak_kib < 64 * 1024
    del ballast


def test_summarize_and_plot(tmp_path):
    summary = stats.summarize([3.0, 1.0, 2.0])
    assert (summary["median"], summary["min"], summary["max"]) == (2.0, 1.0, 3.0)
    row = {name: {"seconds": stats.summarize([1.0]), "peak_rss_kib": 1} for name in ("bare", "ours")}
    build.plot({"10": {**row, "ratio": 1.0}}, tmp_path / "plot.png")
    assert (tmp_path / "plot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _load(rps: float, p95_ms: float, errors: int = 0) -> dict:
    return {"rps": rps, "p95_ms": p95_ms, "errors": errors}


def test_service_verdicts_compare_ratios_and_latencies_with_the_targets():
    hello = {"get": _load(1000, 1)}
    isso = {"get1000": _load(10, 900)}
    fast = {"get10": _load(700, 5), "get1000": _load(150, 40), "post": _load(300, 15)}
    slow = {"get10": _load(500, 5), "get1000": _load(90, 60), "post": _load(300, 25, errors=2)}
    assert all(service.verdicts(hello, isso, fast)["met"].values())
    verdict = service.verdicts(hello, isso, slow)
    assert not any(verdict["met"].values())
    assert verdict["figures"]["get1000_vs_isso"] == 9.0
    assert verdict["errors"] == 2


def test_service_keeps_the_median_round_and_every_rounds_errors():
    runs = [{"rps": 900.0, "p95_ms": 9.0, "errors": 0}, {"rps": 100.0, "p95_ms": 90.0, "errors": 2},
            {"rps": 500.0, "p95_ms": 5.0, "errors": 1}]
    assert service.median_round(runs) == {"rps": 500.0, "p95_ms": 5.0, "errors": 3,
                                          "rounds_rps": [900.0, 100.0, 500.0]}


def test_service_bar_labels_give_the_share_of_the_ceiling_and_the_ratio_to_isso():
    assert service.bar_label(500, 1000, 50) == "50%\n10.0×Isso"
    assert service.bar_label(500, 1000, None) == "50%"


def test_service_plot_writes_a_png(tmp_path):
    results = {"hello": {"get": _load(1000, 1)}, "isso": {"get10": _load(50, 20)},
               "ours_sqlite": {"get10": _load(400, 5)}, "ours_postgres": {"post": _load(80, 9)}}
    service.plot(results, tmp_path / "service.png")
    assert (tmp_path / "service.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bench_entry_point_rejects_an_unknown_benchmark():
    with pytest.raises(SystemExit, match="usage"):
        bench_main(["nonsense"])


def _lighthouse_report(scores: dict[str, float], failed: dict[str, float]) -> dict:
    """A minimal Lighthouse JSON report: each category has one weighted audit (scored from
    `failed`, else 1) and one weightless diagnostic that always fails."""
    audits = {name: {"id": name, "numericValue": 100.0} for name in lighthouse.METRICS}
    categories = {}
    for category, score in scores.items():
        weighted, diagnostic = f"{category}-audit", f"{category}-diagnostic"
        audits[weighted] = {"id": weighted, "title": f"{weighted} title",
                            "score": failed.get(weighted, 1), "explanation": "why"}
        audits[diagnostic] = {"id": diagnostic, "title": "no weight", "score": 0}
        categories[category] = {"score": score, "auditRefs": [{"id": weighted, "weight": 1},
                                                              {"id": diagnostic, "weight": 0}]}
    return {"lighthouseVersion": "12.8.2", "categories": categories, "audits": audits}


def test_lighthouse_summary_keeps_scores_metrics_and_the_audits_that_cost_points():
    scores = {"performance": 0.934, "accessibility": 1, "best-practices": 0.96, "seo": 1}
    report = _lighthouse_report(scores, {"best-practices-audit": 0})
    summary = lighthouse.summarize_report(report)
    assert summary["scores"] == {"performance": 93, "accessibility": 100, "best-practices": 96, "seo": 100}
    assert summary["metrics"]["cumulative-layout-shift"] == 100.0
    assert summary["failing_audits"] == [{"category": "best-practices", "id": "best-practices-audit",
                                          "title": "best-practices-audit title", "score": 0,
                                          "detail": "why"}]
    assert lighthouse.targets_met(summary["scores"]) == {
        "performance": False, "accessibility": True, "best-practices": False, "seo": True}


def test_lighthouse_runs_combine_into_medians_and_one_entry_per_failing_audit():
    perfect = dict.fromkeys(lighthouse.CATEGORIES, 1)
    runs = [lighthouse.summarize_report(_lighthouse_report({**perfect, "performance": value}, failed))
            for value, failed in ((0.97, {}), (0.90, {"seo-audit": 0.5}), (0.99, {"seo-audit": 0}))]
    combined = lighthouse.combine_runs(runs)
    assert combined["scores"]["performance"] == 97
    assert combined["samples"]["performance"] == [97, 90, 99]
    assert [audit["id"] for audit in combined["failing_audits"]] == ["seo-audit"]


def test_lighthouse_summary_rejects_a_report_without_scores():
    report = _lighthouse_report(dict.fromkeys(lighthouse.CATEGORIES, 1), {})
    with pytest.raises(RuntimeError, match="could not audit"):
        lighthouse.summarize_report({**report, "runtimeError": {"code": "NO_FCP"}})
    report["categories"]["seo"]["score"] = None
    with pytest.raises(RuntimeError, match="no seo score"):
        lighthouse.summarize_report(report)


def test_lighthouse_rejects_bad_flags_before_building_anything(tmp_path, capsys):
    for flags, message in ((["--runs", "0"], "--runs must be at least 1"),
                           (["--chromium", str(tmp_path / "missing")], "is not an executable")):
        with pytest.raises(SystemExit):
            lighthouse.main(flags)
        assert message in capsys.readouterr().err
