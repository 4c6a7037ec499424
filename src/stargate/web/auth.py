"""CSRF protection for the dashboard's forms, and the session cookie's name.

Tokens live in the ledger (:mod:`stargate.ledger.access`). Clients send one as
``Authorization: Bearer TOKEN`` or log in with it, which sets an HttpOnly, SameSite=Strict
session cookie. Form posts and cookie-authenticated API calls also carry a CSRF token: an HMAC
of the session with the app's secret (double-submit, OWASP).
"""

from __future__ import annotations

import hashlib
import hmac

COOKIE = "stargate_session"


def csrf_token(secret: bytes, session: str) -> str:
    return hmac.new(secret, session.encode("utf-8"), hashlib.sha256).hexdigest()


def csrf_ok(secret: bytes, session: str | None, sent: str | None) -> bool:
    if not session or not sent:
        return False
    return hmac.compare_digest(csrf_token(secret, session), sent)
