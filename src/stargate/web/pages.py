"""Read routes. Each view returns plain data and is served three ways: the HTML page, its
``.json`` twin (same path plus ``.json``), and a documented ``/api/`` route (in the OpenAPI
schema). Lists are paginated with ``page`` and ``size``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from stargate.web import views
from stargate.web.auth import COOKIE
from stargate.web.context import render, web
from stargate.web.snapshot import Snapshot

router = APIRouter()

View = Callable[..., dict[str, Any]]
Page = Annotated[int, Query(ge=1, le=1_000_000, description="page number, from 1")]
Size = Annotated[int | None, Query(ge=1, le=views.MAX_PAGE_SIZE, description="items per page")]
Id = Annotated[str, Path(min_length=1, max_length=200)]
Filter = Annotated[str | None, Query(max_length=200)]


def read(
    path: str,
    template: str,
    api: str,
    summary: str,
    json_path: str | None = None,
    *,
    memo: bool = True,
) -> Callable[[View], View]:
    """Register ``view`` as an HTML page, its JSON twin and an API route.

    With ``memo`` (views that depend only on the ledger), rendered bodies are kept with the
    snapshot they came from: JSON always, HTML for visitors without a session (whose pages carry
    no forms or CSRF token)."""

    def register(view: View) -> View:
        def data(kwargs: dict[str, Any]) -> dict[str, Any]:
            try:
                return view(**kwargs)
            except views.NotFoundError as error:
                raise HTTPException(404, str(error)) from error

        def remembered(kind: str, request: Request, make: Callable[[], bytes]) -> bytes:
            if not memo:
                return make()
            snapshot = _snapshot(request)
            key = (kind, request.url.path, request.url.query)
            body = snapshot.memo.get(key)
            return body if body is not None else snapshot.remember(key, make())

        # async: served on the event loop, not a thread pool, so that 50 clients do not queue
        # behind the GIL's switch interval; a memoised page is a dictionary look-up.
        async def page(**kwargs: Any) -> Response:
            request: Request = kwargs["request"]
            if request.cookies.get(COOKIE):
                return render(request, template, data(kwargs))
            body = remembered(
                "html", request, lambda: bytes(render(request, template, data(kwargs)).body)
            )
            return HTMLResponse(body)

        async def twin(**kwargs: Any) -> Response:
            request: Request = kwargs["request"]
            body = remembered("json", request, lambda: bytes(JSONResponse(data(kwargs)).body))
            return Response(body, media_type="application/json")

        for endpoint in (page, twin):
            functools.update_wrapper(endpoint, view)
        router.add_api_route(json_path or f"{path}.json", twin, methods=["GET"],
                             include_in_schema=False)  # fmt: skip
        router.add_api_route(api, twin, methods=["GET"], summary=summary, tags=["read"])
        router.add_api_route(path, page, methods=["GET"], include_in_schema=False,
                             response_class=HTMLResponse)  # fmt: skip
        return view

    return register


def _snapshot(request: Request) -> Snapshot:
    return web(request).snapshots.get()


def _size(request: Request, size: int | None) -> int:
    return size or web(request).settings.page_size


@read("/", "index.html", "/api/overview", "Headline figures, money graph, flows, timeline",
      json_path="/index.json")  # fmt: skip
def overview(request: Request) -> dict[str, Any]:
    return views.overview(_snapshot(request))


@read("/entities", "entities.html", "/api/entities", "Entities (paginated, filter by q)")
def entities(
    request: Request, page: Page = 1, size: Size = None, q: Filter = None
) -> dict[str, Any]:
    return views.entity_list(_snapshot(request), page, _size(request, size), q)


@read("/entities/{entity_id}", "entity.html", "/api/entities/{entity_id}",
      "One entity: agreements, resolved numbers with their claims, finances, priors")  # fmt: skip
def entity(request: Request, entity_id: Id) -> dict[str, Any]:
    return views.entity(_snapshot(request), entity_id)


@read("/agreements", "agreements.html", "/api/agreements", "Agreements (paginated, by kind)")
def agreements(
    request: Request, page: Page = 1, size: Size = None, kind: Filter = None
) -> dict[str, Any]:
    return views.agreement_list(_snapshot(request), page, _size(request, size), kind)


@read("/agreements/{agreement_id}", "agreement.html", "/api/agreements/{agreement_id}",
      "One agreement: terms, payments, sources and supporting claims")  # fmt: skip
def agreement(request: Request, agreement_id: Id) -> dict[str, Any]:
    return views.agreement(_snapshot(request), agreement_id)


@read("/sites", "sites.html", "/api/sites", "Sites: GW announced, under construction, operational")
def sites(request: Request) -> dict[str, Any]:
    return views.site_list(_snapshot(request))


@read("/sites/{site_id}", "site.html", "/api/sites/{site_id}",
      "One site: power over time, owner, tenant, offtaker, sources, agreements")  # fmt: skip
def site(request: Request, site_id: Id) -> dict[str, Any]:
    return views.site(_snapshot(request), site_id)


@read("/sources", "sources.html", "/api/sources", "Source documents (paginated)")
def sources(request: Request, page: Page = 1, size: Size = None) -> dict[str, Any]:
    return views.source_list(_snapshot(request), page, _size(request, size))


@read("/sources/{source_id}", "source.html", "/api/sources/{source_id}",
      "One document, cut into plain and claim-highlighted segments")  # fmt: skip
def source(request: Request, source_id: Id) -> dict[str, Any]:
    return views.source(_snapshot(request), source_id)


@read("/claims", "claims.html", "/api/claims", "Claims (paginated; by entity, kind, source)")
def claims(
    request: Request, page: Page = 1, size: Size = None, entity: Filter = None,
    kind: Filter = None, source: Filter = None,
) -> dict[str, Any]:  # fmt: skip
    return views.claim_list(_snapshot(request), page, _size(request, size), entity=entity,
                            kind=kind, source=source)  # fmt: skip


@read("/claims/{claim_id}", "claim.html", "/api/claims/{claim_id}",
      "One claim with its quote in context")  # fmt: skip
def claim(request: Request, claim_id: Id) -> dict[str, Any]:
    return views.claim(_snapshot(request), claim_id)


@read("/review", "review.html", "/api/review",
      "The review inbox: candidate agreements, revisions and status changes")  # fmt: skip
def review(request: Request) -> dict[str, Any]:
    from stargate.web.inbox import items

    return items(request)


@read("/stress", "stress.html", "/api/stress",
      "Built-in scenarios, the scenario form's fields and recent runs", memo=False)  # fmt: skip
def stress(request: Request, scenario: Filter = None) -> dict[str, Any]:
    from stargate.finance.scenarios import ScenarioError, builtin_scenarios, load_scenario
    from stargate.web.forms import form_values, scenario_fields

    names = builtin_scenarios()
    chosen = scenario or "baseline"
    if chosen not in names:
        raise views.NotFoundError(
            f"no built-in scenario {chosen!r}; choose one of {', '.join(names)}"
        )
    try:
        loaded = [load_scenario(name) for name in names]
    except ScenarioError as error:  # a broken bundled file is a server bug, said plainly
        raise HTTPException(500, str(error)) from error
    current = next(s for s in loaded if s.name == chosen)
    return {
        "scenarios": [{"name": s.name, "description": s.description, "horizon": list(s.horizon),
                       "scenarios": s.scenarios, "seed": s.seed} for s in loaded],
        "chosen": chosen,
        "fields": [asdict(f) for f in scenario_fields()],
        "values": form_values(current),
        "max_scenarios": web(request).settings.max_stress_scenarios,
        "runs": web(request).jobs.recent(),
    }  # fmt: skip


@read("/stress/runs/{run_id}", "stress_run.html", "/api/stress/runs/{run_id}",
      "One stress run: status, progress, results and the default-probability fan",
      memo=False)  # fmt: skip
def stress_run(request: Request, run_id: Id, entity: Filter = None) -> dict[str, Any]:
    from stargate.web.jobs import fan

    found = web(request).jobs.get(run_id)
    if found is None:
        raise views.NotFoundError(f"no stress run {run_id!r}")
    result = found["result"]
    found["fan"] = fan(result) if result else []
    found["ranked"] = sorted(
        ({"entity": name, **figures, "reference": result["reference"].get(name)}
         for name, figures in result["entities"].items()
         if figures["p_default"] > 0 or figures["loss_p95_usd"] > 0),
        key=lambda row: (-row["p_default"], -row["loss_p95_usd"]),
    ) if result else []  # fmt: skip
    found["waterfall"] = views.stress_waterfall(
        _snapshot(request), found["scenario"], entity, [row["entity"] for row in found["ranked"]]
    ) if result else None  # fmt: skip
    return found


@read("/calculators", "calculators.html", "/api/calculators",
      "Capacity (GW to accelerators, energy, capex) and training-run cost")  # fmt: skip
def calculators(
    request: Request,
    power_gw: Annotated[float | None, Query(gt=0, le=1000)] = None,
    basis: Annotated[str, Query(pattern="^(it|facility)$")] = "it",
    chip: Annotated[str, Query(max_length=50)] = "H100",
    pue: Annotated[float | None, Query(ge=1, le=3)] = None,
    active_params: Annotated[float | None, Query(gt=0, le=1e16)] = None,
    tokens: Annotated[float | None, Query(gt=0, le=1e17)] = None,
    precision: Annotated[str, Query(pattern="^(bf16|fp8)$")] = "bf16",
    mfu: Annotated[float, Query(gt=0, le=1)] = 0.375,
    price_per_gpu_hour: Annotated[float, Query(ge=0, le=1000)] = 2.0,
) -> dict[str, Any]:
    from stargate.web.calculators import calculate

    return calculate(
        power_gw=power_gw, basis=basis, chip=chip, pue=pue, active_params=active_params,
        tokens=tokens, precision=precision, mfu=mfu, price_per_gpu_hour=price_per_gpu_hour,
    )  # fmt: skip
