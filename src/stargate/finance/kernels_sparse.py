"""Compiled clearing kernels for sparse obligations (CSR ``L``, row ``i`` = what ``i`` owes):
the growing-default-set algorithm (Eisenberg & Noe 2001, §3; Rogers & Veraart 2013,
Definition 3.6) over a shared network, any number of scenarios.

Each round's linear system on the default set ``D``,
``p̄_i r_i = α e_i − s_i + β (Σ_{j∉D} L_ji + Σ_{j∈D} L_ji r_j)``, ``r_i ≥ 0``, is solved by Jacobi
sweeps over the rows of ``D`` only (``O(nnz(D))`` each), started from the previous round's ratios,
which lie above the solution, so the sweeps descend monotonically to it; they stop when no payment
moves by more than ``64 ε`` of the largest amount and the moves shrink at least twofold per sweep
(so the distance left, at most ``move·ρ/(1 − ρ)``, is below that too). The rate is the spectral
radius of ``β Π_DDᵀ``. Closed groups inside ``D`` (their money cannot leave it: EN's regularity
condition fails) pay 0, as in the reference's leak analysis; a scenario whose sweeps do not
converge within ``MAX_SWEEPS`` is reported back (``status = 1``) for the numpy reference, which
solves it directly. Inflows are column sums minus what the defaulters withhold (pushed over
``D``'s rows).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from stargate.finance.kernels import SNAP, _jit, _write

MAX_SWEEPS = 5000  # per round; beyond it the scenario goes to the direct (numpy) solver
STOP = 64 * 2.0**-52  # sweeps stop when no payment moves by more than this × the largest amount


@_jit()
def _withheld(indptr: Any, indices: Any, data: Any, cs: Any, r: Any, rows: Any, m: int,
              out: Any) -> None:  # fmt: skip  # pragma: no cover - compiled
    """``out = r @ L`` for ratios that are 1 outside ``rows[:m]``."""
    for j in range(cs.size):
        out[j] = cs[j]
    for a in range(m):
        i = rows[a]
        d = 1.0 - r[i]
        if d != 0.0:
            for q in range(indptr[i], indptr[i + 1]):
                out[indices[q]] -= d * data[q]


@_jit()
def _sweep(
    indptr: Any, indices: Any, data: Any, e: Any, s: Any, pbar: Any, alpha: float,
    beta: float, r: Any, dflag: Any, zflag: Any, leaky: Any, dlist: Any, nd: int, base: Any,
    acc: Any, x: Any, stop: float,
) -> bool:  # fmt: skip  # pragma: no cover - compiled
    """Jacobi sweeps for the defaulters ``dlist[:nd]`` that pay something (not ``zflag``);
    closed groups among them (no money leaves them) pay 0, as in the reference's FDA. False when the
    sweeps do not converge within ``MAX_SWEEPS``."""
    top = 1.0
    for a in range(nd):
        x[dlist[a]] = 0.0
    for a in range(nd):
        top = max(top, pbar[dlist[a]])
    closed = 0
    for a in range(nd):
        i = dlist[a]
        inside = 0.0
        for q in range(indptr[i], indptr[i + 1]):
            if dflag[indices[q]] and not zflag[indices[q]]:
                inside += data[q]
        leaky[i] = not zflag[i] and pbar[i] - beta * inside > SNAP * top
        closed += not leaky[i] and not zflag[i]
    grown = closed > 0
    while grown:
        grown = False
        for a in range(nd):
            i = dlist[a]
            if leaky[i] or zflag[i]:
                continue
            for q in range(indptr[i], indptr[i + 1]):
                j = indices[q]
                if leaky[j] and data[q] > SNAP * top:
                    leaky[i] = True
                    grown = True
                    break
    for a in range(nd):
        if not leaky[dlist[a]]:
            r[dlist[a]] = 0.0
    previous = np.inf
    for _ in range(MAX_SWEEPS):
        for a in range(nd):
            acc[dlist[a]] = 0.0
        for a in range(nd):
            j = dlist[a]
            xj = r[j]
            if xj != 0.0:
                for q in range(indptr[j], indptr[j + 1]):
                    i = indices[q]
                    if dflag[i]:
                        acc[i] += data[q] * xj
        moved = 0.0
        for a in range(nd):
            i = dlist[a]
            if leaky[i]:
                v = max((alpha * e[i] - s[i] + beta * (base[i] + acc[i])) / pbar[i], 0.0)
                moved = max(moved, abs(v - r[i]) * pbar[i])
                x[i] = v
        for a in range(nd):
            if leaky[dlist[a]]:
                r[dlist[a]] = x[dlist[a]]
        # distance to the solution <= moved·ρ/(1 − ρ), ρ estimated from successive moves
        rho = moved / previous if previous > 0 else 0.0
        if moved == 0.0 or (moved <= stop and rho < 0.5):
            return True
        previous = moved
    return False


@_jit()
def _fda_sparse(
    indptr: Any, indices: Any, data: Any, cs: Any, e: Any, s: Any, pbar: Any, alpha: float,
    beta: float, at_zero: bool, tol: float, r: Any, inflow: Any, wave: Any, dflag: Any,
    dlist: Any, base: Any, acc: Any, x: Any, stop: float, leaky: Any, zflag: Any,
) -> int:  # fmt: skip  # pragma: no cover - compiled
    """Greatest clearing ratios ``r``; ``wave`` the round each node joined the default set;
    ``inflow = r @ L``. Returns the rounds used, or −1 when a round's sweeps do not converge."""
    n = cs.size
    for i in range(n):
        r[i] = 1.0
        inflow[i] = cs[i]
        dflag[i] = False
        wave[i] = 0
    nd = 0
    rounds = 0
    for rnd in range(1, n + 2):
        start = nd
        for i in range(n):
            if dflag[i] or not pbar[i] > 0:
                continue
            value = e[i] - s[i] + inflow[i] - pbar[i]
            if (value <= tol) if at_zero else (value < -tol):
                dflag[i] = True
                wave[i] = rnd
                dlist[nd] = i
                nd += 1
        if nd == start:
            break
        rounds = rnd
        # what each defaulter receives from nodes paying in full: column sum minus D's rows
        for a in range(nd):
            base[dlist[a]] = cs[dlist[a]]
        for a in range(nd):
            j = dlist[a]
            for q in range(indptr[j], indptr[j + 1]):
                if dflag[indices[q]]:
                    base[indices[q]] -= data[q]
        for a in range(nd):
            zflag[dlist[a]] = False
        converged = False
        for _ in range(n + 1):  # the zero set (negative estates) as in the reference
            converged = _sweep(indptr, indices, data, e, s, pbar, alpha, beta, r, dflag,
                               zflag, leaky, dlist, nd, base, acc, x, stop)  # fmt: skip
            if not converged:
                break
            same = True
            for a in range(nd):
                acc[dlist[a]] = 0.0
            for a in range(nd):
                j = dlist[a]
                if r[j] != 0.0:
                    for q in range(indptr[j], indptr[j + 1]):
                        acc[indices[q]] += data[q] * r[j]
            for a in range(nd):
                i = dlist[a]
                now = alpha * e[i] - s[i] + beta * (base[i] + acc[i]) < -tol
                same = same and now == zflag[i]
                zflag[i] = now
                if now:
                    r[i] = 0.0
            if same:
                break
        if not converged:
            return -1
        for a in range(nd):
            r[dlist[a]] = min(r[dlist[a]], 1.0)
        _withheld(indptr, indices, data, cs, r, dlist, nd, inflow)
    return rounds


@_jit()
def _replay_sparse(
    indptr: Any, indices: Any, data: Any, cs: Any, e: Any, s: Any, pbar: Any, r: Any,
    defaulted: Any, at_zero: bool, tol: float, wave: Any, known: Any, klist: Any, inflow: Any,
) -> None:  # fmt: skip  # pragma: no cover - compiled
    """Default waves (``_replay_waves`` of the reference) with inflows pushed from known rows."""
    n = cs.size
    open_ = 0
    m = 0
    for i in range(n):
        wave[i] = 0
        value = e[i] - s[i] - pbar[i] + cs[i]
        known[i] = defaulted[i] and ((value <= tol) if at_zero else (value < -tol))
        if known[i]:
            wave[i] = 1
            klist[m] = i
            m += 1
        elif defaulted[i]:
            open_ += 1
    if open_ == 0:
        return
    last = 1
    for k in range(2, n + 1):
        _withheld(indptr, indices, data, cs, r, klist, m, inflow)
        found = False
        for i in range(n):
            if defaulted[i] and not known[i]:
                value = e[i] - s[i] - pbar[i] + inflow[i]
                if (value <= tol) if at_zero else (value < -tol):
                    wave[i] = k
                    found = True
        if not found:
            break
        last = k
        open_ = 0
        for i in range(n):
            if wave[i] == k:
                known[i] = True
                klist[m] = i
                m += 1
            elif defaulted[i] and not known[i]:
                open_ += 1
        if open_ == 0:
            return
    for i in range(n):
        if defaulted[i] and not known[i]:
            wave[i] = last + 1


@_jit()
def clear_sparse(
    indptr: Any, indices: Any, data: Any, cs: Any, e: Any, s: Any, el: Any, owed: Any,
    pbar: Any, setup: Any, out_f: Any, out_def: Any, out_wave: Any, rounds: Any, status: Any,
) -> None:  # fmt: skip  # pragma: no cover - compiled
    """Every scenario of a shared sparse network (``setup`` as in ``kernels._scenario``);
    ``status[k] = 1`` marks a scenario left to the direct solver."""
    S, n = e.shape
    r, inflow, base, acc, x = np.empty(n), np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    wave, dlist, klist = np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, np.int64)
    dflag, known = np.zeros(n, np.bool_), np.zeros(n, np.bool_)
    leaky, zflag = np.zeros(n, np.bool_), np.zeros(n, np.bool_)
    alpha, beta = setup[1], setup[2]
    at_zero, rv = setup[3] != 0.0, setup[8] != 0.0
    tol = SNAP * setup[5]
    stop = STOP * setup[5]
    for k in range(S):
        sk = s[0 if s.shape[0] == 1 else k]
        elk = el[0 if el.shape[0] == 1 else k]
        owedk = owed[0 if owed.shape[0] == 1 else k]
        pbark = pbar[0 if pbar.shape[0] == 1 else k]
        used = _fda_sparse(indptr, indices, data, cs, e[k], sk, pbark, alpha, beta, at_zero,
                           tol, r, inflow, wave, dflag, dlist, base, acc, x, stop,
                           leaky, zflag)  # fmt: skip
        if used < 0:
            status[k] = 1
            rounds[k] = 0
            continue
        status[k] = 0
        rounds[k] = used
        m = 0
        snapped = False
        for i in range(n):
            if r[i] >= 1.0 - SNAP and r[i] != 1.0:
                r[i] = 1.0
                snapped = True
            if r[i] != 1.0:
                dlist[m] = i
                m += 1
        if snapped:
            _withheld(indptr, indices, data, cs, r, dlist, m, inflow)
        if _write(e[k], sk, elk, owedk, pbark, r, inflow, setup, wave, out_f, out_def,
                  out_wave, k) and not rv:  # fmt: skip
            _replay_sparse(indptr, indices, data, cs, e[k], sk, pbark, r, out_def[k], at_zero,
                           tol, out_wave[k], known, klist, base)  # fmt: skip
        elif not rv:
            for i in range(n):
                out_wave[k, i] = 0
