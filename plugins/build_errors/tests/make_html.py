"""For plugins' tests: run `make html` on a throwaway site exactly as an editor does.

`make_html(tmp_path, files)` writes `files` ({relative path: text or bytes}) under
`tmp_path/content`, runs `make html` from the repository with INPUTDIR/OUTPUTDIR pointing there
(stdout and stderr merged, in the order printed) and returns the CompletedProcess;
`last_line(result)` is the last non-empty line the build printed. Every plugin tests its build errors
through this, so each reads `content/<file>:<line>: message` as the last thing printed.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
#: make's own closing line when a recipe fails (`make[1]: ***` in a sub-make).
MAKE_TRAILER = re.compile(r"make(\[\d+\])?: \*\*\* ")


def write_site(content: Path, files: dict[str, str | bytes]) -> None:
    for name, text in files.items():
        path = content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")


def make_html(tmp_path: Path, files: dict[str, str | bytes], *, target: str = "html",
              env: dict[str, str] | None = None, **make_vars: str) -> subprocess.CompletedProcess:
    """`make -f <repo>/Makefile <target>` run in `tmp_path` on `files` in `tmp_path/content`, so
    error paths read `content/...` as they do for an editor in the repository."""
    write_site(tmp_path / "content", files)
    variables = {"INPUTDIR": "content", "OUTPUTDIR": "output", "PUBLISHDIR": "public", **make_vars}
    command = ["make", "--no-print-directory", "-f", str(REPO / "Makefile"), target,
               *(f"{name}={value}" for name, value in variables.items())]
    # PYTHONPATH: the plugins of this checkout, not whichever one the venv was installed from.
    python_path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    run_env = {**os.environ, "PYTHONPATH": python_path,
               "COMMENTS_DATABASE_URL": f"sqlite:///{tmp_path / 'no-database' / 'comments.sqlite3'}",
               "COMMENTS_SECRET_KEY": "build-error-tests", **(env or {})}
    if "DEBUG" not in (env or {}):
        run_env.pop("DEBUG", None)
    # Under `make test` these say "you are a sub-make": the editor's make is a top-level one.
    for name in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES"):
        run_env.pop(name, None)
    return subprocess.run(command, cwd=tmp_path, env=run_env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=300)


def last_line(result: subprocess.CompletedProcess) -> str:
    """The last line the build printed (make's own `make: *** [...] Error 1` trailer aside)."""
    lines = [line for line in result.stdout.splitlines()
             if line.strip() and not MAKE_TRAILER.match(line)]
    return lines[-1] if lines else ""
