"""Service benchmark: our comments API against a Flask hello-world and Isso 0.14, all under the
same gunicorn settings, load from `wrk` in a separate process, loopback only.

Scenarios: GET a 10-comment thread, GET a 1,000-comment thread, GET with a matching ETag (304),
POST a comment; ours on SQLite and on PostgreSQL. Isso lives in its own venv (.venv-isso), made
on first run, because it pins libraries our project does not use.

The deployed shape of issue 16 is measured by bench/shapes.py (targets 2 and 3: `--parts shapes`)
and bench/speed.py (targets 1 and 4: `--parts speed`), both run by the default `--parts all`.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from . import shapes as shapes_part
from . import tools
from .stats import RESULTS, machine, targets_table, write_json

ROOT = Path(__file__).resolve().parent.parent
ISSO_VENV = ROOT / ".venv-isso"
LUA = Path(__file__).resolve().parent / "report.lua"
GUNICORN_ARGS = ["--workers", "2", "--worker-class", "sync", "--log-level", "warning"]
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SIZES = (10, 1000)
#: wrk drops a request slower than its timeout (2 s by default) from the percentiles; 30 s is
#: above any peer's slowest request here (Isso's 1,000-comment thread), so every request counts.
WRK_TIMEOUT_S = 30
TARGETS = {"get10_vs_hello": 0.60, "get1000_p95_ms": 50.0, "get1000_vs_isso": 10.0,
           "post_p95_ms": 20.0}
PAGE = "<html><body><main>T1000<!-- comments:start --><!-- comments:end --></main></body></html>"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(url: str, payload: dict | None = None, headers: dict | None = None):
    """One HTTP call; returns (status, headers, parsed JSON or None)."""
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json",
                                                           **(headers or {})})
    with urllib.request.urlopen(req, timeout=30) as response:
        body = response.read()
        return response.status, response.headers, json.loads(body) if body else None


class Server(str):
    """A running gunicorn's base URL (it is that string) and its master's `pid`."""

    pid: int


@contextmanager
def gunicorn(python: Path, app: str, env: dict, cwd: Path, probe: str,
             args: list[str] = GUNICORN_ARGS):
    """Run `app` under gunicorn with `args` (the same for every target of a comparison) until
    the block ends; yields its Server. Its log goes to `cwd`/server.log."""
    port = free_port()
    with open(cwd / "server.log", "ab") as log:
        process = subprocess.Popen([str(python), "-m", "gunicorn", *args,
                                    "--bind", f"127.0.0.1:{port}", app],
                                   cwd=cwd, env={**os.environ, **env}, stdout=log, stderr=log)
    base = Server(f"http://127.0.0.1:{port}")
    base.pid = process.pid
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                request(base + probe)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{app} did not start; see {cwd / 'server.log'}")
                time.sleep(0.2)
        yield base
    except Exception:
        print(f"--- {app} failed; its log ({cwd / 'server.log'}):\n"
              + (cwd / "server.log").read_text(errors="replace")[-12000:], file=sys.stderr)
        raise
    finally:
        process.terminate()
        process.wait(timeout=30)


class Load(NamedTuple):
    """How each scenario is loaded: `rounds` runs of wrk, `seconds` each, `connections` open."""

    seconds: int
    connections: int
    rounds: int


def wrk_once(url: str, load: Load, method: str | None = None, body: str | None = None,
             headers: dict | None = None) -> dict:
    """One wrk run against `url`; returns requests/s, latency percentiles and error counts."""
    env = {**os.environ, "BENCH_HEADERS": "\n".join(f"{k}: {v}" for k, v in (headers or {}).items())}
    if method:
        env["BENCH_METHOD"] = method
    if body:
        env["BENCH_BODY"] = body
    out = subprocess.run(["wrk", "-t", "1", "-c", str(load.connections), "-d", f"{load.seconds}s",
                          "--timeout", f"{WRK_TIMEOUT_S}s", "-s", str(LUA), url], env=env,
                         capture_output=True, text=True, check=True,
                         timeout=load.seconds + WRK_TIMEOUT_S + 60).stdout
    summary = json.loads(out.split("BENCH ", 1)[1].splitlines()[0])
    summary["rps"] = summary["requests"] / (summary["duration_us"] / 1e6)
    summary["errors"] = summary.pop("non_2xx_3xx") + summary.pop("socket_errors")
    return summary


def median_round(runs: list[dict]) -> dict:
    """The run with the median request rate, with every run's rate and all runs' errors: one
    noisy round (another process waking up on a 2-core machine) moves no figure."""
    ranked = sorted(runs, key=lambda run: run["rps"])
    median = dict(ranked[len(ranked) // 2])
    median["rounds_rps"] = [run["rps"] for run in runs]
    median["errors"] = sum(run["errors"] for run in runs)
    return median


def wrk(url: str, load: Load, method: str | None = None, body: str | None = None,
        headers: dict | None = None) -> dict:
    return median_round([wrk_once(url, load, method, body, headers) for _ in range(load.rounds)])


def matching_etag(url: str) -> str:
    """The ETag `url` serves, after checking that sending it back really gets a 304."""
    _, headers, _ = request(url)
    try:
        status, _, _ = request(url, headers={"If-None-Match": headers["ETag"]})
    except urllib.error.HTTPError as answer:
        status = answer.code
    if status != 304:
        raise RuntimeError(f"{url} answered a matching If-None-Match with {status}, not 304")
    return headers["ETag"]


def comment_body(n: int) -> dict:
    return {"author": f"Reader {n}", "text": f"Comment number {n}: a sentence of plain text."}


def ensure_isso() -> Path:
    """The Isso venv's python, created on first use."""
    python = ISSO_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(ISSO_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "isso==0.14.0",
                        "gunicorn>=22,<28"], check=True)
    return python


def bench_hello(work: Path, load: Load) -> dict:
    env = {"PYTHONPATH": str(ROOT)}
    with gunicorn(Path(sys.executable), "bench.hello_app:app", env, work, "/hello") as base:
        return {"get": wrk(base + "/hello", load)}


def bench_isso(work: Path, load: Load) -> dict:
    conf = work / "isso.cfg"
    conf.write_text(f"[general]\ndbpath = {work / 'isso.db'}\nhost = http://127.0.0.1\n"
                    "[moderation]\nenabled = false\n[guard]\nenabled = false\n", encoding="utf-8")
    env = {"ISSO_SETTINGS": str(conf)}
    with gunicorn(ensure_isso(), "isso.run", env, work, "/info") as base:
        for size in SIZES:
            for n in range(size):
                request(f"{base}/new?uri=/t{size}", {**comment_body(n), "title": f"T{size}"})
        result = {f"get{size}": wrk(f"{base}/?uri=/t{size}", load)
                  for size in SIZES}
        result["post"] = wrk(f"{base}/new?uri=/t10", load, "POST",
                             json.dumps(comment_body(0)), {"Content-Type": "application/json"})
        return result


def bench_ours(work: Path, database_url: str, load: Load) -> dict:
    manifest = work / "threads.json"
    manifest.write_text(json.dumps([
        {"slug": f"t{size}", "url": f"/t{size}.html", "title": f"T{size}",
         "published": "2025-07-15T09:00:00+00:00", "open": True} for size in SIZES]))
    env = {"COMMENTS_SECRET_KEY": "bench", "COMMENTS_DATABASE_URL": database_url,
           "COMMENTS_THREADS_MANIFEST": str(manifest), "COMMENTS_RATELIMIT_ENABLED": "false",
           "COMMENTS_SITE_URL": "http://127.0.0.1"}
    with gunicorn(Path(sys.executable), "comments_service:create_app()", env, work,
                  "/api/health") as base:
        origin = {"Origin": base}
        for size in SIZES:
            for n in range(size):
                request(f"{base}/api/threads/t{size}/comments", comment_body(n), origin)
        result = {f"get{size}": wrk(f"{base}/api/threads/t{size}/comments", load)
                  for size in SIZES}
        etag = matching_etag(f"{base}/api/threads/t1000/comments")
        result["get1000_etag"] = wrk(f"{base}/api/threads/t1000/comments", load,
                                     headers={"If-None-Match": etag})
        result["post"] = wrk(f"{base}/api/threads/t10/comments", load, "POST",
                             json.dumps(comment_body(0)),
                             {"Content-Type": "application/json", **origin})
        return result


@contextmanager
def postgres_schema():
    """A throwaway PostgreSQL schema (a new one each time); yields a URL whose connections use it."""
    import psycopg

    schema = f"bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    plain = POSTGRES_URL.replace("+psycopg", "")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def verdicts(hello: dict, isso: dict, ours: dict) -> dict:
    """Each target: the measured figure and whether it is met."""
    figures = {
        "get10_vs_hello": ours["get10"]["rps"] / hello["get"]["rps"],
        "get1000_p95_ms": ours["get1000"]["p95_ms"],
        "get1000_vs_isso": ours["get1000"]["rps"] / isso["get1000"]["rps"],
        "post_p95_ms": ours["post"]["p95_ms"],
    }
    met = {key: (value >= TARGETS[key]) if key.endswith(("hello", "isso"))
           else (value < TARGETS[key]) for key, value in figures.items()}
    errors = sum(r["errors"] for r in ours.values())
    return {"figures": figures, "met": {**met, "no_errors": errors == 0}, "errors": errors}


def verdict_table(title: str, verdict: dict) -> str:
    """verdicts() as printed: each TARGETS figure, its goal, met / NOT met."""
    figures, met = verdict["figures"], verdict["met"]
    rows = [(key, f"{figures[key]:.2f}" if key.endswith(("hello", "isso")) else f"{figures[key]:.1f} ms",
             (f">= {goal:g}" if key.endswith(("hello", "isso")) else f"< {goal:g} ms"), met[key])
            for key, goal in TARGETS.items()]
    return targets_table(title, rows + [("no_errors", str(verdict["errors"]), "0", met["no_errors"])])


def bar_label(rps: float, ceiling: float, isso: float | None) -> str:
    """A bar's share of the hello-world ceiling and, where Isso ran the scenario, its ratio."""
    share = f"{rps / ceiling:.0%}"
    return share if isso is None else f"{share}\n{rps / isso:.1f}×Isso"


def plot(results: dict, path: Path) -> None:
    """Requests/s per scenario and target, log scale; our bars note % of ceiling and × Isso."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scenarios = ["get10", "get1000", "get1000_etag", "post"]
    targets = ["isso", "ours_sqlite", "ours_postgres"]
    ceiling = results["hello"]["get"]["rps"]
    fig, ax = plt.subplots(figsize=(9, 5))
    width = 0.26
    for i, target in enumerate(targets):
        values = [results[target].get(s, {}).get("rps", float("nan")) for s in scenarios]
        bars = ax.bar([x + (i - 1) * width for x in range(len(scenarios))], values, width,
                      label=target)
        if target != "isso":
            labels = [bar_label(v, ceiling, results["isso"].get(s, {}).get("rps"))
                      for v, s in zip(values, scenarios)]
            ax.bar_label(bars, labels, fontsize="x-small")
    ax.axhline(ceiling, color="grey", linestyle="--", label="Flask hello-world (ceiling)")
    ax.set_xticks(range(len(scenarios)), scenarios)
    ax.set_yscale("log")
    ax.set_ylabel("requests/s (gunicorn, 2 sync workers)")
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench service")
    parser.add_argument("--seconds", type=int, default=5, help="per round")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="wrk runs per scenario (median kept)")
    parser.add_argument("--parts", choices=("all", "shapes", "speed"), default="all",
                        help="shapes: only the deployed-shape figures (cache miss, re-bake on); "
                             "speed: only the limiter and memory figures (bench/speed.py)")
    args = parser.parse_args(argv)
    tools.ensure(["service"])
    load = Load(args.seconds, args.connections, args.rounds)
    if args.parts == "shapes":
        return main_shapes(load)
    if args.parts == "speed":
        return main_speed(load)
    with tempfile.TemporaryDirectory(prefix="bench-service-") as tmp:
        work = Path(tmp)
        (work / "hello").mkdir()
        results = {"hello": bench_hello(work / "hello", load)}
        (work / "isso").mkdir()
        results["isso"] = bench_isso(work / "isso", load)
        (work / "sqlite").mkdir()
        results["ours_sqlite"] = bench_ours(work / "sqlite",
                                            f"sqlite:///{work / 'sqlite' / 'c.sqlite3'}", load)
        (work / "pg").mkdir()
        with postgres_schema() as url:
            results["ours_postgres"] = bench_ours(work / "pg", url, load)
        deployed = shapes(work, load)
        speed_figures = speed_part(work, load)
    payload = {"benchmark": "service", "machine": machine(), **load._asdict(),
               "gunicorn": GUNICORN_ARGS, "targets": TARGETS,
               "results": results,
               "sqlite": verdicts(results["hello"], results["isso"], results["ours_sqlite"]),
               "postgres": verdicts(results["hello"], results["isso"], results["ours_postgres"]),
               "shape_targets": shapes_part.TARGETS, "shapes": deployed, "speed": speed_figures}
    write_json("service", payload)
    plot(results, RESULTS / "service.png")
    for backend in ("sqlite", "postgres"):
        print(verdict_table(f"service, {backend}", payload[backend]))
        print(shapes_part.table(f"service deployed shape, {backend}", deployed[backend]))
    print(speed_tables(speed_figures))
    return payload


def shapes(work: Path, load: Load) -> dict:
    """bench/shapes.py's scenarios on SQLite and on PostgreSQL."""
    (work / "shape-sqlite").mkdir()
    figures = {"sqlite": shapes_part.run(work / "shape-sqlite",
                                         f"sqlite:///{work / 'shape-sqlite' / 'c.sqlite3'}", load)}
    (work / "shape-pg").mkdir()
    with postgres_schema() as url:
        figures["postgres"] = shapes_part.run(work / "shape-pg", url, load)
    return figures


def main_shapes(load: Load) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-service-") as tmp:
        figures = shapes(Path(tmp), load)
    from . import speed

    payload = {"benchmark": "service_shapes", "machine": machine(), **load._asdict(),
               "gunicorn": speed.shipped_args(), "targets": shapes_part.TARGETS, **figures}
    write_json("service_shapes", payload)
    for backend, part in figures.items():
        print(shapes_part.table(f"service deployed shape, {backend}", part))
    return payload


def speed_part(work: Path, load: Load) -> dict:
    """bench/speed.py's targets on SQLite and on PostgreSQL, each printed as its table."""
    from . import speed

    figures = {}
    (work / "speed-sqlite").mkdir()
    figures["sqlite"] = speed.run(work / "speed-sqlite", "sqlite:///{work}/c.sqlite3", load)
    (work / "speed-pg").mkdir()
    with postgres_schema() as url:
        figures["postgres"] = speed.run(work / "speed-pg", url, load)
    return figures


def speed_tables(figures: dict) -> str:
    from . import speed

    return "\n".join(f"service speed, {backend} (gunicorn as shipped, writes mixed into reads):\n"
                     + speed.table(part["results"], part) for backend, part in figures.items())


def main_speed(load: Load) -> dict:
    from . import speed

    with tempfile.TemporaryDirectory(prefix="bench-service-") as tmp:
        figures = speed_part(Path(tmp), load)
    payload = {"benchmark": "service_speed", "machine": machine(), **load._asdict(),
               "gunicorn": speed.shipped_args(), "targets": speed.TARGETS, **figures}
    write_json("service_speed", payload)
    print(speed_tables(figures))
    return payload
