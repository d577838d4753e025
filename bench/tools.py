"""The programs the benchmarks run, checked before any of them starts (`make bench` used to
find wrk missing only after 25 s of build benchmark).

The servers the benchmarks start import this checkout's packages through the venv's editable
install (gunicorn has no checkout on its path): an install left pointing at another working tree
stops the run before any work, instead of failing 30 minutes in (or measuring other code).

A missing program that the system package manager provides is installed with it when we are
root and apt-get exists (`apt-get install -y wrk`, as on a fresh CI or container); any other
missing program stops the run at once with one line per program naming the command that
installs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
#: The packages the benchmarks measure, as the servers and builds they start import them.
MEASURED = ("comments_service", "plugins")


def foreign_packages() -> list[str]:
    """The MEASURED packages that a fresh interpreter (as every server the bench starts: gunicorn
    has no checkout on its path) would import from somewhere other than this checkout (an
    editable install left pointing at another working tree), or not at all, each with where."""
    code = ("import importlib.util\n"
            f"for name in {MEASURED!r}:\n"
            "    spec = importlib.util.find_spec(name)\n"
            "    origin = spec and (spec.origin or next(iter(spec.submodule_search_locations or []), None))\n"
            "    print(name, origin)\n")
    out = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True,
                         cwd="/", check=True).stdout
    found = dict(line.split(" ", 1) for line in out.splitlines())
    return [f"{name} from {where}" for name, where in found.items()
            if where == "None" or not Path(where).resolve().is_relative_to(ROOT)]


class Tool(NamedTuple):
    program: str
    #: Debian package to install as root, or "" when we only say what is missing.
    package: str
    #: What the user runs to get it (the message's command).
    how: str


def needs(part: str) -> list[Tool]:
    """What `part` runs. Lighthouse itself comes from npm (bench/lighthouse/package-lock.json,
    `npm ci` on first use); npm and chromium (COMMENTS_TEST_CHROMIUM, as bench/lighthouse.py
    reads it) are big enough that we ask rather than install."""
    if part == "service":
        return [Tool("wrk", "wrk", "sudo apt-get install wrk")]
    if part == "lighthouse":
        return [Tool("npm", "", "sudo apt-get install npm (Node >= 18.16)"),
                Tool(os.environ.get("COMMENTS_TEST_CHROMIUM", "/usr/bin/chromium"), "",
                     "sudo apt-get install chromium, or COMMENTS_TEST_CHROMIUM=/path/to/chromium")]
    return []


def missing(parts: list[str]) -> list[tuple[str, Tool]]:
    """(part, tool) for every program `parts` need that is not on PATH."""
    return [(part, tool) for part in parts for tool in needs(part)
            if shutil.which(tool.program) is None]


def can_install() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def ensure(parts: list[str]) -> None:
    """Install what can be installed, then raise SystemExit naming whatever is still missing.
    Call it before any benchmark work."""
    absent = missing(parts)
    packages = sorted({tool.package for _, tool in absent if tool.package})
    if packages and can_install():
        print(f"bench: installing {', '.join(packages)} (apt-get install -y)", flush=True)
        apt = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
        if subprocess.run(apt, check=False).returncode != 0:
            subprocess.run(["apt-get", "update"], check=False)  # a fresh image has no lists yet
            subprocess.run(apt, check=False)
        absent = missing(parts)
    if absent:
        raise SystemExit("\n".join(f"bench {part} needs {tool.program}: {tool.how}"
                                   for part, tool in absent))
    foreign = foreign_packages()
    if foreign:
        raise SystemExit(f"bench measures {ROOT}, but the servers it starts would import "
                         + "; ".join(foreign) + f": run `make venv` (pip install -e {ROOT}) first")
