"""The layers of the tree (docs/architecture.md): the site build and the core never load the web
stack, and nothing imports upward (plugins -> core <- web app; core never imports the web app)."""

import ast
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

WEB_STACK = ("flask", "werkzeug", "flask_limiter", "alembic", "click", "gunicorn")


def loaded_after_import(module: str) -> set[str]:
    """Top-level packages a fresh interpreter has loaded after importing `module`."""
    code = f"import sys, {module}; print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            check=True, timeout=60)
    return set(result.stdout.split())


#: Every plugin the site builds with, as pelican.conf.py names them.
SITE_PLUGINS = runpy.run_path(str(ROOT / "pelican.conf.py"))["PLUGINS"]


@pytest.mark.parametrize("module", [*SITE_PLUGINS, "plugins.build_errors.tests.make_html",
                                    "comments_service.core.section", "comments_service.core.storage.comments",
                                    "comments_service.core.moderation", "comments_service"])
def test_the_build_and_the_core_load_no_web_stack(module):
    assert not loaded_after_import(module) & set(WEB_STACK)


def imported_modules(path: Path, package: str) -> set[str]:
    """Absolute names of the modules `path` (a module of `package`) imports, relative ones resolved."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                names.add(".".join(base + ([node.module] if node.module else [])))
            else:
                names.add(node.module)
    return names


def module_package(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts if path.name == "__init__.py" else parts[:-1]).removesuffix(".__init__")


def source_files(folder: str):
    return [path for path in (ROOT / folder).rglob("*.py") if "tests" not in path.relative_to(ROOT).parts]


@pytest.mark.parametrize("folder", ["comments_service/core", "plugins"])
def test_core_and_plugins_import_only_the_core(folder):
    upward = {}
    for path in source_files(folder):
        for name in imported_modules(path, module_package(path)):
            top = name.split(".")[0]
            web = name.startswith("comments_service") and not name.startswith("comments_service.core")
            if top in WEB_STACK[:3] or web:
                upward.setdefault(str(path.relative_to(ROOT)), []).append(name)
    # Alembic's migrations run inside the core's upgrade_schema: they are the one place it is used.
    upward = {path: names for path, names in upward.items() if "/migrations/" not in path}
    assert not upward, upward


def test_no_module_grows_past_the_size_rule():
    """~300 lines is where a module splits along a seam (400 in plugins/)."""
    limits = {"comments_service": 300, "plugins": 400}
    too_long = {str(path.relative_to(ROOT)): lines
                for folder, limit in limits.items() for path in source_files(folder)
                if (lines := len(path.read_text(encoding="utf-8").splitlines())) > limit}
    assert not too_long, too_long
