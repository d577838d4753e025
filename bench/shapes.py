"""The deployed shape of issue 16's targets 2 and 3: `python -m bench service --parts shapes`, and
part of `make bench`.

Ours only, on SQLite and on PostgreSQL, as deployed: the shipped gunicorn settings
(speed.shipped_args: gthread, 2 workers per core, preload), the rate limiter on Redis (its limits
raised, so every request is counted and none refused) and re-bake on (COMMENTS_SITE_DIR names a
site holding the thread's page: writes queue the bake, each worker's baker bakes off the request
path). On threads of 1,000 comments (each scenario starts on one: THREADS):

- `get1000_miss`: GETs with the page cache off (COMMENTS_PAGE_CACHE_BYTES=0): every request a miss,
  the cost of a page after a write (target 3);
- `post1000_rebake`: POSTs at the same concurrency (target 2), then how long after the last POST the
  baked page shows it (`bake_lag_s`) and the page's size;
- `get1000_mixed`: GETs with the page cache on while a writer edits the thread's comments
  speed.WRITES_PER_S times a second (each edit bumps the version: the caches miss now and then, as
  on a live site). Reported, no target;
- `post1000_plain`: the control, the same POSTs with re-bake off (what a write costs anyway on this
  machine at this moment: only the pair says much).
- `get1000_miss_1conn`, `post1000_rebake_1conn`: the same with one connection: what one request
  costs when none waits for another (at 8 connections on this machine's 2 cores, shared with wrk,
  a p95 is mostly the time a request waits for the others: 8 / throughput). Reported, no target.
- the floors, what this machine allows any Flask app under the same gunicorn settings
  (bench/hello_app.py): `floor_body` GETs the 1,000-comment thread's bytes, built by nothing (the
  best a cache miss could do), `floor_body_1conn` the same with one connection, and `floor_post`
  POSTs the scenarios' comment body to an endpoint that parses it and stores nothing (the best a
  POST could do). Reported, no target: a target below its floor is out of reach here.

Each server's workers' memory (RSS, PSS, USS) is read after its load (issue 16 item 4: RSS per
worker for every target).
"""

from __future__ import annotations

import json
import sys
import time
import urllib.request
import uuid
from pathlib import Path

from .stats import targets_table, worker_memory

#: p95 of a POST with re-bake on, of a GET on a page-cache miss (1,000-comment thread).
TARGETS = {"post1000_rebake_p95_ms": 20.0, "get1000_miss_p95_ms": 10.0}
#: The thread the GET scenarios read; POST scenarios write to threads of their own (THREADS).
SLUG = "t1000"
SIZE = 1000
#: Every scenario's thread: each holds SIZE comments when its scenario starts. The POSTs of one
#: scenario grow only its own thread (at ~500 POSTs/s, 15 s of them made the shared thread of
#: earlier runs ~8,000 comments long before the mixed and plain scenarios read and wrote it).
THREADS = {"get1000_miss": SLUG, "get1000_miss_1conn": SLUG, "get1000_mixed": SLUG,
           "post1000_rebake": "t1000-post", "post1000_rebake_1conn": "t1000-post1",
           "post1000_plain": "t1000-plain"}
#: Comments whose edit tokens the mixed scenario's writer keeps.
EDITED = 10


def _server(work: Path, database_url: str, **extra: str):
    """A gunicorn of ours as deployed (speed.ours_env with the limiter on Redis) serving every
    thread of THREADS, `extra` COMMENTS_* settings on top; None as a value removes a setting."""
    from . import speed
    from .service import gunicorn

    env = speed.ours_env(work, database_url, speed.REDIS_URL, *sorted(set(THREADS.values())))
    for name, value in extra.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return gunicorn(Path(sys.executable), "comments_service:create_app()", env, work, "/api/health",
                    speed.shipped_args())


def _post(url: str, load, origin: str) -> dict:
    from .service import comment_body, wrk

    return wrk(url, load, "POST", json.dumps(comment_body(0)),
               {"Content-Type": "application/json", "Origin": origin})


def _floors(work: Path, page: bytes, load) -> dict:
    """The floors (module docstring): the hello app serving `page` (the 1,000-comment thread's
    body) and taking the POST scenarios' body, under the shipped gunicorn settings."""
    from . import speed
    from .service import comment_body, gunicorn, wrk

    folder = work / "floor"
    folder.mkdir()
    (folder / "page.json").write_bytes(page)
    env = {"PYTHONPATH": str(Path(__file__).resolve().parent.parent),
           "BENCH_BODY_FILE": str(folder / "page.json")}
    with gunicorn(Path(sys.executable), "bench.hello_app:app", env, folder, "/hello",
                  speed.shipped_args()) as base:
        return {"floor_body": wrk(f"{base}/body", load),
                "floor_body_1conn": wrk(f"{base}/body", load._replace(connections=1)),
                "floor_post": wrk(f"{base}/hello", load, "POST", json.dumps(comment_body(0)),
                                  {"Content-Type": "application/json"})}


def _seed(base: str) -> dict[int, str]:
    """SIZE comments in every thread of THREADS; the edit tokens of SLUG's first EDITED."""
    from .service import comment_body, request

    tokens = {}
    for slug in sorted(set(THREADS.values())):
        url = f"{base}/api/threads/{slug}/comments"
        for n in range(SIZE):
            _, _, posted = request(url, comment_body(n), {"Origin": base})
            if slug == SLUG and n < EDITED:
                tokens[posted["comment"]["id"]] = posted["edit_token"]
    return tokens


def run(work: Path, database_url: str, load) -> dict:
    """Every scenario of this part on one database (see the module docstring), each on its thread
    of THREADS; the results, the figures and whether TARGETS are met."""
    from . import speed
    from .service import request, wrk

    site = work / "site"
    result, memory = {}, {}

    def url(base: str, scenario: str) -> str:
        return f"{base}/api/threads/{THREADS[scenario]}/comments"

    with _server(work, database_url, COMMENTS_PAGE_CACHE_BYTES="0") as base:
        tokens = _seed(base)
        result["get1000_miss"] = wrk(url(base, "get1000_miss"), load)
        result["get1000_miss_1conn"] = wrk(url(base, "get1000_miss_1conn"), load._replace(connections=1))
        result["post1000_rebake"] = _post(url(base, "post1000_rebake"), load, base)
        result["post1000_rebake_1conn"] = _post(url(base, "post1000_rebake_1conn"),
                                                load._replace(connections=1), base)
        # A reply to the thread's first comment: the page shows the first SECTION_TOP_LEVEL_MAX
        # threads.
        slug = THREADS["post1000_rebake"]
        marker = f"bench-last-{uuid.uuid4().hex}"
        _, _, first = request(f"{url(base, 'post1000_rebake')}?limit=1")
        request(url(base, "post1000_rebake"),
                {"author": "Last", "text": marker, "parent": first["comments"][0]["id"]},
                {"Origin": base})
        posted = time.monotonic()
        while marker not in (site / f"{slug}.html").read_text(encoding="utf-8"):
            if time.monotonic() - posted > 60:
                raise RuntimeError("the last POST never reached the baked page")
            time.sleep(0.01)
        result["bake_lag_s"] = time.monotonic() - posted
        result["page_kb"] = (site / f"{slug}.html").stat().st_size / 1024
        memory["miss_and_rebake"] = worker_memory(base.pid)
        with urllib.request.urlopen(url(base, "get1000_miss"), timeout=30) as answer:
            page = answer.read()
    result.update(_floors(work, page, load))
    with _server(work, database_url) as base:
        with speed.Writer(base, tokens, speed.WRITES_PER_S) as writer:
            result["get1000_mixed"] = wrk(url(base, "get1000_mixed"), load)
        result["mixed_writes"] = {"posted": writer.posted, "failed": writer.failed}
        memory["mixed"] = worker_memory(base.pid)
    with _server(work, database_url, COMMENTS_SITE_DIR=None) as base:
        result["post1000_plain"] = _post(url(base, "post1000_plain"), load, base)
        memory["plain"] = worker_memory(base.pid)
    result["memory"] = memory
    return {"results": result, **verdicts(result)}


def verdicts(result: dict) -> dict:
    """The figures (TARGETS' and the ones shown beside them) and whether each target is met."""
    figures = {"post1000_rebake_p95_ms": result["post1000_rebake"]["p95_ms"],
               "get1000_miss_p95_ms": result["get1000_miss"]["p95_ms"],
               "post1000_plain_p95_ms": result["post1000_plain"]["p95_ms"],
               "get1000_mixed_p95_ms": result["get1000_mixed"]["p95_ms"],
               "get1000_miss_1conn_p95_ms": result["get1000_miss_1conn"]["p95_ms"],
               "post1000_rebake_1conn_p95_ms": result["post1000_rebake_1conn"]["p95_ms"],
               "floor_body_p95_ms": result["floor_body"]["p95_ms"],
               "floor_body_1conn_p95_ms": result["floor_body_1conn"]["p95_ms"],
               "floor_post_p95_ms": result["floor_post"]["p95_ms"],
               "worker_rss_mib": max(worker["rss_mib"] for workers in result["memory"].values()
                                     for worker in workers),
               "worker_pss_mib": max(worker["pss_mib"] for workers in result["memory"].values()
                                     for worker in workers)}
    errors = sum(result[key]["errors"] for key in
                 ("get1000_miss", "post1000_rebake", "get1000_mixed", "post1000_plain",
                  "get1000_miss_1conn", "post1000_rebake_1conn", "floor_body", "floor_body_1conn",
                  "floor_post"))
    errors += result["mixed_writes"]["failed"]
    met = {key: figures[key] <= goal for key, goal in TARGETS.items()}
    return {"figures": figures, "errors": errors, "met": met | {"no_errors": errors == 0}}


def table(title: str, part: dict) -> str:
    """The part's verdicts as printed: the two targets, then the figures shown beside them."""
    figures, met = part["figures"], part["met"]
    rows = [(key, f"{value:.1f} ms", f"<= {TARGETS[key]:g} ms" if key in TARGETS else "none",
             met.get(key)) for key, value in figures.items() if key.endswith("_ms")]
    rows += [(key, f"{figures[key]:.1f}", "none", None) for key in ("worker_rss_mib", "worker_pss_mib")]
    rows.append(("bake_lag_s", f"{part['results']['bake_lag_s']:.2f} s", "none", None))
    return targets_table(title, rows + [("no_errors", str(part["errors"]), "0", met["no_errors"])])
