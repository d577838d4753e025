"""Small helpers shared by the benchmarks: child-process timing, summaries, result files."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import time
from importlib import metadata
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def run_measured(cmd: list[str], **popen_kwargs) -> tuple[float, int]:
    """Run `cmd` to completion; return (wall seconds, peak RSS in KiB) of that one child.

    `os.wait4` gives the child's own rusage, so concurrent children never blur the figure.
    """
    start = time.perf_counter()
    process = subprocess.Popen(cmd, **popen_kwargs)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, cmd)
    return elapsed, usage.ru_maxrss


def summarize(samples: list[float]) -> dict:
    """Median, min and max of a list of samples."""
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples),
            "samples": samples}


def machine() -> dict:
    """What the figures were measured on."""
    versions = {name: metadata.version(name) for name in ("pelican", "markdown", "pygments", "flask")}
    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "versions": versions}


def write_json(name: str, payload: dict) -> Path:
    """Write bench/results/<name>.json and return its path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
