"""Who may write: API tokens, kept in the ledger as their SHA-256 only.

A token is shown once when created (``stargate token create NAME``); the name behind it is
recorded as the user of every write made with it. Revocation stamps ``revoked_at``.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING

from sqlalchemy import select

from stargate.ledger import tables
from stargate.ledger.clock import now
from stargate.ledger.errors import StoreError

if TYPE_CHECKING:
    from stargate.ledger.store import Store

TOKEN_BYTES = 32
MAX_TOKEN_CHARS = 200


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Tokens:
    """The API tokens of one store (``store.tokens``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def create(self, name: str) -> str:
        """A new token for ``name``; only its hash is stored."""
        name = name.strip()
        if not name or len(name) > 100:
            raise StoreError("a token needs a name of 1 to 100 characters")
        token = secrets.token_urlsafe(TOKEN_BYTES)
        with self._store.transaction() as connection:
            connection.execute(
                tables.api_tokens.insert().values(
                    name=name, token_hash=digest(token), created_at=now()
                )
            )
        return token

    def revoke(self, name: str) -> int:
        """Revoke every live token of ``name``; returns how many."""
        with self._store.transaction() as connection:
            done = connection.execute(
                tables.api_tokens.update()
                .where(tables.api_tokens.c.name == name, tables.api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=now())
            )
        return int(done.rowcount)

    def user(self, token: str | None) -> str | None:
        """The name behind a live token, or None."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            return None
        with self._store.engine.connect() as connection:
            name = connection.execute(
                select(tables.api_tokens.c.name).where(
                    tables.api_tokens.c.token_hash == digest(token),
                    tables.api_tokens.c.revoked_at.is_(None),
                )
            ).scalar_one_or_none()
        return None if name is None else str(name)
