"""plugins/assets: fingerprinted theme CSS/JS through `asset()`, and .gz/.br copies of the output,
in real builds of the fixture site (tests/site/content) with the real settings and theme."""

import gzip
import hashlib
import re
import shutil
from pathlib import Path

import brotli
import pytest

from plugins.assets import compress_output, fingerprinted_name
from tests.conftest import ROOT
from tests.site.conftest import FIXTURE_CONTENT, run_pelican

FINGERPRINTED = re.compile(r'(?:href|src)="(/theme/(?:css|js)/[\w-]+\.([0-9a-f]{8})\.(?:css|js))"')


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("assets") / "output"
    result = run_pelican(FIXTURE_CONTENT, output, "-e", "ASSETS_PRECOMPRESS=true")
    assert result.returncode == 0, result.stdout + result.stderr
    return output


def test_a_development_build_writes_no_compressed_copies(tmp_path):
    """`make serve` sends files as they are: compressing every page would be a third of the build."""
    result = run_pelican(FIXTURE_CONTENT, tmp_path / "output")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not list((tmp_path / "output").rglob("*.gz")) and not list((tmp_path / "output").rglob("*.br"))
    assert list((tmp_path / "output" / "theme" / "css").glob("site.*.css"))  # fingerprints still


def test_a_fingerprint_is_the_first_8_hex_digits_of_the_sha256():
    digest = hashlib.sha256(b"body{}").hexdigest()[:8]
    assert fingerprinted_name("css/site.css", b"body{}") == f"css/site.{digest}.css"
    assert fingerprinted_name("js/a.b.js", b"") == "js/a.b.e3b0c442.js"


@pytest.mark.parametrize("page, names", [("index.html", {"site", "comments"}),
                                         ("ferries-return.html", {"site", "comments"}),
                                         ("search.html", {"site", "search"})])
def test_pages_load_the_theme_files_by_fingerprinted_names_that_exist(site, page, names):
    html = (site / page).read_text(encoding="utf-8")
    links = FINGERPRINTED.findall(html)
    assert {Path(url).name.split(".")[0] for url, _ in links} == names
    for url, digest in links:
        served = site / url.lstrip("/")
        original = served.with_name(served.name.replace(f".{digest}", ""))
        assert served.read_bytes() == original.read_bytes()  # the unfingerprinted copy stays
        assert hashlib.sha256(served.read_bytes()).hexdigest()[:8] == digest
    assert "/theme/css/site.css" not in html and "/theme/js/comments.js" not in html


def test_every_text_file_over_1_kib_has_gzip_and_brotli_copies_of_its_bytes(site):
    checked = 0
    for path in site.rglob("*"):
        if path.suffix in {".html", ".css", ".js", ".xml", ".json"} and path.stat().st_size >= 1024:
            data = path.read_bytes()
            assert gzip.decompress(path.with_name(path.name + ".gz").read_bytes()) == data, path
            assert brotli.decompress(path.with_name(path.name + ".br").read_bytes()) == data, path
            checked += 1
    assert checked > 10
    small = [p for p in site.rglob("*") if p.suffix == ".txt" and p.stat().st_size < 1024]  # robots.txt
    assert small and not any(p.with_name(p.name + ".gz").exists() for p in small)


def test_copies_are_refreshed_only_for_changed_files_and_dropped_when_too_small(tmp_path):
    page, other = tmp_path / "page.html", tmp_path / "other.html"
    page.write_text("words " * 500, encoding="utf-8")
    other.write_text("other " * 500, encoding="utf-8")
    assert compress_output(tmp_path) == 2
    assert compress_output(tmp_path) == 0  # nothing changed: nothing recompressed
    page.write_text("tiny", encoding="utf-8")
    compress_output(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.html", "other.html.br", "other.html.gz",
                                                           "page.html"]


def test_an_unknown_asset_name_stops_the_build_naming_the_template(tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    base = theme / "templates" / "base.html"
    html = base.read_text(encoding="utf-8")
    base.write_text(html.replace('asset("css/site.css")', 'asset("css/nope.css")'), encoding="utf-8")
    result = run_pelican(FIXTURE_CONTENT, tmp_path / "output", "-t", str(theme))
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    expected = r'templates/\w+\.html: asset\("css/nope\.css"\): no such CSS or JavaScript file'
    assert re.search(expected, last), last
