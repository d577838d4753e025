"""Build benchmark: our full `make html` pipeline against bare Pelican on the same content.

Baseline: Pelican's stock `simple` theme, stock Markdown footnotes (via `extra`), no plugins.
Ours: the real `pelican.conf.py` (every plugin, our theme), with no comments database (the
target's ratio), and "ours+comments" with a database holding COMMENTS_PER_ARTICLE approved comments
on every article (some replies), as a site in service has. All run as separate `pelican`
processes, alternating, several repetitions each.
The search index (plugins/search: Pagefind over ours' output, the step `make html` runs after
Pelican) is timed on its own after each build of ours, outside the ratio, which stays Pelican's.
Every build of ours is cold: its read cache (CACHE_PATH/read-cache, plugins/references) is
emptied first.

Rebuilds (issue 16 target 5): after each repetition, ours is built cold into a fresh output
folder, then again with nothing changed ("rebuild, no change"), then after one article's text
changed ("rebuild, one change"); the target is the median of the one-change rebuild's time over
its cold build's, <= REBUILD_TARGET. Peak RSS is reported for each.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from .stats import RESULTS, machine, run_measured, summarize, write_json

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "plugins" / "references" / "tests" / "seed.txt"
TARGET_RATIO = 1.15
REBUILD_TARGET = 0.5
#: Issue 16: peak RSS of ours over bare's, and the rebuild target, are judged at this size.
LARGE = 10_000
MEMORY_TARGET = 1.2
#: Repetitions at LARGE unless --repeats says otherwise: each takes ~6 minutes on 2 cores.
LARGE_REPEATS = 3
COMMENTS_PER_ARTICLE = 10

BARE_SETTINGS = """\
SITENAME = "Bench"
TIMEZONE = "UTC"
THEME = "simple"
PLUGINS = []
ARTICLE_URL = "{slug}.html"
ARTICLE_SAVE_AS = "{slug}.html"
DEFAULT_PAGINATION = 10
PAGINATION_PATTERNS = ((1, "{url}", "{save_as}"),
                       (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"))
FEED_DOMAIN = "http://127.0.0.1:8000"
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
ARTICLE_EXCLUDES = ["authors"]
PAGE_EXCLUDES = ["authors"]
"""  # MARKDOWN is Pelican's default: codehilite, extra (with the stock footnotes) and meta; the
# feeds are ours since issue 15 (every build has them)


def seed_parts() -> tuple[str, list[str]]:
    """The seed article's title and its paragraphs (with `[1]` citations)."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    end = lines.index("References:")
    return lines[0], [line for line in lines[1:end] if line.strip()]


#: Each generated article takes one tag from each group (sizes coprime, so the combinations vary):
#: a few broad tags on a quarter of the articles, narrower ones on a tenth and a fortieth, as a
#: newsroom's overlap, so the tag pages and related reading have real work at every size. Names
#: end in letters, as they did when a paginated tag's page 2 was `{slug}2.html` (kept: the same
#: names keep results comparable with earlier runs).
TAG_GROUPS = (("Europe", "Americas", "Asia", "Africa"),
              tuple(f"Topic {chr(65 + n)}" for n in range(11)),
              tuple(f"Story {chr(65 + n // 26)}{chr(65 + n % 26)}" for n in range(37)))


def article_tags(index: int) -> list[str]:
    return [group[index % len(group)] for group in TAG_GROUPS]


#: Bylines: one or two of these per article; all but the last two have an author file.
AUTHORS = tuple(f"{first} {last}" for first, last in zip(
    ("Jane", "John", "Amira", "Bo", "Carla", "Dmitri", "Eve", "Femi", "Gita", "Hugo", "Ines", "Jun"),
    ("Doe", "Roe", "Haddad", "Lindqvist", "Mendes", "Orlov", "Park", "Adeyemi", "Rao", "Brandt",
     "Costa", "Tanaka"), strict=True))
AUTHORS_WITH_FILES = AUTHORS[:-2]


def article_authors(index: int) -> list[str]:
    first = AUTHORS[index % len(AUTHORS)]
    return [first] if index % 2 else [first, AUTHORS[(index + 5) % len(AUTHORS)]]


def article_markdown(index: int, title: str, paragraphs: list[str]) -> str:
    """One seed-like article with the fields a newsroom uses: one or two authors, three tags
    (`article_tags`), one of three categories; every fourth one `Modified:`, every tenth two
    `Correction:` entries. Every third one cites three named sources (title, publisher, date,
    URL) out of order; the others one bare URL, as the seed does."""
    if index % 3 == 2:
        keys = ["agency", "politico", "ministry"]
        body = [re.sub(r"\[1\]", f"[^{keys[(i * 2) % 3]}]", p) for i, p in enumerate(paragraphs)]
        notes = [f"[^{key}]: Statement on deliveries. The {key.title()} Desk, 15 July 2025. "
                 f"https://example.org/{key}/{index}" for key in keys]
    else:
        body = [p.replace("[1]", "[^1]") for p in paragraphs]
        notes = [f"[^1]: https://www.politico.com/newsletters/{index}"]
    day = 1 + index % 28
    header = (f"Title: {title} ({index})\nDate: 2025-07-{day:02d} 09:{index % 60:02d}\n"
              f"Slug: article-{index}\nCategory: {('World', 'Politics', 'Defense')[index % 3]}\n"
              f"Tags: {', '.join(article_tags(index))}\nAuthors: {', '.join(article_authors(index))}\n")
    if index % 4 == 0:
        header += f"Modified: 2025-08-{day:02d} 10:00\n"
    if index % 10 == 0:
        header += (f"Correction: 2025-08-{day:02d} 09:00 | An earlier version misstated the number of "
                   f"systems; it is *two*, not three.\n"
                   f"Correction: 2025-08-{day:02d} 09:30 | The ministry's statement was dated 14 July.\n")
    return header + "\n" + "\n\n".join(body) + "\n\n" + "\n".join(notes) + "\n"


def author_file(name: str) -> str:
    return (f"Name: {name}\nRole: Correspondent\nLinks: https://social.example/@{name.split()[0].lower()}\n\n"
            f"{name} covers defence and diplomacy for the newsroom.\n")


def generate(content: Path, count: int) -> None:
    """Write `count` seed-like articles, and the author files, into `content`."""
    title, paragraphs = seed_parts()
    (content / "authors").mkdir(parents=True, exist_ok=True)
    for name in AUTHORS_WITH_FILES:
        (content / "authors" / f"{name.lower().replace(' ', '-')}.md").write_text(
            author_file(name), encoding="utf-8")
    for index in range(count):
        (content / f"article-{index}.md").write_text(
            article_markdown(index, title, paragraphs), encoding="utf-8")


def populate_comments(database_url: str, count: int) -> None:
    """COMMENTS_PER_ARTICLE approved comments on each of the `count` generated articles, every
    third one a reply, stored through the service's storage layer in one transaction."""
    from comments_service.core import render
    from comments_service.core.comment import APPROVED
    from comments_service.core.storage import comments as stored
    from comments_service.core.storage import database

    text = "Which *allies* are second in line now? The [ministry](https://example.org) says two."
    html = render.render(text)
    engine = database.engine_from_url(database_url)
    try:
        database.upgrade_schema(engine)
        with database.connect(engine, write=True) as conn:
            for index in range(count):
                parent = None
                for number in range(COMMENTS_PER_ARTICLE):
                    comment = stored.create_comment(
                        conn, slug=f"article-{index}", parent=parent if number % 3 == 2 else None,
                        author=f"Reader {number}", email=None, website=None, text=text, html=html,
                        ip_hash=None, state=APPROVED)
                    parent = comment.id
            conn.commit()
    finally:
        engine.dispose()


def pelican_cmd(content: Path, output: Path, settings: Path, cache: Path | None = None) -> list[str]:
    """The build as `make html` runs it; `cache`: its CACHE_PATH (ours: the read cache)."""
    extra = ["-e", f"CACHE_PATH={json.dumps(str(cache))}"] if cache else []
    return [sys.executable, "-m", "pelican", str(content), "-o", str(output), "-s", str(settings),
            "-q", "--fatal", "errors", *extra]


def edit_one_article(content: Path, count: int, round_: int) -> None:
    """Change the text of the article in the middle of the site (its page, listings, feeds and
    related lists change with it), differently each round."""
    path = content / f"article-{count // 2}.md"
    text = path.read_text(encoding="utf-8")
    head, sep, rest = text.partition("\n\n")
    path.write_text(f"{head}{sep}Update {round_}: the ministry confirmed the figures.\n\n{rest}",
                    encoding="utf-8")


def measure_rebuilds(content: Path, count: int, repeats: int, work: Path, env: dict) -> dict:
    """Cold build, no-change rebuild, one-change rebuild of ours, `repeats` times (module doc)."""
    cache, output = work / "cache-rebuild", work / "out-rebuild"
    kinds = ("cold", "no_change", "one_change")
    times = {kind: [] for kind in kinds}
    peaks = {kind: [] for kind in kinds}
    for round_ in range(repeats):
        shutil.rmtree(cache / "read-cache", ignore_errors=True)
        shutil.rmtree(output, ignore_errors=True)
        for kind in kinds:
            if kind == "one_change":
                edit_one_article(content, count, round_)
            elapsed, peak = run_measured(pelican_cmd(content, output, ROOT / "pelican.conf.py", cache),
                                         cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
            times[kind].append(elapsed)
            peaks[kind].append(peak)
    result = {kind: {"seconds": summarize(times[kind]), "peak_rss_kib": max(peaks[kind])} for kind in kinds}
    for kind in ("no_change", "one_change"):
        result[f"{kind}_ratio"] = statistics.median(
            rebuild / cold for rebuild, cold in zip(times[kind], times["cold"], strict=True))
    return result


def search_index_cmd(output: Path) -> list[str]:
    """The search index step as `make html` runs it."""
    return [sys.executable, "-m", "plugins.search", str(output)]


def measure(count: int, repeats: int, work: Path) -> dict:
    """Time bare and ours `repeats` times each at `count` articles, alternating, and the search
    index of each build of ours (`search_index`: seconds only; the work is Pagefind's binary, a
    grandchild whose memory the launcher does not see)."""
    content = work / f"content-{count}"
    generate(content, count)
    bare_settings = work / "bare.conf.py"
    bare_settings.write_text(BARE_SETTINGS, encoding="utf-8")
    populated = f"sqlite:///{work / f'comments-{count}.sqlite3'}"
    populate_comments(populated, count)
    ours = ROOT / "pelican.conf.py"
    variants = {"bare": (bare_settings, f"sqlite:///{work / 'none.sqlite3'}"),
                "ours": (ours, f"sqlite:///{work / 'none.sqlite3'}"),
                "ours+comments": (ours, populated)}
    times = {name: [] for name in variants}
    peaks = {name: [] for name in variants}
    index_times = []
    cache = work / "cache"
    for _ in range(repeats):
        for name, (settings, database_url) in variants.items():
            output = work / f"out-{name}"
            shutil.rmtree(output, ignore_errors=True)
            shutil.rmtree(cache / "read-cache", ignore_errors=True)  # every build of ours is cold
            elapsed, peak = run_measured(pelican_cmd(content, output, settings, cache), cwd=ROOT,
                                         env={**os.environ, "COMMENTS_DATABASE_URL": database_url},
                                         stdout=subprocess.DEVNULL)
            times[name].append(elapsed)
            peaks[name].append(peak)
            if name == "ours":
                elapsed, _ = run_measured(search_index_cmd(output), cwd=ROOT, stdout=subprocess.DEVNULL)
                index_times.append(elapsed)
    result = {name: {"seconds": summarize(times[name]), "peak_rss_kib": max(peaks[name])}
              for name in variants}
    bare = result["bare"]["seconds"]["median"]
    result["ratio"] = result["ours"]["seconds"]["median"] / bare
    result["ratio_with_comments"] = result["ours+comments"]["seconds"]["median"] / bare
    # Each repetition builds bare, then ours, back to back: the median of those pairs' ratios is
    # what the target is checked on. This 2-vCPU machine runs the same build at two speeds some
    # seconds apart (bare alone: 4.48-5.14 s in one run), and a ratio of medians can pair a fast
    # bare with a slow ours; a pair shares the machine's state of the moment.
    result["paired_ratio"] = statistics.median(
        ours / bare for ours, bare in zip(times["ours"], times["bare"], strict=True))
    result["search_index"] = {"seconds": summarize(index_times)}
    result["rebuild"] = measure_rebuilds(content, count, repeats, work,
                                         {**os.environ, "COMMENTS_DATABASE_URL": variants["ours"][1]})
    return result


def plot(results: dict, path: Path) -> None:
    """Bar chart of median build time per size, the median of paired ratios annotated."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(results, key=int)
    fig, ax = plt.subplots(figsize=(6, 4))
    width = 0.27
    for offset, name in ((-width, "bare"), (0, "ours"), (width, "ours+comments")):
        ax.bar([i + offset for i in range(len(sizes))],
               [results[s][name]["seconds"]["median"] for s in sizes], width, label=name)
    for i, size in enumerate(sizes):
        top = max(results[size][n]["seconds"]["median"] for n in ("bare", "ours", "ours+comments"))
        ax.annotate(f"{results[size]['paired_ratio']:.2f}×", (i, top), ha="center", va="bottom")
    ax.set_xticks(range(len(sizes)), [f"{s} articles" for s in sizes])
    ax.set_ylabel("median build time (s)")
    ax.set_title(f"make html vs bare Pelican (target ≤ {TARGET_RATIO}×)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def repeats_for(count: int, asked: int | None) -> int:
    return asked if asked is not None else (LARGE_REPEATS if count >= LARGE else 5)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench build")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, LARGE])
    parser.add_argument("--repeats", type=int, default=None,
                        help=f"per size (default 5, {LARGE_REPEATS} from {LARGE:,} articles)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        results = {str(n): measure(n, repeats_for(n, args.repeats), Path(tmp)) for n in args.sizes}
    payload = {"benchmark": "build", "target_ratio": TARGET_RATIO, "rebuild_target": REBUILD_TARGET,
               "memory_target": MEMORY_TARGET, "large": LARGE, "machine": machine(),
               "repeats": args.repeats, "results": results}
    write_json("build", payload)
    plot(results, RESULTS / "build.png")
    for size, row in results.items():
        met = "met" if row["paired_ratio"] <= TARGET_RATIO else "NOT met"
        print(f"{size:>5} articles: bare {row['bare']['seconds']['median']:.2f}s "
              f"ours {row['ours']['seconds']['median']:.2f}s ratio of medians {row['ratio']:.3f}, "
              f"median of paired ratios {row['paired_ratio']:.3f} (target <= {TARGET_RATIO}: {met}); "
              f"with {COMMENTS_PER_ARTICLE} comments per article "
              f"{row['ours+comments']['seconds']['median']:.2f}s ratio {row['ratio_with_comments']:.3f}; "
              f"peak RSS bare {row['bare']['peak_rss_kib'] // 1024} MiB "
              f"ours {row['ours']['peak_rss_kib'] // 1024} MiB "
              f"ours+comments {row['ours+comments']['peak_rss_kib'] // 1024} MiB; "
              f"search index {row['search_index']['seconds']['median']:.2f}s")
        rebuild = row["rebuild"]
        met = "met" if rebuild["one_change_ratio"] <= REBUILD_TARGET else "NOT met"
        print(f"{size:>5} articles, rebuilds of ours: cold {rebuild['cold']['seconds']['median']:.2f}s "
              f"({rebuild['cold']['peak_rss_kib'] // 1024} MiB), no change "
              f"{rebuild['no_change']['seconds']['median']:.2f}s ratio {rebuild['no_change_ratio']:.3f} "
              f"({rebuild['no_change']['peak_rss_kib'] // 1024} MiB), one article changed "
              f"{rebuild['one_change']['seconds']['median']:.2f}s ratio {rebuild['one_change_ratio']:.3f} "
              f"({rebuild['one_change']['peak_rss_kib'] // 1024} MiB) (target <= {REBUILD_TARGET}: {met})")
    return payload
