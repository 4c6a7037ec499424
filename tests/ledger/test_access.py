"""API tokens in the ledger, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import pytest

from stargate.ledger.errors import StoreError
from stargate.ledger.store import Store


def test_tokens_are_stored_hashed_and_can_be_revoked(store: Store) -> None:
    secret = store.tokens.create("alice")
    other = store.tokens.create("bob")
    assert store.tokens.user(secret) == "alice"
    assert store.tokens.user(secret + "x") is None
    assert store.tokens.user(None) is None
    assert store.tokens.user("x" * 500) is None
    with store.engine.connect() as connection:
        stored = list(connection.exec_driver_sql("SELECT token_hash FROM api_tokens").scalars())
    assert secret not in stored
    assert len(stored) == 2
    assert store.tokens.revoke("alice") == 1
    assert store.tokens.revoke("alice") == 0
    assert store.tokens.user(secret) is None
    assert store.tokens.user(other) == "bob"


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_token_needs_a_name(store: Store, name: str) -> None:
    before = store.table_counts()
    with pytest.raises(StoreError, match="a token needs a name"):
        store.tokens.create(name)
    assert store.table_counts() == before
