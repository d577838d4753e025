"""Service speed and memory in the deployed shape (issue 16 items 1 and 4): `python -m bench
service --parts speed`, and part of `make bench`.

Every target runs under the gunicorn settings we ship (comments_service/gunicorn_conf.py: gthread
workers, as many as it picks), load from `wrk`:

- `hello`: the Flask hello-world, the ceiling;
- `off`: GET of a 10-comment thread, rate limiter off;
- `redis`: the same GET with the limiter on, counting in Redis as docs/deploy.md configures it
  (its limits raised so that the load is counted, never refused).

Ours runs with re-bake on (COMMENTS_SITE_DIR holds the thread's page) and, during every GET
round, a writer POSTing to the same thread WRITES_PER_S times a second: each write bumps the
thread's version, so reads keep missing the page cache now and then, as on a live site. After its
load, each target's workers' memory is read (RSS, PSS, USS: stats.worker_memory). The target is
on PSS, each worker's fair share of the pages it maps: the workers are forked from a master that
loaded the app (gunicorn_conf.preload_app), and RSS counts the pages they all share in full in
every one of them. It is shown all the same, with USS (what one more worker costs); for scale,
Flask, SQLAlchemy, redis and Flask-Limiter imported in a bare interpreter are ~52 MiB of RSS.
"""

from __future__ import annotations

import json
import threading
import uuid
from pathlib import Path

from .stats import targets_table, worker_memory

#: GET of the 10-comment thread as a share of the hello-world's requests/s, limiter on and off;
#: PSS in MiB of the largest worker of ours after its load (see above).
TARGETS = {"get10_redis_vs_hello": 0.60, "get10_off_vs_hello": 0.80, "worker_pss_mib": 50.0}
REDIS_URL = "redis://127.0.0.1:6379/0"
#: POSTs a second to the thread under read load (writes mixed into reads).
WRITES_PER_S = 2
#: Limits far above what the load reaches: every request is counted, none refused.
UNREACHED_LIMIT = "100000000 per minute"


def shipped_args() -> list[str]:
    """gunicorn's arguments for the shipped configuration (quieter log)."""
    return ["-c", "python:comments_service.gunicorn_conf", "--log-level", "warning"]


def ours_env(work: Path, database_url: str, limiter: str | None) -> dict:
    """COMMENTS_* for one of our targets: re-bake on, `limiter` a storage URI or None (off)."""
    from .service import PAGE

    site = work / "site"
    site.mkdir(exist_ok=True)
    (site / "t10.html").write_text(PAGE.replace("T1000", "T10"), encoding="utf-8")
    manifest = work / "threads.json"
    manifest.write_text(json.dumps([{"slug": "t10", "url": "/t10.html", "title": "T10",
                                     "published": "2025-07-15T09:00:00+00:00", "open": True}]))
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
    """POSTs a comment to `url` `per_second` times a second until stopped; counts failures."""

    def __init__(self, url: str, origin: str, per_second: float):
        super().__init__(daemon=True)
        self.url, self.origin, self.pause = url, origin, 1 / per_second
        self.stopped = threading.Event()
        self.posted = self.failed = 0

    def run(self) -> None:
        from .service import comment_body, request

        while not self.stopped.wait(self.pause):
            try:
                request(self.url, comment_body(self.posted), {"Origin": self.origin})
                self.posted += 1
            except OSError:
                self.failed += 1

    def __enter__(self) -> Writer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.join()


def bench_hello(work: Path, load) -> dict:
    from .service import gunicorn, wrk

    env = {"PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    with gunicorn(Path(__import__("sys").executable), "bench.hello_app:app", env, work, "/hello",
                  shipped_args()) as base:
        result = {"get": wrk(base + "/hello", load)}
        result["memory"] = worker_memory(base.pid)
    return result


def bench_get10(work: Path, database_url: str, limiter: str | None, load) -> dict:
    """GET of the 10-comment thread with writes mixed in (see the module docstring)."""
    import sys

    from .service import comment_body, gunicorn, request, wrk

    env = ours_env(work, database_url, limiter)
    with gunicorn(Path(sys.executable), "comments_service:create_app()", env, work, "/api/health",
                  shipped_args()) as base:
        url = f"{base}/api/threads/t10/comments"
        for n in range(10):
            request(url, comment_body(n), {"Origin": base})
        with Writer(url, base, WRITES_PER_S) as writer:
            result = {"get": wrk(url, load)}
        result["writes"] = {"posted": writer.posted, "failed": writer.failed}
        result["memory"] = worker_memory(base.pid)
    return result


def run(work: Path, database_url: str, load) -> dict:
    """Every target of this part, one after the other, in `work`; results and verdicts."""
    results = {}
    for name, limiter in (("hello", None), ("off", None), ("redis", REDIS_URL)):
        (work / name).mkdir()
        results[name] = (bench_hello(work / name, load) if name == "hello" else
                         bench_get10(work / name, database_url.format(work=work / name), limiter, load))
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
