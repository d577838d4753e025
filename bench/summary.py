"""The verdicts of one whole `make bench` run, side by side: what every part returned, reduced to
one row per target (part, target, figure, goal, met) and written to bench/results/summary.json
with the run's start and end, the commit and the machine. docs/benchmarks.md quotes this file, so
the figures it gives for the targets come from one run of the same code."""

from __future__ import annotations

import subprocess
from datetime import datetime, timezone
from pathlib import Path

from .stats import machine, targets_table, write_json

ROOT = Path(__file__).resolve().parent.parent


def _rows_service(payload: dict) -> list[tuple]:
    from . import service, shapes, speed

    rows = []
    for backend in ("sqlite", "postgres"):
        verdict = payload[backend]
        for key, goal in service.TARGETS.items():
            share = key.endswith(("hello", "isso"))
            rows.append((f"service {backend} (sync workers) {key}",
                         f"{verdict['figures'][key]:.2f}" if share else f"{verdict['figures'][key]:.1f} ms",
                         f">= {goal:g}" if share else f"< {goal:g} ms", verdict["met"][key]))
        part = payload["shapes"][backend]
        for key, goal in shapes.TARGETS.items():
            rows.append((f"shape {backend} {key}", f"{part['figures'][key]:.1f} ms", f"<= {goal:g} ms",
                         part["met"][key]))
        part = payload["speed"][backend]
        for key, goal in speed.TARGETS.items():
            mib = key.endswith("_mib")
            rows.append((f"speed {backend} {key}",
                         f"{part['figures'][key]:.1f}" if mib else f"{part['figures'][key]:.0%}",
                         f"<= {goal:g}" if mib else f">= {goal:.0%}", part["met"][key]))
        rows.append((f"service {backend} no errors", "", "0", verdict["met"]["no_errors"]
                     and payload["shapes"][backend]["met"]["no_errors"]
                     and payload["speed"][backend]["met"]["no_errors"]))
    return rows


def _rows_build(payload: dict) -> list[tuple]:
    """The time ratio at every size; memory and the rebuild judged at build.LARGE, shown below."""
    from . import build

    rows = []
    for size, row in payload["results"].items():
        judged = int(size) >= build.LARGE
        memory = row["ours"]["peak_rss_kib"] / row["bare"]["peak_rss_kib"]
        rebuild = row["rebuild"]["one_change_ratio"]
        rows += [(f"build N={size} paired ratio", f"{row['paired_ratio']:.3f}", f"<= {build.TARGET_RATIO:g}",
                  row["paired_ratio"] <= build.TARGET_RATIO),
                 (f"build N={size} peak RSS ours / bare", f"{memory:.2f}",
                  f"<= {build.MEMORY_TARGET:g}" if judged else "none",
                  memory <= build.MEMORY_TARGET if judged else None),
                 (f"build N={size} rebuild after one change / cold", f"{rebuild:.2f}",
                  f"<= {build.REBUILD_TARGET:g}" if judged else "none",
                  rebuild <= build.REBUILD_TARGET if judged else None)]
    return rows


def _rows_lighthouse(payload: dict) -> list[tuple]:
    rows = []
    for page, form_factors in payload["results"].items():
        for form_factor, row in form_factors.items():
            scores = "/".join(f"{row['scores'][name]:g}" for name in row["met"])
            rows.append((f"lighthouse {page} {form_factor}", scores, "100/>=95", all(row["met"].values())))
    return rows


def _rows_import(payload: dict) -> list[tuple]:
    figures, met = payload["verdicts"]["figures"], payload["verdicts"]["met"]
    peak = figures["peak_rss_mb_at_target_size"]
    slope = figures["rss_slope_mb_per_10k_posts"]
    return [("import peak RSS at target size", "" if peak is None else f"{peak:.1f} MB", "<= 150 MB",
             met["peak_rss_at_target_size"]),
            ("import RSS growth per 10k posts", "" if slope is None else f"{slope:.2f} MB", "<= 1 MB",
             met["memory_flat_with_size"]),
            ("import finished, counts as expected", "", "all", met["no_failures"] and met["counts_match"])]


def _rows_images(payload: dict) -> list[tuple]:
    ratio = payload["results"]["warm_over_without"]
    return [("images warm build / without images", f"{ratio:.3f}", "none", None)]


ROWS = {"build": _rows_build, "service": _rows_service, "lighthouse": _rows_lighthouse,
        "import": _rows_import, "images": _rows_images}


def commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def summarize(payloads: dict[str, dict], started: str) -> dict:
    """One row per target of every part that ran (`payloads`: part name -> what its main
    returned); written to bench/results/summary.json and printed."""
    rows = [row for name, payload in payloads.items() for row in ROWS[name](payload)]
    summary = {"benchmark": "summary", "started": started, "finished": now(), "commit": commit(),
               "machine": machine(),
               "targets": [{"target": name, "figure": figure, "goal": goal, "met": met}
                           for name, figure, goal, met in rows]}
    write_json("summary", summary)
    print(targets_table(f"every target of this run ({summary['started']} to {summary['finished']})",
                        rows))
    return summary
