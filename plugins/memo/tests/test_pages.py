"""Pages not rendered again when nothing they are made from changed (plugins/memo/pages.py).

Each rebuild test changes one kind of input the pages read, rebuilds over the last build's output
and cache, and compares the whole output tree byte for byte with a cold build of the same
inputs (fresh output, fresh cache); each fails if that input is left out of the fingerprint."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from comments_service.core.comment import APPROVED
from comments_service.core.render import render
from comments_service.core.storage import comments as stored
from comments_service.core.storage import database
from tests.conftest import ROOT
from tests.site.conftest import FIXTURE_CONTENT

ARTICLE = "out-of-order.md"  # council-budget.html
LONG = "wsj-trump-administration-reorganizes-delivery-of-patriot-systems-to-allies-prioritizing-ukraine"
RELATED = "named-sources.md"  # harbour-reopens: in ferries-return's related reading
RENDERS = re.compile(r"pages: (\d+) rendered, (\d+) unchanged and kept")
#: Pelican run with `time.time` moved on by DAYS_LATER days (the comments plugin dates the
#: baked form tokens to the build's UTC day with it).
LATER = ("import runpy, sys, time\n"
         "real, later = time.time, float(sys.argv.pop(1)) * 86400\n"
         "time.time = lambda: real() + later\n"
         "sys.argv[0] = 'pelican'\n"
         "runpy.run_module('pelican', run_name='__main__', alter_sys=True)\n")


class Site:
    """The fixture site's content, a comments database and the theme, copied to `tmp_path`."""

    def __init__(self, tmp_path: Path):
        self.tmp = tmp_path
        self.content = tmp_path / "content"
        shutil.copytree(FIXTURE_CONTENT, self.content)
        self.theme = tmp_path / "theme"
        shutil.copytree(ROOT / "theme", self.theme)
        self.database = f"sqlite:///{tmp_path / 'comments.sqlite3'}"
        self.settings: dict[str, object] = {"THEME": str(self.theme)}
        self.days_later = 0

    def build(self, output: Path, cache: Path) -> tuple[int, int]:
        """Build into `output` with `cache`; returns (pages rendered, pages kept)."""
        settings = {**self.settings, "CACHE_PATH": str(cache)}
        extra = ["-e", *(f"{name}={json.dumps(value)}" for name, value in settings.items())]
        args = [str(self.content), "-o", str(output), "-s", str(ROOT / "pelican.conf.py"),
                "--fatal", "errors", "-v", *extra]
        command = [sys.executable, "-c", LATER, str(self.days_later), *args]
        env = {**os.environ, "COMMENTS_DATABASE_URL": self.database,
               "COMMENTS_SECRET_KEY": "pages-tests-secret"}
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        counts = RENDERS.findall(re.sub(r"\s+", " ", result.stdout + result.stderr))
        assert counts, result.stdout + result.stderr
        return int(counts[-1][0]), int(counts[-1][1])

    def first(self) -> tuple[int, int]:
        return self.build(self.tmp / "output", self.tmp / "cache")

    def rebuild_matches_cold(self) -> tuple[int, int]:
        """Rebuild over the first build, build cold elsewhere; the trees must be equal."""
        counts = self.build(self.tmp / "output", self.tmp / "cache")
        cold = self.tmp / f"cold-{len(list(self.tmp.glob('cold-*')))}"
        self.build(cold, cold.with_name(cold.name + "-cache"))
        assert tree(self.tmp / "output") == tree(cold)
        return counts

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.content / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def page(self, name: str) -> str:
        return (self.tmp / "output" / name).read_text(encoding="utf-8")


def tree(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture
def site(tmp_path):
    site = Site(tmp_path)
    rendered, kept = site.first()
    assert rendered >= 20 and kept == 0
    return site


def test_an_unchanged_rebuild_renders_no_page(site):
    rendered, kept = site.build(site.tmp / "output", site.tmp / "cache")
    assert rendered == 0 and kept >= 20


def test_an_articles_text(site):
    """Its last paragraph: not in its summary, not enough to change its reading time (so only
    the whole text tells the page changed). Its page and the listings showing it are rendered
    (a card's fingerprint is its article's), the other articles' pages are not."""
    site.edit(f"{LONG}.md", "In summary, the Trump", "To sum up, the Trump")
    rendered, _ = site.rebuild_matches_cold()
    assert "To sum up, the Trump" in site.page(f"{LONG}.html")
    assert rendered <= 6


def test_a_related_articles_title(site):
    site.edit(RELATED, "Title: Harbour reopens after storm", "Title: Harbour open again")
    site.rebuild_matches_cold()
    assert "Harbour open again" in site.page("ferries-return.html")


def test_a_template(site):
    entry = site.theme / "templates" / "partials" / "related.html"
    entry.write_text(entry.read_text(encoding="utf-8").replace('class="related"', 'class="related more"'),
                     encoding="utf-8")
    site.rebuild_matches_cold()
    assert 'class="related more"' in site.page("ferries-return.html")


def test_a_setting(site):
    site.settings["SITESUBTITLE"] = "News you can check twice"
    site.rebuild_matches_cold()
    assert "News you can check twice" in site.page("council-budget.html")


def test_comments_in_the_database(site):
    engine = database.engine_from_url(site.database)
    database.upgrade_schema(engine)
    with database.connect(engine, write=True) as conn:
        stored.create_comment(conn, slug="council-budget", parent=None, author="Ada",
                              email=None, website=None, text="Which line?",
                              html=render("Which line?"), ip_hash=None, state=APPROVED)
        conn.commit()
    engine.dispose()
    site.rebuild_matches_cold()
    assert "Which line?" in site.page("council-budget.html")


def test_the_day(site):
    """Baked form tokens are dated to the build's UTC day: a rebuild two days later bakes new
    ones into every article page."""
    before = site.page("council-budget.html")
    site.days_later = 2
    site.rebuild_matches_cold()
    assert site.page("council-budget.html") != before


def test_a_deleted_or_edited_output_file_is_rendered_again(site):
    output = site.tmp / "output"
    (output / "council-budget.html").unlink()
    (output / "ferries-return.html").write_text("edited by hand", encoding="utf-8")
    index = output / "index.html"
    index.write_bytes(index.read_bytes()[:-1] + b" ")  # same size, other bytes
    rendered, _ = site.rebuild_matches_cold()
    assert rendered == 3


@pytest.mark.parametrize("damage", ["truncated", "not json", "wrong lines", "wrong entries"])
def test_a_damaged_manifest_renders_every_page(site, damage):
    [manifest] = (site.tmp / "cache" / "pages").glob("*.txt")
    text = manifest.read_text(encoding="utf-8")
    header, _, body = text.partition("\n")
    damaged = {"truncated": text[: len(text) // 2], "not json": "\x00\x01\n" + body,
               "wrong lines": header + "\n" + body.replace("\n", "\nx\n"),
               "wrong entries": header + "\n" + re.sub(r"(?m)^[0-9a-f]{64}", "f" * 64, body)}
    manifest.write_text(damaged[damage], encoding="utf-8")
    rendered, kept = site.rebuild_matches_cold()
    assert kept == 0 and rendered >= 20


def test_builds_into_another_folder_keep_their_own_manifest(site):
    """`make html` and `make publish` share cache/: each output folder keeps its manifest."""
    other = site.tmp / "other-output"
    assert site.build(other, site.tmp / "cache")[1] == 0
    rendered, kept = site.build(site.tmp / "output", site.tmp / "cache")
    assert rendered == 0 and kept >= 20
    assert site.build(other, site.tmp / "cache")[0] == 0
    assert len(list((site.tmp / "cache" / "pages").glob("*.txt"))) == 2


def test_deleting_the_cache_renders_every_page(site):
    shutil.rmtree(site.tmp / "cache")
    rendered, kept = site.rebuild_matches_cold()
    assert kept == 0 and rendered >= 20


#: A loop over (term, articles) pairs: the site-wide lists, or macros.html's `term_list(terms)`.
TERM_LOOP = re.compile(r"{%-?\s*for\s+\w+\s*,\s*(\w+)\s+in\s+(categories|tags|authors|terms)\b")


@pytest.mark.parametrize("template", sorted((ROOT / "theme" / "templates").rglob("*.html")),
                         ids=lambda path: path.name)
def test_term_lists_are_read_only_for_their_counts(template):
    """pages.py fingerprints `categories`, `tags` and `authors` as each term and its number of
    articles: a template looping over (term, articles) pairs must use the articles only as a
    count, or the fingerprint must cover them."""
    source = template.read_text(encoding="utf-8")
    assert "term_list(" not in source or template.name == "macros.html" or \
        re.findall(r"term_list\((\w+)\)", source) in (["categories"], ["tags"], ["authors"]), template.name
    for loop in TERM_LOOP.finditer(source):
        name = loop[1]
        body = source[loop.end():source.find("endfor", loop.end())]
        body = body[body.find("%}"):]  # after the iterable
        uses = re.findall(rf"(?<![\w.]){name}(?!\w)(\s*\|\s*\w+)?", body)
        assert all(use.replace(" ", "") in ("|count", "|length") for use in uses), (
            template.name, name, uses)


@pytest.mark.parametrize("template", sorted((ROOT / "theme" / "templates").rglob("*.html")),
                         ids=lambda path: path.name)
def test_listing_pages_read_no_paginators_whole_list(template):
    """digest.py fingerprints a listing page by its own articles and its paginator's numbers,
    not by the paginator's whole list: no template may read that list."""
    source = template.read_text(encoding="utf-8")
    assert not re.search(r"paginator\s*(\.\s*object_list|\[)|_page\s*\.\s*paginator\b", source), template.name
