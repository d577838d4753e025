"""Build helpers for site tests: real `pelican.conf.py`, real plugins, real theme, temp output."""

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

FIXTURE_CONTENT = Path(__file__).resolve().parent / "content"


def run_pelican(content: Path, output: Path, *extra: str, settings: Path = ROOT / "pelican.conf.py"):
    """Run the `pelican` CLI exactly as `make html` does; return the CompletedProcess.

    Unless the test set them, the comments plugin gets a database that does not exist and a fixed
    key, so a build never reads the developer's own instance/ folder."""
    cmd = [sys.executable, "-m", "pelican", str(content), "-o", str(output), "-s", str(settings),
           "--fatal", "errors", *extra]
    env = {"COMMENTS_DATABASE_URL": f"sqlite:///{output.parent / 'no-database' / 'comments.sqlite3'}",
           "COMMENTS_SECRET_KEY": "site-tests-secret", **os.environ}
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The fixture site in tests/site/content built once per session; returns the output dir."""
    output = tmp_path_factory.mktemp("site-output")
    result = run_pelican(FIXTURE_CONTENT, output)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


@pytest.fixture
def build(tmp_path):
    """Build a throwaway site from {filename: markdown}; returns (CompletedProcess, output dir)."""

    def _build(files: dict[str, str], *extra: str):
        content = tmp_path / "content"
        shutil.rmtree(content, ignore_errors=True)
        content.mkdir()
        for name, text in files.items():
            (content / name).write_text(text, encoding="utf-8")
        output = tmp_path / "output"
        return run_pelican(content, output, *extra), output

    return _build


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the signature is http.server's
        """Keep test output clean."""


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """A built site over HTTP on a free loopback port while the block runs; yields its base URL
    (root-relative links need a server: file:// would lose the stylesheet)."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
