"""Form and edit tokens (no Flask app needed: the site build issues form tokens)."""

import pytest
from itsdangerous import URLSafeSerializer
from itsdangerous.timed import TimestampSigner

from comments_service.core.tokens import (
    TokenRejected,
    check_address_token,
    check_confirm_token,
    check_edit_token,
    check_form_token,
    check_reader_token,
    check_unsubscribe_token,
    issue_address_token,
    issue_confirm_token,
    issue_edit_token,
    issue_form_token,
    issue_reader_token,
    issue_unsubscribe_token,
)

KEY = "secret"
LIMITS = {"min_age": 3, "max_age": 3600}


def test_form_token_round_trip_after_the_minimum_fill_time():
    token = issue_form_token(KEY, "article", now=1000)
    check_form_token(KEY, token, "article", now=1003, **LIMITS)


@pytest.mark.parametrize("issued, checked, slug, key, reason", [
    (1000, 1002, "article", KEY, "wait a few seconds"),
    (1000, 1000 + 3601, "article", KEY, "expired"),
    (1000, 1010, "other", KEY, "another page"),
    (1000, 1010, "article", "other key", "not valid"),
])
def test_form_token_rejections(issued, checked, slug, key, reason):
    token = issue_form_token(key, "article", now=issued)
    with pytest.raises(TokenRejected, match=reason):
        check_form_token(KEY, token, slug, now=checked, **LIMITS)


def test_tampered_form_token_is_rejected():
    token = issue_form_token(KEY, "article", now=1000)
    payload, signature = token.rsplit(".", 1)
    with pytest.raises(TokenRejected, match="not valid"):
        check_form_token(KEY, payload + "." + signature[::-1], "article", now=1010, **LIMITS)


STAMP = "2026-11-25T10:00:00.123456+00:00"


def test_edit_token_is_bound_to_its_comment_and_its_creation_stamp():
    token = issue_edit_token(KEY, 5, STAMP)
    assert check_edit_token(KEY, token, 5, max_age=60) == STAMP
    with pytest.raises(TokenRejected, match="another comment"):
        check_edit_token(KEY, token, 6, max_age=60)
    with pytest.raises(TokenRejected, match="not valid"):
        check_edit_token("other key", token, 5, max_age=60)


def test_an_edit_token_without_a_stamp_is_refused():
    """Tokens issued before they named the creation stamp: a bare id could match a reused id."""
    from itsdangerous import URLSafeTimedSerializer

    bare = URLSafeTimedSerializer(KEY, salt="comments.edit-token").dumps(5)
    with pytest.raises(TokenRejected, match="not valid"):
        check_edit_token(KEY, bare, 5, max_age=60)


def test_edit_token_expires(monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_000_000_000)
        token = issue_edit_token(KEY, 5, STAMP)
    with pytest.raises(TokenRejected, match="over"):
        check_edit_token(KEY, token, 5, max_age=900)


def test_subscription_tokens_round_trip():
    assert check_confirm_token(KEY, issue_confirm_token(KEY, 7, STAMP), max_age=60) == (7, STAMP)
    assert check_unsubscribe_token(KEY, issue_unsubscribe_token(KEY, 7, STAMP)) == (7, STAMP)


def test_subscription_tokens_are_not_interchangeable():
    with pytest.raises(TokenRejected, match="unsubscribe link is not valid"):
        check_unsubscribe_token(KEY, issue_confirm_token(KEY, 7, STAMP))
    with pytest.raises(TokenRejected, match="confirmation link is not valid"):
        check_confirm_token(KEY, issue_unsubscribe_token(KEY, 7, STAMP), max_age=60)
    with pytest.raises(TokenRejected, match="not valid"):
        check_confirm_token(KEY, issue_edit_token(KEY, 7, STAMP), max_age=60)
    with pytest.raises(TokenRejected, match="not valid"):
        check_unsubscribe_token("another key", issue_unsubscribe_token(KEY, 7, STAMP))


def test_address_tokens_round_trip_and_confirm_no_subscription():
    assert check_address_token(KEY, issue_address_token(KEY, 7, STAMP), max_age=60) == (7, STAMP)
    with pytest.raises(TokenRejected, match="confirmation link is not valid"):
        check_address_token(KEY, issue_confirm_token(KEY, 7, STAMP), max_age=60)
    with pytest.raises(TokenRejected, match="confirmation link is not valid"):
        check_confirm_token(KEY, issue_address_token(KEY, 7, STAMP), max_age=60)


def test_confirm_token_expires(monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_000_000_000)
        token = issue_confirm_token(KEY, 7, STAMP)
    with pytest.raises(TokenRejected, match="expired"):
        check_confirm_token(KEY, token, max_age=7 * 24 * 3600)


@pytest.mark.parametrize("payload", [7, [7], ["7", STAMP], [True, STAMP], [7, STAMP, 1], {"id": 7}])
def test_signed_but_malformed_subscription_payloads_are_rejected(payload):
    token = URLSafeSerializer(KEY, salt="comments.subscription-unsubscribe").dumps(payload)
    with pytest.raises(TokenRejected, match="This link is not valid."):
        check_unsubscribe_token(KEY, token)


def test_reader_tokens_carry_a_new_random_id_signed():
    reader_id, token = issue_reader_token(KEY)
    other_id, _ = issue_reader_token(KEY)
    assert len(reader_id) >= 22 and reader_id != other_id
    assert check_reader_token(KEY, token) == reader_id


@pytest.mark.parametrize("token", [
    "", "garbage", issue_reader_token("another key")[1],
    URLSafeSerializer(KEY, salt="comments.form-token").dumps("an id"),  # another kind of token
    URLSafeSerializer(KEY, salt="comments.reader").dumps(["not", "text"]),
    URLSafeSerializer(KEY, salt="comments.reader").dumps(""),
])
def test_reader_tokens_this_key_did_not_sign_name_nobody(token):
    assert check_reader_token(KEY, token) is None


@pytest.mark.parametrize("token", ["\ud800", "abc\udfff.def", "é.token", "\x00"])
def test_no_check_reads_a_token_that_is_not_ascii_text(token):
    """Tokens are URL-safe base64; itsdangerous failed encoding a lone surrogate (a 500)."""
    for check in (lambda: check_form_token(KEY, token, "first-article", **LIMITS),
                  lambda: check_edit_token(KEY, token, 1, 3600),
                  lambda: check_confirm_token(KEY, token, 3600),
                  lambda: check_address_token(KEY, token, 3600),
                  lambda: check_unsubscribe_token(KEY, token)):
        with pytest.raises(TokenRejected):
            check()
    assert check_reader_token(KEY, token) is None
