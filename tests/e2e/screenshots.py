"""Screenshots of a busy thread for docs/screenshots/ (issue 13), desktop and mobile:

    python -m tests.e2e.screenshots [--out docs/screenshots]

Builds the fixture site, serves it with the devserver as the browser tests do, and gives the seed
article a busy thread (`busy_thread`, also checked by tests/e2e/test_busy_thread.py): comments
and replies posted through the API; an editor's pick with a note, readers' vote totals, a comment
about the source [1] and a published correction of paragraph 5 written to the database (no public
endpoint sets them); the site is built again (so the References list counts them too), then
Chromium photographs the comments section and the References list.
"""

import argparse
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.conftest import ROOT
from tests.site.conftest import run_pelican

from .conftest import BUSY_SEED_SLUG, launch, write_content
from .threads import post_comment, set_columns

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


def photograph(base_url: str, out: Path) -> list[Path]:
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"))
        for name, viewport in VIEWPORTS.items():
            context = browser.new_context(viewport=viewport, is_mobile=name == "mobile",
                                          device_scale_factor=1, color_scheme="light")
            page = context.new_page()
            page.goto(f"{base_url}/{BUSY_SEED_SLUG}.html#comments")
            page.wait_for_load_state("networkidle")
            path = out / f"busy-thread-{name}.png"
            page.locator("#comments").screenshot(path=path)
            written.append(path)
            path = out / f"busy-thread-references-{name}.png"
            page.locator(".references").screenshot(path=path)
            written.append(path)
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
                    "COMMENTS_SECRET_KEY": "screenshots"}
        write_content(root / "content", scenarios=())
        os.environ.update(settings)
        result = run_pelican(root / "content", root / "output")
        assert result.returncode == 0, result.stdout + result.stderr
        server = launch(root / "output", root / "devserver.log", settings)
        try:
            busy_thread(server, settings["COMMENTS_DATABASE_URL"], BUSY_SEED_SLUG)
            # Published again, as the newsroom's next build would: what is baked only by a build
            # (the counts beside the references) is on the page too.
            result = run_pelican(root / "content", root / "output")
            assert result.returncode == 0, result.stdout + result.stderr
            for path in photograph(server.base_url, args.out):
                print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
        finally:
            server.process.terminate()
            server.process.wait(timeout=10)


if __name__ == "__main__":
    main()
