"""Who loses, as plain data for the pages: the cached built-in results side by side, the
comparison of two scenarios (or two as-of dates), the time travel, and why one entity defaults
(its reference-run waterfall and the agreements that weigh on it)."""

from __future__ import annotations

from datetime import date
from typing import Any

from stargate.errors import StargateError
from stargate.web.jobs import fan
from stargate.web.results import LEAD, Entry, ScenarioResults
from stargate.web.snapshot import Snapshot
from stargate.web.views import claims_url, cleaned

FIGURES = ("p_default", "loss_mean_usd")


class UnknownScenarioError(StargateError, LookupError):
    """A name that is not a built-in scenario."""


def scenarios(results: ScenarioResults) -> list[dict[str, Any]]:
    """``GET /api/scenarios``: one item per built-in scenario (a documented contract)."""
    return [entry.summary() for entry in results.all()]


def _check(results: ScenarioResults, name: str) -> None:
    if name not in results.names():
        raise UnknownScenarioError(
            f"no built-in scenario {name!r}; choose one of {', '.join(results.names())}"
        )


def _side(entry: Entry, snapshot: Snapshot) -> dict[str, Any]:
    side = entry.summary()
    side.pop("entities", None)
    if entry.result is not None:
        side["fan"] = [{**s, "name": snapshot.name(s["entity"])} for s in fan(entry.result)]
        side["total_loss_usd"] = entry.result["total_loss_usd"]
        side["horizon"] = entry.result["horizon"]
    side["url"] = f"/stress/runs/{entry.key.id}"
    return side


def who_loses(results: ScenarioResults, snapshot: Snapshot) -> dict[str, Any]:
    """The overview's lead: the baseline and ``bubble-bursts`` side by side, each entity's
    default probability and mean loss, most at risk first, with their fan charts."""
    left, right = (results.get(name, priority=0) for name in LEAD)
    return _compared(left, right, snapshot)


def _compared(a: Entry, b: Entry, snapshot: Snapshot) -> dict[str, Any]:
    ready = a.status == "ready" and b.status == "ready"
    entities: dict[str, Any] = {}
    if ready and a.result is not None and b.result is not None:
        names = [*a.result["entities"], *(n for n in b.result["entities"]
                                          if n not in a.result["entities"])]  # fmt: skip
        for name in names:
            fa = a.result["entities"].get(name, {})
            fb = b.result["entities"].get(name, {})
            row: dict[str, Any] = {"name": snapshot.name(name), "a": {}, "b": {}, "delta": {}}
            for key in FIGURES:
                va, vb = fa.get(key), fb.get(key)
                row["a"][key], row["b"][key] = va, vb
                row["delta"][key] = None if va is None or vb is None else vb - va
            for key in ("p_default_5y", "loss_p95_usd"):
                row["a"][key], row["b"][key] = fa.get(key), fb.get(key)
            entities[name] = row
    order = sorted(
        entities,
        key=lambda n: (-max(entities[n]["a"]["p_default"] or 0, entities[n]["b"]["p_default"] or 0),
                       -(entities[n]["b"]["loss_mean_usd"] or 0), n),
    )  # fmt: skip
    return cleaned({
        "status": "ready" if ready else "computing",
        "a": _side(a, snapshot), "b": _side(b, snapshot),
        "entities": {n: entities[n] for n in order},
        "order": order,
    })  # fmt: skip


def compare(
    results: ScenarioResults, snapshot: Snapshot, a: str, b: str,
    a_as_of: date | None = None, b_as_of: date | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Two scenarios (or one scenario at two as-of dates), entity by entity: both sides'
    ``p_default`` and ``loss_mean_usd`` and their differences (b − a)."""
    _check(results, a)
    _check(results, b)
    for when in (a_as_of, b_as_of):
        if when is not None and when > snapshot.world.as_of:
            raise UnknownScenarioError(
                f"as-of date {when} is after the World's date {snapshot.world.as_of}"
            )
    out = _compared(results.get(a, a_as_of, priority=1), results.get(b, b_as_of, priority=1),
                    snapshot)  # fmt: skip
    out["choices"] = results.names()
    return out


def time_travel(results: ScenarioResults, snapshot: Snapshot, limit: int = 10) -> dict[str, Any]:
    """Each entity's default probability under the baseline as of each month, and the documents
    first counted that month (the news that moved it)."""
    entry = results.time_travel()
    out: dict[str, Any] = {
        "status": {"ready": "ready", "failed": "failed"}.get(entry.status, "computing"),
        "done": entry.done, "total": entry.total, "error": entry.error,
        "scenario": entry.key.scenario, "scenarios": entry.key.scenarios,
        "seed": entry.key.seed, "as_of": entry.key.as_of.isoformat(),
        "months": [], "series": [], "steps": [],
    }  # fmt: skip
    if entry.result is None:
        return cleaned(out)
    steps = entry.result["steps"]
    months = [s["month"] for s in steps]
    peak: dict[str, float] = {}
    for step in steps:
        for name, figures in step["entities"].items():
            peak[name] = max(peak.get(name, 0.0), figures["p_default"])
    chosen = [n for n in sorted(peak, key=lambda n: (-peak[n], n)) if peak[n] > 0][:limit]
    out["months"] = months
    out["series"] = [
        {"entity": name, "name": snapshot.name(name),
         "p": [s["entities"].get(name, {}).get("p_default") for s in steps]}
        for name in chosen
    ]  # fmt: skip
    previous: dict[str, Any] = {}
    for step in steps:
        moves = []
        for name in chosen:
            now = step["entities"].get(name, {}).get("p_default")
            then = previous.get(name, {}).get("p_default")
            if now is not None and then is not None and abs(now - then) >= 0.005:
                moves.append({"entity": name, "name": snapshot.name(name), "from": then,
                              "to": now})  # fmt: skip
        out["steps"].append({
            "month": step["month"], "as_of": step["as_of"], "agreements": step["agreements"],
            "claims_added": step["claims_added"], "claims_dropped": step["claims_dropped"],
            "claims_url": claims_url(step.get("added", [])),
            "documents": step["documents"], "moves": moves,
        })  # fmt: skip
        previous = step["entities"]
    return cleaned(out)


def entity_risk(
    results: ScenarioResults, snapshot: Snapshot, entity_id: str
) -> dict[str, Any] | None:
    """An entity's figures under every cached built-in scenario, its reference-run waterfall
    under the baseline, and the agreements that weigh on it most there (None when the stress
    model does not have it: entities without a balance sheet are outside capital)."""
    if entity_id not in set(snapshot.world.finances["entity"]):
        return None
    rows = []
    for entry in results.all():
        figures = (entry.result or {}).get("entities", {}).get(entity_id)
        rows.append({
            "scenario": entry.key.scenario, "status": entry.summary()["status"],
            "url": f"/stress/runs/{entry.key.id}",
            **({k: figures[k] for k in ("p_default", "p_default_5y", "loss_mean_usd",
                                        "loss_p95_usd")} if figures else {}),
            "reference": (entry.result or {}).get("reference", {}).get(entity_id),
        })  # fmt: skip
    why = waterfall(snapshot, "baseline", entity_id)
    return cleaned({"scenarios": rows, "waterfall": why,
                     "drivers": drivers(snapshot, why) if why else []})  # fmt: skip


def waterfall(snapshot: Snapshot, scenario: str | dict[str, Any],
              entity: str) -> dict[str, Any] | None:  # fmt: skip
    """The reference run's cash waterfall of one entity (``stargate stress NAME --explain
    ENTITY``): rows by item, columns by year; items that are agreements name them."""
    from stargate.finance.explain import UnknownEntityError
    from stargate.finance.explain import waterfall as explain
    from stargate.finance.model import build_model
    from stargate.finance.scenarios import Scenario, load_scenario

    try:
        chosen = (load_scenario(scenario) if isinstance(scenario, str)
                  else Scenario.model_validate(scenario))  # fmt: skip
        report = explain(build_model(snapshot.world, chosen), entity)
    except (UnknownEntityError, StargateError, ValueError):
        return None
    names = dict(zip(snapshot.world.agreements["id"], snapshot.world.agreements["name"],
                     strict=True))  # fmt: skip
    years = list(report["years"])
    rows = []
    for side in ("cash_in", "cash_out"):
        items = {k for y in years for k in report["years"][y][side]}
        for item in sorted(items, key=lambda k: -sum(abs(report["years"][y][side].get(k, 0.0))
                                                      for y in years)):  # fmt: skip
            rows.append({
                "side": "in" if side == "cash_in" else "out", "item": item,
                "agreement": item if item in names else None, "label": names.get(item, item),
                "values": [report["years"][y][side].get(item, 0.0) for y in years],
            })  # fmt: skip
    return {
        "entity": entity, "years": years, "rows": rows,
        "shortfall": [report["years"][y]["shortfall"] for y in years],
        "defaulted_in": report["defaulted_in"], "as_of": report["as_of"],
        "deferred": report.get("deferred", {}),
    }  # fmt: skip


def drivers(snapshot: Snapshot, why: dict[str, Any], limit: int = 8) -> list[dict[str, Any]]:
    """The agreements that cost the entity most in its reference run, with the claims behind
    their figures."""
    out = []
    agreements = {a["id"]: a for a in snapshot.world.agreements.to_dict("records")}
    for row in why["rows"]:
        if row["side"] != "out" or row["agreement"] is None:
            continue
        a = agreements[row["agreement"]]
        claims = a["claims"] or {}
        out.append({
            "agreement": a["id"], "name": a["name"], "kind": a["kind"],
            "paid_usd": sum(row["values"]), "amount_usd": a["amount_usd"],
            "claims": sorted({c for ids in claims.values() for c in ids}),
            "amount_claims": list(claims.get("amount_usd", [])),
            "status": a["latest_status"],
        })  # fmt: skip
    return sorted(out, key=lambda d: -d["paid_usd"])[:limit]
