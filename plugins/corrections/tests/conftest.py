"""The test site (tests/content) built once per module with the real settings files."""

from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.site.conftest import run_pelican

CONTENT = Path(__file__).resolve().parent / "content"


def built(output: Path, *extra: str, settings: Path = ROOT / "pelican.conf.py") -> Path:
    result = run_pelican(CONTENT, output, *extra, settings=settings)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


@pytest.fixture(scope="module")
def dev_site(tmp_path_factory) -> Path:
    """pelican.conf.py: root-relative URLs; feeds at the `make serve` origin (issue 15)."""
    return built(tmp_path_factory.mktemp("corrections-dev"))


@pytest.fixture(scope="module")
def published_site(tmp_path_factory) -> Path:
    """publish.conf.py: absolute URLs and the corrections feed."""
    return built(tmp_path_factory.mktemp("corrections-publish"), settings=ROOT / "publish.conf.py")
