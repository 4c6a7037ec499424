"""A per-scenario reference of stargate.finance.simulate, written as plain loops over entities
and agreement legs with the single-scenario clearing solver; used only by the tests."""

from __future__ import annotations

import numpy as np

from stargate.finance.simulate import REPAYMENT_YEARS, Draws, Model, Outcome, _clear


def simulate_one(model: Model, draws: Draws, s: int) -> Outcome:
    n, T, K = model.n, model.periods, len(model.leg_agreement)
    dt, ppy = model.dt, model.periods_per_year
    repay = REPAYMENT_YEARS * ppy
    alive = [True] * n
    cash = [float(c) for c in model.cash]
    service = [[0.0] * (T + repay) for _ in range(n)]
    paid_cum = [0.0] * K
    ended = [False] * K
    default_year = [0] * n
    loss = [0.0] * n
    writedown = [0.0] * n
    shortfall = [0.0] * n
    received = [0.0] * n
    received_from = np.zeros((n, n))
    unpaid = stranded = 0.0
    pot = [0.0] * n if draws.secured is None else [float(v) for v in draws.secured[s]]

    def price(k: int) -> float:
        priced = model.leg_per_gw is not None and bool(model.leg_per_gw[k])
        return float(draws.capex_per_gw[s]) if priced and draws.capex_per_gw is not None else 1.0

    def due_at(k: int, u: int) -> float:
        wait = 0 if model.leg_wait is None else int(model.leg_wait[k])
        slot = u - (int(draws.delay[s]) * ppy + wait if model.leg_linked[k] else 0)
        return float(model.leg_schedule[k, slot]) * price(k) if 0 <= slot < T else 0.0

    for t in range(T):
        year = model.period_year(t)
        due = [0.0] * K
        for k in range(K):
            p, q = int(model.leg_payer[k]), int(model.leg_payee[k])
            if not draws.keep[s, k] or ended[k] or not alive[p] or (q >= 0 and not alive[q]):
                continue
            due[k] = min(due_at(k, t), max(float(model.leg_stop_after[k]) - paid_cum[k], 0.0))
        L = np.zeros((n, n))
        capex = [0.0] * n
        for k in range(K):
            p, q = int(model.leg_payer[k]), int(model.leg_payee[k])
            if q < 0:
                capex[p] += due[k]
            elif model.leg_kind[k] != "equity":
                L[p, q] += due[k]
        e, el = [0.0] * n, [0.0] * n
        for i in range(n):
            if not alive[i]:
                continue
            revenue = (
                model.revenue[i] * dt * (1 + draws.growth[s, i]) ** (t * dt) * model.shock[t, i]
            )
            planned = model.revenue[i] * dt * (1 + model.plan_growth[i]) ** (t * dt)
            if model.margin[0][i] < 0:  # a loss-maker's costs follow its plan
                ocf = revenue - planned * (1 - draws.margin[s, i])
            else:
                ocf = revenue * draws.margin[s, i]
            el[i] = model.debt_service[i] * dt + service[i][t] + capex[i] + max(-ocf, 0.0)
            e[i] = (
                L[i].sum() + el[i]
                if model.outside[i]
                else cash[i] + max(ocf, 0.0) + draws.access[s, i] * dt
            )
        result = _clear(model, L, np.array(e), np.array(el))
        ratio, external = result.recovery_rate, result.external_payments
        defaulted = [
            bool(result.defaulted[i]) and alive[i] and not model.outside[i] for i in range(n)
        ]
        paid = [0.0] * K
        for k in range(K):
            if model.leg_kind[k] != "equity":
                paid[k] = due[k] * ratio[int(model.leg_payer[k])]
        for i in range(n):
            end_cash = (
                e[i]
                + sum(L[j, i] * ratio[j] for j in range(n))
                - L[i].sum() * ratio[i]
                - external[i]
            )
            if alive[i] and not model.outside[i]:
                drawn = max(draws.access[s, i] * dt - end_cash, 0.0)
                cash[i] = max(end_cash - draws.access[s, i] * dt, 0.0)
                for u in range(t + 1, t + 1 + repay):
                    service[i][u] += drawn * (draws.interest[s] * dt + 1.0 / repay)
            else:
                cash[i] = 0.0
        pledged = [0.0] * n
        for k in range(K):
            if model.leg_kind[k] == "equity" and not defaulted[int(model.leg_payer[k])]:
                pledged[int(model.leg_payer[k])] += due[k]
        share = [1.0] * n
        for i in range(n):
            if model.outside[i] or pledged[i] == 0:
                continue
            from_pot = min(pledged[i], pot[i]) if alive[i] else 0.0
            pot[i] -= from_pot
            from_cash = min(pledged[i] - from_pot, cash[i])
            cash[i] -= from_cash
            share[i] = (from_pot + from_cash) / pledged[i]
        for k in range(K):
            p, q = int(model.leg_payer[k]), int(model.leg_payee[k])
            if model.leg_kind[k] == "equity" and not defaulted[p]:
                paid[k] = due[k] * share[p]
                if q >= 0:
                    cash[q] += paid[k]
                    shortfall[q] += due[k] - paid[k]
        for i in range(n):
            if not alive[i] or model.outside[i]:
                cash[i] = 0.0
        for k in range(K):
            paid_cum[k] += paid[k]
        unpaid += float(
            (L * (1 - ratio[:, None])).sum() + sum(el[i] - external[i] for i in range(n))
        )
        for j in range(n):
            loss[j] += float((L[:, j] * (1 - ratio)).sum())
        for k in range(K):
            p, q = int(model.leg_payer[k]), int(model.leg_payee[k])
            if q >= 0 and model.leg_kind[k] in {"contract", "lease", "purchase"}:
                received[q] += paid[k]
                received_from[p, q] += paid[k]
        for i in range(n):
            if defaulted[i]:
                default_year[i] = year
                alive[i] = False
        for k in range(K):
            p, q = int(model.leg_payer[k]), int(model.leg_payee[k])
            hit = (defaulted[p] or (q >= 0 and defaulted[q])) and not ended[k] and draws.keep[s, k]
            if not hit:
                continue
            remaining = min(sum(due_at(k, u) for u in range(t + 1, T)),
                            max(float(model.leg_stop_after[k]) - paid_cum[k], 0.0))  # fmt: skip
            if q >= 0 and model.leg_kind[k] != "equity":
                loss[q] += remaining
            if defaulted[p]:
                stranded += float(model.leg_capacity_gw[k])
            if model.leg_kind[k] == "equity" and q >= 0 and defaulted[q]:
                writedown[p] += paid_cum[k]
            ended[k] = True
    return Outcome(
        np.array([default_year]),
        np.array([loss]),
        np.array([writedown]),
        np.array([unpaid]),
        np.array([stranded]),
        np.array([received]),
        received_from[None],
        np.array([shortfall]),
    )
