"""What every source shares (importers/common.py and the staging checks): slugs from URLs, and
the checks of ids and parents (a missing parent, one in another thread, a loop) and of the
author's length, which refuse a source naming the item, with nothing written."""

import pytest

from comments_service.importers.common import article_slug

from .sources import assert_refused, case_id, isso_with, line_of, variant_case


@pytest.mark.parametrize("url, slug", [
    ("/first-article.html", "first-article"),
    ("https://news.example/2020/01/first-article/", "first-article"),
    ("https://news.example/first-article/index.html?utm=x#comments", "first-article"),
    ("/caf%C3%A9.html", "café"),
    ("https://news.example/", None),
    ("https://[::1/first-article.html", None),
    ("", None),
])
def test_article_slug_is_the_last_path_segment_without_html(url, slug):
    assert article_slug(url) == slug


def _isso_parent_in_another_thread(tmp_path):
    return "isso", isso_with(tmp_path, 5, parent=1), [
        "Isso comment 6: its parent, Isso comment 1, belongs to another thread "
        "('first-article', not 'second-article')"]


def _isso_parent_loop(tmp_path):
    return "isso", isso_with(tmp_path, 0, parent=2), ["its chain of parents loops back"]


def _disqus_missing_parent(tmp_path):
    line = line_of("disqus.xml", '<post dsq:id="301">')
    return variant_case(tmp_path, "disqus", '<parent dsq:id="300"/>', '<parent dsq:id="999"/>',
                        f"Disqus post 301 (line {line}): its parent 999 is not in the source")


def _disqus_long_author(tmp_path):
    return variant_case(tmp_path, "disqus", "<name>Ann</name>", f"<name>{'A' * 101}</name>",
                        "Disqus post 300", "the author name has 101 characters, at most 100")


def _wordpress_parent_in_another_thread(tmp_path):
    line = line_of("wordpress.xml", "<title>Second article</title>") - 1
    return variant_case(
        tmp_path, "wordpress", "<wp:comment_parent>0</wp:comment_parent>\n"
        "\t\t\t<wp:comment_user_id>0</wp:comment_user_id>\n\t\t</wp:comment>\n"
        "\t\t<wp:comment>\n\t\t\t<wp:comment_id>9</wp:comment_id>",
        "<wp:comment_parent>1</wp:comment_parent>\n"
        "\t\t\t<wp:comment_user_id>0</wp:comment_user_id>\n\t\t</wp:comment>\n"
        "\t\t<wp:comment>\n\t\t\t<wp:comment_id>9</wp:comment_id>",
        f"WordPress comment 8 (in the <item> at line {line}): its parent, WordPress comment 1",
        "belongs to another thread ('first-article', not 'second-article')")


@pytest.mark.parametrize("bad_source", [
    _isso_parent_in_another_thread, _isso_parent_loop, _disqus_missing_parent,
    _disqus_long_author, _wordpress_parent_in_another_thread], ids=case_id)
def test_bad_parents_and_authors_are_refused_naming_the_item(app, tmp_path, bad_source):
    assert_refused(app, *bad_source(tmp_path))
