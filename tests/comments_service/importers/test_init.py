"""The importers' entry point (importers/__init__.py): `convert` refuses a source in which the
reader found no comment, saying what kind of file it expected, with nothing written; the
importers load no web stack."""

from tests.test_layers import WEB_STACK, loaded_after_import

from .sources import assert_refused, written


def test_a_source_without_comments_is_refused_saying_what_was_expected(app, tmp_path):
    feed = '<rss><channel><title>News</title><item><title>A</title></item></channel></rss>'
    assert_refused(app, "wordpress", written(tmp_path, "feed.xml", feed), [
        "feed.xml: no comments found; is it a WordPress export?"])


def test_the_importers_load_no_web_stack():
    assert not loaded_after_import("comments_service.importers") & set(WEB_STACK)
