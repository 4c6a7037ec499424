"""Write routes: log in with a token, review and correct claims, merge entities, start stress
runs. Every write needs a token (bearer header, or the session cookie plus a CSRF token), checked
before the body is read (:class:`~stargate.web.auth.WriteRoute`), and records a new row (a
review, a superseding claim, a judgement, a run); claims are never edited."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, HTTPException, Path, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from stargate.ledger.errors import StoreError
from stargate.ledger.records import (
    ClaimKind,
    ClaimLink,
    ClaimReview,
    Judgement,
    Rank,
    Relation,
    Verdict,
)
from stargate.units import Quantity, UnitError
from stargate.web.auth import (
    COOKIE,
    LOGIN_COOKIE,
    WriteRoute,
    csrf_ok,
    login_csrf,
    login_nonce,
)
from stargate.web.context import render, web

router = APIRouter()
writes = APIRouter(route_class=WriteRoute)  # authenticated before the body is validated

Id = Annotated[str, Path(min_length=1, max_length=200)]
Text = Annotated[str, Form(max_length=2000)]
Action = Literal["accept", "reject", "rank"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReviewBody(_Body):
    action: Action = Field(description="accept (rank normal), reject (deprecated), or rank")
    rank: Rank | None = Field(default=None, description="the rank, for action=rank")
    reason: str | None = Field(default=None, max_length=2000)


class CorrectionBody(_Body):
    amount: str = Field(max_length=40, description="the corrected amount, as a decimal")
    amount_max: str | None = Field(default=None, max_length=40)
    unit: str | None = Field(default=None, max_length=16)
    kind: ClaimKind | None = None
    reason: str | None = Field(default=None, max_length=2000)


class MergeBody(_Body):
    left: str = Field(min_length=1, max_length=200)
    right: str = Field(min_length=1, max_length=200)


class StressBody(_Body):
    scenario: str = Field(default="baseline", max_length=100, description="a built-in name")
    scenarios: int | None = Field(default=None, ge=1)
    seed: int | None = Field(default=None, ge=0)
    overrides: dict[str, Any] = Field(default={}, description="fields to replace, nested")


def writer(request: Request) -> str:
    """The user :class:`~stargate.web.auth.WriteRoute` authenticated for this request."""
    user: str = request.state.user
    return user


def _back(target: str | None, fallback: str) -> RedirectResponse:
    """Redirect after a form, only to a path on this site."""
    safe = target if target and target.startswith("/") and not target.startswith("//") else None
    return RedirectResponse(safe or fallback, status_code=303)


def _store_error(error: StoreError | UnitError) -> HTTPException:
    message = str(error)
    return HTTPException(404 if message.startswith("unknown") else 422, message)


# -- actions shared by forms and the API ---------------------------------------------------------


def review(request: Request, claim_id: str, body: ReviewBody, user: str) -> int:
    rank = {"accept": Rank.NORMAL, "reject": Rank.DEPRECATED}.get(body.action, body.rank)
    if rank is None:
        raise HTTPException(422, "action=rank needs a rank: preferred, normal or deprecated")
    reason = body.reason or {"accept": "accepted", "reject": "rejected"}.get(body.action)
    try:
        return web(request).store.review_claim(ClaimReview(claim_id, rank, user, reason))
    except StoreError as error:
        raise _store_error(error) from error
    finally:
        web(request).snapshots.invalidate()


def correct(request: Request, claim_id: str, body: CorrectionBody, user: str) -> str:
    """Add a corrected copy of a claim by ``user`` that supersedes the original."""
    state = web(request)
    stored = state.snapshots.get().claims.get(claim_id)
    if stored is None:
        raise HTTPException(404, f"unknown claim {claim_id!r}")
    old = stored.claim
    if old.quantity is None:
        raise HTTPException(422, f"claim {claim_id} has no amount to correct (a {old.kind})")
    try:
        quantity = Quantity(
            Decimal(body.amount.strip()), body.unit or old.quantity.unit, old.quantity.bound,
            Decimal(body.amount_max.strip()) if body.amount_max else None,
        )  # fmt: skip
    except (InvalidOperation, UnitError) as error:
        raise HTTPException(422, f"amount: {error or 'not a number'}") from error
    fixed = replace(old, quantity=quantity, kind=body.kind or old.kind, origin=f"review:{user}",
                    confidence=1.0, created_at=None, rank=Rank.NORMAL,
                    rank_reason=body.reason or "corrected by a reviewer")  # fmt: skip
    if fixed.id == claim_id:
        raise HTTPException(422, "the correction changes nothing")
    link = ClaimLink(fixed.id, claim_id, Relation.SUPERSEDES, user, body.reason)
    try:
        state.store.add_claims([fixed], links=[link])
    except (StoreError, UnitError) as error:
        raise _store_error(error) from error
    finally:
        state.snapshots.invalidate()
    return fixed.id


def merge(request: Request, body: MergeBody, user: str) -> int:
    try:
        return web(request).store.judge(Judgement(body.left, body.right, Verdict.POSITIVE, user))
    except StoreError as error:
        raise _store_error(error) from error
    finally:
        web(request).snapshots.invalidate()


def start_stress(request: Request, scenario: Any, user: str) -> str:
    from stargate.finance.scenarios import ScenarioError

    try:
        return web(request).jobs.submit(scenario, user)
    except ScenarioError as error:
        raise HTTPException(422, str(error)) from error


# -- login ----------------------------------------------------------------------------------------


def _login_page(
    request: Request, error: str | None = None, status: int = 200, nonce: str | None = None
) -> Response:
    """The login form, with a CSRF token bound to the pre-session cookie (set when missing)."""
    secret = web(request).settings.secret
    nonce = nonce or request.cookies.get(LOGIN_COOKIE) or login_nonce()
    data = {"error": error, "csrf": login_csrf(secret, nonce)}
    response = render(request, "login.html", data, status=status)
    response.set_cookie(LOGIN_COOKIE, nonce, httponly=True, samesite="strict", path="/login",
                        secure=request.url.scheme == "https", max_age=3600)  # fmt: skip
    return response


@router.get("/login", include_in_schema=False)
def login_page(request: Request) -> Response:
    return _login_page(request)


@router.post("/login", include_in_schema=False)
def login(
    request: Request, token: Annotated[str, Form(max_length=200)],
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:  # fmt: skip
    """Open a session for a live token; the form must carry the CSRF token of the login page
    this browser was given (no other site can log it in)."""
    state = web(request)
    nonce = request.cookies.get(LOGIN_COOKIE)
    if not nonce or not csrf_ok(state.settings.secret, f"login:{nonce}", csrf):
        return _login_page(request, "the form expired or came from elsewhere; try again", 403,
                           nonce=login_nonce())  # fmt: skip
    session = state.store.sessions.open(token.strip(), hours=state.settings.session_hours)
    if session is None:
        return _login_page(request, "unknown or revoked token", 401)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(COOKIE, session, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https",
                        max_age=int(state.settings.session_hours * 3600))  # fmt: skip
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, csrf: Annotated[str, Form(max_length=100)] = "") -> Response:
    """End the session server-side (it cannot be replayed), with the page's CSRF token."""
    state = web(request)
    session = request.cookies.get(COOKIE)
    if state.store.sessions.user(session) is not None:
        if not csrf_ok(state.settings.secret, session, csrf):
            raise HTTPException(403, "missing or wrong CSRF token; reload the page and try again")
        state.store.sessions.close(session)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE)
    return response


# -- forms ----------------------------------------------------------------------------------------


@writes.post("/claims/{claim_id}/review", include_in_schema=False)
def review_form(
    request: Request, claim_id: Id, action: Annotated[Action, Form()],
    rank: Annotated[Rank | None, Form()] = None, reason: Text = "", next: Text = "",
) -> Response:  # fmt: skip
    user = writer(request)
    review(request, claim_id, ReviewBody(action=action, rank=rank, reason=reason or None), user)
    return _back(next, f"/claims/{claim_id}")


@writes.post("/claims/{claim_id}/correct", include_in_schema=False)
def correct_form(
    request: Request, claim_id: Id, amount: Annotated[str, Form(max_length=40)],
    amount_max: Annotated[str, Form(max_length=40)] = "",
    unit: Annotated[str, Form(max_length=16)] = "", kind: Annotated[str, Form(max_length=32)] = "",
    reason: Text = "",
) -> Response:  # fmt: skip
    user = writer(request)
    try:
        chosen_kind = ClaimKind(kind) if kind else None
    except ValueError as error:
        raise HTTPException(422, f"kind: unknown claim kind {kind!r}") from error
    body = CorrectionBody(amount=amount, amount_max=amount_max or None, unit=unit or None,
                          kind=chosen_kind, reason=reason or None)  # fmt: skip
    new_id = correct(request, claim_id, body, user)
    return _back(f"/claims/{new_id}", "/claims")


@writes.post("/entities/merge", include_in_schema=False)
def merge_form(
    request: Request, left: Annotated[str, Form(max_length=200)],
    right: Annotated[str, Form(max_length=200)],
) -> Response:  # fmt: skip
    user = writer(request)
    merge(request, MergeBody(left=left, right=right), user)
    return _back(f"/entities/{left}", "/entities")


@writes.post("/stress", include_in_schema=False)
async def stress_form(request: Request) -> Response:
    """Start a run from the form; a field the scenario model or the simulator refuses is shown
    beside its input, with everything the user typed kept (422)."""
    from stargate.finance.scenarios import ScenarioError
    from stargate.web.forms import FormError, parse_form
    from stargate.web.stress_page import stress_data

    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf"}
    user = writer(request)
    state = web(request)
    errors: dict[str, str] = {}
    try:
        scenario = parse_form(fields, state.settings.max_stress_scenarios)
        run_id = state.jobs.submit(scenario, user)
    except FormError as error:
        errors = error.errors
    except ScenarioError as error:
        errors = {"scenario": str(error)}
    if errors:
        chosen = fields.get("name", "")
        if chosen not in state.results.names():
            chosen = "baseline"
        data = stress_data(request, chosen, values=fields, errors=errors)
        return render(request, "stress.html", data, status=422)
    return RedirectResponse(f"/stress/runs/{run_id}", status_code=303)


# -- API ------------------------------------------------------------------------------------------


@writes.post("/api/claims/{claim_id}/review", status_code=201, tags=["write"])
def review_api(request: Request, claim_id: Id, body: ReviewBody) -> JSONResponse:
    """Accept, reject or re-rank a claim (a new review row; the claim is not edited)."""
    user = writer(request)
    return JSONResponse({"review_id": review(request, claim_id, body, user), "user": user}, 201)


@writes.post("/api/claims/{claim_id}/correction", status_code=201, tags=["write"])
def correct_api(request: Request, claim_id: Id, body: CorrectionBody) -> JSONResponse:
    """Add a corrected claim by the token's user that supersedes this one."""
    user = writer(request)
    return JSONResponse({"claim_id": correct(request, claim_id, body, user), "supersedes":
                         claim_id, "user": user}, 201)  # fmt: skip


@writes.post("/api/entities/merge", status_code=201, tags=["write"])
def merge_api(request: Request, body: MergeBody) -> JSONResponse:
    """Judge two entities the same (a positive judgement; withdraw it to undo)."""
    user = writer(request)
    return JSONResponse({"judgement_id": merge(request, body, user), "user": user}, 201)


@writes.post("/api/stress/runs", status_code=202, tags=["write"])
def stress_api(request: Request, body: StressBody) -> JSONResponse:
    """Start a stress run of a built-in scenario with overrides; poll the returned URL."""
    from stargate.finance.scenarios import ScenarioError, builtin_scenarios, load_scenario
    from stargate.web.forms import FormError, merged

    user = writer(request)
    if body.scenario not in builtin_scenarios():
        raise HTTPException(404, f"no built-in scenario {body.scenario!r}")
    try:
        base = load_scenario(body.scenario).model_dump(mode="json", by_alias=True)
        extra = {k: v for k, v in {"scenarios": body.scenarios, "seed": body.seed}.items()
                 if v is not None}  # fmt: skip
        limit = web(request).settings.max_stress_scenarios
        scenario = merged(base, {**body.overrides, **extra}, limit)
    except (FormError, ScenarioError) as error:
        raise HTTPException(422, str(error)) from error
    run_id = start_stress(request, scenario, user)
    return JSONResponse({"id": run_id, "url": f"/api/stress/runs/{run_id}",
                         "page": f"/stress/runs/{run_id}"}, 202)  # fmt: skip


router.include_router(writes)
