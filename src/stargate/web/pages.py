"""Read routes. Each view returns plain data and is served three ways: the HTML page, its
``.json`` twin (same path plus ``.json``), and a documented ``/api/`` route (in the OpenAPI
schema). Lists are paginated with ``page`` and ``size``."""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from stargate.web import risk, views
from stargate.web.auth import COOKIE
from stargate.web.colours import colours
from stargate.web.context import render, web
from stargate.web.results import CACHE_USER, TIME_TRAVEL_USER
from stargate.web.snapshot import Snapshot
from stargate.web.stress_page import stress_data

router = APIRouter()

View = Callable[..., dict[str, Any]]
Page = Annotated[int, Query(ge=1, le=1_000_000, description="page number, from 1")]
Size = Annotated[int | None, Query(ge=1, le=views.MAX_PAGE_SIZE, description="items per page")]
Id = Annotated[str, Path(min_length=1, max_length=200)]
Filter = Annotated[str | None, Query(max_length=200)]
Ids = Annotated[str | None, Query(max_length=views.MAX_IDS * 33, pattern="^[0-9a-fA-F,]*$")]
Scenario = Annotated[str, Query(min_length=1, max_length=100)]
Day = Annotated[date | None, Query(description="the World as of this date (YYYY-MM-DD)")]
Columns = tuple[str, ...]


def read(
    path: str,
    template: str,
    api: str,
    summary: str,
    json_path: str | None = None,
    *,
    memo: bool = True,
    results: bool = False,
    csv_columns: Columns = (),
) -> Callable[[View], View]:
    """Register ``view`` as an HTML page, its JSON twin and an API route.

    With ``memo`` (views that depend only on the ledger), rendered bodies are kept with the
    snapshot they came from: JSON always, HTML for visitors without a session (whose pages carry
    no forms or CSRF token); ``results`` adds the cached scenario results' state to the key
    (pages that show them). ``csv_columns`` adds a ``.csv`` twin of a list: every item the
    filters keep (all pages), those columns."""

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
            extra = web(request).results.token() if results else ""
            key = (kind, request.url.path, request.url.query, extra)
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

        async def table(**kwargs: Any) -> Response:
            request: Request = kwargs["request"]
            body = remembered("csv", request, lambda: csv_body(
                data({**kwargs, "page": 1, "size": 10**9})["items"], csv_columns))  # fmt: skip
            name = path.strip("/").replace("/", "-") or "index"
            return Response(
                body,
                media_type="text/csv; charset=utf-8",
                headers={"content-disposition": f'attachment; filename="{name}.csv"'},
            )

        for endpoint in (page, twin, table):
            functools.update_wrapper(endpoint, view)
        if csv_columns:
            router.add_api_route(f"{path}.csv", table, methods=["GET"], include_in_schema=False)
        router.add_api_route(json_path or f"{path}.json", twin, methods=["GET"],
                             include_in_schema=False)  # fmt: skip
        router.add_api_route(api, twin, methods=["GET"], summary=summary, tags=["read"])
        router.add_api_route(path, page, methods=["GET"], include_in_schema=False,
                             response_class=HTMLResponse)  # fmt: skip
        return view

    return register


def csv_body(items: list[dict[str, Any]], columns: Columns) -> bytes:
    """CSV of list items: the chosen columns, lists joined by ``;`` (a spreadsheet's cells)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for item in items:
        cells = []
        for column in columns:
            value = item.get(column)
            if isinstance(value, list | tuple):
                value = ";".join(str(v) for v in value)
            cells.append("" if value is None else value)
        writer.writerow(cells)
    return buffer.getvalue().encode("utf-8")


def _snapshot(request: Request) -> Snapshot:
    return web(request).snapshots.get()


def _size(request: Request, size: int | None) -> int:
    return size or web(request).settings.page_size


@read("/", "index.html", "/api/overview",
      "Who loses (cached baseline and bubble-bursts results), headline figures, money graph, "
      "flows, timeline", json_path="/index.json", results=True)  # fmt: skip
def overview(request: Request) -> dict[str, Any]:
    snapshot = _snapshot(request)
    return {
        "who_loses": risk.who_loses(web(request).results, snapshot),
        **views.overview(snapshot),
        "colours": colours(snapshot),
    }


@read("/entities", "entities.html", "/api/entities", "Entities (paginated, filter by q)",
      csv_columns=("id", "name", "type", "role", "parent_id", "merged_into"))  # fmt: skip
def entities(
    request: Request, page: Page = 1, size: Size = None, q: Filter = None
) -> dict[str, Any]:
    return views.entity_list(_snapshot(request), page, _size(request, size), q)


@read("/entities/{entity_id}", "entity.html", "/api/entities/{entity_id}",
      "One entity: its risk under each scenario and why, agreements, resolved numbers with "
      "their claims, finances, priors", results=True)  # fmt: skip
def entity(request: Request, entity_id: Id) -> dict[str, Any]:
    snapshot = _snapshot(request)
    data = views.entity(snapshot, entity_id)
    canonical = snapshot.canonical.get(entity_id, entity_id)
    data["risk"] = risk.entity_risk(web(request).results, snapshot, canonical)
    data["colours"] = colours(snapshot)
    return data


@read("/agreements", "agreements.html", "/api/agreements",
      "Agreements (paginated; by kind, name, party or payee; with the filtered total)",
      csv_columns=("id", "name", "kind", "payers", "payee", "amount_usd", "amount_low_usd",
                   "amount_high_usd", "annual_usd", "term_years", "start_year", "capacity_gw",
                   "site", "latest_status", "status_date"))  # fmt: skip
def agreements(
    request: Request, page: Page = 1, size: Size = None, kind: Filter = None, q: Filter = None,
    party: Filter = None, payee: Filter = None,
) -> dict[str, Any]:  # fmt: skip
    return views.agreement_list(_snapshot(request), page, _size(request, size), kind, q=q,
                                party=party, payee=payee)  # fmt: skip


@read("/agreements/{agreement_id}", "agreement.html", "/api/agreements/{agreement_id}",
      "One agreement: terms, payments, sources and supporting claims")  # fmt: skip
def agreement(request: Request, agreement_id: Id) -> dict[str, Any]:
    return views.agreement(_snapshot(request), agreement_id)


@read("/sites", "sites.html", "/api/sites",
      "Sites: GW announced, under construction, operational; power over time; places",
      csv_columns=("id", "name", "owner", "tenant", "offtaker", "power_basis", "announced_gw",
                   "under_construction_gw", "operational_gw", "latest_status",
                   "latest_date"))  # fmt: skip
def sites(request: Request, page: Page = 1, size: Size = None) -> dict[str, Any]:
    snapshot = _snapshot(request)
    data = views.site_list(snapshot)
    if size is not None:  # the .csv twin asks for everything; the page shows every site
        data["items"] = data["items"][(page - 1) * size : page * size]
    return {**data, "colours": colours(snapshot)}


@read("/sites/{site_id}", "site.html", "/api/sites/{site_id}",
      "One site: power over time, owner, tenant, offtaker, sources, agreements")  # fmt: skip
def site(request: Request, site_id: Id) -> dict[str, Any]:
    return views.site(_snapshot(request), site_id)


@read("/sources", "sources.html", "/api/sources", "Source documents (paginated; q: title)",
      csv_columns=("id", "title", "publisher", "published_at", "language", "url", "license",
                   "claims", "characters"))  # fmt: skip
def sources(
    request: Request, page: Page = 1, size: Size = None, q: Filter = None
) -> dict[str, Any]:
    return views.source_list(_snapshot(request), page, _size(request, size), q)


@read("/sources/{source_id}", "source.html", "/api/sources/{source_id}",
      "One document, cut into plain and claim-highlighted segments")  # fmt: skip
def source(request: Request, source_id: Id) -> dict[str, Any]:
    return views.source(_snapshot(request), source_id)


@read("/claims", "claims.html", "/api/claims",
      "Claims (paginated; by ids, entity id or name, kind, source, words of the quote)",
      csv_columns=("id", "kind", "amount", "amount_max", "unit", "bound", "period", "status",
                   "polarity", "subjects", "object", "quote", "speaker", "source_id",
                   "publisher", "published_at", "url", "rank", "origin"))  # fmt: skip
def claims(
    request: Request, page: Page = 1, size: Size = None, entity: Filter = None,
    kind: Filter = None, source: Filter = None, ids: Ids = None, q: Filter = None,
) -> dict[str, Any]:  # fmt: skip
    return views.claim_list(_snapshot(request), page, _size(request, size), entity=entity,
                            kind=kind, source=source, ids=ids, q=q)  # fmt: skip


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
      "Built-in scenarios, their cached results, the scenario form's fields and recent runs",
      memo=False)  # fmt: skip
def stress(request: Request, scenario: Filter = None) -> dict[str, Any]:
    return stress_data(request, scenario or "baseline")


@read("/stress/runs/{run_id}", "stress_run.html", "/api/stress/runs/{run_id}",
      "One stress run: status, progress, results and the default-probability fan",
      memo=False)  # fmt: skip
def stress_run(request: Request, run_id: Id, entity: Filter = None) -> dict[str, Any]:
    from stargate.web.jobs import fan

    found = web(request).jobs.get(run_id)
    if found is None or found["user"] == TIME_TRAVEL_USER:
        raise views.NotFoundError(f"no stress run {run_id!r}")
    result = found["result"]
    snapshot = _snapshot(request)
    series = fan(result) if result else []
    found["fan"] = [{**s, "name": snapshot.name(s["entity"])} for s in series]
    found["ranked"] = sorted(
        ({"entity": name, **figures, "reference": result["reference"].get(name)}
         for name, figures in result["entities"].items()
         if figures["p_default"] > 0 or figures["loss_p95_usd"] > 0),
        key=lambda row: (-row["p_default"], -row["loss_p95_usd"]),
    ) if result else []  # fmt: skip
    ranked = [row["entity"] for row in found["ranked"]]
    chosen = entity or (ranked[0] if ranked else None)
    scenario = {k: v for k, v in found["scenario"].items() if k not in {"cache_key", "kind"}}
    why = risk.waterfall(_snapshot(request), scenario, chosen) if result and chosen else None
    if entity and result and why is None:
        raise views.NotFoundError(f"no waterfall for {entity!r} under this run's scenario")
    found["waterfall"] = {**why, "choices": ranked} if why else None
    found["cached"] = found["user"] == CACHE_USER
    found["colours"] = colours(_snapshot(request))
    return found


# -- who loses: cached results, comparisons, time travel -------------------------------------


@router.get("/api/scenarios", tags=["read"],
            summary="Built-in scenarios' cached results")  # fmt: skip
async def scenarios_api(request: Request) -> JSONResponse:
    """One item per built-in scenario: ``name``, ``status`` (``ready`` or ``computing``) and,
    when ready, ``entities``: ``{id: {"p_default", "loss_mean_usd"}}`` (no token needed)."""
    return JSONResponse(risk.scenarios(web(request).results))


@read("/compare", "compare.html", "/api/compare",
      "Two built-in scenarios (or one at two as-of dates) entity by entity, with differences",
      results=True)  # fmt: skip
def compare(
    request: Request, a: Scenario = "baseline", b: Scenario = "bubble-bursts",
    a_as_of: Day = None, b_as_of: Day = None,
) -> dict[str, Any]:  # fmt: skip
    snapshot = _snapshot(request)
    try:
        data = risk.compare(web(request).results, snapshot, a, b, a_as_of, b_as_of)
    except risk.UnknownScenarioError as error:
        raise HTTPException(404, str(error)) from error
    return {**data, "colours": colours(snapshot)}


@read("/timetravel", "timetravel.html", "/api/timetravel",
      "Each entity's default probability under the baseline as of each month, and the "
      "documents that moved it", results=True)  # fmt: skip
def timetravel(request: Request) -> dict[str, Any]:
    snapshot = _snapshot(request)
    return {**risk.time_travel(web(request).results, snapshot), "colours": colours(snapshot)}


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
