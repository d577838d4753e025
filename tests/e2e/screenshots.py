"""Screenshots for docs/screenshots/, desktop and mobile (`make screenshots`):

    python -m tests.e2e.screenshots [--out docs/screenshots]

The pages a reader and a moderator see (issue 15): the front page, an article with a busy
thread, the search page with results, the 404 page and the moderators' queue; and the busy
thread's comments section and References list close up (issue 13).

Builds the fixture site, serves it with the devserver as the browser tests do, and gives the seed
article a busy thread (`busy_thread`, also checked by tests/e2e/test_busy_thread.py): comments
and replies posted through the API; an editor's pick with a note, readers' vote totals, a comment
about the source [1] and a published correction of paragraph 5 written to the database (no public
endpoint sets them); the site is built again (so the References list counts them too), then
Chromium photographs the comments section and the References list.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.security import generate_password_hash

from tests.conftest import ROOT
from tests.site.conftest import run_pelican

from .conftest import BUSY_SEED_SLUG, launch, write_content
from .threads import post_comment, set_columns

#: The moderator who logs in for the queue's picture (a throwaway password: the server lives as
#: long as the script).
MODERATOR, PASSWORD = "alice", "screenshots-only-password"

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "mobile": {"width": 390, "height": 844}}


def busy_thread(server, database_url: str, slug: str) -> dict[str, int]:
    """Comments, replies, votes, a pick, a source comment and a correction on `slug` (which
    cites a reference [1] in its paragraphs); returns their ids by name. The last post re-bakes
    the page with everything written before it."""
    ids = {"pick": post_comment(
        server, slug, "Ann Okafor",
        "Neither route is new. Allies *buying* American weapons for Ukraine is how the "
        "Czech ammunition initiative worked, and it took **months** to reach the front.\n\n"
        "What matters is the delivery backlog the article mentions.", website="https://ann.example")}
    ids["question"] = post_comment(server, slug, "Ben Ito", "Is there any timeline at all?",
                                   parent=ids["pick"])
    ids["answer"] = post_comment(server, slug, "Ann Okafor",
                                 "Not yet: officials had not been briefed when the newsletter ran.",
                                 parent=ids["question"])
    ids["source"] = post_comment(
        server, slug, "Chidi Nwosu",
        "The source counts $80.5 billion in *preliminary* agreements, not sales: "
        "worth saying in the article.")
    ids["correction"] = post_comment(server, slug, "Dana Rossi",
                                     "The 22 percent is of all sales this year, not of NATO's.")
    set_columns(database_url, ids["pick"], likes=14, dislikes=1, picked=True,
                pick_note="The clearest account of what is new and what is not.")
    set_columns(database_url, ids["question"], likes=3, edited=datetime.now(UTC))
    set_columns(database_url, ids["answer"], likes=6)
    set_columns(database_url, ids["source"], likes=9, dislikes=2, about_reference=1)
    set_columns(database_url, ids["correction"], likes=4, kind="correction", about_paragraph=5)
    ids["thanks"] = post_comment(server, slug, "Eve Marsh", "Thank you, that distinction helps.",
                                 parent=ids["source"])
    return ids


def held_comment(server, database_url: str) -> int:
    """A reader's comment with a link, held for the moderators as the default rules hold one."""
    comment = post_comment(server, "ferries-return", "Sam Quill",
                           "The timetable is at https://ferries.example/summer: two sailings less.")
    set_columns(database_url, comment, state="pending", flags="links")
    return comment


def photograph_page(page, base_url: str, out: Path, size: str, written: list[Path], label: str,
                    url: str, locator: str | None = None) -> None:
    """`out/<label>-<size>.png`: the page at `url`, or only the element `locator` on it."""
    page.goto(base_url + url)
    page.wait_for_load_state("networkidle")
    path = out / f"{label}-{size}.png"
    if locator:
        page.locator(locator).screenshot(path=path)
    else:
        page.screenshot(path=path)
    written.append(path)


def photograph(base_url: str, out: Path) -> list[Path]:
    """The pages, at each of VIEWPORTS; the paths written."""
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"))
        for name, viewport in VIEWPORTS.items():
            context = browser.new_context(viewport=viewport, is_mobile=name == "mobile",
                                          device_scale_factor=1, color_scheme="light")
            page = context.new_page()
            shot = partial(photograph_page, page, base_url, out, name, written)
            shot("front-page", "/")
            shot("article", f"/{BUSY_SEED_SLUG}.html")
            shot("busy-thread", f"/{BUSY_SEED_SLUG}.html#comments", "#comments")
            shot("busy-thread-references", f"/{BUSY_SEED_SLUG}.html", ".references")
            page.goto(base_url + "/search.html?q=Patriot")
            page.locator(".search-result").first.wait_for()
            written.append(out / f"search-{name}.png")
            page.screenshot(path=written[-1])
            shot("not-found", "/no-such-page.html")
            page.goto(base_url + "/admin/")
            page.fill("#name", MODERATOR)
            page.fill("#password", PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.locator("li.comment").first.wait_for()
            written.append(out / f"admin-queue-{name}.png")
            page.screenshot(path=written[-1])
            context.close()
        browser.close()
    return written


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        settings = {"COMMENTS_DATABASE_URL": f"sqlite:///{root / 'comments.sqlite3'}",
                    "COMMENTS_SECRET_KEY": "screenshots",
                    "COMMENTS_ADMIN_USERS": json.dumps({MODERATOR: generate_password_hash(PASSWORD)})}
        write_content(root / "content", scenarios=())
        os.environ.update(settings)
        result = run_pelican(root / "content", root / "output")
        assert result.returncode == 0, result.stdout + result.stderr
        server = launch(root / "output", root / "devserver.log", settings)
        try:
            busy_thread(server, settings["COMMENTS_DATABASE_URL"], BUSY_SEED_SLUG)
            held_comment(server, settings["COMMENTS_DATABASE_URL"])
            # Published again, as the newsroom's next build would: what is baked only by a build
            # (the counts beside the references) is on the page too; and indexed for search.
            result = run_pelican(root / "content", root / "output")
            assert result.returncode == 0, result.stdout + result.stderr
            subprocess.run([sys.executable, "-m", "plugins.search", str(root / "output")], cwd=ROOT,
                           check=True, stdout=subprocess.DEVNULL)
            for path in photograph(server.base_url, args.out):
                print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
        finally:
            server.process.terminate()
            server.process.wait(timeout=10)


if __name__ == "__main__":
    main()
