"""Tokens for writes and stress runs, and CSRF protection for the dashboard's forms.

A token is shown once when created (``stargate token create NAME``); the ledger keeps only its
SHA-256. Clients send it as ``Authorization: Bearer TOKEN`` or log in with it, which sets an
HttpOnly, SameSite=Strict session cookie. Form posts and cookie-authenticated API calls also carry
a CSRF token: an HMAC of the session with the app's secret (double-submit, OWASP).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select

from stargate.ledger import tables
from stargate.ledger.store import Store, StoreError, now

COOKIE = "stargate_session"
TOKEN_BYTES = 32


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(store: Store, name: str) -> str:
    """A new token for ``name`` (recorded as the user of every write made with it)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise StoreError("a token needs a name of 1 to 100 characters")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with store.transaction() as connection:
        connection.execute(
            tables.api_tokens.insert().values(
                name=name, token_hash=_digest(token), created_at=now()
            )
        )
    return token


def revoke_tokens(store: Store, name: str) -> int:
    """Revoke every live token of ``name``; returns how many."""
    with store.transaction() as connection:
        done = connection.execute(
            tables.api_tokens.update()
            .where(tables.api_tokens.c.name == name, tables.api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now())
        )
    return int(done.rowcount)


def token_user(store: Store, token: str | None) -> str | None:
    """The name behind a live token, or None."""
    if not token or len(token) > 200:
        return None
    with store.engine.connect() as connection:
        name = connection.execute(
            select(tables.api_tokens.c.name).where(
                tables.api_tokens.c.token_hash == _digest(token),
                tables.api_tokens.c.revoked_at.is_(None),
            )
        ).scalar_one_or_none()
    return None if name is None else str(name)


def csrf_token(secret: bytes, session: str) -> str:
    return hmac.new(secret, session.encode("utf-8"), hashlib.sha256).hexdigest()


def csrf_ok(secret: bytes, session: str | None, sent: str | None) -> bool:
    if not session or not sent:
        return False
    return hmac.compare_digest(csrf_token(secret, session), sent)
