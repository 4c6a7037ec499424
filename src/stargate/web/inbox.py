"""The review inbox on the dashboard: pending candidate agreements, revisions and status changes
(read by anyone, with their claims and what accepting each would change), and the accept and
reject decisions (a token is needed; recorded in the ledger as judgements)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from stargate.jsonable import jsonable
from stargate.web.auth import WriteRoute
from stargate.web.context import web
from stargate.web.writes import writer
from stargate.world.review import ReviewError

router = APIRouter()
writes = APIRouter(route_class=WriteRoute)  # authenticated before the body is validated

ItemId = Annotated[str, Path(min_length=6, max_length=64, pattern="^[0-9a-f]+$")]


class RejectBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000, description="why the item is rejected")


def items(request: Request) -> dict[str, Any]:
    """The pending items, each with its claims (quotes and sources) and its preview."""
    from stargate.world.review import pending, read_inbox

    state = web(request)
    snapshot = state.snapshots.get()
    key = ("review",)
    cached = snapshot.memo.get(key)
    if cached is not None:
        result: dict[str, Any] = json.loads(cached)
        return result
    inbox = read_inbox(state.store, state.settings.as_of)
    rows = []
    for item in pending(inbox):
        row = item.to_dict()
        row["claim_details"] = [snapshot.claim_json(snapshot.claims[c]) for c in item.claims
                                if c in snapshot.claims]  # fmt: skip
        rows.append(row)
    data = {"items": rows, "total": len(rows),
            "counts": {t: sum(r["type"] == t for r in rows)
                       for t in ("candidate", "revision", "status")}}  # fmt: skip
    clean: dict[str, Any] = jsonable(data)
    snapshot.remember(key, json.dumps(clean).encode())
    return clean


def decide(request: Request, item_id: str, user: str, reason: str | None) -> str:
    from stargate.world.review import accept, reject

    state = web(request)
    try:
        item = (reject(state.store, item_id, user, reason) if reason is not None
                else accept(state.store, item_id, user))  # fmt: skip
    except ReviewError as error:
        status = 404 if str(error).startswith("no pending") else 422
        raise HTTPException(status, str(error)) from error
    finally:
        state.snapshots.invalidate()
    return item.id


@writes.post("/api/review/{item_id}/accept", tags=["write"],
             summary="Accept a review item (its claims enter the World)")  # fmt: skip
def accept_api(request: Request, item_id: ItemId) -> JSONResponse:
    user = writer(request)
    return JSONResponse({"accepted": decide(request, item_id, user, None)})


@writes.post("/api/review/{item_id}/reject", tags=["write"],
             summary="Reject a review item (its claims stay out of the World)")  # fmt: skip
def reject_api(request: Request, item_id: ItemId, body: RejectBody) -> JSONResponse:
    user = writer(request)
    return JSONResponse({"rejected": decide(request, item_id, user, body.reason)})


@writes.post("/review/{item_id}/accept", include_in_schema=False)
def accept_form(request: Request, item_id: ItemId) -> Response:
    user = writer(request)  # the CSRF token was checked with the session (WriteRoute)
    decide(request, item_id, user, None)
    return RedirectResponse("/review", status_code=303)


@writes.post("/review/{item_id}/reject", include_in_schema=False)
def reject_form(
    request: Request, item_id: ItemId, reason: Annotated[str, Form(max_length=2000)] = ""
) -> Response:
    user = writer(request)  # the CSRF token was checked with the session (WriteRoute)
    decide(request, item_id, user, reason)
    return RedirectResponse("/review", status_code=303)


router.include_router(writes)
