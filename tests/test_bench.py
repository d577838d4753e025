"""Fast checks of the benchmark harness (the benchmarks themselves run with `make bench`)."""

import json
import os
import statistics
import subprocess
import sys
from types import SimpleNamespace

import pytest
from markdown import Markdown

import bench.__main__ as bench_entry
from bench import build, importing, lighthouse, service, shapes, speed, stats, summary, tools
from bench.__main__ import main as bench_main
from comments_service import importers
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
    row = {name: {"seconds": stats.summarize([1.0]), "peak_rss_kib": 1}
           for name in ("bare", "ours", "ours+comments")}
    build.plot({"10": {**row, "ratio": 1.0, "paired_ratio": 1.0}}, tmp_path / "plot.png")
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


def test_import_generator_is_deterministic_and_the_importer_accepts_its_files(tmp_path):
    first = importing.generate(tmp_path / "a.xml", 400)
    assert importing.generate(tmp_path / "b.xml", 400) == first
    assert (tmp_path / "a.xml").read_bytes() == (tmp_path / "b.xml").read_bytes()
    assert first.threads == 20 and first.replies and first.early_replies
    assert first.deleted and first.spam and first.imported_comments < first.posts
    staging = importers.stage("disqus", tmp_path / "a.xml", tmp_path, ip_salt="salt",
                              skip_invalid=False, imported={})
    try:
        assert staging.read == first.posts
        assert staging.to_import == first.imported_comments
        assert len(staging.slugs()) == first.imported_threads
        assert not staging.invalid
    finally:
        staging.close()


def _import_run(peak_mb: float, **extra) -> dict:
    return {"peak_rss_mb": peak_mb, "seconds_per_10k": 6.0, "ratio_to_parse": 30.0,
            "counts_ok": True, **extra}


def _import_results(peaks: dict[int, float]) -> dict:
    return {str(size): {"sqlite": _import_run(peak)} for size, peak in peaks.items()}


def test_import_verdicts_judge_the_peak_at_the_target_size_and_the_growth():
    flat = importing.verdicts(_import_results({10_000: 86.0, 150_000: 100.0}), {"skipped": "no"})
    assert flat["met"] == {"peak_rss_at_target_size": True, "memory_flat_with_size": True,
                           "no_failures": True, "counts_match": True}
    assert flat["figures"]["rss_slope_mb_per_10k_posts"] == pytest.approx(1.0)
    assert flat["figures"]["posts_at_target_rss_projected"] == 650_000
    growing = importing.verdicts(_import_results({10_000: 100.0, 150_000: 240.0}),
                                 {"size": 150_000, **_import_run(90.0, counts_ok=False)})
    assert growing["met"] == {"peak_rss_at_target_size": False, "memory_flat_with_size": False,
                              "no_failures": True, "counts_match": False}
    assert growing["figures"]["postgres_peak_rss_mb"] == 90.0


def test_import_verdicts_leave_unmeasured_targets_open_and_count_failures():
    results = _import_results({50: 80.0})
    results["500"] = {"sqlite": {"error": "exit status 1: Traceback"}}
    verdict = importing.verdicts(results, {"skipped": "--no-postgres"})
    assert verdict["met"] == {"peak_rss_at_target_size": None, "memory_flat_with_size": None,
                              "no_failures": False, "counts_match": False}
    table = importing.verdict_table(verdict).splitlines()
    assert [_verdict_of(line) for line in table[1:]] == ["measured", "measured", "NOT met", "NOT met"]
    assert table[1].endswith("not measured") and table[2].endswith("not measured")


def test_import_rejects_bad_flags():
    for flags in (["--sizes", "0"], ["--sizes", "x"], ["--repeats", "0"]):
        with pytest.raises(SystemExit):
            importing.main(flags)


def test_import_part_measures_a_tiny_file_end_to_end(tmp_path, monkeypatch):
    """One app start, one parse, one import of 50 posts in their own processes (a few seconds):
    the environment the part gives the app is enough to import, and the JSON has its keys."""
    monkeypatch.setattr(importing, "FLOOR_RUNS", 1)
    importing.main(["--sizes", "50", "--no-postgres"], results_dir=tmp_path)
    payload = json.loads((tmp_path / "import.json").read_text())
    run = payload["results"]["50"]["sqlite"]
    assert run["counts_ok"], run
    assert run["reported"] == {"threads": payload["results"]["50"]["file"]["imported_threads"],
                               "comments": payload["results"]["50"]["file"]["imported_comments"]}
    for key in ("seconds", "peak_rss_mb", "rss_above_app_mb", "seconds_per_10k",
                "ratio_to_parse"):
        assert key in run
    assert set(payload["verdicts"]["met"]) == {"peak_rss_at_target_size", "memory_flat_with_size",
                                               "no_failures", "counts_match"}
    assert payload["app_floor"]["peak_rss_kib"] > 0
    assert payload["postgres"] == {"skipped": "--no-postgres"}
    assert (tmp_path / "import.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_generated_content_uses_every_newsroom_field_and_builds_on_both_sides(tmp_path):
    """The build benchmark's content carries what editors write (authors and their files, tags,
    Modified, corrections, named sources), and both sides build it without an error."""
    content = tmp_path / "content"
    build.generate(content, 20)
    texts = "".join(path.read_text(encoding="utf-8") for path in content.glob("*.md"))
    for field in ("Authors: ", "Tags: ", "Modified: ", "Correction: ", "Category: "):
        assert field in texts
    assert ". The Agency Desk, 15 July 2025. https://" in texts
    assert len(list((content / "authors").glob("*.md"))) == len(build.AUTHORS_WITH_FILES)
    bare = tmp_path / "bare.conf.py"
    bare.write_text(build.BARE_SETTINGS, encoding="utf-8")
    for settings in (bare, build.ROOT / "pelican.conf.py"):
        result = subprocess.run(build.pelican_cmd(content, tmp_path / f"out-{settings.stem}", settings),
                                cwd=build.ROOT, capture_output=True, text=True, timeout=300,
                                env={**os.environ,
                                     "COMMENTS_DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite3'}"})
        assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "out-pelican.conf" / "corrections.html").exists()
    assert (tmp_path / "out-pelican.conf" / "author" / "jane-doe.html").exists()
    for output in ("out-bare.conf", "out-pelican.conf"):  # both sides write the same feeds
        assert (tmp_path / output / "feeds" / "all.atom.xml").exists()
    # The search index step the benchmark times beside ours (issue 15).
    indexed = subprocess.run(build.search_index_cmd(tmp_path / "out-pelican.conf"), cwd=build.ROOT,
                             capture_output=True, text=True, timeout=300)
    assert indexed.returncode == 0, indexed.stderr
    assert "search index: 20 pages indexed" in indexed.stdout


def test_the_populated_variant_bakes_every_articles_comments(tmp_path):
    """The build benchmark's database has COMMENTS_PER_ARTICLE comments on every article, and the
    build bakes them all into the pages."""
    content = tmp_path / "content"
    build.generate(content, 3)
    database_url = f"sqlite:///{tmp_path / 'comments.sqlite3'}"
    build.populate_comments(database_url, 3)
    output = tmp_path / "out"
    result = subprocess.run(build.pelican_cmd(content, output, build.ROOT / "pelican.conf.py"),
                            cwd=build.ROOT, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "COMMENTS_DATABASE_URL": database_url})
    assert result.returncode == 0, result.stdout + result.stderr
    for index in range(3):
        page = (output / f"article-{index}.html").read_text(encoding="utf-8")
        assert f"Comments ({build.COMMENTS_PER_ARTICLE})" in page
        assert page.count('<span class="comment-author p-author">Reader ') == build.COMMENTS_PER_ARTICLE


def test_the_rebuild_measurement_builds_cold_then_unchanged_then_one_article_changed(tmp_path):
    """issue 16 target 5: the figures exist for each kind of build, the edit reaches the page, and
    the cold build really is cold (its read cache emptied) while the rebuilds reuse it."""
    content = tmp_path / "content"
    build.generate(content, 4)
    env = {**os.environ, "COMMENTS_DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite3'}"}
    result = build.measure_rebuilds(content, 4, 1, tmp_path, env)
    for kind in ("cold", "no_change", "one_change"):
        assert result[kind]["seconds"]["median"] > 0 and result[kind]["peak_rss_kib"] > 0
    assert result["one_change_ratio"] > 0 and result["no_change_ratio"] > 0
    page = (tmp_path / "out-rebuild" / "article-2.html").read_text(encoding="utf-8")
    assert "Update 0: the ministry confirmed the figures." in page
    assert len(list((tmp_path / "cache-rebuild" / "read-cache").glob("*.sqlite3"))) == 1


def _fake_program(directory, name: str, script: str):
    """An executable shell script `name` in `directory` (a stand-in on a PATH we control)."""
    path = directory / name
    path.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.mark.parametrize("argv", [[], ["service"]])
def test_a_missing_tool_is_named_before_any_benchmark_runs(tmp_path, monkeypatch, argv):
    ran = []
    for name in bench_entry.BENCHMARKS:
        monkeypatch.setitem(bench_entry.BENCHMARKS, name, lambda flags, name=name: ran.append(name))
    monkeypatch.setenv("PATH", str(tmp_path))  # no wrk, no npm, no apt-get
    with pytest.raises(SystemExit) as stop:
        bench_main(argv)
    assert "bench service needs wrk: sudo apt-get install wrk" in str(stop.value)
    assert ("bench lighthouse needs npm" in str(stop.value)) == (argv == [])
    assert ran == []


def test_a_missing_tool_is_installed_with_apt_get_as_root(tmp_path, monkeypatch, capsys):
    log = tmp_path / "apt.log"
    wrk = tmp_path / "wrk"
    _fake_program(tmp_path, "apt-get", f'echo "$@" >> {log}\nprintf "#!/bin/sh\\n" > {wrk}\n'
                                       f"/bin/chmod +x {wrk}\n")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(tools.os, "geteuid", lambda: 0)
    tools.ensure(["service"])
    assert log.read_text().split("\n")[0] == "install -y --no-install-recommends wrk"
    assert "installing wrk" in capsys.readouterr().out
    monkeypatch.setattr(tools.os, "geteuid", lambda: 1000)  # not root: no install, a message
    (tmp_path / "wrk").unlink()
    with pytest.raises(SystemExit, match="needs wrk"):
        tools.ensure(["service"])
    assert len(log.read_text().splitlines()) == 1


def test_wrk_waits_longer_than_any_peers_slowest_request(tmp_path, monkeypatch):
    """wrk's default 2 s timeout dropped Isso's slowest requests from its percentiles."""
    args = tmp_path / "args"
    _fake_program(tmp_path, "wrk", f'echo "$@" > {args}\n'
                  'echo \'BENCH {"requests": 10, "duration_us": 1000000, "non_2xx_3xx": 0, '
                  '"socket_errors": 0, "p50_ms": 1, "p95_ms": 2, "p99_ms": 3}\'\n')
    monkeypatch.setenv("PATH", str(tmp_path))
    result = service.wrk_once("http://127.0.0.1:1/", service.Load(1, 2, 1))
    flags = args.read_text().split()
    assert float(flags[flags.index("--timeout") + 1].rstrip("s")) >= 30
    assert result["rps"] == 10.0 and result["errors"] == 0


def test_targets_tables_say_met_or_not_met_for_every_target():
    table = stats.targets_table("part", [("fast", "0.70", ">= 0.6", True), ("small", "80", "<= 50", False),
                                         ("later", "", "<= 1", None), ("info", "3 s", "none", None)])
    lines = table.splitlines()
    assert lines[0] == "part:"
    assert _verdict_of(lines[1]) == "met" and _verdict_of(lines[2]) == "NOT met"
    assert lines[3].endswith("not measured") and lines[4].rstrip().endswith("none")
    hello = {"get": _load(1000, 1)}
    verdict = service.verdicts(hello, {"get1000": _load(10, 900)},
                               {"get10": _load(700, 5), "get1000": _load(90, 60), "post": _load(300, 15)})
    table = service.verdict_table("service, sqlite", verdict)
    assert "get10_vs_hello" in table and "get1000_vs_isso" in table
    verdicts = [_verdict_of(line) for line in table.splitlines()[1:]]
    assert verdicts == ["met", "NOT met", "NOT met", "met", "met"]


def test_speed_verdicts_and_table_cover_the_limiter_and_memory_targets():
    memory = [{"pid": 1, "rss_mib": 45.0, "pss_mib": 30.0, "uss_mib": 20.0},
              {"pid": 2, "rss_mib": 52.0, "pss_mib": 31.0, "uss_mib": 21.0}]
    writes = {"posted": 10, "failed": 0}
    results = {"hello": {"get": _load(1000, 1), "memory": memory},
               "off": {"get": _load(850, 2), "memory": memory, "writes": writes},
               "redis": {"get": _load(500, 3), "memory": memory, "writes": writes}}
    verdict = speed.verdicts(results)
    assert verdict["figures"] == {"get10_redis_vs_hello": 0.5, "get10_off_vs_hello": 0.85,
                                  "worker_pss_mib": 31.0, "worker_rss_mib": 52.0, "worker_uss_mib": 21.0}
    assert verdict["met"] == {"get10_redis_vs_hello": False, "get10_off_vs_hello": True,
                              "worker_pss_mib": True, "no_errors": True}
    table = speed.table(results, verdict).splitlines()
    assert table[1].split()[:3] == ["hello", "1000", "100%"] and "45/52" in table[2]
    assert [line.split()[0] for line in table[-6:]] == [*speed.TARGETS, "worker_rss_mib",
                                                        "worker_uss_mib", "no_errors"]
    assert [_verdict_of(line) for line in table[-6:]] == ["NOT met", "met", "met", "none", "none", "met"]


def _verdict_of(line: str) -> str:
    return "NOT met" if line.endswith("NOT met") else line.rsplit(None, 1)[-1]


def test_shapes_verdicts_judge_the_two_targets_and_show_the_rest():
    def run(p95, errors=0):
        return {"p95_ms": p95, "errors": errors}

    worker = {"rss_mib": 80.0, "pss_mib": 40.0, "uss_mib": 30.0}
    result = {"post1000_rebake": run(25.0), "get1000_miss": run(8.0, errors=1),
              "post1000_plain": run(19.0), "get1000_mixed": run(5.0),
              "get1000_miss_1conn": run(2.0), "post1000_rebake_1conn": run(3.0),
              "floor_body": run(4.0), "floor_body_1conn": run(1.0), "floor_post": run(6.0),
              "mixed_writes": {"posted": 10, "failed": 0}, "bake_lag_s": 0.25,
              "memory": {"a": [worker], "b": [{**worker, "rss_mib": 90.0}]}}
    part = {"results": result, **shapes.verdicts(result)}
    assert part["met"] == {"post1000_rebake_p95_ms": False, "get1000_miss_p95_ms": True,
                           "no_errors": False}
    assert part["figures"]["worker_rss_mib"] == 90.0
    lines = shapes.table("shape", part).splitlines()
    assert [line.split()[0] for line in lines[1:]] == [
        "post1000_rebake_p95_ms", "get1000_miss_p95_ms", "post1000_plain_p95_ms",
        "get1000_mixed_p95_ms", "get1000_miss_1conn_p95_ms", "post1000_rebake_1conn_p95_ms",
        "floor_body_p95_ms", "floor_body_1conn_p95_ms", "floor_post_p95_ms",
        "worker_rss_mib", "worker_pss_mib", "bake_lag_s", "no_errors"]
    assert [_verdict_of(line) for line in lines[1:]] == ["NOT met", "met", *["none"] * 10, "NOT met"]


def test_every_shapes_scenario_starts_on_a_thread_of_the_stated_size(tmp_path, monkeypatch):
    """The POST scenarios used to grow the one shared thread (~8,000 comments after 15 s at
    8 connections) before the mixed and plain scenarios ran on it: "1,000-comment thread" was
    true only of the first. Real servers (SQLite, the limiter on Redis) and a stand-in for wrk
    that records each scenario's thread size and, for POSTs, grows it as wrk would."""
    monkeypatch.setattr(shapes, "SIZE", 3)
    monkeypatch.setattr(shapes, "EDITED", 2)
    seen = []

    floors = []

    def fake_wrk(url, load, method=None, body=None, headers=None):
        if "/threads/" not in url:  # a floor: the hello app, serving the thread's page as it was
            floors.append((url.rsplit("/", 1)[1], method or "GET",
                           service.request(url, json.loads(body) if body else None)[2]))
            return {"p95_ms": 1.0, "errors": 0, "rps": 1.0}
        _, _, page = service.request(url)
        seen.append((url.split("/threads/")[1].split("/")[0], method or "GET", page["count"]))
        for n in range(4 if method == "POST" else 0):
            service.request(url, service.comment_body(n), {"Origin": url.split("/api/")[0]})
        return {"p95_ms": 1.0, "errors": 0, "rps": 1.0}

    monkeypatch.setattr(service, "wrk", fake_wrk)
    part = shapes.run(tmp_path, f"sqlite:///{tmp_path / 'comments.sqlite3'}", service.Load(1, 2, 1))
    assert [count for *_, count in seen] == [3] * 6
    assert {(slug, method) for slug, method, _ in seen} == {
        (shapes.THREADS[name], "POST" if name.startswith("post") else "GET") for name in shapes.THREADS}
    assert part["results"]["page_kb"] > 0 and part["errors"] == 0
    assert [(path, method) for path, method, _ in floors] == [("body", "GET")] * 2 + [("hello", "POST")]
    assert floors[0][2]["thread"] == shapes.SLUG and floors[0][2]["count"] == 3


def test_the_build_target_is_checked_on_the_median_of_paired_ratios(tmp_path, monkeypatch):
    """Each repetition's ours/bare pair shares the machine's state: a slow bare in one repetition
    and a slow ours in another must not decide the ratio."""
    # bare, ours, the search index after ours, ours+comments: three repetitions
    seconds = iter([4.5, 5.0, 1.0, 6.0,   5.2, 5.6, 1.0, 6.5,   4.4, 4.9, 1.0, 6.1])
    monkeypatch.setattr(build, "run_measured", lambda *args, **kwargs: (next(seconds), 1024))
    monkeypatch.setattr(build, "search_index_cmd", lambda output: ["true"])
    monkeypatch.setattr(build, "populate_comments", lambda url, count: None)
    monkeypatch.setattr(build, "generate", lambda content, count: None)
    monkeypatch.setattr(build, "measure_rebuilds", lambda *args: {})  # its own test
    result = build.measure(3, 3, tmp_path)
    assert result["paired_ratio"] == pytest.approx(statistics.median([5.0 / 4.5, 5.6 / 5.2, 4.9 / 4.4]))
    assert result["ratio"] == pytest.approx(5.0 / 4.5)


def test_the_build_part_repeats_less_at_ten_thousand_articles_unless_asked():
    assert [build.repeats_for(n, None) for n in (100, 1000, 10_000)] == [5, 5, build.LARGE_REPEATS]
    assert build.repeats_for(10_000, 2) == 2


def test_the_whole_run_ends_with_every_parts_targets_in_one_table(monkeypatch, capsys):
    written = {}
    monkeypatch.setattr(summary, "write_json", lambda name, payload: written.update({name: payload}))
    verdict = {"figures": {"get10_vs_hello": 0.7, "get1000_p95_ms": 5.0, "get1000_vs_isso": 300.0,
                           "post_p95_ms": 25.0},
               "met": {"get10_vs_hello": True, "get1000_p95_ms": True, "get1000_vs_isso": True,
                       "post_p95_ms": False, "no_errors": True}}
    shape = {"figures": {"post1000_rebake_p95_ms": 15.0, "get1000_miss_p95_ms": 12.0},
             "met": {"post1000_rebake_p95_ms": True, "get1000_miss_p95_ms": False, "no_errors": True}}
    fast = {"figures": {"get10_redis_vs_hello": 0.65, "get10_off_vs_hello": 0.81, "worker_pss_mib": 40.0},
            "met": {"get10_redis_vs_hello": True, "get10_off_vs_hello": True, "worker_pss_mib": True,
                    "no_errors": False}}
    payloads = {"service": {"sqlite": verdict, "postgres": verdict, "shapes": {"sqlite": shape, "postgres": shape},
                            "speed": {"sqlite": fast, "postgres": fast}},
                "images": {"results": {"warm_over_without": 1.05}}}

    def built(paired, ours_kib, one_change):
        return {"paired_ratio": paired, "bare": {"peak_rss_kib": 100_000}, "ours": {"peak_rss_kib": ours_kib},
                "rebuild": {"one_change_ratio": one_change}}

    payloads["build"] = {"results": {"1000": built(1.1, 150_000, 0.7), "10000": built(1.2, 110_000, 0.45)}}
    result = summary.summarize(payloads, "2026-11-30T12:00:00+00:00")
    assert written["summary"] is result
    rows = {row["target"]: row["met"] for row in result["targets"]}
    assert rows["service sqlite (sync workers) post_p95_ms"] is False
    assert rows["shape postgres get1000_miss_p95_ms"] is False
    assert rows["speed sqlite get10_off_vs_hello"] is True
    assert rows["service sqlite no errors"] is False  # the speed part had errors
    assert rows["images warm build / without images"] is None
    # Memory and the rebuild are judged at 10,000 articles only; the time ratio at every size.
    assert [rows[f"build N=1000 {name}"] for name in ("paired ratio", "peak RSS ours / bare",
                                                      "rebuild after one change / cold")] == [True, None, None]
    assert [rows[f"build N=10000 {name}"] for name in ("paired ratio", "peak RSS ours / bare",
                                                       "rebuild after one change / cold")] == [False, True, True]
    printed = capsys.readouterr().out
    assert "shape sqlite post1000_rebake_p95_ms" in printed and "NOT met" in printed


def test_the_run_stops_first_when_the_servers_would_import_another_checkout(monkeypatch):
    """A helper's `pip install -e` from another working tree left the venv importing it: the
    service part failed 35 minutes into `make bench` (its gunicorn could not import
    comments_service once that tree was gone)."""
    assert tools.foreign_packages() == []  # this checkout, as `make venv` installs it
    elsewhere = "comments_service /work/gone/comments_service/__init__.py\nplugins None\n"
    monkeypatch.setattr(tools.subprocess, "run",
                        lambda *args, **kwargs: SimpleNamespace(stdout=elsewhere, returncode=0))
    monkeypatch.setattr(tools, "missing", lambda parts: [])
    with pytest.raises(SystemExit) as stopped:
        tools.ensure(["service"])
    assert "comments_service from /work/gone" in str(stopped.value)
    assert "plugins from None" in str(stopped.value) and "make venv" in str(stopped.value)
