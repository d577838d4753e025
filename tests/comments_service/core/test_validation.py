"""verify(): the one input check, its limits and its allow-list."""

import pytest

from comments_service.core.validation import EDIT_FIELDS, InvalidInput, check_about_reference, verify

VALID = {"author": "Ann", "text": "Hello there"}


def problems(data, **kwargs) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        verify(data, **kwargs)
    return caught.value.fields


def test_minimal_comment_gets_empty_optional_fields():
    assert verify(VALID) == {"author": "Ann", "text": "Hello there", "email": None, "website": None,
                             "parent": None, "form_token": "", "homepage": "", "notify": False,
                             "about_reference": None, "about_paragraph": None, "kind": "comment"}


def test_values_are_trimmed_and_newlines_normalised():
    clean = verify({"author": "  Ann ", "text": " Line one\r\nLine two\n", "email": " a@b.org ",
                    "website": " https://ann.example/x "})
    assert clean["author"] == "Ann" and clean["text"] == "Line one\nLine two"
    assert clean["email"] == "a@b.org" and clean["website"] == "https://ann.example/x"


@pytest.mark.parametrize("notify, expected", [(True, True), (False, False), ("on", True)])
def test_notify_accepts_json_booleans_and_the_checkbox_value(notify, expected):
    assert verify(VALID | {"email": "ann@example.org", "notify": notify})["notify"] is expected


@pytest.mark.parametrize("notify", ["off", "true", 1, None, ""])
def test_notify_rejects_anything_else(notify):
    assert problems(VALID | {"email": "ann@example.org", "notify": notify}) == {
        "notify": "must be true or false"}


def test_notify_needs_an_email():
    assert problems(VALID | {"notify": True}) == {
        "notify": "needs your email address in the Email field"}
    assert "notify" not in problems(VALID | {"notify": True, "email": "not-an-address"})


@pytest.mark.parametrize("parent, expected", [(7, 7), ("7", 7), ("", None), (None, None)])
def test_parent_accepts_ints_digit_strings_and_empty(parent, expected):
    assert verify(VALID | {"parent": parent})["parent"] == expected


@pytest.mark.parametrize("field, value", [
    ("author", ""), ("author", "A" * 101), ("author", "Ann\u0007"), ("author", None), ("author", ["Ann"]),
    ("text", "hi"), ("text", "x" * 10_001), ("text", 12345), ("text", "nul\x00byte"),
    ("email", "not-an-email"), ("email", "a@b"), ("email", "a b@c.org"), ("email", "x" * 250 + "@c.org"),
    ("email", 5),
    ("website", "ftp://files.example"), ("website", "javascript:alert(1)"), ("website", "//evil.example"),
    ("website", "https://"), ("website", "https://a.example/" + "a" * 240), ("website", "https://a b.example"),
    ("parent", 0), ("parent", -1), ("parent", 1.0), ("parent", False), ("parent", "٣"), ("parent", 2**31),
    ("form_token", 1), ("homepage", "x" * 1001),
])
def test_bad_values_are_named(field, value):
    assert field in problems(VALID | {field: value})


@pytest.mark.parametrize("limit", [("author", "A" * 100), ("text", "x" * 10_000), ("text", "abc"),
                                   ("email", "x" * 64 + "@" + "d" * 185 + ".org")])
def test_values_at_the_limits_pass(limit):
    field, value = limit
    assert verify(VALID | {field: value})[field] == value


def test_unknown_and_missing_fields_are_all_reported_at_once():
    assert problems({"state": "approved", "is_admin": True}) == {
        "state": "is not a known field", "is_admin": "is not a known field",
        "author": "is required", "text": "is required"}


@pytest.mark.parametrize("data", [None, [], "text", 3])
def test_non_objects_are_refused(data):
    assert problems(data) == {"body": "must be an object of named fields"}


def test_edit_allows_only_the_text():
    assert verify({"text": "New text"}, EDIT_FIELDS) == {"text": "New text"}
    assert problems({"text": "New text", "author": "Bob"}, allowed=EDIT_FIELDS) == {
        "author": "is not a known field"}


@pytest.mark.parametrize("field, value, expected", [
    ("about_reference", 1, 1), ("about_reference", "999", 999), ("about_reference", "", None),
    ("about_reference", None, None), ("about_paragraph", 9999, 9999), ("about_paragraph", "012", 12),
    ("about_paragraph", "", None), ("kind", "comment", "comment"), ("kind", "correction", "correction"),
    ("kind", "", "comment"),
])
def test_what_a_comment_is_about_and_its_kind(field, value, expected):
    assert verify(VALID | {field: value})[field] == expected


@pytest.mark.parametrize("field, value, message", [
    ("about_reference", 0, "must be the number of a reference, 1-999"),
    ("about_reference", 1000, "must be the number of a reference, 1-999"),
    ("about_reference", "-1", "must be the number of a reference, 1-999"),
    ("about_reference", True, "must be the number of a reference, 1-999"),
    ("about_reference", 2.0, "must be the number of a reference, 1-999"),
    ("about_reference", "9" * 5000, "must be the number of a reference, 1-999"),
    ("about_paragraph", 10_000, "must be the number of a paragraph, 1-9999"),
    ("about_paragraph", "3a", "must be the number of a paragraph, 1-9999"),
    ("about_paragraph", [1], "must be the number of a paragraph, 1-9999"),
    ("kind", "Correction", "must be one of comment, correction"),
    ("kind", None, "must be one of comment, correction"),
    ("kind", ["correction"], "must be one of comment, correction"),
])
def test_bad_about_and_kind_values_are_named(field, value, message):
    assert problems(VALID | {field: value}) == {field: message}


@pytest.mark.parametrize("number, count, ok", [
    (3, 3, True), (4, 3, False), (1, 1, True), (2, 1, False), (999, 0, True), (None, 2, True),
])
def test_about_reference_is_bounded_by_the_articles_count_when_known(number, count, ok):
    fields = verify(VALID | {"about_reference": number})
    if ok:
        check_about_reference(fields, count)
    else:
        with pytest.raises(InvalidInput) as caught:
            check_about_reference(fields, count)
        plural = "reference" if count == 1 else "references"
        assert caught.value.fields == {"about_reference": f"must be one of the article's {count} {plural}, 1-{count}"}
