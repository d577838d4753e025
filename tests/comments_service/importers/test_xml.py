"""The streaming XML reader (importers/xml.py): records are handed over one at a time, with
their lines, while the file is read; incomplete XML, entity declarations, external entities and
the wrong kind of file are refused naming the file (and line), with nothing written."""

import pytest

from comments_service.importers.xml import RecordReader, parse_xml

from .sources import DATA, assert_refused, case_id, sample, written


def test_xml_is_read_as_a_stream_of_records_with_their_lines(tmp_path):
    post = "{http://disqus.com}post"
    posts = "".join(f'<post dsq:id="{n}"><message>{"x" * 99}</message></post>\n' for n in range(3000))
    path = written(tmp_path, "big.xml", '<disqus xmlns="http://disqus.com" '
                   f'xmlns:dsq="http://disqus.com/disqus-internals">\n{posts}</disqus>')
    read, records = 0, []

    def on_read(size):
        nonlocal read
        read += size

    def on_record(element, line):
        records.append((line, read))

    parse_xml(path, RecordReader("a Disqus export", "{http://disqus.com}disqus", {post}, on_record),
              on_read)
    assert [line for line, _ in records] == list(range(2, 3002))
    assert records[0][1] == 0 and read == path.stat().st_size  # handed over while reading


def _truncated(tmp_path):
    return "disqus", written(tmp_path, "disqus.xml", sample("disqus.xml")[:3000]), [
        "disqus.xml is not complete, well-formed XML", "line"]


def _entity_bomb(tmp_path):
    bomb = ('<?xml version="1.0"?>\n<!DOCTYPE disqus [<!ENTITY a "aaaaaaaa">\n'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
            '<disqus xmlns="http://disqus.com">&b;</disqus>')
    return "disqus", written(tmp_path, "bomb.xml", bomb), [
        "bomb.xml, line 2: refused EntitiesForbidden"]


def _external_entity(tmp_path):
    reader = ('<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
              '<rss><channel>&x;</channel></rss>')
    return "wordpress", written(tmp_path, "external.xml", reader), [
        "external.xml, line 2: refused EntitiesForbidden"]


def _wrong_xml_kind(tmp_path):
    return "disqus", DATA / "wordpress.xml", [
        "wordpress.xml: this is not a Disqus export: its root element is rss"]


def _json_as_xml(tmp_path):
    return "wordpress", written(tmp_path, "export.json", '{"format": "newsroom-comments"}'), [
        "export.json is not complete, well-formed XML: not well-formed (invalid token): line 1"]


@pytest.mark.parametrize("bad_source", [_truncated, _entity_bomb, _external_entity,
                                        _wrong_xml_kind, _json_as_xml], ids=case_id)
def test_bad_or_hostile_xml_is_refused_naming_the_file(app, tmp_path, bad_source):
    assert_refused(app, *bad_source(tmp_path))
