"""An article or page that would take a file the site writes itself (a listing, any page of it) is a
build error naming the content file, its line and the listing: Pelican said only
`Failed to write Tag page for "t1".`, or nothing when the article named its file with `Save_as:`.
"""

from plugins.build_errors.tests.make_html import last_line, make_html

PER_PAGE = 10  # pelican.conf.py's DEFAULT_PAGINATION


def tagged(number: int, tag: str = "t1") -> str:
    return f"Title: Story {number}\nDate: 2025-03-{number:02d}\nTags: {tag}\n\nBody.\n"


def fails_with(tmp_path, files: dict[str, str], expected: str, **make_vars: str) -> None:
    result = make_html(tmp_path, files, **make_vars)
    assert result.returncode != 0 and "Traceback" not in result.stdout, result.stdout
    assert last_line(result) == expected


def test_an_article_at_a_tags_address_names_the_tag_listing(tmp_path):
    fails_with(tmp_path, {"a.md": tagged(1), "b.md": "Title: Tag\nDate: 2025-03-20\nSlug: tag/t1\n\nX.\n"},
               'content/b.md:3: this article would be written to tag/t1.html, where the site writes '
               'the listing of tag "t1": give the article another Slug:')


def test_an_article_at_a_later_page_of_a_listing_names_that_page(tmp_path):
    stories = {f"s{number}.md": tagged(number) for number in range(1, PER_PAGE + 2)}
    article = "Title: Sly\nDate: 2025-03-20\nSlug: tag/t1/page/2/index\n\nX.\n"
    fails_with(tmp_path, {**stories, "sly.md": article},
               "content/sly.md:3: this article would be written to tag/t1/page/2/index.html, where "
               'the site writes page 2 of the listing of tag "t1": give the article another Slug:')


def test_a_page_that_names_its_file_is_found_at_its_save_as_line(tmp_path):
    page = "Title: Archive\nSave_as: archives.html\n\nX.\n"
    fails_with(tmp_path, {"a.md": tagged(1), "pages/archive.md": page},
               "content/pages/archive.md:2: this page would be written to archives.html, where the "
               "site writes the archives page: give the page another Save_as:")


def test_a_plugins_page_is_a_listing_too(tmp_path):
    article = "Title: Corrections\nDate: 2025-03-20\n\nOur policy.\n"
    fails_with(tmp_path, {"corrections.md": article},
               "content/corrections.md:1: this article would be written to corrections.html, where "
               "the site writes the Corrections page: give the article another Slug:")


def test_two_listings_with_one_file_name_the_article_that_makes_the_second(tmp_path):
    article = "Title: Story\nDate: 2025-03-20\nCategory: Briefs\nTags: briefs\n\nX.\n"
    fails_with(tmp_path, {"a.md": article},
               'content/a.md:3: the listing of section "Briefs" would be written to '
               'tag/briefs.html, as the listing of tag "briefs" is: give one of the two another name',
               PELICANOPTS="--fatal errors -e 'CATEGORY_SAVE_AS=\"tag/{slug}.html\"'")


def test_an_article_that_names_a_feeds_file_is_named_with_the_feed(tmp_path):
    # Pelican let it replace the feed without a word (an article's Save_as: overrides).
    article = "Title: Feed\nDate: 2025-03-20\nCategory: World\nSave_as: feeds/world.atom.xml\n\nX.\n"
    fails_with(tmp_path, {"a.md": article},
               "content/a.md:4: this article would be written to feeds/world.atom.xml, where the "
               'site writes the feed of section "World": give the article another Save_as:')


def test_an_article_that_names_a_file_a_plugin_writes_is_named_with_that_file(tmp_path):
    # Pelican wrote the article there, and the plugin then replaced it, or the other way round:
    # robots.txt, the sitemaps and the comments service's manifest held an article's HTML.
    for save_as, what, slug in (("robots.txt", "robots.txt", "r"), ("sitemap.xml", "the sitemap", "s"),
                                ("comments/threads.json", "the comments service's thread manifest", "c")):
        article = f"Title: {slug}\nDate: 2025-03-20\nSave_as: {save_as}\n\nX.\n"
        fails_with(tmp_path / slug, {"a.md": article},
                   f"content/a.md:3: this article would be written to {save_as}, where the site "
                   f"writes {what}: give the article another Save_as:")


def test_an_article_in_the_themes_static_folder_is_named_with_it(tmp_path):
    # The theme's copy of site.css won, and the article was lost without a word.
    article = "Title: Style\nDate: 2025-03-20\nSave_as: theme/css/site.css\n\nX.\n"
    fails_with(tmp_path, {"a.md": article},
               "content/a.md:3: this article would be written to theme/css/site.css, where the site "
               "writes the theme's static files (theme/): give the article another Save_as:")
