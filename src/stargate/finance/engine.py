"""The compiled stress simulator: each scenario runs through every period in one pass, on the
edge list of :mod:`stargate.finance.plan`, its state a few kilobytes that stay in the core's
cache, its results written once.

Each period follows the steps of :mod:`stargate.finance.simulate` (operations, contracts, means
and obligations, deferral, clearing by :func:`stargate.finance.settle.settle`, raising, equity
pledges, defaults), term by term in the same order, so that the numbers are those of the
per-scenario reference to rounding. Sums by payer, payee or pair run over the legs and pairs
that exist (``O(K + Q)``), not over ``(n, n)`` matrices.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from stargate.finance.contracts import ON_DELIVERY, RATE, SCHEDULED
from stargate.finance.kernels import _jit
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
    PERIODS,
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

# per-scenario state: node floats (SN, n); the last OUT_N rows are results
(CASH_, NEW_DEBT, SOLD, POT, LOSS_, WRITEDOWN, RECEIVED, SHORTFALL, EQUITY, DEBT, SALES,
 CUTS) = range(12)  # fmt: skip
SN, OUT_FIRST, OUT_N = 12, 4, 8
PAID, CUT, BACKLOG, DELIVERED, BUILT = range(5)  # leg floats (SK, K)
SK = 5
UNPAID, STRANDED, LENDER_LOSS = range(3)  # scalars (3,)
# scratch: node floats (WN, n)
(W_REVENUE, W_OCF, W_MARGIN, W_ROLLED, W_DS, W_GROWTH, W_GROWTH_DEBT, W_SALES_CAP, W_EQUITY_CAP,
 W_DEBT_CAP, W_FUNDS, W_EL, W_PROJECT, W_HAS, W_OUT, W_IN, W_E, W_TOPUP, W_RATIO, W_EXTERNAL,
 W_A, W_B, W_C, W_PLEDGED, W_CAN_PAY, W_SOLD, W_MARKET_EQUITY, W_RAISED_DEBT, W_TOPPED, W_CASH,
 W_SHORT_OUT) = range(31)  # fmt: skip
WN = 31
# leg floats (WK, K)
(K_DUE, K_DELTA, K_BUILT_NOW, K_REMAINING, K_DEFERRED, K_CANCELLED, K_PAID_LEG, K_EQUITY_DUE,
 K_ACTIVE) = range(9)  # fmt: skip
WK = 9
Q_PAIR, Q_PAID = range(2)  # pair floats (2, Q)
B_CAPEX, B_LEASE, B_PROJECT = range(3)  # build floats (3, B)
# the trace of one scenario: (P, TN, n), (P, TK, K), (P, TB, B)
(T_GROWTH, T_ROLLED, T_REVENUE, T_OTHER_COSTS, T_MARGIN, T_DEBT_SERVICE, T_ASSET_SALES,
 T_EQUITY, T_DEBT, T_TOPUP, T_UNPAID_OUTSIDE, T_UNPAID_NETWORK,
 T_DEFAULTED) = range(13)  # fmt: skip
TN = 13
T_DUE, T_PAID, T_DEFERRED, T_CUT = range(4)
TK = 4
T_BUILD_CAPEX, T_BUILD_LEASE, T_PROJECT_DEBT = range(3)
TB = 3


@_jit(inline=True)
def _add_debt(sm: Any, i: int, amount: float, rate: float, t: int, periods: int,
              dt: float) -> None:  # fmt: skip  # pragma: no cover - compiled
    """A tranche drawn in period ``t`` (:func:`stargate.finance.capital.add_debt`): equal
    principal parts over ``periods`` periods, interest on what is outstanding."""
    if amount == 0.0:
        return
    for j in range(periods):
        weight = 1.0 - j / periods
        sm[0, i, t + 1 + j] += amount * (1.0 / periods + rate * dt * weight)
        sm[1, i, t + 1 + j] += amount / periods


@_jit(inline=True)
def _obligations(legf: Any, legi: Any, buildf: Any, buildi: Any, pairs: Any, wn: Any, wk: Any,
                 wq: Any, wb: Any, alive: Any) -> None:  # fmt: skip  # pragma: no cover
    """Network pairs, outside obligations, project debt and means from the legs' dues."""
    n, K, B, Q = wn.shape[1], legi.shape[1], buildi.shape[1], pairs.shape[1]
    for b in range(B):
        k = buildi[FINANCED, b]
        financed = wk[K_DUE, k] if k >= 0 else 0.0
        wb[B_PROJECT, b] = buildf[DEBT_SHARE, b] * (wb[B_CAPEX, b] + financed)
    for q in range(Q):
        wq[Q_PAIR, q] = 0.0
    for i in range(n):
        wn[W_A, i] = 0.0
        wn[W_B, i] = 0.0
        wn[W_C, i] = 0.0
        wn[W_PROJECT, i] = 0.0
    for k in range(K):
        due = wk[K_DUE, k]
        if legi[IS_NETWORK, k]:
            wq[Q_PAIR, legi[PAIR, k]] += due
        if legi[IS_CAPEX, k]:
            wn[W_A, legi[PAYER, k]] += due
        else:
            wn[W_C, legi[PAYEE, k]] += due * legf[COST, k]
    for b in range(B):
        i = buildi[BUILDER, b]
        wn[W_B, i] += wb[B_CAPEX, b] + wb[B_LEASE, b]
        wn[W_PROJECT, i] += wb[B_PROJECT, b]
    for i in range(n):
        el = wn[W_DS, i] + wn[W_GROWTH, i] + wn[W_A, i] + wn[W_B, i] + wn[W_C, i]
        el += max(-wn[W_OCF, i], 0.0)
        wn[W_EL, i] = el if alive[i] else 0.0
        wn[W_PROJECT, i] += wn[W_GROWTH_DEBT, i]
        wn[W_HAS, i] = wn[W_CASH, i] + max(wn[W_OCF, i], 0.0) + wn[W_PROJECT, i]


@_jit(inline=True)
def _pair_sums(pairs: Any, wq: Any, row: int, wn: Any, out_row: int, in_row: int) -> None:
    # pragma: no cover - compiled
    """What each node owes (``out_row``) and is owed (``in_row``) over the pairs."""
    for i in range(wn.shape[1]):
        wn[out_row, i] = 0.0
        wn[in_row, i] = 0.0
    for q in range(pairs.shape[1]):
        wn[out_row, pairs[0, q]] += wq[row, q]
        wn[in_row, pairs[1, q]] += wq[row, q]


@_jit(inline=True)
def _period(t: int, history: bool, s: int, p: Any, d: Any, st: Any, w: Any, tr: Any) -> int:
    # pragma: no cover - compiled
    """Advance scenario ``s`` (its state ``st``) by period ``t``; records the period in ``tr``
    when it has rows. Returns 0, or the clearing's code for inputs it refuses. (Inlined into
    :func:`run`: unpacking the tuples costs no reference counting there.)"""
    nodef, nodei, periodf, legf, legi, legp, buildf, buildi, pairs, conf, coni, year = p
    rev, mar, acc, ast, clim, interest, delay, keep, factor, capex, bcap = d
    sn, alive, dyear, sm, sk, ended, ss, srp = st
    wn, wk, wq, wb, defaulted, sws = w
    f, pos, lbuf, abuf, red, work, flags, iwork, wave, sure = sws
    tn, tk, tb = tr
    n, K, B, Q = nodef.shape[1], legi.shape[1], buildi.shape[1], pairs.shape[1]
    h = coni[HISTORY]
    dt = conf[DT]
    tracing = tn.shape[0] > 0
    # 1. operations
    for i in range(n):
        if history:
            log_revenue = periodf[REV_MEDIAN, t, i]
            margin = periodf[MARGIN_MEDIAN, t, i]
        else:
            log_revenue = rev[s, i] + (nodef[REV_START, i] - rev[s, i]) * periodf[LEFT, t, i]
            margin = mar[s, i] + (nodef[MARGIN_START, i] - mar[s, i]) * periodf[LEFT, t, i]
        revenue = np.exp(log_revenue) if nodei[HAS_REVENUE, i] else 0.0
        revenue = revenue * periodf[SHOCK, t, i]
        wn[W_REVENUE, i] = revenue
        wn[W_MARGIN, i] = margin
        wn[W_OCF, i] = (margin * revenue - periodf[FIXED, t, i]) * dt
    mood = np.exp(conf[KAPPA] * clim[s, t])
    # 2. contracts: delivery, dues, builds
    shift_all = delay[s] * coni[PER_YEAR]
    price_gw = capex[s]
    for k in range(K):
        payer, payee = legi[PAYER, k], legi[PAYEE, k]
        active = (keep[s, k] and not ended[k] and alive[payer]
                  and (legi[IS_CAPEX, k] != 0 or alive[payee]))  # fmt: skip
        wk[K_ACTIVE, k] = 1.0 if active else 0.0
        mode = legi[MODE, k]
        path = mode != SCHEDULED
        shift = shift_all + legi[WAIT, k] if legi[LINKED, k] else 0
        if history:
            target = legp[PLAN, k, t]
        else:
            at = max(t - shift, h - 1)
            target = legp[PLAN, k, max(at, 0)] if at >= 0 else legf[BEFORE, k]
        old = sk[DELIVERED, k]
        delivered = max(old, target) if active and path else old
        wk[K_DELTA, k] = delivered - old
        sk[DELIVERED, k] = delivered
        old = sk[BUILT, k]
        built = max(old, legp[PLAN, k, t]) if active and path else old
        wk[K_BUILT_NOW, k] = built - old
        sk[BUILT, k] = built
        price = price_gw if legi[PER_GW, k] else 1.0
        if mode == RATE:
            base = legf[LEG_RATE, k] * delivered * dt * (1.0 if t >= legi[START, k] else 0.0)
        elif mode == ON_DELIVERY:
            base = legf[VALUE, k] * wk[K_DELTA, k]
        else:
            if history:
                scheduled = legp[SCHEDULE, k, t]
            else:
                slot = t - shift
                scheduled = legp[SCHEDULE, k, max(slot, 0)] if slot >= h else 0.0
            base = scheduled * price
        base = base * factor[s, k]
        remaining = max(legf[TOTAL, k] * factor[s, k] * price - sk[PAID, k] - sk[CUT, k], 0.0)
        wk[K_REMAINING, k] = remaining
        due = min((base + sk[BACKLOG, k]) * wk[K_ACTIVE, k], remaining)
        wk[K_DUE, k] = min(due, max(legf[STOP_AFTER, k] - sk[PAID, k], 0.0))
    for b in range(B):
        k = buildi[BUILD_LEG, b]
        builder = buildi[BUILDER, b]
        if buildi[FINANCED, b] >= 0:
            wb[B_CAPEX, b] = 0.0
        else:
            cost = bcap[s, b]
            cost = 0.0 if np.isnan(cost) else cost
            wb[B_CAPEX, b] = cost * buildf[GW, b] * wk[K_BUILT_NOW, k]
        lease = buildf[LEASE, b] * buildf[GW, b] * sk[BUILT, k] * dt
        wb[B_LEASE, b] = lease * (1.0 if keep[s, k] else 0.0) * (1.0 if alive[builder] else 0.0)
    # 3. means and obligations; lenders roll part of the principal falling due
    roll = min(conf[ROLLOVER] * mood, 1.0)
    for i in range(n):
        balance = alive[i] and not nodei[OUTSIDE, i]
        rolled = roll * (periodf[DEBT_PRINCIPAL, t, i] + sm[1, i, t]) if balance else 0.0
        wn[W_ROLLED, i] = rolled
        wn[W_DS, i] = periodf[DEBT_SERVICE, t, i] - rolled + sm[0, i, t]
        growth = periodf[GROWTH_CAPEX, t, i] * dt if balance else 0.0
        wn[W_GROWTH, i] = growth
        wn[W_GROWTH_DEBT, i] = growth * nodef[CAPEX_DEBT_SHARE, i]
        sales_cap = (nodef[SALE_RATE, i] * dt * ast[s, i] * mood * (1.0 - sn[SOLD, i])
                     if balance else 0.0)  # fmt: skip
        market = acc[s, i] * mood * dt if balance else 0.0
        wn[W_SALES_CAP, i] = sales_cap
        wn[W_EQUITY_CAP, i] = market * (1.0 - nodef[NEW_DEBT_SHARE, i])
        wn[W_DEBT_CAP, i] = market * nodef[NEW_DEBT_SHARE, i]
        wn[W_FUNDS, i] = sales_cap + wn[W_EQUITY_CAP, i] + wn[W_DEBT_CAP, i]
        wn[W_CASH, i] = sn[CASH_, i]
    _obligations(legf, legi, buildf, buildi, pairs, wn, wk, wq, wb, alive)
    # 4. deferral
    max_share, cancel = conf[MAX_SHARE], conf[CANCEL]
    any_deferred = False
    if not history and max_share > 0:
        _pair_sums(pairs, wq, Q_PAIR, wn, W_OUT, W_IN)
        for i in range(n):
            wn[W_A, i] = 0.0  # each payer's deferrable dues
        for k in range(K):
            if legi[DEFERRABLE, k]:
                wn[W_A, legi[PAYER, k]] += wk[K_DUE, k]
        for i in range(n):
            gap = 0.0
            if alive[i] and not nodei[OUTSIDE, i]:
                gap = wn[W_OUT, i] + wn[W_EL, i] - wn[W_HAS, i] - wn[W_FUNDS, i] - wn[W_IN, i]
            own = wn[W_A, i]
            wn[W_B, i] = min(gap / own, max_share) if gap > 0 and own > 0 else 0.0
        for k in range(K):
            deferred = wk[K_DUE, k] * wn[W_B, legi[PAYER, k]] if legi[DEFERRABLE, k] else 0.0
            wk[K_DEFERRED, k] = deferred
            if deferred != 0.0:
                any_deferred = True
        if any_deferred:
            for k in range(K):
                wk[K_DUE, k] = wk[K_DUE, k] - wk[K_DEFERRED, k]
            _obligations(legf, legi, buildf, buildi, pairs, wn, wk, wq, wb, alive)
    for k in range(K):
        if not any_deferred:
            wk[K_DEFERRED, k] = 0.0
        cancelled = wk[K_DEFERRED, k] * cancel
        wk[K_CANCELLED, k] = cancelled
        sk[BACKLOG, k] = wk[K_DEFERRED, k] - cancelled
        sk[CUT, k] += cancelled
        if not legi[IS_CAPEX, k]:
            sn[CUTS, legi[PAYEE, k]] += cancelled
            sn[LOSS_, legi[PAYEE, k]] += cancelled
    _pair_sums(pairs, wq, Q_PAIR, wn, W_OUT, W_IN)
    for i in range(n):
        owes = wn[W_OUT, i] + wn[W_EL, i]
        e = wn[W_HAS, i] + wn[W_FUNDS, i] if alive[i] else 0.0
        topup = 0.0
        if history:
            if alive[i] and not nodei[OUTSIDE, i]:
                topup = max(owes - wn[W_IN, i] - e, 0.0)
            e = e + topup
        wn[W_TOPUP, i] = topup
        wn[W_E, i] = owes if nodei[OUTSIDE, i] else e
    # 5. clear
    if history:
        for i in range(n):
            wn[W_RATIO, i] = 1.0
            wn[W_EXTERNAL, i] = wn[W_EL, i]
            defaulted[i] = False
    else:
        method = coni[METHOD]
        status = settle(
            method, conf[ALPHA] if method else 1.0, conf[BETA] if method else 1.0,
            conf[RECOVERY], coni[SENIOR] != 0, coni[AT_ZERO] != 0, pairs, wq, Q_PAIR, wn, W_E,
            W_EL, W_RATIO, W_EXTERNAL, defaulted, f, pos, lbuf, abuf, red, work, flags, iwork,
            wave, sure,
        )  # fmt: skip
        if status:
            return int(status)
        for i in range(n):
            defaulted[i] = defaulted[i] and alive[i] and not nodei[OUTSIDE, i]
    for q in range(Q):
        wq[Q_PAID, q] = wq[Q_PAIR, q] * wn[W_RATIO, pairs[0, q]]
    for i in range(n):
        wn[W_SHORT_OUT, i] = 0.0
    for i in range(n):  # what each node receives and pays inside the network, and falls short
        wn[W_A, i] = 0.0
        wn[W_B, i] = 0.0
    for q in range(Q):
        paid = wq[Q_PAID, q]
        wn[W_A, pairs[1, q]] += paid
        wn[W_B, pairs[0, q]] += paid
        wn[W_SHORT_OUT, pairs[0, q]] += wq[Q_PAIR, q] - paid
    for k in range(K):
        paid = wk[K_DUE, k] * wn[W_RATIO, legi[PAYER, k]]
        wk[K_PAID_LEG, k] = 0.0 if legi[IS_EQUITY, k] else paid
    # 6. raising: what was drawn of the means beyond cash is what was needed
    rate_base = interest[s]
    P_new = coni[NEW_DEBT_PERIODS]
    for i in range(n):
        balance = alive[i] and not nodei[OUTSIDE, i]
        end_cash = wn[W_E, i] + wn[W_A, i] - wn[W_B, i] - wn[W_EXTERNAL, i]
        funds = wn[W_FUNDS, i]
        offered = funds + wn[W_TOPUP, i]
        used = max(offered - max(end_cash, 0.0), 0.0) if balance else 0.0
        used = min(used, offered)
        wn[W_CASH, i] = max(end_cash - offered, 0.0) if balance else 0.0
        normal = min(used, funds)
        sold = min(normal, wn[W_SALES_CAP, i])
        rest = max(normal - sold, 0.0)
        market = wn[W_EQUITY_CAP, i] + wn[W_DEBT_CAP, i]
        market_equity = rest * wn[W_EQUITY_CAP, i] / market if market > 0 else 0.0
        raised_debt = rest - market_equity
        topped = used - normal
        wn[W_SOLD, i] = sold
        wn[W_MARKET_EQUITY, i] = market_equity
        wn[W_RAISED_DEBT, i] = raised_debt
        wn[W_TOPPED, i] = topped
        value = ast[s, i] * mood
        sn[SOLD, i] += sold / value if value > 0 else 0.0
        _add_debt(sm, i, raised_debt + wn[W_ROLLED, i] if balance else 0.0,
                  rate_base + nodef[SPREAD, i], t, P_new, dt)  # fmt: skip
    for i in range(n):
        if nodef[CAPEX_DEBT_SHARE, i] * periodf[GROWTH_CAPEX, t, i] > 0:
            balance = alive[i] and not nodei[OUTSIDE, i]
            _add_debt(sm, i, wn[W_GROWTH_DEBT, i] * (1.0 if balance else 0.0),
                      rate_base + nodef[SPREAD, i], t, nodei[CAPEX_PERIODS, i], dt)  # fmt: skip
    for b in range(B):
        builder = buildi[BUILDER, b]
        balance = alive[builder] and not nodei[OUTSIDE, builder]
        _add_debt(sm, builder, wb[B_PROJECT, b] * (1.0 if balance else 0.0),
                  rate_base + buildf[BUILD_SPREAD, b], t, buildi[BUILD_PERIODS, b], dt)  # fmt: skip
    for i in range(n):
        if alive[i] and not nodei[OUTSIDE, i]:
            raised_debt, rolled = wn[W_RAISED_DEBT, i], wn[W_ROLLED, i]
            raised = raised_debt + rolled + wn[W_PROJECT, i]
            new_debt = sn[NEW_DEBT, i] + raised_debt + rolled + wn[W_PROJECT, i]
            sn[NEW_DEBT, i] = new_debt - sm[1, i, t]
            sn[EQUITY, i] += wn[W_MARKET_EQUITY, i] + wn[W_TOPPED, i]
            sn[DEBT, i] += raised
            sn[SALES, i] += wn[W_SOLD, i]
        wn[W_PLEDGED, i] = 0.0
    # equity pledges: from the secured pot, then the cash left; they reach the investee after
    for k in range(K):
        owing = legi[IS_EQUITY, k] and not defaulted[legi[PAYER, k]]
        wk[K_EQUITY_DUE, k] = wk[K_DUE, k] if owing else 0.0
        wn[W_PLEDGED, legi[PAYER, k]] += wk[K_EQUITY_DUE, k]
    for i in range(n):
        outside = nodei[OUTSIDE, i] != 0
        balance = alive[i] and not outside
        pledged = wn[W_PLEDGED, i]
        from_pot = min(pledged, sn[POT, i]) if balance else 0.0
        sn[POT, i] -= from_pot
        from_cash = min(pledged - from_pot, wn[W_CASH, i]) if pledged - from_pot > 0 else 0.0
        can_pay = (from_pot + from_cash) / pledged if pledged > 0 else 1.0
        wn[W_CAN_PAY, i] = 1.0 if outside else can_pay
        wn[W_CASH, i] = wn[W_CASH, i] - (0.0 if outside else from_cash)
    for i in range(n):
        wn[W_A, i] = 0.0
        wn[W_B, i] = 0.0
    for k in range(K):
        equity_paid = wk[K_EQUITY_DUE, k] * wn[W_CAN_PAY, legi[PAYER, k]]
        if not legi[IS_CAPEX, k]:
            wn[W_A, legi[PAYEE, k]] += equity_paid
            wn[W_B, legi[PAYEE, k]] += wk[K_EQUITY_DUE, k] - equity_paid
        wk[K_PAID_LEG, k] += equity_paid
        sk[PAID, k] += wk[K_PAID_LEG, k]
    unpaid_network, unpaid_outside = 0.0, 0.0
    for q in range(Q):
        unpaid_network += wq[Q_PAIR, q] - wq[Q_PAID, q]
    for i in range(n):
        cash = wn[W_CASH, i] + wn[W_A, i]
        sn[SHORTFALL, i] += wn[W_B, i]
        sn[CASH_, i] = cash if alive[i] and not nodei[OUTSIDE, i] else 0.0
        unpaid_outside += wn[W_EL, i] - wn[W_EXTERNAL, i]
    ss[UNPAID] += unpaid_network + unpaid_outside
    for q in range(Q):
        sn[LOSS_, pairs[1, q]] += wq[Q_PAIR, q] - wq[Q_PAID, q]
    for k in range(K):
        if legi[IS_REVENUE, k]:
            money_in = wk[K_PAID_LEG, k]
            sn[RECEIVED, legi[PAYEE, k]] += money_in
            srp[legi[REVENUE_PAIR, k]] += money_in
    if tracing and (history or s == 0):
        _record(t, dt, wn, wk, wb, defaulted, tn, tk, tb)
    # 7. defaults end agreements from the next period
    hit = False
    for i in range(n):
        hit = hit or defaulted[i]
    if not hit:
        return 0
    lgd = conf[LGD]
    for i in range(n):
        if defaulted[i]:
            dyear[i] = year[t]
            alive[i] = False
    for k in range(K):
        live = keep[s, k] and not ended[k]
        payer, payee = legi[PAYER, k], legi[PAYEE, k]
        by_payer = defaulted[payer] and live
        by_payee = legi[IS_CAPEX, k] == 0 and defaulted[payee] and live
        if by_payer:
            left = max(wk[K_REMAINING, k] - wk[K_DUE, k] - wk[K_CANCELLED, k], 0.0)
            left = min(left, max(legf[STOP_AFTER, k] - sk[PAID, k], 0.0))
            if legi[LEG_LOSS, k] and not legi[IS_CAPEX, k]:
                sn[LOSS_, payee] += left * lgd
            share = sk[DELIVERED, k] if legi[MODE, k] != SCHEDULED else 1.0
            ss[STRANDED] += legf[CAPACITY, k] * share
        if by_payee and legi[IS_EQUITY, k]:
            sn[WRITEDOWN, payer] += sk[PAID, k]
        if by_payer or by_payee:
            ended[k] = True
    for i in range(n):
        if defaulted[i]:
            left = periodf[DEBT_OUTSTANDING, t, i] - periodf[DEBT_PRINCIPAL, t, i]
            debt_left = left + sn[NEW_DEBT, i]
            ss[LENDER_LOSS] += debt_left * lgd + wn[W_EL, i] - wn[W_EXTERNAL, i]
    return 0


@_jit(inline=True)
def _record(t: int, dt: float, wn: Any, wk: Any, wb: Any, defaulted: Any, tn: Any, tk: Any,
            tb: Any) -> None:  # fmt: skip  # pragma: no cover - compiled
    """One period's flows (the reference run's waterfall: revenue and other costs in money
    per period)."""
    for i in range(wn.shape[1]):
        revenue = wn[W_REVENUE, i] * dt
        tn[t, T_GROWTH, i] = wn[W_GROWTH, i]
        tn[t, T_ROLLED, i] = wn[W_ROLLED, i]
        tn[t, T_MARGIN, i] = wn[W_MARGIN, i]
        tn[t, T_REVENUE, i] = revenue
        tn[t, T_OTHER_COSTS, i] = revenue - wn[W_OCF, i]
        tn[t, T_DEBT_SERVICE, i] = wn[W_DS, i]
        tn[t, T_ASSET_SALES, i] = wn[W_SOLD, i]
        tn[t, T_EQUITY, i] = wn[W_MARKET_EQUITY, i]
        tn[t, T_DEBT, i] = wn[W_RAISED_DEBT, i]
        tn[t, T_TOPUP, i] = wn[W_TOPPED, i]
        tn[t, T_UNPAID_OUTSIDE, i] = wn[W_EL, i] - wn[W_EXTERNAL, i]
        tn[t, T_UNPAID_NETWORK, i] = wn[W_SHORT_OUT, i]
        tn[t, T_DEFAULTED, i] = 1.0 if defaulted[i] else 0.0
    for k in range(wk.shape[1]):
        tk[t, T_DUE, k] = wk[K_DUE, k]
        tk[t, T_PAID, k] = wk[K_PAID_LEG, k]
        tk[t, T_DEFERRED, k] = wk[K_DEFERRED, k]
        tk[t, T_CUT, k] = wk[K_CANCELLED, k]
    for b in range(wb.shape[1]):
        tb[t, T_BUILD_CAPEX, b] = wb[B_CAPEX, b]
        tb[t, T_BUILD_LEASE, b] = wb[B_LEASE, b]
        tb[t, T_PROJECT_DEBT, b] = wb[B_PROJECT, b]


@_jit()
def run(
    p: Any, d: Any, secured: Any, spent: Any, start: Any, w: Any, tr: Any, out_n: Any,
    out_s: Any, out_year: Any, out_pairs: Any, history: bool, lo: int, hi: int,
) -> int:  # fmt: skip  # pragma: no cover - compiled
    """Scenarios ``lo..hi`` of the draws ``d`` from the state ``start``, through the periods
    before the as-of date (``history``: ``d`` holds the median scenario, and its final state
    is written back into ``start``) or from there to the horizon, each scenario's results
    written once: ``out_n`` (OUT_N, S, n), ``out_s`` (3, S), ``out_year`` (S, n),
    ``out_pairs`` (S, R). Returns 0, or the clearing's code for inputs it refuses.

    The period's code is inlined here, so the loops make no calls that would count references
    to their arrays (a call costs an atomic increment and decrement per array argument)."""
    coni = p[10]
    sn0, alive0, dyear0, sm0, sk0, ended0, ss0, srp0 = start
    sn, alive, dyear, sm, sk, ended = (sn0.copy(), alive0.copy(), dyear0.copy(), sm0.copy(),
                                       sk0.copy(), ended0.copy())  # fmt: skip
    ss, srp = ss0.copy(), srp0.copy()
    st = (sn, alive, dyear, sm, sk, ended, ss, srp)
    h, P = coni[HISTORY], coni[PERIODS]
    t0, t1 = (0, h) if history else (h, P)
    n = sn.shape[1]
    for s in range(lo, hi):
        sn[:] = sn0
        alive[:] = alive0
        dyear[:] = dyear0
        sm[:] = sm0
        sk[:] = sk0
        ended[:] = ended0
        ss[:] = ss0
        srp[:] = srp0
        if not history:
            for i in range(n):
                sn[POT, i] = max(secured[s, i] - spent[i], 0.0) if h else secured[s, i]
        for t in range(t0, t1):
            status = _period(t, history, s, p, d, st, w, tr)
            if status:
                return int(status)
        if history:
            sn0[:] = sn
            alive0[:] = alive
            dyear0[:] = dyear
            sm0[:] = sm
            sk0[:] = sk
            ended0[:] = ended
            ss0[:] = ss
            srp0[:] = srp
            continue
        for r in range(OUT_N):
            for i in range(n):
                out_n[r, s, i] = sn[OUT_FIRST + r, i]
        for i in range(n):
            out_year[s, i] = dyear[i]
        for r in range(3):
            out_s[r, s] = ss[r]
        for r in range(srp.size):
            out_pairs[s, r] = srp[r]
    return 0
