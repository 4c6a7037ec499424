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
starts from where history ends. Every number is an array with a leading scenario axis; a
per-scenario reference written as plain loops lives in the tests and must agree with this one.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stargate.finance.capital import add_debt, attribute
from stargate.finance.contracts import ON_DELIVERY, RATE, REVENUE_KINDS, SCHEDULED, defer, one_hot
from stargate.finance.draws import Draws, median_draws
from stargate.finance.methods import solver
from stargate.finance.model import Model, build_model
from stargate.finance.network import network

Array = NDArray[np.float64]
__all__ = ["Outcome", "build_model", "simulate", "step"]  # build_model: the model is built here too


@dataclass(frozen=True)
class Outcome:
    """Per-scenario results (leading axis S)."""

    default_year: NDArray[np.int64]  # (S, n), 0 = no default
    loss_usd: Array  # (S, n) creditor losses: shortfalls, cuts, LGD × contract value left
    writedown_usd: Array  # (S, n) equity written down by investors
    unpaid_usd: Array  # (S,) obligations not paid (network and outside)
    stranded_gw: Array  # (S,)
    received_usd: Array  # (S, n) contract/lease/purchase payments received
    received_from_usd: Array  # (S, n, n) [s, payer, payee] of those payments
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


@dataclass
class State:
    """What carries from one period to the next, per scenario."""

    alive: NDArray[np.bool_]
    cash: Array
    service: Array  # (S, n, P + M) new debt's service by period
    principal: Array  # (S, n, P + M) of which principal
    new_debt: Array  # (S, n) outstanding new debt
    paid: Array  # (S, K)
    cut: Array  # (S, K)
    backlog: Array  # (S, K) deferred, due next period
    ended: NDArray[np.bool_]  # (S, K)
    delivered: Array  # (S, K) share of capacity delivered (running, paid for by the tenant)
    built: Array  # (S, K) share of capacity its builders have built (on the plan)
    sold: Array  # (S, n) share of holdings sold
    pot: Array  # (S, n) secured funding left
    default_year: NDArray[np.int64]
    loss: Array
    writedown: Array
    unpaid: Array
    stranded: Array
    received: Array
    received_pair: Array  # (S, R) payments received, by (payer, payee) pair of revenue legs
    shortfall: Array
    equity: Array
    debt: Array
    sales: Array
    cuts: Array
    lender_loss: Array

    def tiled(self, S: int) -> State:
        return State(**{f.name: np.repeat(getattr(self, f.name), S, axis=0)
                        for f in fields(self)})  # fmt: skip


def start(model: Model, draws: Draws) -> State:
    S, n, K = draws.scenarios, model.n, len(model.leg_agreement)
    M = model.periods + max([model.new_debt_periods, *model.build_periods.tolist(),
                             *model.capex_periods.tolist()]) + 1  # fmt: skip
    zeros = np.zeros((S, n))
    return State(
        alive=np.ones((S, n), bool), cash=np.repeat(model.cash[None, :], S, axis=0),
        service=np.zeros((S, n, M)), principal=np.zeros((S, n, M)), new_debt=zeros.copy(),
        paid=np.zeros((S, K)), cut=np.zeros((S, K)), backlog=np.zeros((S, K)),
        ended=np.zeros((S, K), bool),
        delivered=np.repeat(model.leg_before[None, :], S, axis=0),
        built=np.repeat(model.leg_before[None, :], S, axis=0), sold=zeros.copy(),
        pot=draws.secured.copy(), default_year=np.zeros((S, n), np.int64), loss=zeros.copy(),
        writedown=zeros.copy(), unpaid=np.zeros(S), stranded=np.zeros(S), received=zeros.copy(),
        received_pair=np.zeros((S, len(set(_revenue_pairs(model))))), shortfall=zeros.copy(),
        equity=zeros.copy(),
        debt=zeros.copy(), sales=zeros.copy(), cuts=zeros.copy(), lender_loss=np.zeros(S),
    )  # fmt: skip


def _revenue_pairs(model: Model) -> list[int]:
    """Flat (payer × n + payee) index of each revenue leg (contract, lease, purchase)."""
    return [int(p) * model.n + int(q) for p, q, k in zip(model.leg_payer, model.leg_payee,
            model.leg_kind, strict=True) if q >= 0 and k in REVENUE_KINDS]  # fmt: skip


def _pairs(flat: NDArray[np.intp], n: int) -> tuple[NDArray[np.intp], Array, Array]:
    """Unique (payer, payee) pairs of ``flat`` indices (-1: none), and each leg's pair."""
    pairs = np.unique(flat[flat >= 0])
    where = {int(f): j for j, f in enumerate(pairs)}
    leg_pair = np.array([where.get(int(f), -1) for f in flat], np.intp)
    return pairs, one_hot(leg_pair, len(pairs)), np.zeros(0)


@dataclass(frozen=True)
class Wiring:
    """One-hot matrices that sum per-leg amounts by payer, payee and the (payer, payee) pairs
    that exist (a few dozen, not n²) with BLAS."""

    to_payer: Array  # (K, n)
    to_payee: Array  # (K, n)
    to_builder: Array  # (B, n)
    pairs: NDArray[np.intp]  # (Q,) flat index of each network pair
    leg_pair: Array  # (K, Q)
    pair_payer: NDArray[np.intp]  # (Q,)
    pair_to_payer: Array  # (Q, n)
    pair_to_payee: Array  # (Q, n)
    revenue_pairs: NDArray[np.intp]  # (R,)
    leg_revenue_pair: Array  # (K, R)
    capex: NDArray[np.bool_]
    equity: NDArray[np.bool_]
    network: NDArray[np.bool_]
    revenue: NDArray[np.bool_]

    @staticmethod
    def of(model: Model) -> Wiring:
        n = model.n
        payer, payee = model.leg_payer, model.leg_payee
        capex = payee < 0
        equity = np.array([k == "equity" for k in model.leg_kind], dtype=bool)
        network = ~capex & ~equity
        revenue = np.array([k in REVENUE_KINDS for k in model.leg_kind], bool) & ~capex
        flat = payer * n + np.where(capex, 0, payee)
        pairs, leg_pair, _ = _pairs(np.where(network, flat, -1), n)
        revenue_pairs, leg_revenue_pair, _ = _pairs(np.where(revenue, flat, -1), n)
        return Wiring(
            to_payer=one_hot(payer, n), to_payee=one_hot(np.where(capex, -1, payee), n),
            to_builder=one_hot(model.build_builder, n), pairs=pairs, leg_pair=leg_pair,
            pair_payer=pairs // n, pair_to_payer=one_hot(pairs // n, n),
            pair_to_payee=one_hot(pairs % n, n), revenue_pairs=revenue_pairs,
            leg_revenue_pair=leg_revenue_pair, capex=capex, equity=equity, network=network,
            revenue=revenue,
        )  # fmt: skip


def simulate(model: Model, draws: Draws, trace: bool = False) -> Outcome:
    """Run every scenario of ``draws`` through the horizon (vectorised), period by period; with
    ``trace``, record each period's flows (meant for one scenario: the reference run)."""
    wiring = Wiring.of(model)
    records: list[dict[str, Any]] = []
    if model.history:
        median = median_draws(model)
        state = start(model, median)
        for t in range(model.history):
            step(model, median, state, wiring, t, True, records if trace else None)
        spent = median.secured - state.pot
        state = state.tiled(draws.scenarios)
        state.pot = np.maximum(draws.secured - spent, 0.0)  # the pot drawn, less history's use
    else:
        state = start(model, draws)
    for t in range(model.history, model.periods):
        step(model, draws, state, wiring, t, False, records if trace else None)
    S, n = state.cash.shape
    received_from = np.zeros((S, n * n))
    received_from[:, wiring.revenue_pairs] = state.received_pair
    return Outcome(
        state.default_year, state.loss, state.writedown, state.unpaid, state.stranded,
        state.received, received_from.reshape(S, n, n), state.shortfall, state.equity,
        state.debt, state.sales, state.cuts, state.lender_loss, tuple(records),
    )  # fmt: skip


def _clear(model: Model, L: Array, e: Array, el: Array) -> Any:
    return solver(model.method)(network(L, e, el), model.conventions)


def _settle(
    model: Model, wiring: Wiring, pair: Array, e: Array, el: Array, owes: Array, owed_in: Array
) -> tuple[Array, Array, NDArray[np.bool_]]:
    """(recovery rate, external payments, defaulted), each (S, n). A scenario in which every
    entity can pay everything at face value (net worth at full payment not below zero) clears
    at full payment under every method (it is the greatest clearing vector, and no cascade
    starts), so only the others go to the solver."""
    S, n = e.shape
    ratio, external = np.ones((S, n)), el.copy()
    defaulted = np.zeros((S, n), bool)
    short = np.flatnonzero((e + owed_in - owes < 0).any(axis=1))
    if short.size:
        L = np.zeros((short.size, n * n))
        L[:, wiring.pairs] = pair[short]
        result = _clear(model, L.reshape(short.size, n, n), e[short], el[short])
        ratio[short] = np.asarray(result.recovery_rate).reshape(short.size, n)
        external[short] = np.asarray(result.external_payments).reshape(short.size, n)
        defaulted[short] = np.asarray(result.defaulted).reshape(short.size, n)
    return ratio, external, defaulted


def target_share(model: Model, draws: Draws, t: int, history: bool) -> Array:
    """(S, K) planned share running in period ``t``, slipped by the delay and the queue after
    the as-of date (never below what history delivered)."""
    K = len(model.leg_agreement)
    if history or not K:
        return np.repeat(model.leg_plan[None, :, t], draws.scenarios, axis=0)
    slot = t - _shift(model, draws)
    floor = model.history - 1
    at = np.maximum(slot, floor)
    return np.where(at >= 0, model.leg_plan[np.arange(K)[None, :], np.maximum(at, 0)],
                       model.leg_before[None, :])  # fmt: skip


def _shift(model: Model, draws: Draws) -> NDArray[np.intp]:
    """(S, K) periods each linked leg slips after the as-of date: the drawn delay (whole years)
    plus its wait in the build queue."""
    delay = draws.delay[:, None] * model.periods_per_year
    return np.where(model.leg_linked[None, :], delay + model.leg_wait[None, :], 0)


def scheduled(model: Model, draws: Draws, t: int, history: bool) -> Array:
    """(S, K) what each SCHEDULED leg's schedule puts in period ``t``; after the as-of date a
    linked leg's schedule slips, and what history already paid never falls due again."""
    K = len(model.leg_agreement)
    if history or not K:
        return np.repeat(model.leg_schedule[None, :, t], draws.scenarios, axis=0)
    slot = t - _shift(model, draws)
    ok = slot >= model.history
    return np.where(ok, model.leg_schedule[np.arange(K)[None, :], np.clip(slot, 0, None)], 0.0)


def step(
    model: Model, draws: Draws, state: State, wiring: Wiring, t: int, history: bool,
    records: list[dict[str, Any]] | None,
) -> None:  # fmt: skip
    """Advance ``state`` by period ``t`` (see the module docstring)."""
    S, n = state.cash.shape
    dt = model.dt
    payer, payee = model.leg_payer, model.leg_payee
    safe_payee = np.where(wiring.capex, 0, payee)
    alive, outside = state.alive, model.outside[None, :]
    interest = draws.interest
    # 1. operations
    if history:
        log_revenue = np.repeat(model.rev_median[None, t], S, axis=0)
        margin = np.repeat(model.margin_median[None, t], S, axis=0)
    else:
        log_revenue = draws.revenue + (model.rev_start - draws.revenue) * model.left[t]
        margin = draws.margin + (model.margin_start - draws.margin) * model.left[t]
    revenue = np.where(model.has_revenue, np.exp(np.where(model.has_revenue, log_revenue, 0.0)),
                       0.0) * model.shock[t]  # fmt: skip
    ocf = (margin * revenue - model.fixed[t]) * dt
    mood = np.exp(model.capital[0] * draws.climate[:, t])[:, None]
    # 2. contracts: delivery, dues, builds
    active = (
        draws.keep
        & ~state.ended
        & alive[:, payer]
        & np.where(wiring.capex[None, :], True, alive[:, safe_payee])
    )
    path = model.leg_mode != SCHEDULED
    target = target_share(model, draws, t, history)
    delivered = np.where(active & path[None, :], np.maximum(state.delivered, target),
                         state.delivered)  # fmt: skip
    delta = delivered - state.delivered
    state.delivered = delivered
    # builders build on the plan (chips ordered, sites leased), whatever the delay in power
    built = np.where(active & path[None, :], np.maximum(state.built, model.leg_plan[:, t]),
                     state.built)  # fmt: skip
    built_now = built - state.built
    state.built = built
    price = np.where(model.leg_per_gw[None, :], draws.capex_per_gw[:, None], 1.0)
    base = np.where(
        model.leg_mode == RATE,
        model.leg_rate * delivered * dt * (t >= model.leg_start),
        np.where(model.leg_mode == ON_DELIVERY, model.leg_value * delta,
                 scheduled(model, draws, t, history) * price),
    ) * draws.factor  # fmt: skip
    remaining = np.maximum(
        model.leg_total
        * draws.factor
        * np.where(model.leg_per_gw, draws.capex_per_gw[:, None], 1.0)
        - state.paid
        - state.cut,
        0.0,
    )
    due = np.minimum((base + state.backlog) * active, remaining)
    due = np.minimum(due, np.maximum(model.leg_stop_after - state.paid, 0.0))
    b_leg = model.build_leg
    own = model.build_financed >= 0
    capex_b = np.where(own, 0.0, np.nan_to_num(draws.build_capex) * model.build_gw
                       * built_now[:, b_leg]) if len(b_leg) else np.zeros((S, 0))  # fmt: skip
    lease_b = (model.build_lease * model.build_gw * built[:, b_leg] * dt
               * draws.keep[:, b_leg] * alive[:, model.build_builder]) if len(b_leg) else \
        np.zeros((S, 0))  # fmt: skip
    # 3. means and obligations; lenders roll part of the principal falling due
    rolled = np.where(alive & ~outside, np.minimum(model.rollover * mood, 1.0)
                      * (model.debt_principal[t] + state.principal[:, :, t]), 0.0)  # fmt: skip
    ds = model.debt_service[t] - rolled + state.service[:, :, t]
    growth = np.where(alive & ~outside, model.growth_capex[t] * dt, 0.0)
    growth_debt = growth * model.capex_debt_share
    sales_cap = np.where(alive & ~outside, model.sale_rate * dt * draws.assets * mood
                         * (1.0 - state.sold), 0.0)  # fmt: skip
    market = np.where(alive & ~outside, draws.access * mood * dt, 0.0)
    equity_cap, debt_cap = market * (1.0 - model.new_debt_share), market * model.new_debt_share
    funds = sales_cap + equity_cap + debt_cap

    def obligations(due: Array) -> tuple[Array, Array, Array, Array]:
        financed_b = np.where(own, due[:, np.maximum(model.build_financed, 0)], 0.0) if len(
            b_leg) else np.zeros((S, 0))  # fmt: skip
        project_b = model.build_debt_share * (capex_b + financed_b)
        pair = (due * wiring.network) @ wiring.leg_pair  # (S, Q) owed by pair
        el = (
            ds
            + growth
            + (due * wiring.capex) @ wiring.to_payer
            + (capex_b + lease_b) @ wiring.to_builder
            + (due * model.leg_cost) @ wiring.to_payee
            + np.maximum(-ocf, 0.0)
        )
        el = np.where(alive, el, 0.0)  # a defaulter's obligations ended with it
        return pair, el, project_b, project_b @ wiring.to_builder + growth_debt

    pair, el, project_b, project = obligations(due)
    has = state.cash + np.maximum(ocf, 0.0) + project
    # 4. deferral
    max_share, cancel = model.deferral
    deferred = np.zeros_like(due)
    if not history and max_share > 0:
        gap = np.where(alive & ~outside, pair @ wiring.pair_to_payer + el - has - funds
                       - pair @ wiring.pair_to_payee, 0.0)  # fmt: skip
        deferred = defer(due, model.leg_deferrable & wiring.network, payer, gap, max_share)
        if deferred.any():
            due = due - deferred
            pair, el, project_b, project = obligations(due)
            has = state.cash + np.maximum(ocf, 0.0) + project
    cancelled = deferred * cancel
    state.backlog = deferred - cancelled
    state.cut += cancelled
    cut_in = cancelled @ wiring.to_payee
    state.cuts += cut_in
    state.loss += cut_in
    owed_out, owed_in = pair @ wiring.pair_to_payer, pair @ wiring.pair_to_payee
    owes = owed_out + el
    e = np.where(alive, has + funds, 0.0)
    topup = np.zeros((S, n))
    if history:
        topup = np.where(alive & ~outside, np.maximum(owes - owed_in - e, 0.0), 0.0)
        e = e + topup
    e = np.where(outside, owes, e)  # outside capital covers whatever it owes
    # 5. clear
    if history:
        ratio, external = np.ones((S, n)), el
        defaulted = np.zeros((S, n), bool)
    else:
        ratio, external, defaulted = _settle(model, wiring, pair, e, el, owes, owed_in)
        defaulted &= alive & ~outside
    paid_pair = pair * ratio[:, wiring.pair_payer]
    short_pair = pair - paid_pair
    paid_leg = np.where(wiring.equity[None, :], 0.0, due * ratio[:, payer])
    end_cash = e + paid_pair @ wiring.pair_to_payee - paid_pair @ wiring.pair_to_payer - external
    # 6. raising: what was drawn of the means beyond cash is what was needed
    balance = alive & ~outside
    offered = funds + topup
    used = np.where(balance, np.maximum(offered - np.maximum(end_cash, 0.0), 0.0), 0.0)
    used = np.minimum(used, offered)
    cash = np.where(balance, np.maximum(end_cash - offered, 0.0), 0.0)
    normal_used = np.minimum(used, funds)
    sold, market_equity, raised_debt = attribute(normal_used, sales_cap, equity_cap, debt_cap)
    topped = used - normal_used  # history's top-up, as equity
    raised_equity = market_equity + topped
    value = draws.assets * mood
    state.sold += np.where(value > 0, sold / np.where(value > 0, value, 1.0), 0.0)
    rate = interest[:, None] + model.spread[None, :]
    add_debt(state.service, state.principal, np.where(balance, raised_debt + rolled, 0.0), rate,
             t, model.new_debt_periods, dt)  # fmt: skip
    for i in np.flatnonzero(model.capex_debt_share * model.growth_capex[t] > 0):
        add_debt(state.service, state.principal, growth_debt[:, i] * balance[:, i], rate[:, i],
                 t, int(model.capex_periods[i]), dt, column=int(i))  # fmt: skip
    for b in range(len(b_leg)):
        builder = int(model.build_builder[b])
        add_debt(state.service, state.principal, project_b[:, b] * balance[:, builder],
                 interest + model.build_spread[b], t, int(model.build_periods[b]), dt,
                 column=builder)  # fmt: skip
    state.new_debt = np.where(balance, state.new_debt + raised_debt + rolled + project
                              - state.principal[:, :, t], state.new_debt)  # fmt: skip
    state.equity += np.where(balance, raised_equity, 0.0)
    state.debt += np.where(balance, raised_debt + rolled + project, 0.0)
    state.sales += np.where(balance, sold, 0.0)
    # equity pledges: from the secured pot, then the cash left; they reach the investee after
    equity_due = due * wiring.equity[None, :] * ~defaulted[:, payer]
    pledged = equity_due @ wiring.to_payer
    from_pot = np.where(balance, np.minimum(pledged, state.pot), 0.0)
    state.pot -= from_pot
    from_cash = np.where(pledged - from_pot > 0, np.minimum(pledged - from_pot, cash), 0.0)
    safe_pledged = np.where(pledged > 0, pledged, 1.0)
    can_pay = np.where(pledged > 0, (from_pot + from_cash) / safe_pledged, 1.0)
    can_pay = np.where(outside, 1.0, can_pay)
    equity_paid = equity_due * can_pay[:, payer]
    cash = cash - np.where(outside, 0.0, from_cash) + equity_paid @ wiring.to_payee
    state.shortfall += (equity_due - equity_paid) @ wiring.to_payee
    state.cash = np.where(balance, cash, 0.0)
    paid_leg = paid_leg + equity_paid
    state.paid += paid_leg
    # bookkeeping
    state.unpaid += short_pair.sum(axis=1) + (el - external).sum(axis=1)
    state.loss += short_pair @ wiring.pair_to_payee
    money_in = paid_leg * wiring.revenue[None, :]
    state.received += money_in @ wiring.to_payee
    state.received_pair += money_in @ wiring.leg_revenue_pair
    if records is not None:
        records.append(_record(model, t, revenue, ocf, margin, due, paid_leg, deferred,
                               cancelled, capex_b, lease_b, project_b, ds, growth, rolled, sold,
                               market_equity, raised_debt, topped, el - external,
                               short_pair @ wiring.pair_to_payer, defaulted))  # fmt: skip
    # 7. defaults end agreements from the next period
    if defaulted.any():
        year = model.period_year(t)
        state.default_year[defaulted] = year
        state.alive &= ~defaulted
        live = draws.keep & ~state.ended
        by_payer = defaulted[:, payer] & live
        by_payee = np.where(wiring.capex[None, :], False, defaulted[:, safe_payee]) & live
        left = np.maximum(remaining - due - cancelled, 0.0)  # this period's shortfall: above
        left = np.minimum(left, np.maximum(model.leg_stop_after - state.paid, 0.0))
        lost = left * (by_payer & model.leg_loss[None, :]) * model.loss_given_default
        state.loss += lost @ wiring.to_payee
        share = np.where(path[None, :], delivered, 1.0)
        state.stranded += (model.leg_capacity_gw * share * by_payer).sum(axis=1)
        into = wiring.equity[None, :] & ~wiring.capex[None, :] & by_payee
        state.writedown += (state.paid * into) @ wiring.to_payer
        debt_left = (model.debt_outstanding[t] - model.debt_principal[t])[None, :] + state.new_debt
        state.lender_loss += (
            (debt_left * model.loss_given_default + el - external) * defaulted
        ).sum(axis=1)  # its period's shortfall, then LGD
        state.ended |= by_payer | by_payee


def _record(
    model: Model, t: int, revenue: Array, ocf: Array, margin: Array, due: Array,
    paid: Array, deferred: Array, cancelled: Array, capex_b: Array, lease_b: Array,
    project_b: Array, ds: Array, growth: Array, rolled: Array, sold: Array, equity: Array,
    debt: Array, topup: Array,
    unpaid_outside: Array, unpaid_network: Array, defaulted: NDArray[np.bool_],
) -> dict[str, Any]:  # fmt: skip
    """One period's flows of the first scenario (the reference run's waterfall)."""
    dt = model.dt
    return {
        "period": t, "year": model.period_year(t), "history": t < model.history,
        "growth_capex": growth[0], "rolled": rolled[0],
        "revenue": revenue[0] * dt, "other_costs": revenue[0] * dt - ocf[0],
        "margin": margin[0], "due": due[0], "paid": paid[0], "deferred": deferred[0],
        "cut": cancelled[0], "build_capex": capex_b[0], "build_lease": lease_b[0],
        "project_debt": project_b[0], "debt_service": ds[0],
        "asset_sales": sold[0], "equity": equity[0], "debt": debt[0], "topup": topup[0],
        "unpaid_outside": unpaid_outside[0], "unpaid_network": unpaid_network[0],
        "defaulted": defaulted[0],
    }  # fmt: skip
