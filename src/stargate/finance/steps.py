"""The steps of one period of the compiled stress simulator, for a block of scenarios side by
side (the lanes, on the last axis of every state and scratch array; row names in
:mod:`stargate.finance.layout`).

Each step follows :mod:`stargate.finance.simulate` (operations, contracts, means and obligations,
deferral, clearing by :func:`stargate.finance.settle.settle`, raising, equity pledges,
defaults) term by term in the same order, so that each lane's numbers are those of the
per-scenario reference to rounding. A step is a loop over the legs (or nodes, pairs, builds)
around a loop over the lanes: the lanes of a leg share its payer, payee and terms and differ
only in amounts. Sums by payer, payee or pair run over the legs and pairs that exist
(``O(K + Q)``), never over ``(n, n)`` matrices. Each step is a compiled function that takes the
arrays it needs: a call costs one reference count per array argument, paid once for the block.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from stargate.finance.contracts import ON_DELIVERY, RATE, SCHEDULED
from stargate.finance.kernels import _jit
from stargate.finance.layout import (
    B_CAPEX,
    B_LEASE,
    B_PROJECT,
    BACKLOG,
    BUILT,
    CASH_,
    CUT,
    CUTS,
    DEBT,
    DELIVERED,
    EQUITY,
    K_ACTIVE,
    K_BUILT_NOW,
    K_CANCELLED,
    K_DEFERRED,
    K_DELTA,
    K_DUE,
    K_EQUITY_DUE,
    K_PAID_LEG,
    K_REMAINING,
    L_INTEREST,
    L_MOOD,
    L_ROLL,
    L_SHORT,
    L_UNPAID,
    LENDER_LOSS,
    LOSS_,
    NEW_DEBT,
    PAID,
    POT,
    Q_PAID,
    Q_PAIR,
    RECEIVED,
    SALES,
    SHORTFALL,
    SOLD,
    STRANDED,
    T_ASSET_SALES,
    T_BUILD_CAPEX,
    T_BUILD_LEASE,
    T_CUT,
    T_DEBT,
    T_DEBT_SERVICE,
    T_DEFAULTED,
    T_DEFERRED,
    T_DUE,
    T_EQUITY,
    T_GROWTH,
    T_MARGIN,
    T_OTHER_COSTS,
    T_PAID,
    T_PROJECT_DEBT,
    T_REVENUE,
    T_ROLLED,
    T_TOPUP,
    T_UNPAID_NETWORK,
    T_UNPAID_OUTSIDE,
    UNPAID,
    W_A,
    W_B,
    W_C,
    W_CAN_PAY,
    W_CASH,
    W_DEBT_CAP,
    W_DS,
    W_E,
    W_EL,
    W_EQUITY_CAP,
    W_EXTERNAL,
    W_FUNDS,
    W_GROWTH,
    W_GROWTH_DEBT,
    W_HAS,
    W_IN,
    W_MARGIN,
    W_MARKET_EQUITY,
    W_OCF,
    W_OUT,
    W_PLEDGED,
    W_PROJECT,
    W_RAISED_DEBT,
    W_RATIO,
    W_REVENUE,
    W_ROLLED,
    W_SALES_CAP,
    W_SHORT_OUT,
    W_SOLD,
    W_TOPPED,
    W_TOPUP,
    WRITEDOWN,
)
from stargate.finance.plan import (
    ALPHA,
    AT_ZERO,
    BEFORE,
    BETA,
    BUILD_LEG,
    BUILD_PERIODS,
    BUILD_SPREAD,
    BUILDER,
    CANCEL,
    CAPACITY,
    CAPEX_DEBT_SHARE,
    CAPEX_PERIODS,
    COST,
    DEBT_OUTSTANDING,
    DEBT_PRINCIPAL,
    DEBT_SERVICE,
    DEBT_SHARE,
    DEFERRABLE,
    DT,
    FINANCED,
    FIXED,
    GROWTH_CAPEX,
    GW,
    HAS_REVENUE,
    HISTORY,
    IS_CAPEX,
    IS_EQUITY,
    IS_NETWORK,
    IS_REVENUE,
    KAPPA,
    LEASE,
    LEFT,
    LEG_LOSS,
    LEG_RATE,
    LGD,
    LINKED,
    MARGIN_MEDIAN,
    MARGIN_START,
    MAX_SHARE,
    METHOD,
    MODE,
    NEW_DEBT_PERIODS,
    NEW_DEBT_SHARE,
    OUTSIDE,
    PAIR,
    PAYEE,
    PAYER,
    PER_GW,
    PER_YEAR,
    PLAN,
    RECOVERY,
    REV_MEDIAN,
    REV_START,
    REVENUE_PAIR,
    ROLLOVER,
    SALE_RATE,
    SCHEDULE,
    SENIOR,
    SHOCK,
    SPREAD,
    START,
    STOP_AFTER,
    TOTAL,
    VALUE,
    WAIT,
)  # fmt: skip
from stargate.finance.settle import settle


@_jit(inline=True)
def _add_debt(sm: Any, i: int, amount: Any, spread: float, wl: Any, t: int, periods: int,
              dt: float, nl: int) -> None:  # fmt: skip  # pragma: no cover - compiled
    """A tranche drawn in period ``t`` by node ``i`` in each lane (:func:`capital.add_debt`):
    ``amount[j]``, equal principal parts over ``periods`` periods, interest at the lane's base
    rate plus ``spread`` on what is outstanding."""
    nothing = True
    for j in range(nl):
        nothing = nothing and amount[j] == 0.0
    if nothing:
        return
    for u in range(periods):
        weight = 1.0 - u / periods
        for j in range(nl):
            if amount[j] != 0.0:
                rate = wl[L_INTEREST, j] + spread
                sm[0, i, t + 1 + u, j] += amount[j] * (1.0 / periods + rate * dt * weight)
                sm[1, i, t + 1 + u, j] += amount[j] / periods


@_jit()
def _obligations(legf: Any, legi: Any, buildf: Any, buildi: Any, pairs: Any, wn: Any, wk: Any,
                 wq: Any, wb: Any, alive: Any, nl: int) -> None:  # fmt: skip  # pragma: no cover
    """Network pairs, outside obligations, project debt and means from the legs' dues."""
    n, K, B, Q = wn.shape[1], legi.shape[1], buildi.shape[1], pairs.shape[1]
    for b in range(B):
        k = buildi[FINANCED, b]
        share = buildf[DEBT_SHARE, b]
        for j in range(nl):
            financed = wk[K_DUE, k, j] if k >= 0 else 0.0
            wb[B_PROJECT, b, j] = share * (wb[B_CAPEX, b, j] + financed)
    for q in range(Q):
        for j in range(nl):
            wq[Q_PAIR, q, j] = 0.0
    for i in range(n):
        for j in range(nl):
            wn[W_A, i, j] = 0.0
            wn[W_B, i, j] = 0.0
            wn[W_C, i, j] = 0.0
            wn[W_PROJECT, i, j] = 0.0
    for k in range(K):
        if legi[IS_NETWORK, k]:
            q = legi[PAIR, k]
            for j in range(nl):
                wq[Q_PAIR, q, j] += wk[K_DUE, k, j]
        if legi[IS_CAPEX, k]:
            i = legi[PAYER, k]
            for j in range(nl):
                wn[W_A, i, j] += wk[K_DUE, k, j]
        else:
            i, cost = legi[PAYEE, k], legf[COST, k]
            for j in range(nl):
                wn[W_C, i, j] += wk[K_DUE, k, j] * cost
    for b in range(B):
        i = buildi[BUILDER, b]
        for j in range(nl):
            wn[W_B, i, j] += wb[B_CAPEX, b, j] + wb[B_LEASE, b, j]
            wn[W_PROJECT, i, j] += wb[B_PROJECT, b, j]
    for i in range(n):
        for j in range(nl):
            el = wn[W_DS, i, j] + wn[W_GROWTH, i, j] + wn[W_A, i, j] + wn[W_B, i, j]
            el = el + wn[W_C, i, j]
            el += max(-wn[W_OCF, i, j], 0.0)
            wn[W_EL, i, j] = el if alive[i, j] else 0.0
            wn[W_PROJECT, i, j] += wn[W_GROWTH_DEBT, i, j]
            has = wn[W_CASH, i, j] + max(wn[W_OCF, i, j], 0.0)
            wn[W_HAS, i, j] = has + wn[W_PROJECT, i, j]


@_jit(inline=True)
def _pair_sums(pairs: Any, wq: Any, row: int, wn: Any, out_row: int, in_row: int,
               nl: int) -> None:  # fmt: skip  # pragma: no cover - compiled
    """What each node owes (``out_row``) and is owed (``in_row``) over the pairs."""
    for i in range(wn.shape[1]):
        for j in range(nl):
            wn[out_row, i, j] = 0.0
            wn[in_row, i, j] = 0.0
    for q in range(pairs.shape[1]):
        payer, payee = pairs[0, q], pairs[1, q]
        for j in range(nl):
            wn[out_row, payer, j] += wq[row, q, j]
            wn[in_row, payee, j] += wq[row, q, j]


@_jit()
def _operations(
    t: int, history: bool, s0: int, nl: int, nodef: Any, nodei: Any, periodf: Any,
    conf: Any, rev: Any, mar: Any, clim: Any, interest: Any, wn: Any, wl: Any,
) -> None:  # fmt: skip  # pragma: no cover - compiled
    """1. Operations: revenue, margin and operating cash flow; the lanes' funding mood."""
    n = nodef.shape[1]
    dt = conf[DT]
    for i in range(n):
        has_revenue = nodei[HAS_REVENUE, i] != 0
        shock, fixed = periodf[SHOCK, t, i], periodf[FIXED, t, i]
        if history:
            margin = periodf[MARGIN_MEDIAN, t, i]
            revenue = np.exp(periodf[REV_MEDIAN, t, i]) if has_revenue else 0.0
            revenue = revenue * shock
            ocf = (margin * revenue - fixed) * dt
            for j in range(nl):
                wn[W_REVENUE, i, j] = revenue
                wn[W_MARGIN, i, j] = margin
                wn[W_OCF, i, j] = ocf
            continue
        left, start, m_start = periodf[LEFT, t, i], nodef[REV_START, i], nodef[MARGIN_START, i]
        for j in range(nl):
            r, m = rev[i, s0 + j], mar[i, s0 + j]
            wn[W_MARGIN, i, j] = m + (m_start - m) * left
            wn[W_REVENUE, i, j] = r + (start - r) * left  # log revenue, for now
        if has_revenue:
            for j in range(nl):
                wn[W_REVENUE, i, j] = np.exp(wn[W_REVENUE, i, j]) * shock
        else:
            for j in range(nl):
                wn[W_REVENUE, i, j] = 0.0 * shock
        for j in range(nl):
            wn[W_OCF, i, j] = (wn[W_MARGIN, i, j] * wn[W_REVENUE, i, j] - fixed) * dt
    kappa, rollover = conf[KAPPA], conf[ROLLOVER]
    for j in range(nl):
        s = s0 + j
        mood = np.exp(kappa * clim[t, s])
        wl[L_MOOD, j] = mood
        wl[L_ROLL, j] = min(rollover * mood, 1.0)
        wl[L_INTEREST, j] = interest[s]


@_jit()
def _contracts(
    t: int, history: bool, s0: int, nl: int, legf: Any, legi: Any, legp: Any, buildf: Any,
    buildi: Any, conf: Any, coni: Any, keep: Any, factor: Any, capex: Any, delay: Any, bcap: Any,
    alive: Any, ended: Any, sk: Any, wk: Any, wb: Any,
) -> None:  # fmt: skip  # pragma: no cover - compiled
    """2. Contracts: delivery, what each leg falls due, builds' capex and rent."""
    K, B = legi.shape[1], buildi.shape[1]
    h, per_year = coni[HISTORY], coni[PER_YEAR]
    dt = conf[DT]
    for k in range(K):
        payer, payee = legi[PAYER, k], legi[PAYEE, k]
        is_capex = legi[IS_CAPEX, k] != 0
        payee = 0 if is_capex else payee
        mode = legi[MODE, k]
        path = mode != SCHEDULED
        linked, wait = legi[LINKED, k] != 0, legi[WAIT, k]
        before, plan_now = legf[BEFORE, k], legp[PLAN, k, t]
        per_gw = legi[PER_GW, k] != 0
        rate = legf[LEG_RATE, k] * 1.0
        running = 1.0 if t >= legi[START, k] else 0.0
        total, stop = legf[TOTAL, k], legf[STOP_AFTER, k]
        for j in range(nl):
            s = s0 + j
            active = (
                keep[k, s] and not ended[k, j] and alive[payer, j] and (is_capex or alive[payee, j])
            )
            wk[K_ACTIVE, k, j] = 1.0 if active else 0.0
            shift = delay[s] * per_year + wait if linked else 0
            if history:
                target = plan_now
                scheduled = legp[SCHEDULE, k, t]
            else:
                at = max(t - shift, h - 1)
                target = legp[PLAN, k, max(at, 0)] if at >= 0 else before
                slot = t - shift
                scheduled = legp[SCHEDULE, k, max(slot, 0)] if slot >= h else 0.0
            old = sk[DELIVERED, k, j]
            delivered = max(old, target) if active and path else old
            delta = delivered - old
            wk[K_DELTA, k, j] = delta
            sk[DELIVERED, k, j] = delivered
            old = sk[BUILT, k, j]
            built = max(old, plan_now) if active and path else old
            wk[K_BUILT_NOW, k, j] = built - old
            sk[BUILT, k, j] = built
            price = capex[s] if per_gw else 1.0
            if mode == RATE:
                base = rate * delivered * dt * running
            elif mode == ON_DELIVERY:
                base = legf[VALUE, k] * delta
            else:
                base = scheduled * price
            base = base * factor[k, s]
            paid = sk[PAID, k, j]
            remaining = max(total * factor[k, s] * price - paid - sk[CUT, k, j], 0.0)
            wk[K_REMAINING, k, j] = remaining
            due = min((base + sk[BACKLOG, k, j]) * wk[K_ACTIVE, k, j], remaining)
            wk[K_DUE, k, j] = min(due, max(stop - paid, 0.0))
    for b in range(B):
        k = buildi[BUILD_LEG, b]
        builder = buildi[BUILDER, b]
        own = buildi[FINANCED, b] >= 0
        gw, lease = buildf[GW, b], buildf[LEASE, b]
        for j in range(nl):
            s = s0 + j
            cost = bcap[b, s]
            cost = 0.0 if np.isnan(cost) else cost
            wb[B_CAPEX, b, j] = 0.0 if own else cost * gw * wk[K_BUILT_NOW, k, j]
            rent = lease * gw * sk[BUILT, k, j] * dt
            rent = rent * (1.0 if keep[k, s] else 0.0)
            wb[B_LEASE, b, j] = rent * (1.0 if alive[builder, j] else 0.0)


@_jit()
def _means(
    t: int, s0: int, nl: int, nodef: Any, nodei: Any, periodf: Any, conf: Any, ast: Any,
    acc: Any, alive: Any, sn: Any, sm: Any, wn: Any, wl: Any,
) -> None:  # fmt: skip  # pragma: no cover - compiled
    """3. Means: debt service and what lenders roll, growth capex, what can be sold or raised."""
    n = nodef.shape[1]
    dt = conf[DT]
    for i in range(n):
        inside = nodei[OUTSIDE, i] == 0
        principal, service = periodf[DEBT_PRINCIPAL, t, i], periodf[DEBT_SERVICE, t, i]
        growth_capex, debt_share = periodf[GROWTH_CAPEX, t, i], nodef[CAPEX_DEBT_SHARE, i]
        sale_rate, new_share = nodef[SALE_RATE, i], nodef[NEW_DEBT_SHARE, i]
        for j in range(nl):
            s = s0 + j
            balance = alive[i, j] and inside
            mood = wl[L_MOOD, j]
            rolled = wl[L_ROLL, j] * (principal + sm[1, i, t, j]) if balance else 0.0
            wn[W_ROLLED, i, j] = rolled
            wn[W_DS, i, j] = service - rolled + sm[0, i, t, j]
            growth = growth_capex * dt if balance else 0.0
            wn[W_GROWTH, i, j] = growth
            wn[W_GROWTH_DEBT, i, j] = growth * debt_share
            sales_cap = sale_rate * dt * ast[i, s] * mood * (1.0 - sn[SOLD, i, j])
            sales_cap = sales_cap if balance else 0.0
            market = acc[i, s] * mood * dt if balance else 0.0
            wn[W_SALES_CAP, i, j] = sales_cap
            equity_cap = market * (1.0 - new_share)
            debt_cap = market * new_share
            wn[W_EQUITY_CAP, i, j] = equity_cap
            wn[W_DEBT_CAP, i, j] = debt_cap
            wn[W_FUNDS, i, j] = sales_cap + equity_cap + debt_cap
            wn[W_CASH, i, j] = sn[CASH_, i, j]


@_jit()
def _defer(
    history: bool, nl: int, conf: Any, coni: Any, legf: Any, legi: Any, buildf: Any, buildi: Any,
    pairs: Any, nodei: Any, alive: Any, sn: Any, sk: Any, wn: Any, wk: Any, wq: Any, wb: Any,
    wl: Any,
) -> None:  # fmt: skip  # pragma: no cover - compiled
    """4. Deferral and cuts; then each node's outside assets ``e`` and whether a lane is short."""
    n, K = nodei.shape[1], legi.shape[1]
    # 4. deferral
    max_share, cancel = conf[MAX_SHARE], conf[CANCEL]
    any_deferred = False
    if not history and max_share > 0:
        _pair_sums(pairs, wq, Q_PAIR, wn, W_OUT, W_IN, nl)
        for i in range(n):
            for j in range(nl):
                wn[W_A, i, j] = 0.0  # each payer's deferrable dues
        for k in range(K):
            if legi[DEFERRABLE, k]:
                i = legi[PAYER, k]
                for j in range(nl):
                    wn[W_A, i, j] += wk[K_DUE, k, j]
        for i in range(n):
            inside = nodei[OUTSIDE, i] == 0
            for j in range(nl):
                gap = wn[W_OUT, i, j] + wn[W_EL, i, j] - wn[W_HAS, i, j] - wn[W_FUNDS, i, j]
                gap = gap - wn[W_IN, i, j] if alive[i, j] and inside else 0.0
                own = wn[W_A, i, j]
                wn[W_B, i, j] = min(gap / own, max_share) if gap > 0 and own > 0 else 0.0
        for k in range(K):
            deferrable = legi[DEFERRABLE, k] != 0
            i = legi[PAYER, k]
            for j in range(nl):
                deferred = wk[K_DUE, k, j] * wn[W_B, i, j] if deferrable else 0.0
                wk[K_DEFERRED, k, j] = deferred
                any_deferred = any_deferred or deferred != 0.0
        if any_deferred:
            for k in range(K):
                for j in range(nl):
                    wk[K_DUE, k, j] = wk[K_DUE, k, j] - wk[K_DEFERRED, k, j]
            _obligations(legf, legi, buildf, buildi, pairs, wn, wk, wq, wb, alive, nl)
    for k in range(K):
        is_capex = legi[IS_CAPEX, k] != 0
        payee = 0 if is_capex else legi[PAYEE, k]
        for j in range(nl):
            deferred = wk[K_DEFERRED, k, j] if any_deferred else 0.0
            wk[K_DEFERRED, k, j] = deferred
            cancelled = deferred * cancel
            wk[K_CANCELLED, k, j] = cancelled
            sk[BACKLOG, k, j] = deferred - cancelled
            sk[CUT, k, j] += cancelled
        if not is_capex:
            for j in range(nl):
                sn[CUTS, payee, j] += wk[K_CANCELLED, k, j]
                sn[LOSS_, payee, j] += wk[K_CANCELLED, k, j]
    _pair_sums(pairs, wq, Q_PAIR, wn, W_OUT, W_IN, nl)
    at_zero = coni[AT_ZERO] != 0  # then settle solves every period
    for j in range(nl):
        wl[L_SHORT, j] = 1.0 if at_zero else 0.0
    for i in range(n):
        outside = nodei[OUTSIDE, i] != 0
        for j in range(nl):
            owes = wn[W_OUT, i, j] + wn[W_EL, i, j]
            e = wn[W_HAS, i, j] + wn[W_FUNDS, i, j] if alive[i, j] else 0.0
            topup = 0.0
            if history:
                if alive[i, j] and not outside:
                    topup = max(owes - wn[W_IN, i, j] - e, 0.0)
                e = e + topup
            wn[W_TOPUP, i, j] = topup
            e = owes if outside else e
            wn[W_E, i, j] = e
            if e + wn[W_IN, i, j] - owes < 0:  # as settle decides whether anyone is short
                wl[L_SHORT, j] = 1.0


@_jit()
def _clear(
    history: bool, nl: int, conf: Any, coni: Any, pairs: Any, nodei: Any, alive: Any,
    defaulted: Any, wn: Any, wq: Any, wl: Any, f: Any, pos: Any, lbuf: Any, abuf: Any, red: Any,
    work: Any, flags: Any, iwork: Any, wave: Any, sure: Any,
) -> int:  # fmt: skip  # pragma: no cover - compiled
    """5. Clearing: a lane where nobody is short pays in full; the others one by one. Returns
    0, or the clearing's code for inputs it refuses."""
    n = nodei.shape[1]
    method = coni[METHOD]
    for i in range(n):
        for j in range(nl):
            wn[W_RATIO, i, j] = 1.0
            wn[W_EXTERNAL, i, j] = wn[W_EL, i, j]
            defaulted[i, j] = False
    if not history:
        for j in range(nl):
            if wl[L_SHORT, j] == 0.0:
                continue
            status = settle(
                method, conf[ALPHA] if method else 1.0, conf[BETA] if method else 1.0,
                conf[RECOVERY], coni[SENIOR] != 0, coni[AT_ZERO] != 0, pairs, wq, Q_PAIR, wn,
                W_E, W_EL, W_RATIO, W_EXTERNAL, defaulted, j, f, pos, lbuf, abuf, red, work,
                flags, iwork, wave, sure,
            )  # fmt: skip
            if status:
                return int(status)
            for i in range(n):
                defaulted[i, j] = defaulted[i, j] and alive[i, j] and nodei[OUTSIDE, i] == 0
    return 0


@_jit()
def _pay(
    nl: int, legi: Any, pairs: Any, wn: Any, wk: Any, wq: Any,
) -> None:  # fmt: skip  # pragma: no cover - compiled
    """What each pair and leg pays at the cleared recovery rates."""
    n, K, Q = wn.shape[1], legi.shape[1], pairs.shape[1]
    for i in range(n):  # what each node receives and pays inside the network, and falls short
        for j in range(nl):
            wn[W_A, i, j] = 0.0
            wn[W_B, i, j] = 0.0
            wn[W_SHORT_OUT, i, j] = 0.0
    for q in range(Q):
        payer, payee = pairs[0, q], pairs[1, q]
        for j in range(nl):
            amount = wq[Q_PAIR, q, j]
            paid = amount * wn[W_RATIO, payer, j]
            wq[Q_PAID, q, j] = paid
            wn[W_A, payee, j] += paid
            wn[W_B, payer, j] += paid
            wn[W_SHORT_OUT, payer, j] += amount - paid
    for k in range(K):
        payer = legi[PAYER, k]
        equity = legi[IS_EQUITY, k] != 0
        for j in range(nl):
            paid = wk[K_DUE, k, j] * wn[W_RATIO, payer, j]
            wk[K_PAID_LEG, k, j] = 0.0 if equity else paid


@_jit()
def _raise(
    t: int, s0: int, nl: int, conf: Any, coni: Any, nodef: Any, nodei: Any, periodf: Any,
    buildf: Any, buildi: Any, ast: Any, alive: Any, sn: Any, sm: Any, wn: Any, wb: Any, wl: Any,
) -> None:  # fmt: skip  # pragma: no cover - compiled
    """6. Raising: what was drawn of the means beyond cash is what was needed; new debt."""
    n, B = nodef.shape[1], buildi.shape[1]
    dt = conf[DT]
    new_periods = coni[NEW_DEBT_PERIODS]
    for i in range(n):
        inside = nodei[OUTSIDE, i] == 0
        for j in range(nl):
            balance = alive[i, j] and inside
            end_cash = wn[W_E, i, j] + wn[W_A, i, j] - wn[W_B, i, j] - wn[W_EXTERNAL, i, j]
            funds = wn[W_FUNDS, i, j]
            offered = funds + wn[W_TOPUP, i, j]
            used = max(offered - max(end_cash, 0.0), 0.0) if balance else 0.0
            used = min(used, offered)
            wn[W_CASH, i, j] = max(end_cash - offered, 0.0) if balance else 0.0
            normal = min(used, funds)
            sold = min(normal, wn[W_SALES_CAP, i, j])
            rest = max(normal - sold, 0.0)
            equity_cap = wn[W_EQUITY_CAP, i, j]
            market = equity_cap + wn[W_DEBT_CAP, i, j]
            market_equity = rest * equity_cap / market if market > 0 else 0.0
            raised_debt = rest - market_equity
            wn[W_SOLD, i, j] = sold
            wn[W_MARKET_EQUITY, i, j] = market_equity
            wn[W_RAISED_DEBT, i, j] = raised_debt
            wn[W_TOPPED, i, j] = used - normal
            value = ast[i, s0 + j] * wl[L_MOOD, j]
            sn[SOLD, i, j] += sold / value if value > 0 else 0.0
            wn[W_C, i, j] = raised_debt + wn[W_ROLLED, i, j] if balance else 0.0
        _add_debt(sm, i, wn[W_C, i], nodef[SPREAD, i], wl, t, new_periods, dt, nl)
    for i in range(n):
        if nodef[CAPEX_DEBT_SHARE, i] * periodf[GROWTH_CAPEX, t, i] > 0:
            inside = nodei[OUTSIDE, i] == 0
            for j in range(nl):
                balance = alive[i, j] and inside
                wn[W_C, i, j] = wn[W_GROWTH_DEBT, i, j] * (1.0 if balance else 0.0)
            _add_debt(sm, i, wn[W_C, i], nodef[SPREAD, i], wl, t, nodei[CAPEX_PERIODS, i], dt,
                      nl)  # fmt: skip
    for b in range(B):
        builder = buildi[BUILDER, b]
        inside = nodei[OUTSIDE, builder] == 0
        for j in range(nl):
            balance = alive[builder, j] and inside
            wn[W_C, builder, j] = wb[B_PROJECT, b, j] * (1.0 if balance else 0.0)
        _add_debt(sm, builder, wn[W_C, builder], buildf[BUILD_SPREAD, b], wl, t,
                  buildi[BUILD_PERIODS, b], dt, nl)  # fmt: skip
    for i in range(n):
        inside = nodei[OUTSIDE, i] == 0
        for j in range(nl):
            if alive[i, j] and inside:
                raised_debt, rolled = wn[W_RAISED_DEBT, i, j], wn[W_ROLLED, i, j]
                project = wn[W_PROJECT, i, j]
                new_debt = sn[NEW_DEBT, i, j] + raised_debt + rolled + project
                sn[NEW_DEBT, i, j] = new_debt - sm[1, i, t, j]
                sn[EQUITY, i, j] += wn[W_MARKET_EQUITY, i, j] + wn[W_TOPPED, i, j]
                sn[DEBT, i, j] += raised_debt + rolled + project
                sn[SALES, i, j] += wn[W_SOLD, i, j]
            wn[W_PLEDGED, i, j] = 0.0


@_jit()
def _pledges(
    nl: int, legi: Any, nodei: Any, pairs: Any, alive: Any, defaulted: Any, sn: Any, sk: Any,
    ss: Any, srp: Any, wn: Any, wk: Any, wq: Any, wl: Any,
) -> None:  # fmt: skip  # pragma: no cover - compiled
    """Equity pledges (the secured pot, then cash), then the period's books: cash, losses,
    unpaid obligations, payments received."""
    n, K, Q = nodei.shape[1], legi.shape[1], pairs.shape[1]
    # equity pledges: from the secured pot, then the cash left; they reach the investee after
    for k in range(K):
        if legi[IS_EQUITY, k]:
            payer = legi[PAYER, k]
            for j in range(nl):
                due = 0.0 if defaulted[payer, j] else wk[K_DUE, k, j]
                wk[K_EQUITY_DUE, k, j] = due
                wn[W_PLEDGED, payer, j] += due
        else:
            for j in range(nl):
                wk[K_EQUITY_DUE, k, j] = 0.0
    for i in range(n):
        outside = nodei[OUTSIDE, i] != 0
        for j in range(nl):
            balance = alive[i, j] and not outside
            pledged = wn[W_PLEDGED, i, j]
            from_pot = min(pledged, sn[POT, i, j]) if balance else 0.0
            sn[POT, i, j] -= from_pot
            cash = wn[W_CASH, i, j]
            from_cash = min(pledged - from_pot, cash) if pledged - from_pot > 0 else 0.0
            can_pay = (from_pot + from_cash) / pledged if pledged > 0 else 1.0
            wn[W_CAN_PAY, i, j] = 1.0 if outside else can_pay
            wn[W_CASH, i, j] = cash - (0.0 if outside else from_cash)
            wn[W_A, i, j] = 0.0
            wn[W_B, i, j] = 0.0
    for k in range(K):
        payer = legi[PAYER, k]
        is_capex = legi[IS_CAPEX, k] != 0
        payee = 0 if is_capex else legi[PAYEE, k]
        for j in range(nl):
            equity_due = wk[K_EQUITY_DUE, k, j]
            equity_paid = equity_due * wn[W_CAN_PAY, payer, j]
            if not is_capex:
                wn[W_A, payee, j] += equity_paid
                wn[W_B, payee, j] += equity_due - equity_paid
            paid = wk[K_PAID_LEG, k, j] + equity_paid
            wk[K_PAID_LEG, k, j] = paid
            sk[PAID, k, j] += paid
    for j in range(nl):
        wl[L_UNPAID, j] = 0.0  # inside the network
    for q in range(Q):
        payee = pairs[1, q]
        for j in range(nl):
            short = wq[Q_PAIR, q, j] - wq[Q_PAID, q, j]
            wl[L_UNPAID, j] += short
            sn[LOSS_, payee, j] += short
    for i in range(n):
        inside = nodei[OUTSIDE, i] == 0
        for j in range(nl):
            cash = wn[W_CASH, i, j] + wn[W_A, i, j]
            sn[SHORTFALL, i, j] += wn[W_B, i, j]
            sn[CASH_, i, j] = cash if alive[i, j] and inside else 0.0
    for j in range(nl):
        outside_total = 0.0
        for i in range(n):
            outside_total += wn[W_EL, i, j] - wn[W_EXTERNAL, i, j]
        ss[UNPAID, j] += wl[L_UNPAID, j] + outside_total
    for k in range(K):
        if legi[IS_REVENUE, k]:
            payee, r = legi[PAYEE, k], legi[REVENUE_PAIR, k]
            for j in range(nl):
                money_in = wk[K_PAID_LEG, k, j]
                sn[RECEIVED, payee, j] += money_in
                srp[r, j] += money_in


@_jit()
def _defaults(
    t: int, s0: int, nl: int, conf: Any, legf: Any, legi: Any, periodf: Any, year: Any,
    keep: Any, defaulted: Any, alive: Any, dyear: Any, ended: Any, sn: Any, sk: Any, ss: Any,
    wn: Any, wk: Any,
) -> None:  # fmt: skip  # pragma: no cover - compiled
    """7. Defaults end agreements from the next period: losses, stranded capacity,
    write-downs, lenders' losses."""
    n, K = alive.shape[0], legi.shape[1]
    hit = False
    for i in range(n):
        for j in range(nl):
            hit = hit or defaulted[i, j]
    if not hit:
        return
    lgd = conf[LGD]
    for i in range(n):
        for j in range(nl):
            if defaulted[i, j]:
                dyear[i, j] = year[t]
                alive[i, j] = False
    for k in range(K):
        payer, payee = legi[PAYER, k], legi[PAYEE, k]
        is_capex = legi[IS_CAPEX, k] != 0
        payee = 0 if is_capex else payee
        loses = legi[LEG_LOSS, k] != 0 and not is_capex
        equity = legi[IS_EQUITY, k] != 0
        for j in range(nl):
            live = keep[k, s0 + j] and not ended[k, j]
            by_payer = defaulted[payer, j] and live
            by_payee = not is_capex and defaulted[payee, j] and live
            if by_payer:
                left = max(wk[K_REMAINING, k, j] - wk[K_DUE, k, j] - wk[K_CANCELLED, k, j], 0.0)
                left = min(left, max(legf[STOP_AFTER, k] - sk[PAID, k, j], 0.0))
                if loses:
                    sn[LOSS_, payee, j] += left * lgd
                share = sk[DELIVERED, k, j] if legi[MODE, k] != SCHEDULED else 1.0
                ss[STRANDED, j] += legf[CAPACITY, k] * share
            if by_payee and equity:
                sn[WRITEDOWN, payer, j] += sk[PAID, k, j]
            if by_payer or by_payee:
                ended[k, j] = True
    for i in range(n):
        left = periodf[DEBT_OUTSTANDING, t, i] - periodf[DEBT_PRINCIPAL, t, i]
        for j in range(nl):
            if defaulted[i, j]:
                debt_left = left + sn[NEW_DEBT, i, j]
                ss[LENDER_LOSS, j] += debt_left * lgd + wn[W_EL, i, j] - wn[W_EXTERNAL, i, j]


@_jit()
def _record(t: int, dt: float, wn: Any, wk: Any, wb: Any, defaulted: Any, tn: Any, tk: Any,
            tb: Any) -> None:  # fmt: skip  # pragma: no cover - compiled
    """One period's flows of lane 0 (the reference run's waterfall: revenue and other costs in
    money per period)."""
    for i in range(wn.shape[1]):
        revenue = wn[W_REVENUE, i, 0] * dt
        tn[t, T_GROWTH, i] = wn[W_GROWTH, i, 0]
        tn[t, T_ROLLED, i] = wn[W_ROLLED, i, 0]
        tn[t, T_MARGIN, i] = wn[W_MARGIN, i, 0]
        tn[t, T_REVENUE, i] = revenue
        tn[t, T_OTHER_COSTS, i] = revenue - wn[W_OCF, i, 0]
        tn[t, T_DEBT_SERVICE, i] = wn[W_DS, i, 0]
        tn[t, T_ASSET_SALES, i] = wn[W_SOLD, i, 0]
        tn[t, T_EQUITY, i] = wn[W_MARKET_EQUITY, i, 0]
        tn[t, T_DEBT, i] = wn[W_RAISED_DEBT, i, 0]
        tn[t, T_TOPUP, i] = wn[W_TOPPED, i, 0]
        tn[t, T_UNPAID_OUTSIDE, i] = wn[W_EL, i, 0] - wn[W_EXTERNAL, i, 0]
        tn[t, T_UNPAID_NETWORK, i] = wn[W_SHORT_OUT, i, 0]
        tn[t, T_DEFAULTED, i] = 1.0 if defaulted[i, 0] else 0.0
    for k in range(wk.shape[1]):
        tk[t, T_DUE, k] = wk[K_DUE, k, 0]
        tk[t, T_PAID, k] = wk[K_PAID_LEG, k, 0]
        tk[t, T_DEFERRED, k] = wk[K_DEFERRED, k, 0]
        tk[t, T_CUT, k] = wk[K_CANCELLED, k, 0]
    for b in range(wb.shape[1]):
        tb[t, T_BUILD_CAPEX, b] = wb[B_CAPEX, b, 0]
        tb[t, T_BUILD_LEASE, b] = wb[B_LEASE, b, 0]
        tb[t, T_PROJECT_DEBT, b] = wb[B_PROJECT, b, 0]
