"""The dashboard's FastAPI application: settings, wiring, security headers, size limits and
errors. Routes live in :mod:`.pages` (reads: HTML page, ``.json`` twin, ``/api/`` route) and
:mod:`.writes` (reviews, merges, stress runs, login); what they share is in :mod:`.context`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from stargate import __version__
from stargate.ledger.store import Store
from stargate.web import inbox, pages, static, writes
from stargate.web.context import Settings, Web, json_error, render, templates, wants_json
from stargate.web.jobs import StressJobs
from stargate.web.results import ScenarioResults
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


def create_app(settings: Settings | None = None) -> FastAPI:
    """The dashboard over one store (migrated on start)."""
    settings = settings or Settings()
    store = Store.open(settings.db)
    snapshots = Snapshots(store, as_of=settings.as_of)
    results = ScenarioResults(store, snapshots, scenarios=settings.results_scenarios,
                              time_travel_scenarios=settings.time_travel_scenarios)  # fmt: skip
    state = Web(settings, store, snapshots, StressJobs(store, snapshots), templates(), results)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> Any:
        if settings.precompute:
            results.warm()
        yield
        results.shutdown(wait=5.0)
        state.jobs.shutdown()
        store.close()

    app = FastAPI(
        title="stargate", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
        description="An open, sourced, executable model of the AI-infrastructure build-out. "
        "Every read page has a `.json` twin; `/api/` routes are documented here.",
    )  # fmt: skip
    app.state.web = state
    app.include_router(static.router)
    app.include_router(pages.router)
    app.include_router(writes.router)
    app.include_router(inbox.router)

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
    # pages and JSON compressed on the fly (static files come compressed already)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)
    app.add_middleware(SecurityHeaders)
    return app
