"""What the dashboard's routes share: the settings, the app state (store, read model, stress
queue, templates), rendering a page, and JSON errors. Route modules import this; :mod:`.app`
only assembles the application."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates

from stargate import __version__
from stargate.ledger.store import Store
from stargate.web import assets
from stargate.web.auth import COOKIE, csrf_token, is_http_url
from stargate.web.jobs import StressJobs
from stargate.web.results import ScenarioResults
from stargate.web.snapshot import Snapshots
from stargate.web.static import asset_url


@dataclass(frozen=True)
class Settings:
    """What a running dashboard is configured with (``stargate serve`` sets them)."""

    db: str | None = None
    page_size: int = 50
    max_body_bytes: int = 256 * 1024
    max_stress_scenarios: int = 200_000
    session_hours: float = 12.0
    as_of: date | None = None  # the World as of this date (None: today, each time it is read)
    results_scenarios: int = 2_000  # scenarios per cached built-in result (readable by all)
    time_travel_scenarios: int = 400  # per month of the time travel
    precompute: bool = True  # compute the cached results at start (else on first view)
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)


@dataclass
class Web:
    """What the routes share: settings, the store, its read model, the stress queue."""

    settings: Settings
    store: Store
    snapshots: Snapshots
    jobs: StressJobs
    templates: Jinja2Templates
    results: ScenarioResults


def web(request: Request) -> Web:
    state: Web = request.app.state.web
    return state


def wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path.endswith(".json"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def json_error(status: int, message: str, details: Any = None) -> JSONResponse:
    body: dict[str, Any] = {"error": {"status": status, "message": message}}
    if details is not None:
        body["error"]["details"] = details
    return JSONResponse(body, status_code=status)


def render(request: Request, template: str, data: dict[str, Any], status: int = 200) -> Response:
    """An HTML page: the template gets the page's data, the user and a CSRF token for forms."""
    state = web(request)
    session = request.cookies.get(COOKIE)
    user = state.store.sessions.user(session)
    context = {
        "data": data, "user": user,
        "csrf": csrf_token(state.settings.secret, session) if user and session else "",
        "json_url": _json_twin(request), "version": __version__,
        "missing_assets": assets.missing(),
    }  # fmt: skip
    return state.templates.TemplateResponse(request, template, context, status_code=status)


def _json_twin(request: Request) -> str:
    path = request.url.path.rstrip("/") or "/index"
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{path}.json{query}"


def templates() -> Jinja2Templates:
    folder = Path(str(resources.files("stargate.web") / "templates"))
    templates = Jinja2Templates(directory=folder)
    env = templates.env
    env.filters["usd"] = usd
    env.filters["num"] = num
    env.filters["pct"] = lambda v: "—" if v is None else f"{v:.1%}"
    env.filters["compact"] = lambda v: json.dumps(v, ensure_ascii=False)
    env.tests["http_url"] = is_http_url  # only these addresses become links
    env.globals["asset"] = asset_url
    env.filters["gw"] = gw
    return templates


def usd(value: Any) -> str:
    """$1.2B style, for the tables (the JSON twin keeps the exact number)."""
    if value is None:
        return "—"
    value = float(value)
    sign = "-" if value < 0 else ""
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        if abs(value) >= scale:
            return f"{sign}${abs(value) / scale:,.1f}{suffix}"
    return f"{sign}${abs(value):,.0f}"


def gw(value: Any) -> str:
    """Gigawatts as quoted (two decimals at most)."""
    if value is None:
        return "—"
    return f"{float(value):,.2f}".rstrip("0").rstrip(".") + " GW"


def num(value: Any, digits: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, int | float):
        return f"{value:,.{digits}g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)
