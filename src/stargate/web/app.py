"""The dashboard's FastAPI application: settings, wiring, security headers, size limits and
errors. Routes live in :mod:`.pages` (reads: HTML page, ``.json`` twin, ``/api/`` route) and
:mod:`.writes` (reviews, merges, stress runs, login)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from stargate import __version__
from stargate.ledger.store import Store
from stargate.web import assets
from stargate.web.auth import COOKIE, csrf_token, token_user
from stargate.web.jobs import StressJobs
from stargate.web.snapshot import Snapshots

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@dataclass(frozen=True)
class Settings:
    """What a running dashboard is configured with (``stargate serve`` sets them)."""

    db: str | None = None
    page_size: int = 50
    max_body_bytes: int = 256 * 1024
    max_stress_scenarios: int = 200_000
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)


@dataclass
class Web:
    """What the routes share: settings, the store, its read model, the stress queue."""

    settings: Settings
    store: Store
    snapshots: Snapshots
    jobs: StressJobs
    templates: Jinja2Templates


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


def current_user(request: Request) -> str | None:
    return token_user(web(request).store, request.cookies.get(COOKIE))


def render(request: Request, template: str, data: dict[str, Any], status: int = 200) -> Response:
    """An HTML page: the template gets the page's data, the user and a CSRF token for forms."""
    state = web(request)
    session = request.cookies.get(COOKIE)
    user = token_user(state.store, session)
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


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, whether declared or streamed: the
    body is read (at most ``limit`` bytes) before the app sees the request, then replayed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in {"GET", "HEAD", "OPTIONS"}:
            await self.app(scope, receive, send)
            return
        too_large = json_error(413, f"request body over {self.limit} bytes")
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await too_large(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            body += message.get("body", b"")
            if len(body) > self.limit:
                await too_large(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)


class SecurityHeaders:
    """CSP (scripts only from this origin), no sniffing, no framing, no referrer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"no-referrer"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers if scope["type"] == "http" else send)


def _templates() -> Jinja2Templates:
    folder = Path(str(resources.files("stargate.web") / "templates"))
    templates = Jinja2Templates(directory=folder)
    env = templates.env
    env.filters["usd"] = usd
    env.filters["num"] = num
    env.filters["pct"] = lambda v: "—" if v is None else f"{v:.1%}"
    env.filters["compact"] = lambda v: json.dumps(v, ensure_ascii=False)
    return templates


def usd(value: Any) -> str:
    """$1.2B style, for the tables (the JSON twin keeps the exact number)."""
    if value is None:
        return "—"
    value = float(value)
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        if abs(value) >= scale:
            return f"${value / scale:,.1f}{suffix}"
    return f"${value:,.0f}"


def num(value: Any, digits: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, int | float):
        return f"{value:,.{digits}g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The dashboard over one store (migrated on start)."""
    from stargate.web import pages, writes

    settings = settings or Settings()
    store = Store.open(settings.db)
    snapshots = Snapshots(store)
    state = Web(settings, store, snapshots, StressJobs(store, snapshots), _templates())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> Any:
        yield
        state.jobs.shutdown()
        store.close()

    app = FastAPI(
        title="stargate", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
        description="An open, sourced, executable model of the AI-infrastructure build-out. "
        "Every read page has a `.json` twin; `/api/` routes are documented here.",
    )  # fmt: skip
    app.state.web = state
    static = Path(str(resources.files("stargate.web") / "static"))
    app.mount("/static", StaticFiles(directory=static), name="static")
    app.include_router(pages.router)
    app.include_router(writes.router)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if wants_json(request):
            return json_error(error.status_code, str(error.detail))
        data = {"status": error.status_code, "message": str(error.detail)}
        return render(request, "error.html", data, status=error.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        details = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
            for e in error.errors()
        ]
        message = "; ".join(f"{d['field']}: {d['message']}" for d in details)
        if wants_json(request):
            return json_error(422, f"invalid request: {message}", details)
        return render(request, "error.html", {"status": 422, "message": message}, status=422)

    @app.get("/api", include_in_schema=False)
    @app.get("/api.json", include_in_schema=False)
    def api_index(request: Request) -> Response:
        routes = [
            {"path": path, "method": method.upper(), "summary": op.get("summary", ""),
             "tags": op.get("tags", [])}
            for path, ops in app.openapi()["paths"].items() for method, op in ops.items()
        ]  # fmt: skip
        data = {"openapi": "/openapi.json", "routes": routes}
        return JSONResponse(data) if wants_json(request) else render(request, "api.html", data)

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return Response(status_code=204)

    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    return app
