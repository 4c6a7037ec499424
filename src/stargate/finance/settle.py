"""One period's clearing inside the compiled simulator, solved only over the nodes that may
default, on the edge list of the (payer, payee) pairs that exist.

What it computes is what :func:`stargate.finance.clearing.eisenberg_noe`,
:func:`~stargate.finance.clearing.rogers_veraart` (compiled, fictitious default algorithm) and
:func:`stargate.finance.cascades.furfine` return for one scenario (recovery rates, outside
payments, defaults), with the same tolerances (``1e-12`` of the scenario's largest obligation or
asset), in three steps:

1. **Nobody short.** When every node can pay everything with what it holds and what it is owed
   at face value, everyone pays in full: nothing to solve (most scenario-periods). (Under
   ``default_at_zero`` a node that just breaks even defaults: every period is solved.)
2. **Sure payers.** A node whose net worth is not negative even when every node outside a set
   ``F`` pays it nothing, the nodes of ``F`` paying in full, never defaults: the fictitious
   default rounds start from full payment and a node's value only falls as others join the
   default set (Eisenberg & Noe 2001, *Management Science* 47(2), §3; Rogers & Veraart 2013,
   *Management Science* 59(4), Definition 3.6), so by induction no node of ``F`` ever joins it.
   ``F`` grows from the nodes solvent on their own until it stops growing; the others are the
   unknown nodes ``U``.
3. **The unknown nodes.** The growing default set runs on ``U`` alone, plus one aggregate node
   for ``F`` that pays in full (:func:`stargate.finance.kernels._fda`, the EN fictitious default
   algorithm or RV's Greatest Clearing Vector Algorithm): an ``O(|U|³)`` problem where the full
   one is ``O(n³)`` (in the demo World ``|U|`` is one to three nodes of thirty).

Then payments, net worth and defaults are read back over the edges for every node, as
``clearing._result`` and ``kernels._write`` do. The caller's arrays hold a block of scenarios
side by side (last axis); :func:`settle` clears the one in lane ``lane``, writing into rows of
the caller's arrays: no allocation, no array views on the common path.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from stargate.finance.kernels import SNAP, _fda, _jit

METHOD_CODES = {"eisenberg_noe": 0, "rogers_veraart": 1, "furfine": 2}
# return codes for inputs that the clearing refuses (stargate.finance.network.network)
BAD_VALUE, BAD_OBLIGATION, BAD_LIABILITY = 1, 2, 3
# rows of the node scratch array
OWED, CLAIMS, PBAR, SENIOR_DEBT, INFLOW, VALUE, RATIO, E, EL = range(9)
ROWS = 9
TINY = float(np.finfo(np.float64).tiny)


def workspace(n: int) -> tuple[Any, ...]:
    """Scratch arrays for :func:`settle` on ``n`` nodes (allocated once per run)."""
    m = n + 1
    return (
        np.zeros((ROWS, n)),
        np.zeros(n, np.int64),  # position of each node in the reduced system (-1: sure payer)
        np.zeros(m * m), np.zeros(m * m),  # reduced L, elimination matrix
        np.zeros((6, m)),  # reduced cs, e, s, pbar, r, inflow
        np.zeros(4 * m), np.zeros(6 * m, np.bool_), np.zeros(3 * m, np.int64),
        np.zeros(m, np.int64),  # default round of each reduced node
        np.zeros(n, np.bool_),  # sure payers
    )  # fmt: skip


@_jit(inline=True)
def _amount(x: float) -> float:  # pragma: no cover - compiled
    """``x``, or 0 for a subnormal (as :func:`stargate.finance.network.network` flushes them)."""
    return 0.0 if abs(x) < TINY else x


@_jit(inline=True)
def _insolvent(value: float, tol: float, at_zero: bool) -> bool:  # pragma: no cover - compiled
    return (value <= tol) if at_zero else (value < -tol)


@_jit(inline=True)
def settle(
    method: int, alpha: float, beta: float, recovery: float, senior: bool, at_zero: bool,
    pairs: Any, amounts: Any, a_row: int, wn: Any, e_row: int, el_row: int, ratio_row: int,
    external_row: int, defaulted: Any, lane: int, f: Any, pos: Any, lbuf: Any, abuf: Any,
    red: Any, work: Any, flags: Any, iwork: Any, wave: Any, sure: Any,
) -> int:  # fmt: skip  # pragma: no cover - compiled
    """Clear one scenario-period (lane ``lane``): ``amounts[a_row, q, lane]`` owed by
    ``pairs[0, q]`` to ``pairs[1, q]``, outside assets ``wn[e_row, :, lane]`` and liabilities
    ``wn[el_row, :, lane]``; writes each node's recovery rate (``wn[ratio_row, :, lane]``),
    outside payments (``wn[external_row, :, lane]``) and ``defaulted[:, lane]``. Returns 0, or a
    code for inputs the clearing refuses."""
    n = wn.shape[1]
    Q = pairs.shape[1]
    for i in range(n):
        f[OWED, i] = 0.0
        f[CLAIMS, i] = 0.0
        f[E, i] = _amount(wn[e_row, i, lane])
        f[EL, i] = _amount(wn[el_row, i, lane])
    for q in range(Q):
        f[OWED, pairs[0, q]] += _amount(amounts[a_row, q, lane])
        f[CLAIMS, pairs[1, q]] += _amount(amounts[a_row, q, lane])
    short = at_zero  # defaulting at zero net worth: a node that just breaks even defaults
    for i in range(n):
        if f[E, i] + f[CLAIMS, i] - (f[OWED, i] + f[EL, i]) < 0:
            short = True
    if not short:
        for i in range(n):
            wn[ratio_row, i, lane] = 1.0
            wn[external_row, i, lane] = f[EL, i]
            defaulted[i, lane] = False
        return 0
    for i in range(n):  # the inputs a clearing accepts (stargate.finance.network.network)
        if not (np.isfinite(f[E, i]) and np.isfinite(f[EL, i])):
            return BAD_VALUE
        if f[EL, i] < 0:
            return BAD_LIABILITY
    for q in range(Q):
        if not np.isfinite(amounts[a_row, q, lane]):
            return BAD_VALUE
        if amounts[a_row, q, lane] < 0:
            return BAD_OBLIGATION
    scale = 0.0
    for i in range(n):
        if senior:
            f[PBAR, i], f[SENIOR_DEBT, i] = f[OWED, i], f[EL, i]
        else:
            f[PBAR, i], f[SENIOR_DEBT, i] = f[OWED, i] + f[EL, i], 0.0
        scale = max(scale, f[PBAR, i], abs(f[E, i]))
        f[RATIO, i] = 1.0
    tol = SNAP * (scale if scale > 0.0 else 1.0)
    if method == 2:
        _furfine(recovery, at_zero, tol, pairs, amounts, a_row, lane, f, defaulted)
    else:
        _reduced_fda(alpha, beta, at_zero, tol, pairs, amounts, a_row, lane, f, defaulted, pos,
                     lbuf, abuf, red, work, flags, iwork, wave, sure)  # fmt: skip
    for i in range(n):
        if f[RATIO, i] >= 1.0 - SNAP:
            f[RATIO, i] = 1.0
        f[INFLOW, i] = 0.0
    for q in range(Q):
        f[INFLOW, pairs[1, q]] += _amount(amounts[a_row, q, lane]) * f[RATIO, pairs[0, q]]
    for i in range(n):
        e, el, owed, inflow, r = f[E, i], f[EL, i], f[OWED, i], f[INFLOW, i], f[RATIO, i]
        worth = inflow + e
        worth -= el
        worth -= owed
        if abs(worth) <= tol:
            worth = 0.0
        if method == 0:  # Eisenberg–Noe: net worth below zero (the rounds decide for RV, Furfine)
            defaulted[i, lane] = ((worth <= 0.0) if at_zero else (worth < 0.0)) and owed + el > 0
        if senior:
            resources = alpha * e + beta * inflow if defaulted[i, lane] else e + inflow
            wn[external_row, i, lane] = min(el, max(resources, 0.0))
        else:
            wn[external_row, i, lane] = r * el
        wn[ratio_row, i, lane] = r if owed > 0 else 1.0
    return 0


@_jit(inline=True)
def _reduced_fda(
    alpha: float, beta: float, at_zero: bool, tol: float, pairs: Any, amounts: Any, a_row: int,
    lane: int, f: Any, defaulted: Any, pos: Any, lbuf: Any, abuf: Any, red: Any, work: Any,
    flags: Any, iwork: Any, wave: Any, sure: Any,
) -> None:  # fmt: skip  # pragma: no cover - compiled
    """The growing default set over the unknown nodes (steps 2 and 3 of the module docstring):
    ``f[RATIO]`` (1 for sure payers) and, for Rogers–Veraart, ``defaulted`` (the final set)."""
    n = f.shape[1]
    Q = pairs.shape[1]
    for i in range(n):
        sure[i] = not f[PBAR, i] > 0
        defaulted[i, lane] = False
    grown = True
    while grown:  # F grows from the nodes solvent on their own: at most n passes
        grown = False
        for i in range(n):
            f[VALUE, i] = f[E, i] - f[SENIOR_DEBT, i] - f[PBAR, i]
        for q in range(Q):
            if sure[pairs[0, q]]:
                f[VALUE, pairs[1, q]] += _amount(amounts[a_row, q, lane])
        for i in range(n):
            if not sure[i] and not _insolvent(f[VALUE, i], tol, at_zero):
                sure[i] = True
                grown = True
    u = 0
    for i in range(n):
        if sure[i]:
            pos[i] = -1
        else:
            pos[i] = u
            u += 1
    if u == 0:
        return
    m = u + 1  # the unknown nodes, then one node standing for every sure payer
    for a in range(m * m):
        lbuf[a] = 0.0
    for i in range(n):
        a = pos[i]
        if a >= 0:
            red[0, a], red[1, a] = f[CLAIMS, i], f[E, i]
            red[2, a], red[3, a] = f[SENIOR_DEBT, i], f[PBAR, i]
    for row in range(4):
        red[row, u] = 0.0  # the sure payers' node owes nothing here: it never defaults
    for q in range(Q):
        b = pos[pairs[1, q]]
        if b < 0:
            continue  # what is owed to a sure payer is in its payer's p̄ already
        a = pos[pairs[0, q]]
        lbuf[(u if a < 0 else a) * m + b] += _amount(amounts[a_row, q, lane])
    _fda(lbuf[: m * m].reshape((m, m)), red[0, :m], red[1, :m], red[2, :m], red[3, :m], alpha,
         beta, at_zero, tol, red[4, :m], red[5, :m], wave[:m], work[: 4 * m].reshape((4, m)),
         flags[: 6 * m].reshape((6, m)), iwork[: 3 * m].reshape((3, m)),
         abuf[: m * m].reshape((m, m)))  # fmt: skip
    for i in range(n):
        a = pos[i]
        if a >= 0:
            f[RATIO, i] = red[4, a]
            defaulted[i, lane] = wave[a] > 0


@_jit(inline=True)
def _furfine(
    recovery: float, at_zero: bool, tol: float, pairs: Any, amounts: Any, a_row: int,
    lane: int, f: Any, defaulted: Any,
) -> None:  # fmt: skip  # pragma: no cover - compiled
    """Furfine's rounds (:func:`stargate.finance.cascades.furfine`): book equity less
    ``1 − R`` of what defaulted debtors owe; defaulters pay ``R``."""
    n = f.shape[1]
    Q = pairs.shape[1]
    found = False
    for i in range(n):
        owes = f[OWED, i] + f[EL, i] > 0
        w0 = f[E, i] + f[CLAIMS, i] - f[OWED, i] - f[EL, i]
        defaulted[i, lane] = _insolvent(w0, tol, at_zero) and owes
        found = found or defaulted[i, lane]
    for _ in range(n):
        if not found:
            break
        for i in range(n):
            f[VALUE, i] = 0.0
        for q in range(Q):
            if defaulted[pairs[0, q], lane]:
                f[VALUE, pairs[1, q]] += _amount(amounts[a_row, q, lane])
        found = False
        for i in range(n):
            if defaulted[i, lane] or not f[OWED, i] + f[EL, i] > 0:
                continue
            w0 = f[E, i] + f[CLAIMS, i] - f[OWED, i] - f[EL, i]
            if _insolvent(w0 - (1.0 - recovery) * f[VALUE, i], tol, at_zero):
                defaulted[i, lane] = True
                found = True
    for i in range(n):
        f[RATIO, i] = recovery if defaulted[i, lane] else 1.0
