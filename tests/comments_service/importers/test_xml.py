"""The streaming XML reader (importers/xml.py): records are yielded one at a time, with their
lines, while the file is read; incomplete XML, any document type declaration (entities, external
DTDs) and the wrong kind of file are refused naming the file (and line), with nothing written."""

import pytest

from comments_service.importers.xml import READ_SIZE, records

from .sources import DATA, assert_refused, case_id, sample, written


def test_xml_is_read_as_a_stream_of_records_with_their_lines(tmp_path):
    post = "{http://disqus.com}post"
    posts = "".join(f'<post dsq:id="{n}"><message>{"x" * 99}</message></post>\n' for n in range(3000))
    path = written(tmp_path, "big.xml", '<disqus xmlns="http://disqus.com" '
                   f'xmlns:dsq="http://disqus.com/disqus-internals">\n{posts}</disqus>')
    read, seen = 0, []

    def on_read(size):
        nonlocal read
        read += size

    for element, line in records(path, "a Disqus export", "{http://disqus.com}disqus", {post},
                                 on_read):
        seen.append((line, read, element.get("{http://disqus.com/disqus-internals}id")))
    assert [(line, key) for line, _, key in seen] == [(n + 2, str(n)) for n in range(3000)]
    assert seen[0][1] == READ_SIZE and read == path.stat().st_size  # yielded while reading


def _truncated(tmp_path):
    return "disqus", written(tmp_path, "disqus.xml", sample("disqus.xml")[:3000]), [
        "disqus.xml is not complete, well-formed XML", "line"]


def _entity_bomb(tmp_path):
    bomb = ('<?xml version="1.0"?>\n<!DOCTYPE disqus [<!ENTITY a "aaaaaaaa">\n'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
            '<disqus xmlns="http://disqus.com">&b;</disqus>')
    return "disqus", written(tmp_path, "bomb.xml", bomb), [
        "bomb.xml, line 2: refused DTDForbidden"]


def _external_entity(tmp_path):
    reader = ('<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
              '<rss><channel>&x;</channel></rss>')
    return "wordpress", written(tmp_path, "external.xml", reader), [
        "external.xml, line 2: refused DTDForbidden"]


def _external_dtd(tmp_path):
    """No entity declared, but a DTD loaded from elsewhere could declare some: docs/migration.md
    promises it is refused."""
    reader = ('<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "http://attacker.example/x.dtd">\n'
              '<rss><channel><item><title>A</title></item></channel></rss>')
    return "wordpress", written(tmp_path, "dtd.xml", reader), [
        "dtd.xml, line 2: refused DTDForbidden", "document type declarations"]


def _wrong_xml_kind(tmp_path):
    return "disqus", DATA / "wordpress.xml", [
        "wordpress.xml: this is not a Disqus export: its root element is rss"]


def _json_as_xml(tmp_path):
    return "wordpress", written(tmp_path, "export.json", '{"format": "newsroom-comments"}'), [
        "export.json is not complete, well-formed XML: not well-formed (invalid token): line 1"]


@pytest.mark.parametrize("bad_source", [_truncated, _entity_bomb, _external_entity,
                                        _external_dtd, _wrong_xml_kind, _json_as_xml], ids=case_id)
def test_bad_or_hostile_xml_is_refused_naming_the_file(app, tmp_path, bad_source):
    assert_refused(app, *bad_source(tmp_path))
