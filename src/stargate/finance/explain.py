"""Why an entity defaults: the reference run's cash waterfall for one entity, year by year.

Cash in: outside revenue, each agreement that pays it, and each source of funding (asset
sales, new equity, new debt, refinanced debt, project debt, history's top-ups). Cash out:
operating costs, each agreement it pays (capex programmes included), debt service, builds'
capex and rent, growth capex, the costs of delivering what it sells. The shortfall is what it
failed to pay; ``defaulted_in`` the year it defaulted (None if it did not). The reference run is
the deterministic run with every input at its median (:func:`stargate.finance.draws.median_draws`).
"""

from __future__ import annotations

from typing import Any

from stargate.errors import StargateError
from stargate.finance.draws import median_draws
from stargate.finance.model import Model
from stargate.finance.simulate import simulate


class UnknownEntityError(StargateError, ValueError):
    """An entity the model does not have."""


def _add(book: dict[str, float], key: str, value: float) -> None:
    if abs(value) > 0.5:  # below a dollar is rounding
        book[key] = book.get(key, 0.0) + float(value)


def waterfall(model: Model, entity: str) -> dict[str, Any]:
    """The ``stargate stress NAME --explain ENTITY --json`` object (a documented contract):
    ``{"entity", "years": {YEAR: {"cash_in", "cash_out", "shortfall"}}, "defaulted_in"}``,
    plus ``deferred`` (year -> agreement -> amount deferred or cut) and ``as_of``."""
    if entity not in model.nodes:
        raise UnknownEntityError(
            f"no entity {entity!r} in the model; choose one of {', '.join(model.nodes)}"
        )
    i = model.nodes.index(entity)
    out = simulate(model, median_draws(model), trace=True)
    years: dict[str, dict[str, Any]] = {}
    deferred: dict[str, dict[str, float]] = {}
    for r in out.trace:
        year = str(r["year"])
        book = years.setdefault(year, {"cash_in": {}, "cash_out": {}, "shortfall": 0.0})
        cash_in, cash_out = book["cash_in"], book["cash_out"]
        _add(cash_in, "revenue", r["revenue"][i])
        _add(cash_out, "operating costs", r["other_costs"][i])
        for k, agreement in enumerate(model.leg_agreement):
            if model.leg_payee[k] == i:
                _add(cash_in, agreement, r["paid"][k])
                _add(cash_out, "delivery costs", r["due"][k] * model.leg_cost[k])
            if model.leg_payer[k] == i:
                _add(cash_out, agreement, r["paid"][k])
                if r["deferred"][k] > 0:
                    moved = deferred.setdefault(year, {})
                    moved[agreement] = moved.get(agreement, 0.0) + float(r["deferred"][k])
        for b, build in enumerate(model.build_id):
            if model.build_builder[b] == i:
                _add(cash_out, f"build capex: {build}", r["build_capex"][b])
                _add(cash_out, f"site rent: {build}", r["build_lease"][b])
                _add(cash_in, f"project debt: {build}", r["project_debt"][b])
        _add(cash_out, "growth capex", r["growth_capex"][i])
        _add(cash_in, "project debt: growth capex", r["growth_capex"][i]
             * model.capex_debt_share[i])  # fmt: skip
        _add(cash_out, "debt service", r["debt_service"][i] + r["rolled"][i])
        _add(cash_in, "refinanced debt", r["rolled"][i])
        _add(cash_in, "asset sales", r["asset_sales"][i])
        _add(cash_in, "new equity", r["equity"][i])
        _add(cash_in, "new debt", r["debt"][i])
        _add(cash_in, "funding before the as-of date", r["topup"][i])
        book["shortfall"] += float(r["unpaid_outside"][i] + r["unpaid_network"][i])
    defaulted = int(out.default_year[0, i])
    return {
        "entity": entity, "as_of": model.as_of.isoformat(), "years": years,
        "defaulted_in": str(defaulted) if defaulted else None, "deferred": deferred,
    }  # fmt: skip
