"""IP addresses are only ever stored as a salted hash (core/privacy.py)."""

from comments_service.core.privacy import hash_ip


def test_ip_is_stored_as_a_salted_hash():
    digest = hash_ip("salt", "192.0.2.1")
    assert "192.0.2.1" not in digest and len(digest) == 64
    assert digest != hash_ip("other salt", "192.0.2.1")
    assert hash_ip("salt", None) is None
