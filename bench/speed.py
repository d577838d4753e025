"""Service speed and memory in the deployed shape (issue 16 items 1 and 4): `python -m bench
service --parts speed`, and part of `make bench`.

Every target runs under the gunicorn settings we ship (comments_service/gunicorn_conf.py: gthread
workers, as many as it picks), load from `wrk`:

- `hello`: the Flask hello-world, the ceiling;
- `off`: GET of a 10-comment thread, rate limiter off;
- `redis`: the same GET with the limiter on, counting in Redis as docs/deploy.md configures it
  (its limits raised so that the load is counted, never refused).

Ours runs with re-bake on (COMMENTS_SITE_DIR holds the thread's page) and, during every GET
round, a writer editing the thread's comments WRITES_PER_S times a second: each write bumps the
thread's version and queues a bake, so reads keep missing the page cache now and then, as on a
live site. The three servers run side by side and their rounds alternate (see run()). After its
load, each target's workers' memory is read (RSS, PSS, USS: stats.worker_memory). The target is
on PSS, each worker's fair share of the pages it maps: the workers are forked from a master that
loaded the app (gunicorn_conf.preload_app), and RSS counts the pages they all share in full in
every one of them. It is shown all the same, with USS (what one more worker costs); for scale,
Flask, SQLAlchemy, redis and Flask-Limiter imported in a bare interpreter are ~52 MiB of RSS.
"""

from __future__ import annotations

import json
import sys
import threading
import urllib.request
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import NamedTuple

from .stats import targets_table, worker_memory

#: GET of the 10-comment thread as a share of the hello-world's requests/s, limiter on and off;
#: PSS in MiB of the largest worker of ours after its load (see above).
TARGETS = {"get10_redis_vs_hello": 0.60, "get10_off_vs_hello": 0.80, "worker_pss_mib": 50.0}
REDIS_URL = "redis://127.0.0.1:6379/0"
#: Edits a second to the thread under read load (writes mixed into reads).
WRITES_PER_S = 2
#: Limits far above what the load reaches: every request is counted, none refused.
UNREACHED_LIMIT = "100000000 per minute"


def shipped_args() -> list[str]:
    """gunicorn's arguments for the shipped configuration (quieter log)."""
    return ["-c", "python:comments_service.gunicorn_conf", "--log-level", "warning"]


def ours_env(work: Path, database_url: str, limiter: str | None, *slugs: str) -> dict:
    """COMMENTS_* for one of our targets, serving the threads `slugs` (each with its static page
    in `work`/site): re-bake on, `limiter` a storage URI or None (off)."""
    from .service import PAGE

    site = work / "site"
    site.mkdir(exist_ok=True)
    for slug in slugs:
        (site / f"{slug}.html").write_text(PAGE.replace("T1000", slug), encoding="utf-8")
    manifest = work / "threads.json"
    manifest.write_text(json.dumps([{"slug": slug, "url": f"/{slug}.html", "title": slug,
                                     "published": "2025-07-15T09:00:00+00:00", "open": True}
                                    for slug in slugs]))
    env = {"COMMENTS_SECRET_KEY": "bench", "COMMENTS_DATABASE_URL": database_url,
           "COMMENTS_THREADS_MANIFEST": str(manifest), "COMMENTS_SITE_URL": "http://127.0.0.1",
           "COMMENTS_SITE_DIR": str(site), "COMMENTS_RATELIMIT_ENABLED": json.dumps(bool(limiter))}
    if limiter:
        env |= {"COMMENTS_RATELIMIT_STORAGE_URI": limiter,
                # A key prefix of its own: tests and other runs sharing this Redis never collide.
                "COMMENTS_RATELIMIT_KEY_PREFIX": f"bench-{uuid.uuid4().hex[:8]}",
                "COMMENTS_READ_RATE_LIMIT": UNREACHED_LIMIT,
                "COMMENTS_WRITE_RATE_LIMIT": UNREACHED_LIMIT}
    return env


class Writer(threading.Thread):
    """Edits the thread's comments (`tokens`: id -> edit token) `per_second` times a second
    until stopped, counting failures. Edits, not new comments: each bumps the thread's version
    and queues a bake as a new comment does, and the thread keeps its 10 comments."""

    def __init__(self, base: str, tokens: dict[int, str], per_second: float):
        super().__init__(daemon=True)
        self.base, self.tokens, self.pause = base, list(tokens.items()), 1 / per_second
        self.stopped = threading.Event()
        self.posted = self.failed = 0

    def run(self) -> None:
        while not self.stopped.wait(self.pause):
            comment_id, token = self.tokens[self.posted % len(self.tokens)]
            body = json.dumps({"text": f"Edited {self.posted} times over."}).encode()
            edit = urllib.request.Request(f"{self.base}/api/comments/{comment_id}", data=body,
                                          method="PATCH",
                                          headers={"Content-Type": "application/json",
                                                   "Origin": self.base,
                                                   "Authorization": f"Bearer {token}"})
            try:
                with urllib.request.urlopen(edit, timeout=30) as response:
                    response.read()
                self.posted += 1
            except OSError:
                self.failed += 1

    def __enter__(self) -> Writer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.join()


class Target(NamedTuple):
    """A running server, the URL its rounds load and the edit tokens of its thread (ours)."""

    server: str  # service.Server: the base URL, with the master's pid
    url: str
    tokens: dict[int, str] | None

    def round(self, load) -> tuple[dict, dict]:
        """One wrk run (ours: with the writer editing); its summary and the writer's counts."""
        from .service import Load, wrk_once

        once = Load(load.seconds, load.connections, 1)
        if self.tokens is None:
            return wrk_once(self.url, once), {"posted": 0, "failed": 0}
        with Writer(self.server, self.tokens, WRITES_PER_S) as writer:
            summary = wrk_once(self.url, once)
        return summary, {"posted": writer.posted, "failed": writer.failed}


def start_targets(stack: ExitStack, work: Path, database_url: str) -> dict[str, Target]:
    """hello, off and redis, all running at once (each its own gunicorn, shipped settings);
    ours seeded with 10 comments each, in a thread of its own (they may share a database)."""
    from .service import comment_body, gunicorn, request

    python = Path(sys.executable)
    (work / "hello").mkdir()
    env = {"PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    hello = stack.enter_context(gunicorn(python, "bench.hello_app:app", env, work / "hello", "/hello",
                                         shipped_args()))
    targets = {"hello": Target(hello, hello + "/hello", None)}
    for name, limiter in (("off", None), ("redis", REDIS_URL)):
        (work / name).mkdir()
        slug = f"t10-{name}"
        env = ours_env(work / name, database_url.format(work=work / name), limiter, slug)
        base = stack.enter_context(gunicorn(python, "comments_service:create_app()", env, work / name,
                                            "/api/health", shipped_args()))
        url = f"{base}/api/threads/{slug}/comments"
        tokens = {}
        for n in range(10):
            _, _, posted = request(url, comment_body(n), {"Origin": base})
            tokens[posted["comment"]["id"]] = posted["edit_token"]
        targets[name] = Target(base, url, tokens)
    return targets


def run(work: Path, database_url: str, load) -> dict:
    """Every target of this part in `work`, their rounds interleaved (hello, off, redis, hello,
    ...): on a shared machine, load from elsewhere then falls on every target alike, and the
    ratios hold even when the absolute figures move. The median round of each; results and
    verdicts. `database_url` may name `{work}`, each of ours' own folder."""
    from .service import median_round

    with ExitStack() as stack:
        targets = start_targets(stack, work, database_url)
        rounds = {name: [] for name in targets}
        writes = {name: {"posted": 0, "failed": 0} for name in targets}
        for _ in range(load.rounds):
            for name, target in targets.items():
                summary, written = target.round(load)
                rounds[name].append(summary)
                writes[name] = {key: writes[name][key] + written[key] for key in written}
        results = {name: {"get": median_round(rounds[name]), "writes": writes[name],
                          "memory": worker_memory(target.server.pid)}
                   for name, target in targets.items()}
    return {"results": results, **verdicts(results)}


def verdicts(results: dict) -> dict:
    """The figures of TARGETS and whether each is met (plus no errors and no failed writes)."""
    ceiling = results["hello"]["get"]["rps"]
    figures = {"get10_redis_vs_hello": results["redis"]["get"]["rps"] / ceiling,
               "get10_off_vs_hello": results["off"]["get"]["rps"] / ceiling,
               "worker_pss_mib": _largest(results, "pss_mib"),
               "worker_rss_mib": _largest(results, "rss_mib"),
               "worker_uss_mib": _largest(results, "uss_mib")}
    met = {key: (value <= TARGETS[key]) if key.endswith("_mib") else (value >= TARGETS[key])
           for key, value in figures.items() if key in TARGETS}
    errors = sum(results[name]["get"]["errors"] for name in results)
    failed = sum(results[name]["writes"]["failed"] for name in ("off", "redis"))
    return {"figures": figures, "met": met | {"no_errors": errors == 0 and failed == 0}}


def _largest(results: dict, figure: str) -> float:
    return max(worker[figure] for name in ("off", "redis") for worker in results[name]["memory"])


def table(results: dict, verdict: dict) -> str:
    """The part's table: one row per target (requests/s, share of the ceiling, p95, workers'
    memory), then each target's figure, its goal and met / NOT met."""
    ceiling = results["hello"]["get"]["rps"]
    lines = [f"{'target':<8} {'req/s':>8} {'×hello':>7} {'p95 ms':>7} {'errors':>6} "
             f"{'RSS MiB (per worker)':>22} {'PSS':>6} {'USS':>6}"]
    for name, result in results.items():
        get, memory = result["get"], result["memory"]
        rss = "/".join(f"{worker['rss_mib']:.0f}" for worker in memory)
        lines.append(f"{name:<8} {get['rps']:>8.0f} {get['rps'] / ceiling:>7.0%} {get['p95_ms']:>7.2f} "
                     f"{get['errors']:>6} {rss:>22} {max(w['pss_mib'] for w in memory):>6.0f} "
                     f"{max(w['uss_mib'] for w in memory):>6.0f}")
    figures, met = verdict["figures"], verdict["met"]
    rows = [(key, f"{figures[key]:.0%}", f">= {goal:.0%}", met[key])
            for key, goal in TARGETS.items() if key.endswith("hello")]
    rows.append(("worker_pss_mib", f"{figures['worker_pss_mib']:.1f}",
                 f"<= {TARGETS['worker_pss_mib']:g}", met["worker_pss_mib"]))
    rows += [(key, f"{figures[key]:.1f}", "none", None) for key in ("worker_rss_mib", "worker_uss_mib")]
    rows.append(("no_errors", "", "0 errors", met["no_errors"]))
    return "\n".join(lines) + "\n" + targets_table("targets", rows)
