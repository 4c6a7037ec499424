"""Clearing of obligation networks: Eisenberg–Noe and Rogers–Veraart, batched over scenarios.

Notation (``shared/reference/clearing-models.md``): ``L[i, j]`` is what node ``i`` owes node ``j``;
``e`` outside assets; ``el`` outside liabilities; ``p̄ = L·1 + el`` (pari passu) or ``L·1``
(senior outside debt, which is then netted first: ``s = el``). Payments are written as recovery
ratios ``r = p / p̄`` so that the inflow of node ``j`` is ``Σ_i L[i, j] r_i = (r @ L)_j``, one
matrix product for a whole batch of scenarios, whatever each scenario's ``p̄``.

- Eisenberg & Noe (2001), *Management Science* 47(2), the clearing condition (their eq. 1–2):
  ``p = min(p̄, max(0, e − s + Πᵀ p))``. The greatest vector is the limit of Picard iteration from
  ``p̄``, the least from 0; the fictitious default algorithm (FDA, their §3) is exact in at most
  ``n`` rounds.
- Rogers & Veraart (2013), *Management Science* 59(4), Definition 3.6 (Greatest Clearing Vector
  Algorithm): a defaulter pays ``α e + β Πᵀ p − s`` (floored at 0); the default set grows until
  it stops changing. With ``α = β = 1`` this is exactly the EN FDA.

For batches, EN runs vectorised Picard (converged scenarios are dropped as they finish) and then
an exact "polish": each distinct default pattern (pays in full / partly / nothing) is one linear
system ``(diag(p̄_D) − β Lᵀ_DD) r_D = α e_D − s_D + β Lᵀ_FD 1``, solved once per pattern with all
its scenarios as right-hand sides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from numpy.typing import NDArray

from stargate.finance.network import DEFAULT_CONVENTIONS, Array, Conventions, Network, Seniority

Vector = Literal["greatest", "least"]
Solver = Literal["auto", "fda", "picard"]
_CHECK_EVERY = 4
_SNAP = 1e-12  # relative: values this close to a kink (0 equity, full payment) are on it


@dataclass(frozen=True, slots=True)
class ClearingResult:
    """The one output shape of every method; arrays are ``(n,)`` or ``(S, n)`` like the input.

    - ``payments``: the clearing vector ``p = r p̄`` of the convention's pool: everything a node
      pays under ``pari_passu``; what it pays inside the network under ``senior`` (outside debt
      is netted first). ``interbank_payments`` and ``external_payments`` always split it out.
    - ``defaulted``: net worth below zero (or at zero, under ``default_at_zero``).
    - ``equity``: net worth at face value, ``e + inflow − el − L·1``; negative for defaulters.
    - ``recovery_rate``: the share of its obligations inside the network a node pays (1 if none).
    - ``default_wave``: 0 for solvent nodes, else the wave (1 = fundamental default).
    - ``rounds``: rounds (FDA/GA/cascade) or iterations (Picard) used, per scenario.
    - ``h``, ``debtrank``: DebtRank's final distress and its DebtRank (other methods: None).
    """

    method: str
    payments: Array
    interbank_payments: Array
    external_payments: Array
    defaulted: NDArray[np.bool_]
    equity: Array
    recovery_rate: Array
    default_wave: NDArray[np.int64]
    rounds: NDArray[np.int64]
    h: Array | None = field(default=None)
    debtrank: Array | None = field(default=None)


# -- the shared machinery ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _System:
    """A network made ready for clearing under a seniority convention."""

    net: Network
    pbar: Array  # (S, n) what each node must pay in the pool that r scales
    owed: Array  # (S, n) obligations inside the network
    s: Array  # (S, n) outside debt netted first (senior), else zeros
    scale: float

    @property
    def obligations(self) -> Any:
        return self.net.obligations

    def inflow(self, r: Array, rows: NDArray[np.intp] | None = None) -> Array:
        """``(r @ L)``: what each node receives when payers pay the ratios ``r``."""
        L = self.net.obligations
        if self.net.sparse:
            result: Array = np.asarray((L.T @ r.T).T)
            return result
        if np.ndim(L) == 2:
            product: Array = r @ L
            return product
        block = L if rows is None else L[rows]
        stacked: Array = np.einsum("si,sij->sj", r, block)
        return stacked


def _system(net: Network, conventions: Conventions) -> _System:
    owed = np.broadcast_to(net.owed(), net.external_assets.shape).astype(net.external_assets.dtype)
    el = net.external_liabilities
    if conventions.external_seniority is Seniority.SENIOR:
        pbar, s = owed, el
    else:
        pbar, s = owed + el, np.zeros_like(el)
    scale = float(max(np.max(pbar, initial=0.0), np.max(np.abs(net.external_assets), initial=0.0)))
    return _System(net, np.ascontiguousarray(pbar), owed, s, scale or 1.0)


def _ratio(numerator: Array, pbar: Array) -> Array:
    """``numerator / p̄`` clipped to [0, 1]; nodes that owe nothing count as paying in full."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r: Array = np.where(pbar > 0, numerator / np.where(pbar > 0, pbar, 1), 1.0)
    return np.clip(r, 0.0, 1.0)


def _leaky(block: Array, pbar_d: Array) -> NDArray[np.bool_]:
    """Nodes of a default set whose money can leave the set (Eisenberg–Noe regularity).

    A node leaks when it owes something outside the set; a node is leaky when it can reach a
    leaking node along obligations inside the set. The system restricted to leaky nodes is
    non-singular; the rest form closed groups whose payments the linear piece cannot pin down.
    """
    tol = _SNAP * max(float(np.max(pbar_d, initial=0.0)), 1.0)
    leaky: NDArray[np.bool_] = pbar_d - block.sum(axis=1) > tol
    edges = block > 0
    while True:
        grown: NDArray[np.bool_] = leaky | (edges & leaky[None, :]).any(axis=1)
        if (grown == leaky).all():
            return leaky
        leaky = grown


def _solve_piece(
    system: _System,
    rows: NDArray[np.intp],
    full: NDArray[np.bool_],
    part: NDArray[np.bool_],
    c: Array,
    beta: float,
    keep: Array,
) -> Array:
    """Exact ratios for scenarios ``rows`` that share one pattern (full/part masks over nodes).

    ``c`` is ``α e − s`` for those rows; ``keep`` holds values to use on closed groups.
    Returns ``r`` for those rows: 1 on ``full``, 0 where neither, the solution on ``part``.
    """
    r = np.where(full, 1.0, 0.0) * np.ones((rows.size, 1))
    d = np.flatnonzero(part)
    if d.size == 0:
        return r
    L = system.obligations if system.net.shared else system.obligations[rows[0]]
    pbar = system.pbar[rows[0], d]
    if system.net.sparse:
        block = L[d][:, d].toarray() if d.size <= 2048 else None
        from_full = np.asarray(L[np.flatnonzero(full)][:, d].sum(axis=0)).ravel()
    else:
        block = L[np.ix_(d, d)]
        from_full = L[np.ix_(np.flatnonzero(full), d)].sum(axis=0)
    rhs = c[:, d] + beta * from_full  # (k, |D|)
    if block is None:  # large sparse default set: sparse LU on the leaky part
        matrix = sp.diags(pbar) - beta * L[d][:, d].T
        lu = spla.splu(matrix.tocsc())
        r[:, d] = np.vstack([lu.solve(np.ascontiguousarray(col)) for col in rhs])
        return r
    leaky = _leaky(block, pbar)
    fixed = ~leaky
    solution = keep[:, d].copy()
    if leaky.any():
        li = np.flatnonzero(leaky)
        matrix = np.diag(pbar[li]) - beta * block[np.ix_(li, li)].T
        known = rhs[:, li]
        if fixed.any():
            fi = np.flatnonzero(fixed)
            known = known + beta * solution[:, fi] @ block[np.ix_(fi, li)]
        solution[:, li] = np.linalg.solve(matrix, known.T).T
    r[:, d] = solution
    return r


def _pattern_keys(*masks: NDArray[np.bool_]) -> NDArray[np.intp]:
    packed = np.concatenate([np.packbits(m, axis=1) for m in masks], axis=1)
    view = np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1])))
    _, inverse = np.unique(view.ravel(), return_inverse=True)
    return inverse.ravel()


def _solve_patterns(
    system: _System,
    rows: NDArray[np.intp],
    full: NDArray[np.bool_],
    part: NDArray[np.bool_],
    c: Array,
    beta: float,
    keep: Array,
) -> Array:
    """Exact ratios for every scenario in ``rows``, grouping those that share a pattern."""
    net = system.net
    out = np.empty((rows.size, net.n))
    same_pbar = bool(np.all(system.pbar[rows] == system.pbar[rows[:1]]))
    if net.shared and same_pbar:
        groups = _pattern_keys(full, part)
        order = np.argsort(groups, kind="stable")
        bounds = np.flatnonzero(np.diff(groups[order])) + 1
        for members in np.split(order, bounds):
            k = members[0]
            out[members] = _solve_piece(
                system, rows[members], full[k], part[k], c[members], beta, keep[members]
            )
        return out
    for k in range(rows.size):  # per-scenario obligations or liabilities: one system each
        one = rows[k : k + 1]
        out[k] = _solve_piece(system, one, full[k], part[k], c[k : k + 1], beta, keep[k : k + 1])[0]
    return out


# -- Eisenberg–Noe -----------------------------------------------------------------------------


def _picard(
    system: _System, vector: Vector, conventions: Conventions
) -> tuple[Array, NDArray[np.int64]]:
    """Vectorised Picard iteration of the EN map; returns ratios and iterations per scenario.

    Scenarios leave the working set once their payments move less than ``tol × scale`` over a
    check interval, so work follows the scenarios that are still moving.
    """
    net = system.net
    S, n = net.external_assets.shape
    dtype = net.external_assets.dtype
    b = (net.external_assets - system.s).astype(dtype)
    pbar = system.pbar.astype(dtype)
    with np.errstate(over="ignore"):  # tiny debts: the ratio saturates and is clipped to 1
        inv = np.where(pbar > 0, 1.0 / np.where(pbar > 0, pbar, 1), 0.0).astype(dtype)
    owes_nothing = pbar <= 0
    r = np.ones((S, n), dtype) if vector == "greatest" else np.zeros((S, n), dtype)
    r[owes_nothing] = 1
    iterations = np.zeros(S, np.int64)
    active = np.arange(S)
    threshold = conventions.tol * system.scale
    done = 0
    guard = np.errstate(over="ignore", invalid="ignore")
    guard.__enter__()
    while active.size and done < conventions.max_iter:
        ra, ba, ia, pa = r[active], b[active], inv[active], pbar[active]
        for _ in range(_CHECK_EVERY):
            previous = ra
            m = system.inflow(ra, active)
            m += ba
            m *= ia
            np.maximum(m, 0, out=m)
            np.minimum(m, 1, out=m)
            m[owes_nothing[active]] = 1
            ra = m
        done += _CHECK_EVERY
        moved = np.max(np.abs(ra - previous) * pa, axis=1)
        r[active] = ra
        iterations[active] += _CHECK_EVERY
        active = active[moved > threshold]
    guard.__exit__(None, None, None)
    return r.astype(np.float64), iterations


def _classify(system: _System, r: Array, c: Array, beta: float, rows: NDArray[np.intp]) -> Any:
    """The pattern a ratio vector implies: pays in full, partly, or nothing."""
    m = c + beta * system.inflow(r, rows)
    pbar = system.pbar[rows]
    full = m >= pbar * (1 - _SNAP)
    zero = (m <= _SNAP * system.scale) & ~full
    return full, ~full & ~zero


def _polish(system: _System, r: Array, vector: Vector) -> tuple[Array, NDArray[np.int64]]:
    """Replace Picard's approximate ratios by the exact solution of their default pattern.

    The pattern is re-derived from the polished values until it is consistent (a fixed point of
    the EN map to rounding); each pass is one linear solve per distinct pattern.
    """
    net = system.net
    c_all = net.external_assets - system.s
    S, n = r.shape
    passes = np.zeros(S, np.int64)
    todo = np.flatnonzero(np.any(r < 1, axis=1))  # scenarios where everyone pays are exact
    keep = r.copy()
    for _ in range(n + 2):
        if todo.size == 0:
            break
        full, part = _classify(system, r[todo], c_all[todo], 1.0, todo)
        if vector == "least":
            part &= r[todo] < 1  # least vector: nodes not yet paying in full stay unpaid-in-full
        solved = _solve_patterns(system, todo, full, part, c_all[todo], 1.0, keep[todo])
        solved = np.clip(solved, 0.0, 1.0)
        passes[todo] += 1
        check = _ratio(c_all[todo] + system.inflow(solved, todo), system.pbar[todo])
        err = np.max(np.abs(check - solved) * system.pbar[todo], axis=1)
        r[todo] = solved
        todo = todo[err > 1e-9 * system.scale]
    return r, passes


def _fda(system: _System, conventions: Conventions, alpha: float, beta: float) -> tuple[Any, ...]:
    """Greatest clearing vector by the growing default set: the EN fictitious default algorithm
    (``α = β = 1``) or Rogers–Veraart's Greatest Clearing Vector Algorithm (Definition 3.6).

    Returns ratios, the round in which each node joined the default set, and rounds used.
    """
    net = system.net
    S, n = net.external_assets.shape
    e, s, pbar = net.external_assets.astype(float), system.s, system.pbar
    c = alpha * e - s
    rows = np.arange(S)
    r = np.ones((S, n))
    defaulted = np.zeros((S, n), bool)
    wave = np.zeros((S, n), np.int64)
    rounds = np.zeros(S, np.int64)
    tol = _SNAP * system.scale
    for round_no in range(1, n + 2):
        value = e - s + system.inflow(r, rows) - pbar
        new = (value <= tol) if conventions.default_at_zero else (value < -tol)
        new &= pbar > 0
        grown = new & ~defaulted
        changed = grown.any(axis=1)
        if not changed.any():
            break
        wave[grown] = round_no
        rounds[changed] = round_no
        defaulted |= grown
        rows_c = np.flatnonzero(changed)
        # A defaulter whose estate is negative pays nothing. The zero set is decided on estates
        # valued with everyone's payments clipped at zero, and recomputed until it is stable.
        zero = np.zeros((rows_c.size, n), bool)
        for _ in range(n + 1):
            part = defaulted[rows_c] & ~zero
            solved = _solve_patterns(
                system,
                rows_c,
                ~defaulted[rows_c],
                part,
                c[rows_c],
                beta,
                np.zeros((rows_c.size, n)),
            )
            estate = c[rows_c] + beta * system.inflow(np.clip(solved, 0.0, 1.0), rows_c)
            now_zero = defaulted[rows_c] & (estate < -tol)
            if (now_zero == zero).all():
                break
            zero = now_zero
        r[rows_c] = np.clip(solved, 0.0, 1.0)
    return r, wave, rounds


def _replay_waves(system: _System, r: Array, defaulted: NDArray[np.bool_], at_zero: bool) -> Any:
    """Default waves of a clearing outcome: wave 1 holds nodes insolvent even when every other
    node pays in full; wave k those insolvent once the defaulters of earlier waves pay their
    clearing payments. For the greatest EN vector this reaches every defaulter; defaults that
    no earlier wave explains (possible for the least vector) get the last wave + 1.
    """
    net = system.net
    S, n = r.shape
    wave = np.zeros((S, n), np.int64)
    rows = np.flatnonzero(defaulted.any(axis=1))
    if rows.size == 0:
        return wave
    e, s, pbar = net.external_assets[rows], system.s[rows], system.pbar[rows]
    known = np.zeros((rows.size, n), bool)
    ratios = np.ones((rows.size, n))
    tol = _SNAP * system.scale
    last = np.zeros(rows.size, np.int64)
    for k in range(1, n + 1):
        value = e - s + system.inflow(ratios, rows) - pbar
        new = ((value <= tol) if at_zero else (value < -tol)) & defaulted[rows] & ~known
        if not new.any():
            break
        sub = wave[rows]
        sub[new] = k
        wave[rows] = sub
        last[new.any(axis=1)] = k
        known |= new
        ratios = np.where(known, r[rows], 1.0)
    unexplained = defaulted[rows] & ~known
    if unexplained.any():
        sub = wave[rows]
        sub[unexplained] = np.broadcast_to((last + 1)[:, None], sub.shape)[unexplained]
        wave[rows] = sub
    return wave


def _result(
    method: str,
    system: _System,
    r: Array,
    conventions: Conventions,
    rounds: NDArray[np.int64],
    wave: NDArray[np.int64] | None = None,
    defaulters: NDArray[np.bool_] | None = None,
) -> ClearingResult:
    net = system.net
    e, el = net.external_assets.astype(float), net.external_liabilities.astype(float)
    owed = system.owed.astype(float)
    r = np.where(r >= 1 - _SNAP, 1.0, r)
    inflow = system.inflow(r, np.arange(r.shape[0]))
    equity = e + inflow - el - owed
    tol = _SNAP * system.scale
    equity = np.where(np.abs(equity) <= tol, 0.0, equity)
    if defaulters is None:
        defaulters = (equity <= 0) if conventions.default_at_zero else (equity < 0)
        defaulters &= (owed + el) > 0
    interbank = r * owed
    if conventions.external_seniority is Seniority.SENIOR:
        resources = np.where(
            defaulters, conventions.alpha * e + conventions.beta * inflow, e + inflow
        )
        external = np.minimum(el, np.maximum(resources, 0.0))
    else:
        external = r * el
    if wave is None:
        wave = _replay_waves(system, r, defaulters, conventions.default_at_zero)
    wave = np.where(defaulters, wave, 0)
    unbatch = net.unbatch
    return ClearingResult(
        method=method,
        payments=unbatch(r * system.pbar),
        interbank_payments=unbatch(interbank),
        external_payments=unbatch(external),
        defaulted=unbatch(defaulters),
        equity=unbatch(equity),
        recovery_rate=unbatch(np.where(owed > 0, r, 1.0)),
        default_wave=unbatch(wave),
        rounds=rounds if net.batched else rounds[:1],
    )


def eisenberg_noe(
    net: Network,
    conventions: Conventions = DEFAULT_CONVENTIONS,
    *,
    vector: Vector = "greatest",
    solver: Solver = "auto",
) -> ClearingResult:
    """Eisenberg–Noe clearing payments (greatest or least vector), exact.

    ``solver="fda"``: the fictitious default algorithm (greatest only, at most n rounds);
    ``"picard"``: vectorised Picard to ``conventions.tol`` then the exact polish per default
    pattern; ``"auto"`` uses the FDA for a single greatest-vector scenario, Picard otherwise.
    Default costs do not apply here (see :func:`rogers_veraart`).
    """
    system = _system(net, conventions)
    if solver == "auto":
        solver = "fda" if (vector == "greatest" and net.scenarios == 1) else "picard"
    if solver == "fda":
        if vector != "greatest":
            raise ValueError("the fictitious default algorithm gives the greatest vector only")
        r, _, rounds = _fda(system, conventions, 1.0, 1.0)
        return _result("eisenberg_noe", system, r, conventions, rounds)
    r, iterations = _picard(system, vector, conventions)
    r, passes = _polish(system, r, vector)
    return _result("eisenberg_noe", system, r, conventions, iterations + passes)


def rogers_veraart(net: Network, conventions: Conventions = DEFAULT_CONVENTIONS) -> ClearingResult:
    """The greatest Rogers–Veraart clearing vector (default costs ``alpha``, ``beta``).

    Rogers & Veraart (2013), Definition 3.6: start from everyone paying in full; at each round
    the nodes with negative value join the default set and the defaulters' payments solve
    ``p_D = α e_D − s_D + β (Πᵀ p)_D``; stop when the set stops growing (at most n rounds).
    ``default_wave`` is the round in which a node joined the set.
    """
    system = _system(net, conventions)
    r, wave, rounds = _fda(system, conventions, conventions.alpha, conventions.beta)
    defaulted = wave > 0
    return _result("rogers_veraart", system, r, conventions, rounds, wave, defaulted)
