"""The installed wheel works on its own: everything the service reads at run time (the export
schema, the OpenAPI file, the comments partial, the migrations) ships inside the package, and
nothing points into a checkout. Built from the tracked files, installed into a fresh virtualenv
whose dependencies come from this one's, and run from a folder outside the checkout."""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.conftest import ROOT

SECRET_KEY = "wheel-test-secret"
THREADS = [{"slug": "story", "url": "/story.html", "title": "Story", "published": "2026-01-01T09:00:00+00:00",
            "open": True}]


def run(*command, cwd, env=None, timeout=300) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The python of a fresh virtualenv holding only the wheel (dependencies: this venv's
    site-packages on its path, without this venv's editable install of the project)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    tracked = run("git", "ls-files", "-z", cwd=ROOT).stdout.split("\0")
    for name in filter(None, tracked):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work / "dist"), str(source),
        cwd=work, timeout=600)
    [wheel] = (work / "dist").glob("newsroom-*.whl")
    venv.create(work / "venv", with_pip=True)
    python = work / "venv" / "bin" / "python"
    site_packages = run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                        cwd=work).stdout.strip()
    (Path(site_packages) / "newsroom-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel), cwd=work)
    return python


@pytest.fixture
def elsewhere(tmp_path) -> tuple[Path, dict[str, str]]:
    """A working folder outside the checkout, with a manifest and the service's variables."""
    manifest = tmp_path / "output" / "comments" / "threads.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps(THREADS), encoding="utf-8")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "COMMENTS_SECRET_KEY": SECRET_KEY,
           "COMMENTS_RATELIMIT_ENABLED": "false", "COMMENTS_SITE_URL": "https://news.example.org"}
    return tmp_path, env


def test_the_package_is_imported_from_the_wheel_not_the_checkout(installed, elsewhere):
    folder, env = elsewhere
    location = run(str(installed), "-c", "import comments_service; print(comments_service.__file__)",
                   cwd=folder, env=env).stdout
    assert str(ROOT) not in location and "site-packages" in location


SERVE = """
from comments_service import create_app
client = create_app().test_client()
health = client.get("/api/health")
spec = client.get("/api/openapi.yaml")
post = client.post("/api/threads/story/comments", json={"author": "Ann", "text": "From the wheel."},
                   headers={"Origin": "http://localhost"})
page = client.get("/api/threads/story/comments")
print(health.status_code, health.get_json()["status"], spec.status_code, spec.data[:8].decode(),
      post.status_code, page.get_json()["count"])
"""


def test_the_installed_service_serves_health_openapi_and_comments(installed, elsewhere):
    folder, env = elsewhere
    output = run(str(installed), "-c", SERVE, cwd=folder, env=env).stdout.split()
    assert output == ["200", "ok", "200", "openapi:", "201", "1"]
    assert (folder / "instance" / "comments.sqlite3").exists()  # the working folder's instance/


def test_the_installed_service_exports_and_imports(installed, elsewhere):
    folder, env = elsewhere
    run(str(installed), "-c", SERVE, cwd=folder, env=env)
    flask = [str(installed), "-m", "flask", "--app", "comments_service"]
    run(*flask, "export", "backup.json", cwd=folder, env=env)
    document = json.loads((folder / "backup.json").read_text(encoding="utf-8"))
    assert [comment["text"] for comment in document["comments"]] == ["From the wheel."]
    fresh = env | {"COMMENTS_DATABASE_URL": f"sqlite:///{folder / 'restored.sqlite3'}"}
    run(*flask, "import", "backup.json", cwd=folder, env=fresh)
    run(*flask, "export", "again.json", cwd=folder, env=fresh)
    assert json.loads((folder / "again.json").read_text(encoding="utf-8")) == document
