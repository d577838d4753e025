"""Lighthouse benchmark: the seed article, an article with a lead image, the front page and the
search page with results, as a reader gets them, scored by Google Lighthouse.

The site is built as it is published (publish.conf.py, so canonical and Open Graph URLs are
absolute), with SITEURL pointing at a devserver on a free loopback port that serves the pages and
/api on one origin (what `make serve` runs). The thread is not empty: a comment and a reply are
baked into the page, and one stored after the build is fetched and inserted by the widget, so the
audit covers the comment markup and the widget's request and DOM work. Lighthouse (npm, pinned in
bench/lighthouse/, installed with `npm ci` on first use) drives Debian's chromium headless, mobile
(its default) and desktop form factors, several runs each; the median score per category counts.
Targets (issues 5, 14 and 15): accessibility, best practices and SEO 100, performance at least
95, on every page.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from comments_service.core import render
from comments_service.core.comment import APPROVED
from comments_service.core.storage import comments as stored
from comments_service.core.storage import database

from .service import free_port
from .stats import write_json

ROOT = Path(__file__).resolve().parent.parent
NPM_PROJECT = Path(__file__).resolve().parent / "lighthouse"
SEED_SLUG = "wsj-trump-administration-reorganizes-delivery-of-patriot-systems-to-allies-prioritizing-ukraine"
FIXTURE_CONTENT = ROOT / "tests" / "site" / "content"
LEAD_IMAGE_FILES = ("every-field.md", "images/ferries.jpg", "authors/jane-doe.md", "authors/jane-doe.jpg")
#: The pages audited: the seed article, an article with a 1600 px lead image (issue 14), and the
#: front page (issue 15), whose lead story is that article with its image, audited at "/" as readers
#: reach it (its canonical URL: at /index.html Lighthouse calls that canonical invalid); the
#: search page with a query's results (issue 15: Pagefind's bundle loaded and run).
PAGES = {"seed": f"{SEED_SLUG}.html", "lead-image": "ferries-return.html", "front": "",
         "search": "search.html?q=Patriot"}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
#: Extra Lighthouse flags per form factor (mobile is Lighthouse's default).
FORM_FACTORS = {"mobile": [], "desktop": ["--preset=desktop"]}
CHROME_FLAGS = "--headless=new --no-sandbox"
SERVER_START_SECONDS = 30
#: Lab metrics kept from each report (Lighthouse audit ids).
METRICS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
           "cumulative-layout-shift", "speed-index")


def ensure_lighthouse() -> Path:
    """The lighthouse CLI of bench/lighthouse/, installed from its lock file when missing."""
    cli = NPM_PROJECT / "node_modules" / ".bin" / "lighthouse"
    if not cli.exists():
        if not shutil.which("npm"):
            raise SystemExit("bench lighthouse needs npm (Node >= 18.16) to install Lighthouse")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NPM_PROJECT, check=True)
    return cli


def site_content(work: Path) -> Path:
    """content/ plus the fixture article that uses every newsroom field (lead image, authors with
    a photo, corrections, named sources), so a page with a lead image is audited too."""
    content = work / "content"
    shutil.copytree(ROOT / "content", content)
    for name in LEAD_IMAGE_FILES:
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(FIXTURE_CONTENT / name, content / name)
    return content


def build_site(output: Path, site_url: str, env: dict[str, str]) -> None:
    """Build content/ (and the lead-image article) with the production settings, its absolute
    URLs on `site_url`, and its search index; the image variants are cached in the build's own
    folder."""
    content = site_content(output.parent)
    subprocess.run([sys.executable, "-m", "pelican", str(content), "-o", str(output),
                    "-s", str(ROOT / "publish.conf.py"), "-q", "--fatal", "errors",
                    "-e", f'IMAGES_CACHE_PATH="{output.parent / "image-cache"}"'],
                   cwd=ROOT, env={**env, "SITEURL": site_url}, stdout=subprocess.DEVNULL, check=True)
    # The search index, as `make publish` builds it after Pelican (plugins/search).
    subprocess.run([sys.executable, "-m", "plugins.search", str(output)], cwd=ROOT, env=env,
                   stdout=subprocess.DEVNULL, check=True)


def store_comment(database_url: str, author: str, text: str, parent: int | None = None) -> int:
    """Store an approved comment on the seed article (as the service would) and return its id."""
    engine = database.engine_from_url(database_url)
    try:
        database.upgrade_schema(engine)
        with database.connect(engine, write=True) as conn:
            comment = stored.create_comment(
                conn, slug=SEED_SLUG, parent=parent, author=author, email=None, website=None,
                text=text, html=render.render(text), ip_hash=None, state=APPROVED)
            conn.commit()
    finally:
        engine.dispose()
    return comment.id


@contextmanager
def devserver(site: Path, port: int, env: dict[str, str], log: Path):
    """`make serve`'s server for `site` on `port` until the block ends; yields its base URL."""
    base = f"http://127.0.0.1:{port}"
    with open(log, "wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "comments_service.devserver", "--site",
                                    str(site), "--port", str(port)],
                                   cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_until_healthy(base, process, log)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_until_healthy(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/health", timeout=2):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the devserver did not start; see {log}") from None
            time.sleep(0.2)


def run_lighthouse(cli: Path, url: str, form_factor: str, chromium: str, report: Path) -> dict:
    """One Lighthouse run of `url`; returns its JSON report."""
    subprocess.run([str(cli), url, *FORM_FACTORS[form_factor],
                    f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}",
                    "--output=json", f"--output-path={report}", "--quiet"],
                   env={**os.environ, "CHROME_PATH": chromium}, check=True)
    return json.loads(report.read_text(encoding="utf-8"))


def summarize_report(report: dict) -> dict:
    """Scores (0-100) per category and the audits that cost points, from one Lighthouse report.

    An audit costs points when it has a weight in a category and scored below 1; Lighthouse's
    weightless diagnostics and insights never change a score, so they are left out.
    """
    if report.get("runtimeError"):
        raise RuntimeError(f"Lighthouse could not audit the page: {report['runtimeError']}")
    scores, failing = {}, []
    metrics = {name: report["audits"][name]["numericValue"] for name in METRICS}
    for name in CATEGORIES:
        category = report["categories"][name]
        if category["score"] is None:
            raise RuntimeError(f"Lighthouse gave no {name} score")
        scores[name] = round(category["score"] * 100)
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] > 0 and audit["score"] is not None and audit["score"] < 1:
                failing.append({"category": name, "id": audit["id"], "title": audit["title"],
                                "score": audit["score"], "detail": audit.get("displayValue")
                                or audit.get("explanation", "")})
    return {"scores": scores, "metrics": metrics, "failing_audits": failing}


def combine_runs(summaries: list[dict]) -> dict:
    """The median score per category and metric over several runs, each failing audit listed once."""
    failing = {}
    for summary in summaries:
        for audit in summary["failing_audits"]:
            failing.setdefault((audit["category"], audit["id"]), audit)
    return {"scores": {name: statistics.median(s["scores"][name] for s in summaries)
                       for name in CATEGORIES},
            "samples": {name: [s["scores"][name] for s in summaries] for name in CATEGORIES},
            "metrics": {name: statistics.median(s["metrics"][name] for s in summaries)
                        for name in METRICS},
            "failing_audits": list(failing.values())}


def targets_met(scores: dict) -> dict[str, bool]:
    return {name: scores[name] >= target for name, target in TARGETS.items()}


def chromium_version(chromium: str) -> str:
    return subprocess.run([chromium, "--version"], capture_output=True, text=True,
                          check=True).stdout.strip()


def measure(cli: Path, chromium: str, runs: int, work: Path) -> tuple[dict, str]:
    """Build, serve and audit each of PAGES; returns (results per page and form factor, LH version)."""
    port = free_port()
    database_url = f"sqlite:///{work / 'comments.sqlite3'}"
    env = {**os.environ, "COMMENTS_DATABASE_URL": database_url,
           "COMMENTS_SECRET_KEY": "lighthouse-bench", "COMMENTS_RATELIMIT_ENABLED": "false"}
    first = store_comment(database_url, "Ann Reader", "Which *allies* are second in line now?")
    store_comment(database_url, "Ben Editor", "The article names them in its third paragraph.", first)
    build_site(work / "site", f"http://127.0.0.1:{port}", env)
    store_comment(database_url, "Cleo Late", "Posted after the build: the widget fetches this one.")
    results, version = {}, ""
    with devserver(work / "site", port, env, work / "devserver.log") as base:
        for page, path in PAGES.items():
            results[page] = {}
            for form_factor in FORM_FACTORS:
                summaries = []
                for _ in range(runs):
                    report = run_lighthouse(cli, f"{base}/{path}", form_factor, chromium,
                                            work / "report.json")
                    version = report["lighthouseVersion"]
                    summaries.append(summarize_report(report))
                results[page][form_factor] = combine_runs(summaries)
                results[page][form_factor]["met"] = targets_met(results[page][form_factor]["scores"])
    return results, version


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench lighthouse")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per form factor")
    parser.add_argument("--chromium", default=os.environ.get("COMMENTS_TEST_CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not shutil.which(args.chromium):
        parser.error(f"--chromium {args.chromium} is not an executable")
    cli = ensure_lighthouse()
    with tempfile.TemporaryDirectory(prefix="bench-lighthouse-") as tmp:
        results, version = measure(cli, args.chromium, args.runs, Path(tmp))
    payload = {"benchmark": "lighthouse", "pages": {page: f"/{path}" for page, path in PAGES.items()},
               "targets": TARGETS,
               "runs": args.runs, "lighthouse": version, "chromium": chromium_version(args.chromium),
               "chrome_flags": CHROME_FLAGS, "results": results}
    write_json("lighthouse", payload)
    for page, rows in results.items():
        for form_factor, row in rows.items():
            scores = " ".join(f"{name} {row['scores'][name]:g}" for name in CATEGORIES)
            missed = [name for name, met in row["met"].items() if not met]
            print(f"{page:>10} {form_factor:>7}: {scores}"
                  + (f"  below target: {', '.join(missed)}" if missed else ""))
    return payload
