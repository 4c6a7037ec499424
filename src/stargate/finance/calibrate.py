"""The baseline against market prices and the companies' own plans (``stargate calibrate``).

Each anchor in the World (``world/curated/anchors.yaml``) is set beside the model's figure:

- ``pd_5y``: the probability of default within five years of the as-of date implied by a 5-year
  CDS spread ``s`` with recovery ``R``: hazard ``λ = s / (1 − R)``, ``PD = 1 − exp(−5λ)`` (the
  "credit triangle", e.g. O'Kane & Turnbull, *Valuation of Credit Default Swaps*, Lehman
  Brothers, 2003), against the baseline's share of scenarios in which the entity defaults by the
  end of the last year that starts within five years of the as-of date. The market's figure is
  risk-neutral (it prices a risk premium), the model's real-world: for investment-grade names
  the first is commonly 1.5-3 times the second (Hull, Predescu & White, *J. Credit Risk* 1(1),
  2005), hence a tolerance of a factor 2.5 either way;
- ``burn_usd`` and ``revenue_usd``: a company's reported plan for a year against the reference
  run (every input at its median): burn is what operations, agreements, capex and rent cost
  beyond revenue, before financing.

A row is within tolerance when ``ratio_low <= model / anchor <= ratio_high``; beyond it, the
row carries the anchor's written reason.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from stargate.finance.contracts import REVENUE_KINDS, keys
from stargate.finance.draws import median_draws
from stargate.finance.model import Model, build_model, records
from stargate.finance.montecarlo import StressResult, run
from stargate.finance.scenarios import load_scenario
from stargate.finance.simulate import simulate
from stargate.world.world import World

FORMULA = "PD = 1 - exp(-5 s / (1 - R))"


def operations_by_year(model: Model) -> dict[str, dict[int, dict[str, float]]]:
    """Entity -> year -> {revenue, burn} in the reference run. Burn: operating costs, what it
    pays under contracts, leases, purchases and capex programmes, the costs of delivering what
    it sells, builds' capex and rent and growth capex, less outside revenue and what it is paid
    under contracts, leases and purchases (before financing, debt service and equity)."""
    out = simulate(model, median_draws(model), trace=True)
    books: dict[str, dict[int, dict[str, float]]] = {name: {} for name in model.nodes}
    spend = np.array([k in REVENUE_KINDS or k == "capex_programme" for k in model.leg_kind])
    earn = np.array([k in REVENUE_KINDS for k in model.leg_kind]) & (model.leg_payee >= 0)
    for r in out.trace:
        for i, name in enumerate(model.nodes):
            book = books[name].setdefault(int(r["year"]), {"revenue": 0.0, "burn": 0.0})
            paid_out = float(r["paid"][(model.leg_payer == i) & spend].sum())
            mine_in = (model.leg_payee == i) & earn
            paid_in = float(r["paid"][mine_in].sum())
            delivery = float((r["due"][mine_in] * model.leg_cost[mine_in]).sum())
            builds = float(r["build_capex"][model.build_builder == i].sum()
                           + r["build_lease"][model.build_builder == i].sum())  # fmt: skip
            book["revenue"] += float(r["revenue"][i])
            book["burn"] += (
                float(r["other_costs"][i])
                + paid_out
                + delivery
                + builds
                + float(r["growth_capex"][i])
                - float(r["revenue"][i])
                - paid_in
            )
    return books


def rows(world: World, result: StressResult, model: Model) -> list[dict[str, Any]]:
    """One row per anchor: the ``stargate calibrate --json`` contract."""
    p5y = dict(zip(result.entities["entity"], result.entities["p_default_5y"], strict=True))
    books = operations_by_year(model)
    out = []
    for a in records(world.anchors):
        entity, measure = str(a["entity"]), str(a["measure"])
        anchor = float(a["value"])
        if entity not in model.nodes:
            model_value = float("nan")
        elif measure == "pd_5y":
            model_value = float(p5y[entity])
        else:
            year = int(a["year"])
            book = books[entity].get(year, {"revenue": float("nan"), "burn": float("nan")})
            model_value = book["revenue" if measure == "revenue_usd" else "burn"]
        ratio = model_value / anchor if anchor else float("nan")
        within = bool(float(a["ratio_low"]) <= ratio <= float(a["ratio_high"]))
        row: dict[str, Any] = {
            "id": a["id"], "entity": entity, "measure": measure, "anchor": anchor,
            "model": model_value, "ratio": ratio, "within_tolerance": within,
            "reason": "" if within else str(a["reason"] or "no reason written"),
            "sources": [s for s in keys(a["sources"]).split(",") if s],
            "date": a["date"], "tolerance": [float(a["ratio_low"]), float(a["ratio_high"])],
        }  # fmt: skip
        if measure == "pd_5y":
            row.update({"spread_bp": float(a["spread_bp"]), "recovery": float(a["recovery"]),
                        "formula": FORMULA, "five_year_horizon": result.five_year})  # fmt: skip
        else:
            row["year"] = int(a["year"])
        out.append(row)
    return out


def calibrate(
    world: World, scenario: str = "baseline", scenarios: int = 10_000, seed: int = 42,
    backend: str = "local", workers: int = 1,
) -> tuple[list[dict[str, Any]], StressResult]:  # fmt: skip
    """Run the scenario (the baseline by default) and set every anchor beside it."""
    model = build_model(world, load_scenario(scenario))
    result = run(model, world.agreements, name=scenario, scenarios=scenarios, seed=seed,
                 backend=backend, workers=workers)  # fmt: skip
    return rows(world, result, model), result


def table(found: list[dict[str, Any]]) -> pd.DataFrame:
    """The rows as a DataFrame (for printing)."""
    return pd.DataFrame(found)
