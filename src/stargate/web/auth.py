"""Who is writing: bearer tokens, sessions and CSRF checks, done before a write route reads or
validates its body (an unauthenticated write gets 401, never 422 with the field schema).

Tokens and sessions live in the ledger (:mod:`stargate.ledger.access`). Clients send a token as
``Authorization: Bearer TOKEN``, or log in with it at ``/login``, which opens a session: the
HttpOnly, SameSite=Strict cookie carries the session's own random identifier (never the token),
and the session ends when it expires, at logout, or when its token is revoked. Form posts and
cookie-authenticated API calls also carry a CSRF token, an HMAC of the session with the app's
secret; the login form carries one bound to a pre-session cookie, so that no other site can log
a browser in (login CSRF). Both follow the OWASP CSRF Prevention Cheat Sheet ("signed
double-submit cookie"),
https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Coroutine
from typing import Any, Final

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute

COOKIE: Final = "stargate_session"
LOGIN_COOKIE: Final = "stargate_login"
_FORMS: Final = ("application/x-www-form-urlencoded", "multipart/form-data")
_HTTP_URL: Final = re.compile(r"https?://[^\s\x00-\x1f\x7f-\x9f\"'<>\\`]+", re.IGNORECASE)


def csrf_token(secret: bytes, session: str) -> str:
    return hmac.new(secret, session.encode("utf-8"), hashlib.sha256).hexdigest()


def csrf_ok(secret: bytes, session: str | None, sent: str | None) -> bool:
    if not session or not sent:
        return False
    return hmac.compare_digest(csrf_token(secret, session), sent)


def login_nonce() -> str:
    """The value of a new pre-session cookie, to which the login form's CSRF token is bound."""
    return secrets.token_urlsafe(32)


def login_csrf(secret: bytes, nonce: str) -> str:
    return csrf_token(secret, f"login:{nonce}")


def is_http_url(value: object) -> bool:
    """Whether ``value`` may be rendered as a link: an absolute ``http``/``https`` address
    without spaces, controls or quotes (``javascript:``, ``data:`` and the rest stay text)."""
    return isinstance(value, str) and _HTTP_URL.fullmatch(value) is not None


async def authenticate(request: Request) -> str:
    """The user behind a write request; raises 401 (no or dead token or session) or 403 (a
    cookie session without its CSRF token, sent as the ``csrf`` form field or the
    ``X-CSRF-Token`` header)."""
    state = request.app.state.web
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user: str | None = state.store.tokens.user(header[7:].strip())
        if user is None:
            raise HTTPException(401, "the bearer token is unknown or revoked")
        return user
    session = request.cookies.get(COOKIE)
    user = state.store.sessions.user(session)
    if user is None:
        raise HTTPException(
            401,
            "a token is needed: send `Authorization: Bearer TOKEN` or log in at /login "
            "(tokens come from `stargate token create NAME`; sessions expire)",
        )
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(_FORMS):
        field = (await request.form()).get("csrf")  # parsed once; the route reuses it
        sent = field if isinstance(field, str) else None
    if not csrf_ok(state.settings.secret, session, sent):
        raise HTTPException(403, "missing or wrong CSRF token; reload the page and try again")
    return user


class WriteRoute(APIRoute):
    """A write route: :func:`authenticate` runs before FastAPI reads or validates the body, and
    the user is left in ``request.state.user``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def authenticated(request: Request) -> Response:
            request.state.user = await authenticate(request)
            return await handler(request)

        return authenticated
