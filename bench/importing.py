"""Import benchmark: `flask --app comments_service import --from disqus FILE` on synthetic Disqus
exports of growing size, as an operator runs it (its own process, a fresh database).

Target (the importer's issue): peak RSS ≤ 150 MB (10^6 bytes) at 150,000 Disqus posts, and memory
that does not grow with the file. Baselines measured in the same invocation, each its own process
on the same file: the app's start-up (`create_app()` on a fresh database: the RSS floor any import
pays) and a plain streaming parse (xml.etree iterparse, each record cleared: the time floor).

The exports are deterministic (a seeded generator, `generate`): one thread per 20 posts, ~30% of
posts reply to an earlier post of their thread (some dated before their parent), ~4% deleted, ~2%
spam, HTML messages of 300-600 bytes, e-mail and IP addresses. The generator also works out what
the importer must report (threads and comments imported), and every run is checked against it.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .service import POSTGRES_URL, postgres_schema
from .stats import RESULTS, machine, run_measured, summarize, targets_table, write_json

ROOT = Path(__file__).resolve().parent.parent
SIZES = [10_000, 50_000, 150_000]
TARGET_SIZE = 150_000  # posts
TARGET_PEAK_MB = 150.0  # MB = 10^6 bytes
#: Peak RSS growing more than this per 10,000 posts counts as "grows with the file".
GROWTH_TOLERANCE_MB_PER_10K = 1.0
POSTS_PER_THREAD = 20
REPLY_SHARE = 0.30
EARLY_REPLY_SHARE = 0.10  # of replies: dated before their parent (a wrong clock)
DELETED_SHARE = 0.04
SPAM_SHARE = 0.02
ANONYMOUS_SHARE = 0.05
SEED = 2024

HEADER = """\
<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals"
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
        xsi:schemaLocation="http://disqus.com/api/schemas/1.0/disqus.xsd http://disqus.com/api/schemas/1.0/disqus-internals.xsd">
  <category dsq:id="100">
    <forum>newsroom</forum>
    <title>General</title>
    <isDefault>true</isDefault>
  </category>
"""
THREAD = """\
  <thread dsq:id="{id}">
    <id/>
    <forum>newsroom</forum>
    <category dsq:id="100"/>
    <link>https://news.example/2024/slug-{n}.html</link>
    <title>Article number {n}</title>
    <message/>
    <createdAt>{created}</createdAt>
    <author><name>Editor</name><isAnonymous>false</isAnonymous><username>editor</username></author>
    <ipAddress>203.0.113.1</ipAddress>
    <isClosed>false</isClosed>
    <isDeleted>false</isDeleted>
  </thread>
"""
POST = """\
  <post dsq:id="{id}">
    <id/>
    <message><![CDATA[{message}]]></message>
    <createdAt>{created}</createdAt>
    <isDeleted>{deleted}</isDeleted>
    <isSpam>{spam}</isSpam>
    <author>{author}</author>
    <ipAddress>{ip}</ipAddress>
    <thread dsq:id="{thread}"/>{parent}
  </post>
"""
WORDS = ("the minister said budget vote council report however readers should note that "
         "according to sources this is not what was promised last year in the coalition deal "
         "agreement defence spending Brussels Berlin Paris committee hearing évidemment "
         "naïve café über “quoted” — détail").split()
FIRST = ("Ann Bo Cy Dee Eli Fay Gus Hal Ida Jo Kim Lou Max Ned Ola Pia Quinn Rui Sam Tia Uma Vic "
         "Wes Xia Yan Zoé Émile Jürgen").split()
LAST = "Smith Novak Müller Rossi Dubois Kowalski Jensen Silva Nagy Popescu Horvat Berg".split()


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _message(rng: random.Random, number: int) -> str:
    """300-600 bytes of Disqus-like HTML: paragraphs, a link now and then, line breaks."""
    target = rng.randint(300, 600)
    paragraphs, size = [], 0
    while size < target - 40:
        words = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
        if rng.random() < 0.5:
            at = rng.randrange(len(words))
            words[at] = (f'<a href="https://source.example/doc/{number}?p={at}" '
                         f'rel="nofollow">{words[at]}</a>')
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words)), "<br>")
        paragraph = "<p>" + " ".join(words).capitalize() + ".</p>"
        paragraphs.append(paragraph)
        size += len(paragraph.encode())
    return "".join(paragraphs)


def _author(rng: random.Random, number: int) -> str:
    if rng.random() < ANONYMOUS_SHARE:
        return "<name></name><isAnonymous>true</isAnonymous>"
    first, last = rng.choice(FIRST), rng.choice(LAST)
    user = f"{first}{last}{number % 997}".lower()
    return (f"<email>{user}@mail.example</email><name>{first} {last}</name>"
            f"<isAnonymous>false</isAnonymous><username>{user}</username>")


def _ip(rng: random.Random) -> str:
    if rng.random() < 0.2:
        return f"2001:db8::{rng.randrange(1 << 16):x}"
    return f"{rng.choice(('192.0.2', '198.51.100', '203.0.113'))}.{rng.randrange(1, 255)}"


@dataclass(frozen=True)
class Expected:
    """What the file holds and what the importer must report for it."""

    posts: int
    threads: int  # threads in the file
    replies: int
    early_replies: int  # dated before their parent
    deleted: int
    spam: int
    bytes: int
    imported_threads: int  # threads that get comments
    imported_comments: int  # posts minus deleted posts left without a kept reply


def generate(path: Path, posts: int, seed: int = SEED) -> Expected:
    """Write a Disqus export of `posts` posts to `path`; the same arguments give the same bytes."""
    rng = random.Random(f"{seed}-{posts}")
    thread_count = max(1, posts // POSTS_PER_THREAD)
    start = datetime(2020, 1, 1, tzinfo=timezone.utc)
    earlier: list[list[int]] = [[] for _ in range(thread_count)]  # posts of each thread so far
    created: list[datetime] = []
    parents: list[int | None] = []
    deleted: list[bool] = []
    thread_of: list[int] = []
    early = spam_count = 0
    moment = start
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for t in range(thread_count):
            out.write(THREAD.format(id=500_000 + t, n=t, created=_stamp(start)))
        for n in range(posts):
            thread = rng.randrange(thread_count)
            moment += timedelta(seconds=rng.randint(1, 600))
            parent = None
            when = moment
            if earlier[thread] and rng.random() < REPLY_SHARE:
                parent = rng.choice(earlier[thread])
                if rng.random() < EARLY_REPLY_SHARE:
                    when = created[parent] - timedelta(minutes=rng.randint(1, 120))
                    early += 1
            is_deleted = rng.random() < DELETED_SHARE
            is_spam = rng.random() < SPAM_SHARE
            spam_count += is_spam
            out.write(POST.format(
                id=1_000_000 + n, message=_message(rng, n), created=_stamp(when),
                deleted=str(is_deleted).lower(), spam=str(is_spam).lower(),
                author=_author(rng, n), ip=_ip(rng), thread=500_000 + thread,
                parent="" if parent is None else f'\n    <parent dsq:id="{1_000_000 + parent}"/>'))
            earlier[thread].append(n)
            created.append(when)
            parents.append(parent)
            deleted.append(is_deleted)
            thread_of.append(thread)
        out.write("</disqus>\n")
    # A deleted post is kept (as a placeholder) only while one of its replies is kept; replies
    # come after their parent in the file, so one pass backwards settles every chain.
    kept_child = [False] * posts
    kept = [False] * posts
    for n in reversed(range(posts)):
        kept[n] = not deleted[n] or kept_child[n]
        if kept[n] and parents[n] is not None:
            kept_child[parents[n]] = True
    return Expected(
        posts=posts, threads=thread_count, replies=sum(p is not None for p in parents),
        early_replies=early, deleted=sum(deleted), spam=spam_count, bytes=path.stat().st_size,
        imported_threads=len({thread_of[n] for n in range(posts) if kept[n]}),
        imported_comments=sum(kept))


# Measuring ---------------------------------------------------------------------------------------

FLOOR_RUNS = 3  # the baselines are cheap: each runs this many times, the median kept
APP_FLOOR = "from comments_service import create_app; create_app()"
PARSE_FLOOR = """\
import sys
from xml.etree.ElementTree import iterparse
posts, depth, root = 0, 0, None
for event, element in iterparse(sys.argv[1], events=("start", "end")):
    if event == "start":
        root = element if root is None else root
        depth += 1
        continue
    depth -= 1
    if depth == 1:
        posts += element.tag == "{http://disqus.com}post"
        element.clear()
        root.clear()
print(posts)
"""
IMPORTED = re.compile(r"Imported (\d+) threads and (\d+) comments\.")


def app_env(work: Path, database_url: str) -> dict[str, str]:
    """What the app needs to run as an operator's import would (production mode: a secret key
    and the site's address), isolated from the caller's COMMENTS_* variables and checkout."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("COMMENTS_")}
    return {**env, "PYTHONPATH": str(ROOT), "COMMENTS_SECRET_KEY": "bench",
            "COMMENTS_SITE_URL": "https://news.example", "COMMENTS_DATABASE_URL": database_url,
            "COMMENTS_INSTANCE_PATH": str(work / "instance"),
            "COMMENTS_THREADS_MANIFEST": str(work / "no-manifest.json")}


def _mb(kib: int) -> float:
    return kib * 1024 / 1e6


def measure_runs(cmd: list[str], runs: int, work: Path, env_for_run) -> dict:
    """`runs` runs of `cmd` (each with `env_for_run(i)`): seconds, peak RSS (the largest), and
    the last run's stdout and stderr. A run that fails ends the series with `error` (its
    stderr's end)."""
    work.mkdir(parents=True, exist_ok=True)
    times, peaks = [], []
    out, err = work / "stdout.txt", work / "stderr.txt"
    for i in range(runs):
        with out.open("wb") as stdout, err.open("wb") as stderr:
            try:
                elapsed, peak = run_measured(cmd, cwd=work, env=env_for_run(i),
                                             stdout=stdout, stderr=stderr)
            except subprocess.CalledProcessError as failure:
                return {"error": f"exit status {failure.returncode}: "
                        + err.read_text(errors="replace")[-2000:]}
        times.append(elapsed)
        peaks.append(peak)
    return {"seconds": summarize(times), "peak_rss_kib": max(peaks),
            "peak_rss_mb": _mb(max(peaks)), "stdout": out.read_text(errors="replace").strip(),
            "stderr": err.read_text(errors="replace").strip()[-2000:]}


def measure_app_floor(work: Path, database_url=None) -> dict:
    """create_app() on a fresh database (a new SQLite file, or the URL `database_url(i)` gives):
    what every import pays before reading a byte."""
    url = database_url or (lambda i: f"sqlite:///{work / f'floor-{i}.sqlite3'}")
    result = measure_runs([sys.executable, "-c", APP_FLOOR], FLOOR_RUNS, work,
                          lambda i: app_env(work, url(i)))
    if "error" in result:
        raise RuntimeError(f"the app does not start: {result['error']}")
    return result


def measure_parse_floor(path: Path, expected: Expected, work: Path) -> dict:
    result = measure_runs([sys.executable, "-c", PARSE_FLOOR, str(path)], FLOOR_RUNS, work,
                          lambda i: dict(os.environ))
    if "error" in result or result["stdout"] != str(expected.posts):
        raise RuntimeError(f"the parse floor did not read {expected.posts} posts: {result}")
    return result


def import_cmd(path: Path) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "comments_service", "import", "--from",
            "disqus", "--allow-unknown-threads", str(path)]


def measure_import(path: Path, expected: Expected, work: Path, runs: int, app_floor: dict,
                   parse_floor: dict, database_url=None) -> dict:
    """`runs` imports of `path`, each into a fresh database (a new SQLite file, or the URL
    `database_url(i)` gives), checked against what the generator expects."""
    url = database_url or (lambda i: f"sqlite:///{work / f'import-{i}.sqlite3'}")
    result = measure_runs(import_cmd(path), runs, work, lambda i: app_env(work, url(i)))
    if "error" in result:
        return result
    seconds = result["seconds"]["median"]
    reported = IMPORTED.search(result["stdout"])
    result["reported"] = ({"threads": int(reported[1]), "comments": int(reported[2])}
                          if reported else None)
    result["counts_ok"] = result["reported"] == {"threads": expected.imported_threads,
                                                 "comments": expected.imported_comments}
    result["seconds_per_10k"] = seconds / expected.posts * 10_000
    # without the start-up every import pays (create_app, migrations of the fresh database)
    result["seconds_per_10k_above_app"] = ((seconds - app_floor["seconds"]["median"])
                                           / expected.posts * 10_000)
    result["ratio_to_parse"] = seconds / parse_floor["seconds"]["median"]
    result["rss_above_app_mb"] = result["peak_rss_mb"] - app_floor["peak_rss_mb"]
    return result


def postgres_reachable() -> str | None:
    """None when the benchmark's PostgreSQL server answers, else why not."""
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL.replace("+psycopg", ""), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as problem:  # noqa: BLE001 - any failure means "not reachable"
        return f"{POSTGRES_URL} not reachable: {str(problem).strip().splitlines()[0]}"
    return None


def measure_postgres(path: Path, expected: Expected, work: Path, runs: int,
                     parse_floor: dict) -> dict:
    """The import of `path` into PostgreSQL, against the app's own floor on PostgreSQL (its
    driver and connection pool are not in the SQLite floor)."""
    if (problem := postgres_reachable()) is not None:
        return {"skipped": problem}
    with ExitStack() as schemas:  # a fresh schema per run, all dropped at the end
        def fresh(i: int) -> str:
            return schemas.enter_context(postgres_schema())

        app_floor = measure_app_floor(work / "app-floor", fresh)
        result = measure_import(path, expected, work, runs, app_floor, parse_floor, fresh)
    return {"size": expected.posts, "app_floor": app_floor, **result}


# Verdicts, plot, entry point ---------------------------------------------------------------------

def fit(points: list[tuple[float, float]]):
    """Least-squares line through (x, y) points; None with fewer than two distinct x."""
    if len({x for x, _ in points}) < 2:
        return None
    return statistics.linear_regression([x for x, _ in points], [y for _, y in points])


def verdicts(results: dict, postgres: dict) -> dict:
    """The target (peak RSS at TARGET_SIZE posts), memory growth and correctness, each with the
    figure behind it. A figure not measured (that size was not run) is None, as is its verdict."""
    runs = {int(size): row["sqlite"] for size, row in results.items()}
    ok = {size: run for size, run in runs.items() if "error" not in run}
    at_target = ok.get(TARGET_SIZE)
    line = fit([(size / 10_000, run["peak_rss_mb"]) for size, run in ok.items()])
    growth = None if line is None else line.slope
    checked = [*runs.values()] + ([postgres] if "skipped" not in postgres else [])
    # where the fitted line crosses the target, if memory keeps growing as measured
    crossing = (None if line is None or line.slope <= 0
                else round((TARGET_PEAK_MB - line.intercept) / line.slope * 10_000))
    figures = {
        "peak_rss_mb_at_target_size": None if at_target is None else at_target["peak_rss_mb"],
        "rss_slope_mb_per_10k_posts": growth,
        "posts_at_target_rss_projected": crossing,
        "seconds_per_10k_posts": {str(size): run["seconds_per_10k"]
                                  for size, run in sorted(ok.items())},
        "ratio_to_parse_floor": {str(size): run["ratio_to_parse"]
                                 for size, run in sorted(ok.items())},
    }
    if "skipped" not in postgres and "error" not in postgres:
        figures["postgres_peak_rss_mb"] = postgres["peak_rss_mb"]
        figures["postgres_seconds_per_10k_posts"] = postgres["seconds_per_10k"]
    met = {
        "peak_rss_at_target_size": (None if at_target is None
                                    else at_target["peak_rss_mb"] <= TARGET_PEAK_MB),
        "memory_flat_with_size": None if growth is None else growth <= GROWTH_TOLERANCE_MB_PER_10K,
        "no_failures": all("error" not in run for run in checked),
        "counts_match": all(run.get("counts_ok") for run in checked),
    }
    return {"figures": figures, "met": met}


def plot(payload: dict, path: Path) -> None:
    """Peak RSS against size (target line, app floor) and seconds per 10k posts against size."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results, postgres = payload["results"], payload["postgres"]
    sizes = sorted((int(s) for s in results if "error" not in results[s]["sqlite"]))
    runs = [results[str(s)]["sqlite"] for s in sizes]
    fig, (rss, speed) = plt.subplots(1, 2, figsize=(10, 4))
    rss.plot(sizes, [r["peak_rss_mb"] for r in runs], "o-", label="import, SQLite")
    rss.axhline(payload["app_floor"]["peak_rss_mb"], color="grey", linestyle=":",
                label="create_app() (floor)")
    rss.axhline(TARGET_PEAK_MB, color="red", linestyle="--",
                label=f"target {TARGET_PEAK_MB:.0f} MB")
    speed.plot(sizes, [r["seconds_per_10k"] for r in runs], "o-", label="import, SQLite")
    speed.plot(sizes, [results[str(s)]["parse_floor"]["seconds"]["median"] / s * 10_000
                       for s in sizes], "s:", color="grey", label="iterparse (floor)")
    if "peak_rss_mb" in postgres:
        rss.plot([postgres["size"]], [postgres["peak_rss_mb"]], "D", label="import, PostgreSQL")
        speed.plot([postgres["size"]], [postgres["seconds_per_10k"]], "D",
                   label="import, PostgreSQL")
    rss.set_ylim(bottom=0, top=max(TARGET_PEAK_MB * 1.2,
                                   *(r["peak_rss_mb"] * 1.1 for r in runs)))
    rss.set_ylabel("peak RSS of the process (MB)")
    rss.set_title("memory")
    speed.set_ylim(bottom=0)
    speed.set_ylabel("seconds per 10,000 posts")
    speed.set_title("time")
    for ax in (rss, speed):
        ax.set_xlabel("Disqus posts in the file")
        ax.legend(fontsize="small")
    fig.suptitle("flask --app comments_service import --from disqus")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def sizes_flag(text: str) -> list[int]:
    sizes = sorted({int(part) for part in text.split(",") if part.strip()})
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes are positive post counts, e.g. 10000,50000")
    return sizes


def run(sizes: list[int], repeats: int, postgres: bool, work: Path) -> dict:
    load_before = os.getloadavg()
    app_floor = measure_app_floor(work / "app-floor")
    results = {}
    for size in sizes:
        path = work / f"disqus-{size}.xml"
        expected = generate(path, size)
        parse_floor = measure_parse_floor(path, expected, work / f"parse-{size}")
        sqlite = measure_import(path, expected, work / f"sqlite-{size}", repeats, app_floor,
                                parse_floor)
        results[str(size)] = {"file": asdict(expected), "parse_floor": parse_floor,
                              "sqlite": sqlite}
        print(f"{size:>7} posts: {_line(sqlite)}", flush=True)
        if size != sizes[-1]:
            path.unlink()
    largest = sizes[-1]
    pg = ({"skipped": "--no-postgres"} if not postgres else
          measure_postgres(work / f"disqus-{largest}.xml",
                           Expected(**results[str(largest)]["file"]), work / "postgres", repeats,
                           results[str(largest)]["parse_floor"]))
    print(f"{largest:>7} posts, PostgreSQL: {_line(pg)}", flush=True)
    return {"benchmark": "import", "machine": machine(), "repeats": repeats,
            "floor_runs": FLOOR_RUNS, "command": " ".join(import_cmd(Path("FILE"))[1:]),
            "target": {"posts": TARGET_SIZE, "peak_rss_mb": TARGET_PEAK_MB,
                       "growth_tolerance_mb_per_10k": GROWTH_TOLERANCE_MB_PER_10K},
            # other processes share the cores: 1-minute load average before and after the run
            "load_average": {"before": load_before[0], "after": os.getloadavg()[0]},
            "app_floor": app_floor, "results": results, "postgres": pg,
            "verdicts": verdicts(results, pg)}


def _line(result: dict) -> str:
    if "skipped" in result or "error" in result:
        return result.get("skipped") or f"FAILED {result['error']}"
    return (f"{result['seconds']['median']:.1f}s ({result['seconds_per_10k']:.2f}s per 10k, "
            f"{result['ratio_to_parse']:.1f}x the parse) peak RSS {result['peak_rss_mb']:.0f} MB "
            f"({result['rss_above_app_mb']:+.0f} over the app), counts "
            f"{'ok' if result['counts_ok'] else 'WRONG: ' + str(result['reported'])}")


def main(argv: list[str] | None = None, results_dir: Path = RESULTS) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench import")
    parser.add_argument("--sizes", type=sizes_flag, default=SIZES,
                        help="Disqus posts per file, comma-separated (default 10000,50000,150000)")
    parser.add_argument("--repeats", type=int, default=1, help="imports per size (default 1)")
    parser.add_argument("--no-postgres", dest="postgres", action="store_false",
                        help="skip the PostgreSQL import of the largest file")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        payload = run(args.sizes, args.repeats, args.postgres, Path(tmp))
    write_json("import", payload, results_dir)
    plot(payload, results_dir / "import.png")
    print(verdict_table(payload["verdicts"]))
    return payload


def verdict_table(verdict: dict) -> str:
    """verdicts() as printed: each target's figure, its goal, met / NOT met / not measured."""
    figures, met = verdict["figures"], verdict["met"]

    def shown(value, unit):
        return "" if value is None else f"{value:.1f} {unit}"

    return targets_table("import", [
        (f"peak RSS at {TARGET_SIZE:,} posts", shown(figures["peak_rss_mb_at_target_size"], "MB"),
         f"<= {TARGET_PEAK_MB:g} MB", met["peak_rss_at_target_size"]),
        ("RSS growth per 10k posts", shown(figures["rss_slope_mb_per_10k_posts"], "MB"),
         f"<= {GROWTH_TOLERANCE_MB_PER_10K:g} MB", met["memory_flat_with_size"]),
        ("every import finished", "", "no failure", met["no_failures"]),
        ("imported counts", "", "as expected", met["counts_match"])])
