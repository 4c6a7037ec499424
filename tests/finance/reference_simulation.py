"""A per-scenario reference of stargate.finance.simulate, written as plain loops over entities,
agreement legs and builds with the single-scenario clearing solver; used only by the tests (and
by the speed work to prove it changes no number)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from stargate.finance.contracts import ON_DELIVERY, RATE, REVENUE_KINDS, SCHEDULED
from stargate.finance.draws import Draws, median_draws
from stargate.finance.methods import solver
from stargate.finance.model import Model
from stargate.finance.network import network
from stargate.finance.simulate import Outcome


def _clear(model: Model, L: np.ndarray, e: np.ndarray, el: np.ndarray) -> Any:
    """One scenario's clearing through the public API (validation included)."""
    return solver(model.method)(network(L, e, el), model.conventions)


class One:
    """One scenario's state, as Python lists."""

    def __init__(self, model: Model, draws: Draws, s: int) -> None:
        n, K = model.n, len(model.leg_agreement)
        M = model.periods + max([model.new_debt_periods, *model.build_periods.tolist(),
                                 *model.capex_periods.tolist()]) + 1  # fmt: skip
        self.alive = [True] * n
        self.cash = [float(c) for c in model.cash]
        self.service = [[0.0] * M for _ in range(n)]
        self.principal = [[0.0] * M for _ in range(n)]
        self.new_debt = [0.0] * n
        self.paid = [0.0] * K
        self.cut = [0.0] * K
        self.backlog = [0.0] * K
        self.ended = [False] * K
        self.delivered = [float(v) for v in model.leg_before]
        self.built = [float(v) for v in model.leg_before]
        self.sold = [0.0] * n
        self.pot = [float(v) for v in draws.secured[s]]
        self.default_year = [0] * n
        self.loss = [0.0] * n
        self.writedown = [0.0] * n
        self.unpaid = 0.0
        self.stranded = 0.0
        self.received = [0.0] * n
        self.received_from = np.zeros((n, n))
        self.shortfall = [0.0] * n
        self.equity = [0.0] * n
        self.debt = [0.0] * n
        self.sales = [0.0] * n
        self.cuts = [0.0] * n
        self.lender_loss = 0.0

    def add_debt(self, i: int, amount: float, rate: float, t: int, periods: int,
                 dt: float) -> None:  # fmt: skip
        if amount == 0:
            return
        for j in range(periods):
            self.service[i][t + 1 + j] += amount * (1.0 / periods + rate * dt * (1 - j / periods))
            self.principal[i][t + 1 + j] += amount / periods


def _shift(model: Model, draws: Draws, s: int, k: int) -> int:
    if not model.leg_linked[k]:
        return 0
    return int(draws.delay[s]) * model.periods_per_year + int(model.leg_wait[k])


def _step(model: Model, draws: Draws, s: int, st: One, t: int, history: bool) -> None:
    n, K, B = model.n, len(model.leg_agreement), len(model.build_id)
    dt, h = model.dt, model.history
    kappa = model.capital[0]
    mood = math.exp(kappa * float(draws.climate[s, t]))
    rate_base = float(draws.interest[s])
    revenue, ocf = [0.0] * n, [0.0] * n
    for i in range(n):
        if history:
            logr, m = float(model.rev_median[t, i]), float(model.margin_median[t, i])
        else:
            lr = float(draws.revenue[s, i])
            logr = lr + (float(model.rev_start[i]) - lr) * float(model.left[t, i])
            mm = float(draws.margin[s, i])
            m = mm + (float(model.margin_start[i]) - mm) * float(model.left[t, i])
        r = math.exp(logr) if model.has_revenue[i] else 0.0
        revenue[i] = r * float(model.shock[t, i])
        ocf[i] = (m * revenue[i] - float(model.fixed[t, i])) * dt
    due = [0.0] * K
    delta = [0.0] * K
    built_now = [0.0] * K
    for k in range(K):
        p, q = int(model.leg_payer[k]), int(model.leg_payee[k])
        active = (bool(draws.keep[s, k]) and not st.ended[k] and st.alive[p]
                  and (q < 0 or st.alive[q]))  # fmt: skip
        mode = int(model.leg_mode[k])
        if mode != SCHEDULED and active:
            if history:
                target = float(model.leg_plan[k, t])
            else:
                at = max(t - _shift(model, draws, s, k), h - 1)
                target = float(model.leg_plan[k, at]) if at >= 0 else float(model.leg_before[k])
            new = max(st.delivered[k], target)
            delta[k] = new - st.delivered[k]
            st.delivered[k] = new
            built = max(st.built[k], float(model.leg_plan[k, t]))
            built_now[k] = built - st.built[k]
            st.built[k] = built
        factor = float(draws.factor[s, k])
        price = float(draws.capex_per_gw[s]) if model.leg_per_gw[k] else 1.0
        if mode == RATE:
            base = float(model.leg_rate[k]) * st.delivered[k] * dt * (t >= model.leg_start[k])
        elif mode == ON_DELIVERY:
            base = float(model.leg_value[k]) * delta[k]
        else:
            slot = t if history else t - _shift(model, draws, s, k)
            ok = history or slot >= h
            base = float(model.leg_schedule[k, slot]) * price if ok else 0.0
        base *= factor
        remaining = max(float(model.leg_total[k]) * factor * price - st.paid[k] - st.cut[k], 0.0)
        d = min((base + st.backlog[k]) * active, remaining)
        due[k] = min(d, max(float(model.leg_stop_after[k]) - st.paid[k], 0.0))
    capex_b, lease_b = [0.0] * B, [0.0] * B
    for b in range(B):
        k0, i = int(model.build_leg[b]), int(model.build_builder[b])
        if model.build_financed[b] < 0:
            capex_b[b] = (float(draws.build_capex[s, b]) * float(model.build_gw[b])
                          * built_now[k0])  # fmt: skip
        if draws.keep[s, k0] and st.alive[i]:
            lease_b[b] = (float(model.build_lease[b]) * float(model.build_gw[b])
                          * st.built[k0] * dt)  # fmt: skip
    rolled, ds, growth, growth_debt = [0.0] * n, [0.0] * n, [0.0] * n, [0.0] * n
    sales_cap, equity_cap, debt_cap = [0.0] * n, [0.0] * n, [0.0] * n
    for i in range(n):
        balance = st.alive[i] and not model.outside[i]
        if balance:
            rolled[i] = min(model.rollover * mood, 1.0) * (
                float(model.debt_principal[t, i]) + st.principal[i][t]
            )
            growth[i] = float(model.growth_capex[t, i]) * dt
            sales_cap[i] = (float(model.sale_rate[i]) * dt * float(draws.assets[s, i]) * mood
                            * (1.0 - st.sold[i]))  # fmt: skip
            market = float(draws.access[s, i]) * mood * dt
            equity_cap[i] = market * (1.0 - float(model.new_debt_share[i]))
            debt_cap[i] = market * float(model.new_debt_share[i])
        growth_debt[i] = growth[i] * float(model.capex_debt_share[i])
        ds[i] = float(model.debt_service[t, i]) - rolled[i] + st.service[i][t]

    def obligations(due: list[float]) -> tuple[np.ndarray, list[float], list[float],
                                               list[float]]:  # fmt: skip
        L = np.zeros((n, n))
        el = [ds[i] + growth[i] + max(-ocf[i], 0.0) for i in range(n)]
        project_b = [0.0] * B
        for b in range(B):
            financed = int(model.build_financed[b])
            spent = capex_b[b] + (due[financed] if financed >= 0 else 0.0)
            project_b[b] = float(model.build_debt_share[b]) * spent
        project = [growth_debt[i] for i in range(n)]
        for b in range(B):
            i = int(model.build_builder[b])
            el[i] += capex_b[b] + lease_b[b]
            project[i] += project_b[b]
        for k in range(K):
            p, q = int(model.leg_payer[k]), int(model.leg_payee[k])
            if q < 0:
                el[p] += due[k]
            else:
                el[q] += due[k] * float(model.leg_cost[k])
                if model.leg_kind[k] != "equity":
                    L[p, q] += due[k]
        el = [el[i] if st.alive[i] else 0.0 for i in range(n)]
        return L, el, project_b, project

    L, el, project_b, project = obligations(due)
    has = [st.cash[i] + max(ocf[i], 0.0) + project[i] for i in range(n)]
    funds = [sales_cap[i] + equity_cap[i] + debt_cap[i] for i in range(n)]
    max_share, cancel = model.deferral
    deferred = [0.0] * K
    if not history and max_share > 0:
        gap = [L[i].sum() + el[i] - has[i] - funds[i] - L[:, i].sum()
               if st.alive[i] and not model.outside[i] else 0.0 for i in range(n)]  # fmt: skip
        own = [0.0] * n
        for k in range(K):
            if (
                model.leg_deferrable[k]
                and model.leg_kind[k] != "equity"
                and model.leg_payee[k] >= 0
            ):
                own[int(model.leg_payer[k])] += due[k]
        for k in range(K):
            p = int(model.leg_payer[k])
            if (model.leg_deferrable[k] and model.leg_kind[k] != "equity" and gap[p] > 0
                    and own[p] > 0):  # fmt: skip
                deferred[k] = due[k] * min(gap[p] / own[p], max_share)
        if any(deferred):
            due = [due[k] - deferred[k] for k in range(K)]
            L, el, project_b, project = obligations(due)
            has = [st.cash[i] + max(ocf[i], 0.0) + project[i] for i in range(n)]
    cancelled = [deferred[k] * cancel for k in range(K)]
    for k in range(K):
        st.backlog[k] = deferred[k] - cancelled[k]
        st.cut[k] += cancelled[k]
        q = int(model.leg_payee[k])
        if q >= 0:
            st.cuts[q] += cancelled[k]
            st.loss[q] += cancelled[k]
    e, topup = [0.0] * n, [0.0] * n
    for i in range(n):
        owes = L[i].sum() + el[i]
        e[i] = has[i] + funds[i] if st.alive[i] else 0.0
        if history and st.alive[i] and not model.outside[i]:
            topup[i] = max(owes - L[:, i].sum() - e[i], 0.0)
            e[i] += topup[i]
        if model.outside[i]:
            e[i] = owes
    if history:
        ratio, external, defaulted = np.ones(n), np.array(el), [False] * n
    else:
        result = _clear(model, L, np.array(e), np.array(el))
        ratio, external = result.recovery_rate, result.external_payments
        defaulted = [bool(result.defaulted[i]) and st.alive[i] and not model.outside[i]
                     for i in range(n)]  # fmt: skip
    paid = [0.0 if model.leg_kind[k] == "equity" else due[k] * ratio[int(model.leg_payer[k])]
            for k in range(K)]  # fmt: skip
    cash = [0.0] * n
    for i in range(n):
        end_cash = (e[i] + sum(L[j, i] * ratio[j] for j in range(n)) - L[i].sum() * ratio[i]
                    - external[i])  # fmt: skip
        if not (st.alive[i] and not model.outside[i]):
            continue
        offered = funds[i] + topup[i]
        used = min(max(offered - max(end_cash, 0.0), 0.0), offered)
        cash[i] = max(end_cash - offered, 0.0)
        normal = min(used, funds[i])
        sold = min(normal, sales_cap[i])
        rest = max(normal - sold, 0.0)
        market = equity_cap[i] + debt_cap[i]
        eq = rest * equity_cap[i] / market if market > 0 else 0.0
        debt = rest - eq
        eq += used - normal
        value = float(draws.assets[s, i]) * mood
        if value > 0:
            st.sold[i] += sold / value
        rate = rate_base + float(model.spread[i])
        st.add_debt(i, debt + rolled[i], rate, t, model.new_debt_periods, dt)
        if model.capex_debt_share[i] * model.growth_capex[t, i] > 0:
            st.add_debt(i, growth_debt[i], rate, t, int(model.capex_periods[i]), dt)
        st.new_debt[i] += debt + rolled[i] + project[i] - st.principal[i][t]
        st.equity[i] += eq
        st.debt[i] += debt + rolled[i] + project[i]
        st.sales[i] += sold
    for b in range(B):
        i = int(model.build_builder[b])
        if st.alive[i] and not model.outside[i]:
            st.add_debt(i, project_b[b], rate_base + float(model.build_spread[b]), t,
                        int(model.build_periods[b]), dt)  # fmt: skip
    pledged = [0.0] * n
    for k in range(K):
        if model.leg_kind[k] == "equity" and not defaulted[int(model.leg_payer[k])]:
            pledged[int(model.leg_payer[k])] += due[k]
    share = [1.0] * n
    for i in range(n):
        if model.outside[i] or pledged[i] == 0:
            continue
        balance = st.alive[i] and not model.outside[i]
        from_pot = min(pledged[i], st.pot[i]) if balance else 0.0
        st.pot[i] -= from_pot
        from_cash = min(pledged[i] - from_pot, cash[i]) if pledged[i] - from_pot > 0 else 0.0
        cash[i] -= from_cash
        share[i] = (from_pot + from_cash) / pledged[i]
    for k in range(K):
        p, q = int(model.leg_payer[k]), int(model.leg_payee[k])
        if model.leg_kind[k] == "equity" and not defaulted[p]:
            paid[k] = due[k] * share[p]
            if q >= 0:
                cash[q] += paid[k]
                st.shortfall[q] += due[k] - paid[k]
    for i in range(n):
        st.cash[i] = cash[i] if st.alive[i] and not model.outside[i] else 0.0
    for k in range(K):
        st.paid[k] += paid[k]
    st.unpaid += float((L * (1 - ratio[:, None])).sum() + sum(el[i] - external[i]
                                                              for i in range(n)))  # fmt: skip
    for j in range(n):
        st.loss[j] += float((L[:, j] * (1 - ratio)).sum())
    for k in range(K):
        p, q = int(model.leg_payer[k]), int(model.leg_payee[k])
        if q >= 0 and model.leg_kind[k] in REVENUE_KINDS:
            st.received[q] += paid[k]
            st.received_from[p, q] += paid[k]
    if not any(defaulted):
        return
    for i in range(n):
        if defaulted[i]:
            st.default_year[i] = model.period_year(t)
            st.alive[i] = False
            left = float(model.debt_outstanding[t, i] - model.debt_principal[t, i])
            st.lender_loss += ((left + st.new_debt[i]) * model.loss_given_default
                               + el[i] - float(external[i]))  # fmt: skip
    for k in range(K):
        p, q = int(model.leg_payer[k]), int(model.leg_payee[k])
        live = bool(draws.keep[s, k]) and not st.ended[k]
        by_payer = defaulted[p] and live
        by_payee = q >= 0 and defaulted[q] and live
        factor = float(draws.factor[s, k])
        price = float(draws.capex_per_gw[s]) if model.leg_per_gw[k] else 1.0
        before = st.paid[k] - paid[k]
        remaining = max(float(model.leg_total[k]) * factor * price - before
                        - (st.cut[k] - cancelled[k]), 0.0)  # fmt: skip
        left = max(remaining - due[k] - cancelled[k], 0.0)
        left = min(left, max(float(model.leg_stop_after[k]) - st.paid[k], 0.0))
        if by_payer and model.leg_loss[k]:
            st.loss[q] += left * model.loss_given_default
        if by_payer:
            share_gw = st.delivered[k] if model.leg_mode[k] != SCHEDULED else 1.0
            st.stranded += float(model.leg_capacity_gw[k]) * share_gw
        if by_payee and model.leg_kind[k] == "equity":
            st.writedown[p] += st.paid[k]
        if by_payer or by_payee:
            st.ended[k] = True


def simulate_one(model: Model, draws: Draws, s: int) -> Outcome:
    """Scenario ``s`` of ``draws``, through history (at the median) and the horizon."""
    if model.history:
        median = median_draws(model)
        st = One(model, median, 0)
        for t in range(model.history):
            _step(model, median, 0, st, t, True)
        spent = [float(median.secured[0, i]) - st.pot[i] for i in range(model.n)]
        st.pot = [max(float(draws.secured[s, i]) - spent[i], 0.0) for i in range(model.n)]
    else:
        st = One(model, draws, s)
    for t in range(model.history, model.periods):
        _step(model, draws, s, st, t, False)
    return Outcome(
        np.array([st.default_year]), np.array([st.loss]), np.array([st.writedown]),
        np.array([st.unpaid]), np.array([st.stranded]), np.array([st.received]),
        st.received_from.reshape(1, -1), np.arange(model.n * model.n),
        np.array([st.shortfall]), np.array([st.equity]),
        np.array([st.debt]), np.array([st.sales]), np.array([st.cuts]),
        np.array([st.lender_loss]),
    )  # fmt: skip
