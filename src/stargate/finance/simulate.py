"""Cash flows period by period over the World, cleared each period, vectorised over scenarios.

Each period (a year or a quarter), for every scenario and entity (``docs/methods.md``):

1. **Operations.** Outside revenue and margin on their paths (:mod:`.economics`), fixed costs;
   operating cash flow ``(m R − F) dt``.
2. **Contracts.** Each agreement leg that binds (:mod:`.contracts`) falls due: on its schedule,
   at its rate times the capacity delivered, or as capacity is delivered, capped by what is left
   of its contract value; a vendor spends ``1 − contract_margin`` of what it is owed delivering
   it. Builders pay the capex of what they build on the plan (chips ordered, sites leased, even
   when power comes late), borrow ``debt_share`` of it as project debt, and pay rent on the
   sites (:class:`stargate.world.curated.Build`).
3. **Means and obligations.** ``e = cash + max(OCF, 0) + project debt + asset sales, equity and
   debt it could raise``; ``el = debt service + capex + rent + delivery costs + max(−OCF, 0)``.
4. **Deferral.** A tenant short of means defers or cuts its contract payments
   (:func:`.contracts.defer`).
5. **Clearing** with the scenario's method and conventions.
6. **Raising.** What an entity drew of its sales, equity and debt is what it needed; new debt
   is serviced from the next period (:mod:`.capital`); equity pledges are paid from a backer's
   secured pot, then its cash, and reach the investee at the end of the period.
7. **Defaults** end the defaulter's agreements: its creditors lose ``loss_given_default`` of the
   contract value it still owes (beyond the horizon too: deferring past the horizon does not
   erase a loss), its lenders the same share of its outstanding debt; capacity delivered to it
   is stranded (its builders keep the debt and the rent); equity in it is written down.

Periods before the World's as-of date are history: they run once with every input at its median,
nobody defaults (an entity short of means is topped up, recorded as funding), and every scenario
starts from where history ends. Results have a leading scenario axis; a per-scenario reference
written as plain Python loops lives in the tests and must agree with this one.

The work is done by a compiled kernel (:mod:`stargate.finance.engine`) that runs each scenario
through every period on the edge list of :mod:`stargate.finance.plan` (agreement legs and the
payer–payee pairs that exist as index arrays), clearing each period over the nodes that may
default only (:mod:`stargate.finance.settle`); this module prepares its inputs once per run and
hands back its results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stargate.finance import engine, layout
from stargate.finance.draws import Draws, median_draws
from stargate.finance.model import Model, build_model
from stargate.finance.network import ClearingInputError
from stargate.finance.plan import Plan, build_plan
from stargate.finance.settle import BAD_LIABILITY, BAD_OBLIGATION, BAD_VALUE, workspace

Array = NDArray[np.float64]
__all__ = ["Outcome", "build_model", "simulate"]  # build_model: the model is built here too


@dataclass(frozen=True)
class Outcome:
    """Per-scenario results (leading axis S)."""

    default_year: NDArray[np.int64]  # (S, n), 0 = no default
    loss_usd: Array  # (S, n) creditor losses: shortfalls, cuts, LGD × contract value left
    writedown_usd: Array  # (S, n) equity written down by investors
    unpaid_usd: Array  # (S,) obligations not paid (network and outside)
    stranded_gw: Array  # (S,)
    received_usd: Array  # (S, n) contract/lease/purchase payments received
    received_pair_usd: Array  # (S, R) those payments by (payer, payee) pair, see revenue_pairs
    revenue_pairs: NDArray[np.int64]  # (R,) flat index payer × n + payee of each pair
    funding_shortfall_usd: Array  # (S, n) equity pledged to an investee, not paid
    equity_raised_usd: Array  # (S, n) new equity (history's top-ups included)
    debt_raised_usd: Array  # (S, n) new debt, builders' project debt included
    asset_sales_usd: Array  # (S, n)
    cut_usd: Array  # (S, n) payments owed to the entity that tenants cut for good
    lender_loss_usd: Array  # (S,) outside creditors' losses: defaulters' unpaid outside
    # obligations in the period they default, then LGD × their outstanding debt
    trace: tuple[dict[str, Any], ...] = ()  # per period, when asked for (one scenario)

    @property
    def total_loss_usd(self) -> Array:
        """(S,) system losses: every creditor's losses plus outside lenders'."""
        total: Array = self.loss_usd.sum(axis=1) + self.lender_loss_usd
        return total

    @property
    def received_from_usd(self) -> Array:
        """(S, n, n) ``[s, payer, payee]`` of the payments received (dense: for small runs)."""
        S, n = self.received_usd.shape
        dense = np.zeros((S, n * n))
        dense[:, self.revenue_pairs] = self.received_pair_usd
        return dense.reshape(S, n, n)


def _plan_arrays(plan: Plan) -> tuple[Any, ...]:
    return (plan.nodef, plan.nodei, plan.periodf, plan.legf, plan.legi, plan.legp, plan.buildf,
            plan.buildi, plan.pairs, plan.conf, plan.coni, plan.year)  # fmt: skip


def _draw_arrays(draws: Draws) -> tuple[Any, ...]:
    """The draws with scenarios on the last axis (the engine's lanes read them side by side)."""

    def f(values: Any) -> Any:
        return np.ascontiguousarray(np.asarray(values, dtype=np.float64).T)

    return (
        f(draws.revenue), f(draws.margin), f(draws.access), f(draws.assets), f(draws.climate),
        f(draws.interest), np.ascontiguousarray(draws.delay, dtype=np.int64),
        np.ascontiguousarray(np.asarray(draws.keep, dtype=np.bool_).T), f(draws.factor),
        f(draws.capex_per_gw), f(draws.build_capex),
    )  # fmt: skip


def _start(model: Model, plan: Plan, pot: Array) -> tuple[Any, ...]:
    """The state before the first period (:data:`layout.SN` rows and the rest)."""
    n, K = model.n, plan.legs
    sn = np.zeros((layout.SN, n))
    sn[layout.CASH_] = model.cash
    sn[layout.POT] = pot
    sk = np.zeros((layout.SK, K))
    sk[layout.DELIVERED] = model.leg_before
    sk[layout.BUILT] = model.leg_before
    width = int(plan.coni[4])  # WIDTH: service schedules reach past the horizon
    return (sn, np.ones(n, np.bool_), np.zeros(n, np.int64), np.zeros((2, n, width)), sk,
            np.zeros(K, np.bool_), np.zeros(3), np.zeros(len(plan.revenue_pairs)))  # fmt: skip


def _work(plan: Plan, lanes: int) -> tuple[Any, ...]:
    n = plan.n
    return (np.zeros((layout.WN, n, lanes)), np.zeros((layout.WK, plan.legs, lanes)),
            np.zeros((2, plan.pairs.shape[1], lanes)), np.zeros((3, plan.builds, lanes)),
            np.zeros((n, lanes), np.bool_), np.zeros((layout.WL, lanes)),
            workspace(n))  # fmt: skip


def _block(state: tuple[Any, ...], lanes: int) -> tuple[Any, ...]:
    """Room for a block of ``lanes`` scenarios' state: ``state``'s arrays with a lane axis."""
    return tuple(np.zeros((*a.shape, lanes), a.dtype) for a in state)


def _check(status: int) -> None:
    if status == BAD_VALUE:
        raise ClearingInputError("obligations or outside assets contain NaN or infinite values")
    if status == BAD_OBLIGATION:
        raise ClearingInputError("obligations must be non-negative")
    if status == BAD_LIABILITY:
        raise ClearingInputError("external_liabilities must be non-negative")


def simulate(model: Model, draws: Draws, trace: bool = False, plan: Plan | None = None) -> Outcome:
    """Run every scenario of ``draws`` through the horizon; with ``trace``, record each
    period's flows of the first scenario (the reference run). ``plan``: the model's
    :func:`~stargate.finance.plan.build_plan`, when the caller keeps one for many calls."""
    plan = plan if plan is not None else build_plan(model)
    P, n, K, B = model.periods, model.n, plan.legs, plan.builds
    rows = P if trace else 0
    tr = (np.zeros((rows, layout.TN, n)), np.zeros((rows, layout.TK, K)),
          np.zeros((rows, layout.TB, B)))  # fmt: skip
    p = _plan_arrays(plan)
    S = draws.scenarios
    lanes = max(min(engine.LANES, S), 1)
    w = _work(plan, lanes)
    if model.history:
        median = median_draws(model)
        state = _start(model, plan, median.secured[0])
        none = np.zeros((0, 0))
        _check(engine.run(p, _draw_arrays(median), np.zeros((n, 1)), np.zeros(n), state,
                          _block(state, lanes), w, tr, np.zeros((0, 0, 0)), none,
                          np.zeros((0, 0), np.int64), none, True, 0, 1))  # fmt: skip
        spent = median.secured[0] - state[0][layout.POT]
    else:
        state = _start(model, plan, np.zeros(n))
        spent = np.zeros(n)
    out_n = np.empty((layout.OUT_N, S, n))
    out_s = np.empty((3, S))
    out_year = np.empty((S, n), np.int64)
    out_pairs = np.empty((S, len(plan.revenue_pairs)))
    secured = np.ascontiguousarray(np.asarray(draws.secured, dtype=np.float64).T)
    _check(engine.run(p, _draw_arrays(draws), secured, spent, state, _block(state, lanes), w,
                      tr, out_n, out_s, out_year, out_pairs, False, 0, S))  # fmt: skip
    loss, writedown, received, shortfall, equity, debt, sales, cuts = out_n
    unpaid, stranded, lender_loss = out_s
    return Outcome(
        default_year=out_year, loss_usd=loss, writedown_usd=writedown, unpaid_usd=unpaid,
        stranded_gw=stranded, received_usd=received, received_pair_usd=out_pairs,
        revenue_pairs=plan.revenue_pairs, funding_shortfall_usd=shortfall,
        equity_raised_usd=equity, debt_raised_usd=debt, asset_sales_usd=sales, cut_usd=cuts,
        lender_loss_usd=lender_loss,
        trace=tuple(_record(model, t, tr) for t in range(rows)),
    )  # fmt: skip


def _record(model: Model, t: int, tr: tuple[Any, ...]) -> dict[str, Any]:
    """One period's flows of the first scenario (the reference run's waterfall)."""
    tn, tk, tb = (a[t] for a in tr)
    return {
        "period": t, "year": model.period_year(t), "history": t < model.history,
        "growth_capex": tn[layout.T_GROWTH], "rolled": tn[layout.T_ROLLED],
        "revenue": tn[layout.T_REVENUE], "other_costs": tn[layout.T_OTHER_COSTS],
        "margin": tn[layout.T_MARGIN], "due": tk[layout.T_DUE], "paid": tk[layout.T_PAID],
        "deferred": tk[layout.T_DEFERRED], "cut": tk[layout.T_CUT],
        "build_capex": tb[layout.T_BUILD_CAPEX], "build_lease": tb[layout.T_BUILD_LEASE],
        "project_debt": tb[layout.T_PROJECT_DEBT], "debt_service": tn[layout.T_DEBT_SERVICE],
        "asset_sales": tn[layout.T_ASSET_SALES], "equity": tn[layout.T_EQUITY],
        "debt": tn[layout.T_DEBT], "topup": tn[layout.T_TOPUP],
        "unpaid_outside": tn[layout.T_UNPAID_OUTSIDE],
        "unpaid_network": tn[layout.T_UNPAID_NETWORK],
        "defaulted": tn[layout.T_DEFAULTED] > 0,
    }  # fmt: skip
