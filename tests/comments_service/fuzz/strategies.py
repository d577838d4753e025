"""Hypothesis strategies for hostile input: text a reader can type or a client can forge, JSON
built as text (so lone surrogates travel as "\\ud800" escapes, numbers as the literal digits),
form bodies and URL parts built as bytes (so invalid UTF-8 reaches the server too)."""

import json
from urllib.parse import quote_from_bytes

from hypothesis import strategies as st

#: Characters that broke, or could break, something somewhere: control characters (NUL first),
#: lone surrogates, bidirectional and zero-width marks, line separators, non-ASCII digits,
#: combining marks, markup and URL syntax.
SPECIALS = ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x1f", "\x7f", "\x85", "\x9f", "\r\n", "\r", "\n",
            "\t", "\ud800", "\udbff", "\udc00", "\udfff", "\u200b", "\u200c", "\u200d", "\u200e",
            "\u200f", "\u202a", "\u202e", "\u2066", "\u2069", "\u061c", "\ufeff", "\u2028", "\u2029",
            "\ufffd", "\uffff", "\U0010ffff", "\U0001f4a9", "e\u0301", "\u00a0", "\u3000", "\u0663",
            "\u00b2", "\U0001d7d9", "<script>", "</textarea>", "](javascript:alert(1))", "http://",
            "mailto:", "@", "%00", "%", "'", '"', "\\", "{{", "*", "_", "`", "[", "]", "#", "> ",
            "- ", "&#0;", "&amp;", "<!--", "-->", "\x00\ud800"]

short_text = st.lists(st.one_of(st.characters(exclude_categories=[]), st.sampled_from(SPECIALS)),
                      max_size=24).map("".join)
#: Up to ~70 000 characters: over every field's limit, and over the 64 KiB body limit.
long_text = st.builds(lambda unit, times: unit * times,
                      st.sampled_from(["a", "é", "\u202e", "\x00", "\ud800", "*", "[a](http://a.b) ",
                                       "> ", "9", "\U0001f4a9", " "]),
                      st.integers(90, 70_000))
hostile_text = st.one_of(short_text, short_text, short_text, long_text)

#: Literal JSON number tokens Python's json module turns into surprises: infinities, 5 000 digits.
RAW_NUMBERS = ["1e999", "-1e999", "-0", "0.0", "1E2", "1.0", "2147483648", "9223372036854775808",
               "1" + "0" * 400, "9" * 5000, "-" + "9" * 5000, "NaN", "Infinity", "-Infinity"]
#: String escapes a JSON text can carry and a database cannot store.
RAW_STRINGS = ['"\\ud800"', '"a\\udfffb"', '"\\udc00\\ud800"', '"\\u0000"', '"x\\u0000y z"',
               '"\\ud83d\\udca9 is fine"', '"\\u202eevil"']
#: Numbers as a form (or a careless client) sends them: 5 000 digits, other scripts' digits, signs.
NUMBER_STRINGS = ["9" * 5000, "0" * 5000 + "1", "-1", "\u0663", "\u00b2", " 1", "1 ", "01", "+1", "1.0",
                  "1e3", "", "0", str(2**31), str(2**63), "0x1"]
BIG_INTEGERS = [0, -1, 1, 2**31 - 1, 2**31, -2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64, -2**63 - 1,
                10**30, -10**30]


class Raw(str):
    """A JSON token written as is."""


class Obj(list):
    """A JSON object as (key, value) pairs: keys may repeat, as in `{"a": 1, "a": 2}`."""


def to_json(value) -> str:
    """JSON text of `value`, escaping every non-ASCII character (lone surrogates included)."""
    if isinstance(value, Raw):
        return value
    if isinstance(value, Obj):
        return "{" + ", ".join(f"{to_json(key)}: {to_json(item)}" for key, item in value) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(map(to_json, value)) + "]"
    return json.dumps(value, ensure_ascii=True)


numbers = st.one_of(st.integers(), st.sampled_from(BIG_INTEGERS), st.floats(),
                    st.sampled_from(RAW_NUMBERS).map(Raw))
scalars = st.one_of(st.none(), st.booleans(), numbers, hostile_text, st.sampled_from(RAW_STRINGS).map(Raw))
json_values = st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=4), st.lists(st.tuples(short_text, children), max_size=4).map(Obj)),
    max_leaves=8)
#: Anything a JSON field can hold, the right type or not.
wrong_values = st.one_of(scalars, scalars, json_values)

#: Values near what each field accepts: they get past the type check and test the rules after it.
NEAR_VALID = {
    "author": st.one_of(short_text, st.sampled_from(["Ann", " ", "\u202eAnn", "A\x00nn", "A" * 101,
                                                     "[deleted]", "Ann\u2028Bob"])),
    "email": st.one_of(st.sampled_from(["someone@example.org", "ann@example.org", "a@b.c", "a@b",
                                        "@example.org", "a@@b.org", "a b@c.org", "é@ü.de", "a@b.c.",
                                        "a@b..c", "x" * 65 + "@example.org", "a@" + "b" * 250 + ".org",
                                        "ann@example.org\r\nBcc: x@y.z", "\u202eann@example.org"]),
                       st.builds("{}@{}.{}".format, short_text, short_text, short_text)),
    "website": st.one_of(st.sampled_from(["http://example.org", "https://example.org/a?b#c",
                                          "http://[", "http://[::1", "https://[::1]:80/", "http://]",
                                          "http://[v1.x]/", "http://a:b@c/", "http://a:99999/",
                                          "http://a:port/", "javascript:alert(1)", "//example.org",
                                          "http:///x", "HTTP://EXAMPLE.ORG", "http://exa mple.org",
                                          "http://\u202eexample.org", "http://xn--.org",
                                          "http://" + "a" * 250, "http://ex\x00ample.org"]),
                         st.builds("http://{}/{}".format, short_text, short_text),
                         st.builds("https://[{}]".format, short_text)),
    "text": st.one_of(hostile_text, st.sampled_from(["abc", "  a  ", "[x](javascript:alert(1))",
                                                     "<img src=x onerror=alert(1)>", "*" * 5000,
                                                     "[a](http://a) " * 4, "> " * 3000 + "deep",
                                                     "- " * 3000 + "deep", "`" * 3000])),
    "parent": st.one_of(st.sampled_from(NUMBER_STRINGS), st.sampled_from(BIG_INTEGERS), st.integers()),
    "form_token": st.one_of(short_text, st.sampled_from(["", "x" * 1001, "a.b", "e30.x"])),
    "homepage": st.one_of(st.just(""), short_text),
    "notify": st.sampled_from([True, False, "on", "off", "true", "", 1, 0, None]),
    "about_reference": st.one_of(st.sampled_from(NUMBER_STRINGS), st.sampled_from(BIG_INTEGERS),
                                 st.integers(-2, 1001), st.sampled_from(["2", "999", "1000"])),
    "about_paragraph": st.one_of(st.sampled_from(NUMBER_STRINGS), st.sampled_from(BIG_INTEGERS),
                                 st.integers(-2, 10_001)),
    "kind": st.sampled_from(["comment", "correction", "", "Correction", "correction ", "pick", None, True]),
}
COMMENT_FIELDS = tuple(NEAR_VALID)
UNKNOWN_FIELDS = ["id", "state", "email_confirmed", "html", "created", "thread", "deleted", "__proto__",
                  "", "\ud800", "text ", "Text", "author\x00"]
VALID = {"author": "Reader", "text": "A perfectly ordinary comment."}


@st.composite
def comment_fields(draw, known_ids=()) -> Obj:
    """A comment body: valid fields but one (or more) near-valid or of a wrong type, sometimes a
    required one dropped or unknown ones added. `known_ids` are real comments, so replies reach
    the database."""
    fields = dict(VALID)
    names = [draw(st.sampled_from(COMMENT_FIELDS)), *draw(st.sets(st.sampled_from(COMMENT_FIELDS), max_size=3))]
    for name in names:
        choices = [NEAR_VALID[name], NEAR_VALID[name], wrong_values]
        if name == "parent" and known_ids:
            choices.append(st.sampled_from(known_ids).flatmap(lambda id_: st.sampled_from([id_, str(id_)])))
        fields[name] = draw(st.one_of(choices))
    for name in draw(st.sets(st.sampled_from(("author", "text")), max_size=2)):
        if draw(st.integers(0, 4)) == 0:
            del fields[name]
    pairs = Obj(fields.items())
    for name in draw(st.lists(st.sampled_from(UNKNOWN_FIELDS), max_size=2)):
        pairs.append((name, draw(wrong_values)))
    return pairs


def json_body(fields: st.SearchStrategy) -> st.SearchStrategy[bytes]:
    """The JSON text of `fields` mostly; sometimes another JSON value, broken JSON or bytes that
    are not UTF-8."""
    broken = st.sampled_from([b"", b"{", b'{"author": "a", ', b"[" * 5000, b"{" * 100_000, b"null",
                              b'"just a string"', b"\xff\xfe{}", b"\xef\xbb\xbf{}", b'{"a": "\xed\xa0\x80"}',
                              b'{"author": "\xff", "text": "hello"}', b"{}" * 3, b"\x00"])
    return st.one_of(fields.map(to_json).map(lambda text: text.encode("ascii")),
                     fields.map(to_json).map(lambda text: text.encode("ascii")),
                     json_values.map(to_json).map(lambda text: text.encode("ascii")),
                     broken, st.binary(max_size=64))


#: Bytes a URL-encoded value may decode to: UTF-8 of hostile text (surrogates as CESU bytes) or junk.
url_bytes = st.one_of(short_text.map(lambda text: text.encode("utf-8", "surrogatepass")),
                      st.binary(max_size=24), st.sampled_from([b"", b"\xff", b"\xed\xa0\x80", b"\xc0\xaf"]))


def url_encoded(pairs: list[tuple[bytes, bytes]]) -> bytes:
    return "&".join(f"{quote_from_bytes(name)}={quote_from_bytes(value)}" for name, value in pairs).encode()


@st.composite
def form_body(draw, known_ids=()) -> bytes:
    """An url-encoded form: the form's fields, with hostile bytes in some, unknown ones added."""
    values = {"author": b"Reader", "text": b"Posted without JavaScript."}
    for name in draw(st.sets(st.sampled_from(COMMENT_FIELDS), max_size=4)):
        if name == "parent" and known_ids and draw(st.booleans()):
            values[name] = str(draw(st.sampled_from(known_ids))).encode()
        else:
            values[name] = draw(st.one_of(url_bytes, NEAR_VALID[name].map(str).map(
                lambda text: text.encode("utf-8", "surrogatepass"))))
    pairs = [(name.encode(), value) for name, value in values.items()]
    pairs += draw(st.lists(st.tuples(st.one_of(url_bytes, st.sampled_from(UNKNOWN_FIELDS).map(
        lambda name: name.encode("utf-8", "surrogatepass"))), url_bytes), max_size=2))
    return url_encoded(draw(st.permutations(pairs)))


#: A path segment as sent on the wire: percent-encoded hostile bytes, or a few known shapes.
path_segments = st.one_of(url_bytes.map(quote_from_bytes),
                          st.sampled_from(["first-article", "closed-article", "no-such-article", "x" * 201,
                                           "%00", "%2F", "..", ".", "%2e%2e", "first-article%00",
                                           "first-article%20", "FIRST-ARTICLE", "%ff", "%ed%a0%80"]))
#: Header values a client can send (latin-1, no line breaks).
header_values = st.text(st.characters(max_codepoint=255, exclude_characters="\r\n"), max_size=60)
