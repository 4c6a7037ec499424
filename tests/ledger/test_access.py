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


def test_a_session_has_its_own_identifier_and_ends_at_logout(store: Store) -> None:
    token = store.tokens.create("alice")
    session = store.sessions.open(token)
    assert session is not None
    assert session != token
    assert store.sessions.user(session) == "alice"
    assert store.sessions.user(token) is None  # the token is no session
    with store.engine.connect() as connection:
        stored = list(connection.exec_driver_sql("SELECT session_hash FROM sessions").scalars())
    assert session not in stored
    assert store.sessions.close(session) is True
    assert store.sessions.user(session) is None  # ended server-side: the cookie is worthless
    assert store.sessions.close(session) is False


def test_unknown_or_revoked_tokens_open_no_session(store: Store) -> None:
    assert store.sessions.open("guess") is None
    assert store.sessions.open("") is None
    token = store.tokens.create("bob")
    store.tokens.revoke("bob")
    assert store.sessions.open(token) is None
    assert store.table_counts()["sessions"] == 0


def test_revoking_a_token_ends_its_sessions(store: Store) -> None:
    token = store.tokens.create("carol")
    first, second = store.sessions.open(token), store.sessions.open(token)
    other = store.sessions.open(store.tokens.create("dave"))
    assert store.sessions.user(first) == store.sessions.user(second) == "carol"
    assert store.tokens.revoke("carol") == 1
    assert store.sessions.user(first) is None
    assert store.sessions.user(second) is None
    assert store.sessions.user(other) == "dave"


def test_sessions_expire(store: Store) -> None:
    import time

    token = store.tokens.create("erin")
    brief = store.sessions.open(token, hours=0.5 / 3600)  # half a second
    lasting = store.sessions.open(token)
    assert store.sessions.user(brief) == "erin"
    time.sleep(0.6)
    assert store.sessions.user(brief) is None
    assert store.sessions.user(lasting) == "erin"
    assert store.sessions.open(token, hours=0) is None
    assert store.sessions.open(token, hours=-1) is None
