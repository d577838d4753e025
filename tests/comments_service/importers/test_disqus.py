"""The Disqus reader (importers/disqus.py): the sample export in data/ imports with its threads,
replies, spam and deleted posts and sanitised HTML, on each backend; a post whose thread, link
or date cannot be read is refused naming it, with nothing written."""

import pytest

from comments_service.core.comment import DELETED_AUTHOR
from comments_service.core.render import render

from ..conftest import assert_inert
from .sources import (
    BOTH_THREADS,
    DATA,
    assert_no_raw_address,
    assert_refused,
    case_id,
    exported,
    ip_hash,
    line_of,
    outline,
    run_import,
    variant_case,
)


def test_disqus_export_imports_threads_replies_states_and_sanitised_html(app):
    result = run_import(app, "disqus", DATA / "disqus.xml")
    assert result.exit_code == 0, result.output
    assert "Reading disqus.xml" in result.stderr
    document = exported(app)
    assert document["threads"] == BOTH_THREADS
    # post 302 answers 301 but is dated earlier: it still comes after its parent
    assert outline(document) == [
        (1, "first-article", None, "approved", False, "Ann"),
        (2, "first-article", 1, "approved", True, DELETED_AUTHOR),
        (3, "first-article", 2, "approved", False, "Anonymous"),
        (4, "second-article", None, "rejected", False, "Spammer"),
        (5, "second-article", None, "approved", False, "Dee"),
    ]
    first = document["comments"][0]
    assert_inert(first["html"])
    assert "pwned" not in first["html"] and "steal" not in first["html"]
    link = '<a href="https://source.example/doc" rel="nofollow ugc noopener">source</a>'
    assert link in first["html"]
    # Markdown keeping the link's target (a later edit re-renders it), and the line break
    assert first["text"] == ("Great piece & [source](https://source.example/doc).\n\n"
                             "Second paragraph  \nnext line")
    assert first["html"] == render(first["text"])
    assert (first["email"], first["website"]) == ("ann@example.org", None)
    assert first["ip_hash"] == ip_hash(app, "192.0.2.10")
    assert document["comments"][4]["created"] == "2020-01-03T08:00:00Z"  # +02:00 in the file
    assert_no_raw_address(document)


def _disqus_unknown_thread(tmp_path):
    line = line_of("disqus.xml", '<post dsq:id="303">')
    return variant_case(tmp_path, "disqus", '<thread dsq:id="201"/>', '<thread dsq:id="299"/>',
                        f"Disqus post 303 (line {line}): its thread 299 is not in the file")


def _disqus_link_without_slug(tmp_path):
    line = line_of("disqus.xml", '<thread dsq:id="200">')
    return variant_case(
        tmp_path, "disqus", "https://news.example/first-article.html", "https://news.example/",
        f"Disqus thread 200 (line {line}): its URL 'https://news.example/' names no article")


def _disqus_bad_date(tmp_path):
    return variant_case(tmp_path, "disqus", "2020-01-02T10:00:00Z", "yesterday",
                        "Disqus post 300", "createdAt 'yesterday' is not a date and time")


def _disqus_date_out_of_range(tmp_path):
    # an offset that takes the moment out of the years Python holds: no OverflowError traceback
    return variant_case(tmp_path, "disqus", "2020-01-02T10:00:00Z", "0001-01-01T00:00:00+01:00",
                        "Disqus post 300", "createdAt '0001-01-01T00:00:00+01:00' is not a date")


@pytest.mark.parametrize("bad_source", [_disqus_unknown_thread, _disqus_link_without_slug,
                                        _disqus_bad_date, _disqus_date_out_of_range], ids=case_id)
def test_a_bad_disqus_export_is_refused_naming_the_item(app, tmp_path, bad_source):
    assert_refused(app, *bad_source(tmp_path))


def test_posts_of_a_thread_deleted_in_disqus_are_not_published(app, tmp_path):
    source = variant_case(tmp_path, "disqus", "<isDeleted>false</isDeleted>\n  </thread>\n"
                          '  <thread dsq:id="201">',
                          "<isDeleted>true</isDeleted>\n  </thread>\n  <thread dsq:id=\"201\">")[1]
    result = run_import(app, "disqus", source)
    assert result.exit_code == 0, result.output
    assert "Skipping 3 comment(s): on a thread deleted in the source (Disqus thread 200" \
        in result.stderr
    assert [row[1] for row in outline(exported(app))] == ["second-article", "second-article"]


def test_skip_invalid_imports_the_rest_and_lists_each_skipped_post_with_its_line(app, tmp_path):
    source = variant_case(tmp_path, "disqus", "2020-01-02T10:00:00Z", "yesterday")[1]
    line = line_of("disqus.xml", '<post dsq:id="300">')
    result = run_import(app, "disqus", source, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert (f"Skipping invalid Disqus post 300 (line {line}): createdAt 'yesterday' is not a "
            "date and time") in result.stderr
    assert "Skipped 1 invalid item(s) (--skip-invalid)." in result.stderr
    # Ann's post is gone: the deleted post that answered it now stands alone at the top level
    assert outline(exported(app))[:2] == [(1, "first-article", None, "approved", True, DELETED_AUTHOR),
                                          (2, "first-article", 1, "approved", False, "Anonymous")]

