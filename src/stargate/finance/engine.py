"""The compiled stress simulator: blocks of scenarios run through every period in one pass, on
the edge list of :mod:`stargate.finance.plan`, their state in the core's cache, their results
written once.

A block holds :data:`LANES` scenarios side by side, on the last axis of every state and scratch
array; each period's steps (:mod:`stargate.finance.steps`) loop over legs, nodes and pairs
around a loop over the lanes, which the compiler turns into vector instructions where it can.
Each lane is computed exactly as one scenario alone would be; only the clearing of a scenario
that is short runs lane by lane.
"""

from __future__ import annotations

from typing import Any

from stargate.finance.kernels import _jit
from stargate.finance.layout import OUT_FIRST, OUT_N, POT
from stargate.finance.plan import DT, HISTORY, PERIODS
from stargate.finance.steps import (
    _clear,
    _contracts,
    _defaults,
    _defer,
    _means,
    _obligations,
    _operations,
    _pay,
    _pledges,
    _raise,
    _record,
)  # fmt: skip

LANES = 16  # scenarios per block: 16 float64 lanes fill two AVX-512 registers; the block's
# state (about 25 KB a lane for the demo World) stays in the core's L2 cache


@_jit(inline=True)
def _period(t: int, history: bool, s0: int, nl: int, p: Any, d: Any, st: Any, w: Any,
            tr: Any) -> int:  # fmt: skip  # pragma: no cover - compiled
    """Advance the block of scenarios ``s0 .. s0 + nl`` (state ``st``, one per lane) by period
    ``t``; records lane 0 in ``tr`` when it has rows and the block holds the first scenario.
    Returns 0, or the clearing's code for inputs it refuses. Each step is a compiled call that
    takes the block's arrays it needs (a call costs a reference count per array argument, paid
    once for the whole block)."""
    nodef, nodei, periodf, legf, legi, legp, buildf, buildi, pairs, conf, coni, year = p
    rev, mar, acc, ast, clim, interest, delay, keep, factor, capex, bcap = d
    sn, alive, dyear, sm, sk, ended, ss, srp = st
    wn, wk, wq, wb, defaulted, wl, sws = w
    f, pos, lbuf, abuf, red, work, flags, iwork, wave, sure = sws
    tn, tk, tb = tr
    _operations(t, history, s0, nl, nodef, nodei, periodf, conf, rev, mar, clim, interest, wn,
                wl)  # fmt: skip
    _contracts(t, history, s0, nl, legf, legi, legp, buildf, buildi, conf, coni, keep, factor,
               capex, delay, bcap, alive, ended, sk, wk, wb)  # fmt: skip
    _means(t, s0, nl, nodef, nodei, periodf, conf, ast, acc, alive, sn, sm, wn, wl)
    _obligations(legf, legi, buildf, buildi, pairs, wn, wk, wq, wb, alive, nl)
    _defer(history, nl, conf, coni, legf, legi, buildf, buildi, pairs, nodei, alive, sn, sk, wn, wk,
           wq, wb, wl)  # fmt: skip
    status = _clear(history, nl, conf, coni, pairs, nodei, alive, defaulted, wn, wq, wl, f, pos,
                    lbuf, abuf, red, work, flags, iwork, wave, sure)  # fmt: skip
    if status:
        return int(status)
    _pay(nl, legi, pairs, wn, wk, wq)
    _raise(t, s0, nl, conf, coni, nodef, nodei, periodf, buildf, buildi, ast, alive, sn, sm, wn,
           wb, wl)  # fmt: skip
    _pledges(nl, legi, nodei, pairs, alive, defaulted, sn, sk, ss, srp, wn, wk, wq, wl)
    if tn.shape[0] > 0 and (history or s0 == 0):
        _record(t, conf[DT], wn, wk, wb, defaulted, tn, tk, tb)
    _defaults(t, s0, nl, conf, legf, legi, periodf, year, keep, defaulted, alive, dyear, ended,
              sn, sk, ss, wn, wk)  # fmt: skip
    return 0


@_jit()
def run(
    p: Any, d: Any, secured: Any, spent: Any, start: Any, st: Any, w: Any, tr: Any,
    out_n: Any, out_s: Any, out_year: Any, out_pairs: Any, history: bool, lo: int, hi: int,
) -> int:  # fmt: skip  # pragma: no cover - compiled
    """Scenarios ``lo..hi`` of the draws ``d`` (scenarios on the last axis), in blocks of as
    many as ``st`` has lanes (the block's state: the arrays of ``start``, one scenario's, with
    a lane axis), from the state ``start``: through the periods
    before the as-of date (``history``: ``d`` holds the median scenario, whose final state is
    written back into ``start``) or from there to the horizon, each scenario's results written
    once: ``out_n`` (OUT_N, S, n), ``out_s`` (3, S), ``out_year`` (S, n), ``out_pairs``
    (S, R). Returns 0, or the clearing's code for inputs it refuses.

    The period's code is inlined here, so the loops make no calls that would count references
    to their arrays (a call costs an atomic increment and decrement per array argument)."""
    coni = p[10]
    sn0, alive0, dyear0, sm0, sk0, ended0, ss0, srp0 = start
    sn, alive, dyear, sm, sk, ended, ss, srp = st
    h, P = coni[HISTORY], coni[PERIODS]
    t0, t1 = (0, h) if history else (h, P)
    n = sn.shape[1]
    lanes = sn.shape[2]
    for s0 in range(lo, hi, lanes):
        nl = min(lanes, hi - s0)
        for j in range(nl):
            sn[:, :, j] = sn0
            alive[:, j] = alive0
            dyear[:, j] = dyear0
            sm[:, :, :, j] = sm0
            sk[:, :, j] = sk0
            ended[:, j] = ended0
            ss[:, j] = ss0
            srp[:, j] = srp0
            if not history:
                for i in range(n):
                    pot = max(secured[i, s0 + j] - spent[i], 0.0) if h else secured[i, s0 + j]
                    sn[POT, i, j] = pot
        for t in range(t0, t1):
            status = _period(t, history, s0, nl, p, d, st, w, tr)
            if status:
                return int(status)
        if history:
            sn0[:] = sn[:, :, 0]
            alive0[:] = alive[:, 0]
            dyear0[:] = dyear[:, 0]
            sm0[:] = sm[:, :, :, 0]
            sk0[:] = sk[:, :, 0]
            ended0[:] = ended[:, 0]
            ss0[:] = ss[:, 0]
            srp0[:] = srp[:, 0]
            continue
        for r in range(OUT_N):
            for j in range(nl):
                for i in range(n):
                    out_n[r, s0 + j, i] = sn[OUT_FIRST + r, i, j]
        for j in range(nl):
            for i in range(n):
                out_year[s0 + j, i] = dyear[i, j]
            for r in range(3):
                out_s[r, s0 + j] = ss[r, j]
            for r in range(srp.shape[0]):
                out_pairs[s0 + j, r] = srp[r, j]
    return 0
