"""Who may write: API tokens and the dashboard's sessions, kept in the ledger as SHA-256 only.

A token is shown once when created (``stargate token create NAME``); the name behind it is
recorded as the user of every write made with it. Revocation stamps ``revoked_at``.

Logging in to the dashboard with a token opens a session: a new random identifier (the cookie
carries it, never the token) with an expiry. A session ends when it expires, at logout, or when
its token is revoked: every check reads the ledger, so revocation ends sessions server-side at
once (OWASP Session Management Cheat Sheet,
https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Final

from sqlalchemy import select

from stargate.ledger import tables
from stargate.ledger.clock import now
from stargate.ledger.errors import StoreError

if TYPE_CHECKING:
    from stargate.ledger.store import Store

TOKEN_BYTES = 32
MAX_TOKEN_CHARS = 200
SESSION_BYTES: Final = 32
SESSION_HOURS: Final = 12.0
"""Default lifetime of a dashboard session (absolute, not renewed by use)."""


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
        """Revoke every live token of ``name`` and end their sessions; returns how many tokens."""
        t, s = tables.api_tokens.c, tables.sessions.c
        with self._store.transaction() as connection:
            stamp = now()
            ids = select(t.id).where(t.name == name).scalar_subquery()
            connection.execute(
                tables.sessions.update()
                .where(s.token_id.in_(ids), s.revoked_at.is_(None))
                .values(revoked_at=stamp)
            )
            done = connection.execute(
                tables.api_tokens.update()
                .where(t.name == name, t.revoked_at.is_(None))
                .values(revoked_at=stamp)
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


class Sessions:
    """The dashboard's sessions of one store (``store.sessions``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def open(self, token: str, *, hours: float = SESSION_HOURS) -> str | None:
        """A new session identifier for a live token, or None when the token is not one."""
        if not token or len(token) > MAX_TOKEN_CHARS or not 0 < hours <= 24 * 366:
            return None
        session = secrets.token_urlsafe(SESSION_BYTES)
        with self._store.transaction() as connection:
            token_id = connection.execute(
                select(tables.api_tokens.c.id).where(
                    tables.api_tokens.c.token_hash == digest(token),
                    tables.api_tokens.c.revoked_at.is_(None),
                )
            ).scalar_one_or_none()
            if token_id is None:
                return None
            stamp = now()
            connection.execute(
                tables.sessions.insert().values(
                    session_hash=digest(session), token_id=token_id, created_at=stamp,
                    expires_at=stamp + timedelta(hours=hours),
                )
            )  # fmt: skip
        return session

    def user(self, session: str | None) -> str | None:
        """The name behind a live session (not expired, not ended, its token not revoked)."""
        if not session or len(session) > MAX_TOKEN_CHARS:
            return None
        s, t = tables.sessions.c, tables.api_tokens.c
        with self._store.engine.connect() as connection:
            name = connection.execute(
                select(t.name)
                .select_from(tables.sessions.join(tables.api_tokens, s.token_id == t.id))
                .where(
                    s.session_hash == digest(session), s.revoked_at.is_(None),
                    s.expires_at > now(), t.revoked_at.is_(None),
                )
            ).scalar_one_or_none()  # fmt: skip
        return None if name is None else str(name)

    def close(self, session: str | None) -> bool:
        """End a session (logout); returns whether a live one was ended."""
        if not session or len(session) > MAX_TOKEN_CHARS:
            return False
        with self._store.transaction() as connection:
            done = connection.execute(
                tables.sessions.update()
                .where(
                    tables.sessions.c.session_hash == digest(session),
                    tables.sessions.c.revoked_at.is_(None),
                )
                .values(revoked_at=now())
            )
        return bool(done.rowcount)
