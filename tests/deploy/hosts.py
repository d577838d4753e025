"""Two service hosts, one static host, one nginx, as docs/deploy.md deploys them (issue 16 item 7).

- nginx runs the configuration of docs/deploy.md section 5, word for word except the addresses and
  paths in DEPLOY_PLACEHOLDERS (each must appear exactly once, so an edit of the documented block
  is what the test runs, or the test says which placeholder went missing). Started as a
  subprocess with its own prefix, logs and pid in the test's folder, on free ports; never the
  system service.
- Each service host is gunicorn with the shipped configuration (tests/test_deploy.py Service), its
  own instance folder and its own copy of the thread manifest (as rsync gives each host), no
  COMMENTS_SITE_DIR, COMMENTS_REBAKE_QUEUE on: it queues re-bakes in the shared PostgreSQL.
- The static host is the built site nginx serves and `flask --app comments_service rebake-worker`
  with COMMENTS_SITE_DIR pointing at it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.comments_service.conftest import free_port
from tests.conftest import ROOT
from tests.test_deploy import Service

DEPLOY_MD = ROOT / "docs" / "deploy.md"
#: What the test replaces in the documented block: production paths and addresses -> the test's.
DEPLOY_PLACEHOLDERS = ("/var/cache/nginx/newsroom", "    server 127.0.0.1:8001;\n", "listen 443 ssl;",
                       "/var/log/nginx/newsroom.access.log", "root /srv/newsroom/public;", "listen 80;")
STARTUP_SECONDS = 30


def documented_nginx_block() -> str:
    """The ```nginx block of docs/deploy.md section 5."""
    text = DEPLOY_MD.read_text(encoding="utf-8")
    section = text[text.index("## 5. nginx"):text.index("## 6. ")]
    [block] = re.findall(r"```nginx\n(.*?)```", section, re.S)
    return block


def nginx_configuration(folder: Path, *, port: int, redirect_port: int, upstreams: list[str],
                        site: Path) -> str:
    """A whole nginx.conf around the documented block, with the test's paths and addresses."""
    block = documented_nginx_block()
    values = (str(folder / "cache"), "".join(f"    server {address};\n" for address in upstreams),
              f"listen 127.0.0.1:{port};", str(folder / "access.log"), f"root {site};",
              f"listen 127.0.0.1:{redirect_port};")
    for placeholder, value in zip(DEPLOY_PLACEHOLDERS, values, strict=True):
        assert block.count(placeholder) == 1, f"docs/deploy.md's nginx block lost {placeholder!r}"
        block = block.replace(placeholder, value)
    temp_paths = "\n".join(f"    {kind}_temp_path {folder / kind};"
                           for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # Workers run as nobody unless told otherwise, and could not read the test's private folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (f"{user}worker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\n"
            f"events {{ worker_connections 1024; }}\n"
            f"http {{\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
            f"{temp_paths}\n{block}}}\n")


class Nginx:
    def __init__(self, executable: str, folder: Path, site: Path, upstreams: list[str], port: int):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.port = folder, port
        self.url = f"http://127.0.0.1:{self.port}"
        self.conf = folder / "nginx.conf"
        self.conf.write_text(nginx_configuration(folder, port=self.port, redirect_port=free_port(),
                                                 upstreams=upstreams, site=site), encoding="utf-8")
        check = subprocess.run([executable, "-t", "-c", str(self.conf), "-p", str(folder)],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stderr + self.conf.read_text(encoding="utf-8")
        with open(folder / "stderr.log", "wb") as stderr:
            self.process = subprocess.Popen(
                [executable, "-c", str(self.conf), "-p", str(folder), "-g", "daemon off;"],
                stdout=subprocess.DEVNULL, stderr=stderr)
        wait_until(lambda: answers(self.url + "/"), f"nginx on {self.url}", self.process)

    def access_log(self) -> list[str]:
        return (self.folder / "access.log").read_text(encoding="utf-8").splitlines()

    def stop(self) -> None:
        stop_process(self.process)


class RebakeWorker:
    """`flask --app comments_service rebake-worker` on the static host."""

    def __init__(self, env: dict[str, str], log_path: Path):
        self.log_path = log_path
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "comments_service", "rebake-worker",
                 "--poll", "0.2"],
                cwd=ROOT, env=os.environ | env, stdout=log, stderr=subprocess.STDOUT)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        stop_process(self.process)


def service_host(folder: Path, env: dict[str, str], manifest: Path) -> Service:
    """One gunicorn host: its own instance folder and manifest copy, one worker (two hosts of
    two workers each would only crowd a small test machine), an access log the test counts."""
    (folder / "instance").mkdir(parents=True)
    shutil.copy(manifest, folder / "threads.json")
    service = Service(env | {"COMMENTS_INSTANCE_PATH": str(folder / "instance"),
                             "COMMENTS_THREADS_MANIFEST": str(folder / "threads.json")},
                      folder / "gunicorn.log", "--workers", "1",
                      "--access-logfile", str(folder / "access.log"))
    service.access_log_path = folder / "access.log"
    return service


def service_requests(service: Service, path: str) -> int:
    """How many requests for `path` (with any query) `service` has answered."""
    if not service.access_log_path.exists():
        return 0
    text = service.access_log_path.read_text(encoding="utf-8", errors="replace")
    return len(re.findall(rf'"(?:GET|HEAD) {re.escape(path)}[? ]', text))


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def wait_until(condition, what: str, process: subprocess.Popen | None = None,
               seconds: float = STARTUP_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            pytest.fail(f"{what}: exited with {process.returncode}")
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"{what}: not within {seconds:g}s")


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
