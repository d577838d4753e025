"""IP addresses and readers' cookie ids are only ever stored as keyed hashes (core/privacy.py);
the purge of old IP hashes is tested through its command (tests/comments_service/test_privacy.py)."""

from comments_service.core.privacy import hash_ip, reader_digest


def test_ip_is_stored_as_a_salted_hash():
    digest = hash_ip("salt", "192.0.2.1")
    assert "192.0.2.1" not in digest and len(digest) == 64
    assert digest != hash_ip("other salt", "192.0.2.1")
    assert hash_ip("salt", None) is None


def test_a_reader_id_is_stored_as_a_keyed_hash():
    digest = reader_digest("key", "reader-id")
    assert "reader-id" not in digest and len(digest) == 64
    assert digest == reader_digest("key", "reader-id")
    assert digest not in (reader_digest("other key", "reader-id"), reader_digest("key", "other-id"))
    assert digest != hash_ip("key", "reader-id")  # a cookie id never matches an address hash
