"""Small helpers shared by the benchmarks: child-process timing, summaries, result files."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
from importlib import metadata
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


#: Runs argv[2:] from a small process, waits for it and writes "seconds peak_kib" to fd argv[1].
_LAUNCHER = """\
import os, sys, time
report = int(sys.argv[1])
os.set_inheritable(report, False)  # the measured program must not hold the pipe open
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    except OSError as error:
        print(f"cannot run {sys.argv[2]}: {error}", file=sys.stderr)
    os._exit(127)
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - start
os.write(report, f"{elapsed} {usage.ru_maxrss}".encode())
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


def run_measured(cmd: list[str], **popen_kwargs) -> tuple[float, int]:
    """Run `cmd` to completion; return (wall seconds, peak RSS in KiB) of that one child.

    `os.wait4` gives the child's own rusage, so concurrent children never blur the figure. It
    is read by a small launcher process, not by us: Linux carries a process's peak RSS across
    exec, so a child forked (or vforked) straight from this process would report at least our
    own RSS (a 300 MB harness made `python -c pass` peak at 300 MB); from the launcher, only its
    ~10 MB, below any Python program's own peak.
    """
    read, write = os.pipe()
    with os.fdopen(read, "rb") as report:
        try:
            process = subprocess.Popen([sys.executable, "-I", "-c", _LAUNCHER, str(write), *cmd],
                                       pass_fds=(write,), **popen_kwargs)
        finally:
            os.close(write)
        figures = report.read().split()
        process.wait()
    if process.returncode != 0 or len(figures) != 2:
        raise subprocess.CalledProcessError(process.returncode, cmd)
    return float(figures[0]), int(figures[1])


def summarize(samples: list[float]) -> dict:
    """Median, min and max of a list of samples."""
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples),
            "samples": samples}


def machine() -> dict:
    """What the figures were measured on."""
    versions = {name: metadata.version(name) for name in ("pelican", "markdown", "pygments", "flask")}
    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "versions": versions}


def write_json(name: str, payload: dict, directory: Path = RESULTS) -> Path:
    """Write <name>.json into `directory` (bench/results/) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def worker_memory(master_pid: int) -> list[dict]:
    """RSS, PSS and USS in MiB of each child of `master_pid` (gunicorn's workers), from /proc.

    RSS counts pages shared with the master and the other workers in full in every worker; PSS
    shares them out; USS (private pages only) is what one more worker costs. Linux only."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    workers = []
    for pid in map(int, children):
        fields = {}
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            name, value, *_ = line.split()
            fields[name.rstrip(":")] = int(value)
        workers.append({"pid": pid, "rss_mib": fields["Rss"] / 1024, "pss_mib": fields["Pss"] / 1024,
                        "uss_mib": (fields["Private_Clean"] + fields["Private_Dirty"]) / 1024})
    return workers


def targets_table(title: str, rows: list[tuple[str, str, str, bool | None]]) -> str:
    """A part's verdicts as printed after its run: `title`, then one line per target with the
    measured figure, the goal and "met" / "NOT met" ("not measured" where the verdict is None; a
    figure shown for information has the goal "none")."""
    width = max((len(name) for name, *_ in rows), default=0)
    lines = [f"{title}:"]
    for name, figure, goal, met in rows:
        verdict = ("" if goal == "none" else "not measured" if met is None
                   else "met" if met else "NOT met")
        lines.append(f"  {name:<{width}}  {figure:>10}  target {goal:<12} {verdict}")
    return "\n".join(lines)
