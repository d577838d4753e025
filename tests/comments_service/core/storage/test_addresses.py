"""Confirmed addresses (core/storage/addresses.py) on both backends: exact matches only, and
confirming again is harmless."""

from comments_service.core.storage import addresses

from tests.comments_service.conftest import run


def test_an_address_is_trusted_only_once_confirmed_and_exactly_as_typed(engine):
    assert not run(engine, addresses.is_confirmed, "ann@example.org")
    assert not run(engine, addresses.is_confirmed, None)
    run(engine, addresses.confirm_address, "ann@example.org")
    run(engine, addresses.confirm_address, "ann@example.org")
    assert run(engine, addresses.is_confirmed, "ann@example.org")
    assert not run(engine, addresses.is_confirmed, "ANN@example.org")
