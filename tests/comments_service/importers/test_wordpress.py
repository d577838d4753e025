"""The WordPress reader (importers/wordpress.py): the sample WXR export in data/ imports with its
threads, replies and states, pingbacks and other comment types skipped, on each backend; an
unknown comment state is refused naming the comment, with nothing written."""

import pytest

from comments_service.core.comment import DELETED_AUTHOR

from ..conftest import assert_inert
from .sources import (
    BOTH_THREADS,
    DATA,
    assert_no_raw_address,
    assert_refused,
    case_id,
    exported,
    ip_hash,
    outline,
    run_import,
    variant,
    variant_case,
)


def test_wordpress_export_imports_comments_and_skips_pingbacks_and_other_types(app):
    result = run_import(app, "wordpress", DATA / "wordpress.xml")
    assert result.exit_code == 0, result.output
    assert "Skipping 1 comment(s): pingback." in result.stderr
    assert "Skipping 1 comment(s): order_note." in result.stderr
    document = exported(app)
    assert document["threads"] == BOTH_THREADS  # second-article from <link>: no post_name
    assert outline(document) == [
        (1, "second-article", None, "approved", False, "Gus"),
        (2, "first-article", None, "approved", False, "Bea"),
        (3, "first-article", 2, "pending", False, "Cy"),
        (4, "first-article", None, "approved", False, "Dee"),  # answered the skipped pingback
        (5, "first-article", None, "approved", True, DELETED_AUTHOR),  # trash, answered
        (6, "first-article", 5, "approved", False, "Fay"),
        (7, "first-article", None, "rejected", False, "Bot"),
    ]
    by_author = {c["author"]: c for c in document["comments"]}
    bea = by_author["Bea"]
    assert bea["html"] == "<p>First line<br>\nsecond line</p>\n<p>New <em>paragraph</em></p>"
    assert_inert(bea["html"])
    assert bea["text"] == "First line  \nsecond line\n\nNew *paragraph*"  # Markdown, as typed here
    assert bea["website"] is None  # javascript: dropped
    assert bea["created"] == "2020-01-03T11:00:00Z"  # comment_date_gmt
    assert by_author["Bot"]["created"] == "2020-01-06T10:00:00Z"  # no GMT date: comment_date
    assert by_author["Fay"]["website"] == "http://fay.example"
    assert by_author["Gus"]["ip_hash"] == ip_hash(app, "2001:db8::8")
    assert_no_raw_address(document)


def test_a_malformed_website_is_dropped_and_an_encoded_post_name_decoded(app, tmp_path):
    source = variant(tmp_path, "wordpress.xml", "<![CDATA[https://cy.example/]]>", "http://[::1")
    source.write_text(source.read_text(encoding="utf-8").replace(
        "<![CDATA[first-article]]>", "<![CDATA[caf%c3%a9]]>"), encoding="utf-8")
    result = run_import(app, "wordpress", source, "--allow-unknown-threads")
    assert result.exit_code == 0, result.output
    document = exported(app)
    assert [t["slug"] for t in document["threads"]] == ["café", "second-article"]
    assert {c["author"]: c["website"] for c in document["comments"]}["Cy"] is None


def _wordpress_unknown_state(tmp_path):
    return variant_case(tmp_path, "wordpress", "<![CDATA[spam]]>", "<![CDATA[maybe]]>",
                        "WordPress comment 7", "unknown comment_approved 'maybe'")


@pytest.mark.parametrize("bad_source", [_wordpress_unknown_state], ids=case_id)
def test_a_bad_wordpress_export_is_refused_naming_the_item(app, tmp_path, bad_source):
    assert_refused(app, *bad_source(tmp_path))


def test_the_https_namespace_of_wordpress_own_test_data_is_read(app, tmp_path):
    source = variant(tmp_path, "wordpress.xml", 'xmlns:wp="http://wordpress.org/export/1.2/"',
                     'xmlns:wp="https://wordpress.org/export/1.2/"')
    result = run_import(app, "wordpress", source)
    assert result.exit_code == 0, result.output
    assert "Imported 2 threads and 7 comments." in result.stdout


def _wordpress_no_state(tmp_path):
    source = variant(tmp_path, "wordpress.xml", "<wp:comment_approved><![CDATA[spam]]></wp:comment_approved>", "")
    return "wordpress", source, ["WordPress comment 7", "it has no comment_approved"]


def test_a_comment_without_comment_approved_says_so(app, tmp_path):
    assert_refused(app, *_wordpress_no_state(tmp_path))
