"""Clearing of obligation networks: Eisenberg–Noe and Rogers–Veraart, batched over scenarios.

Notation (Eisenberg & Noe, Management Science 47(2):236-249, 2001; Rogers & Veraart,
Management Science 59(4):882-898, 2013): ``L[i, j]`` is what node ``i`` owes node ``j``;
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

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from numpy.typing import NDArray

from stargate.finance import kernels, kernels_single, kernels_sparse
from stargate.finance.network import DEFAULT_CONVENTIONS, Array, Conventions, Network, Seniority

Vector = Literal["greatest", "least"]
Solver = Literal["auto", "fda", "picard"]
Backend = Literal["compiled", "numpy"]
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
    exact: Any  # the obligations in float64, for every exact step (polish, FDA, results)
    pbar: Array  # (S, n) what each node must pay in the pool that r scales
    owed: Array  # (S, n) obligations inside the network
    s: Array  # (S, n) outside debt netted first (senior), else zeros
    scale: float

    @property
    def obligations(self) -> Any:
        return self.exact

    def inflow(self, r: Array, rows: NDArray[np.intp] | None = None) -> Array:
        """``(r @ L)``: what each node receives when payers pay the ratios ``r``."""
        L = self.exact
        if self.net.sparse:
            result: Array = np.asarray((L.T @ r.T).T)
            return result
        if np.ndim(L) == 2:
            product: Array = r @ L
            return product
        block = L if rows is None else L[rows]
        stacked: Array = np.einsum("si,sij->sj", r, block)
        return stacked


def _rows(values: Array) -> Array:
    """The distinct rows of a possibly broadcast array: one row when it is shared."""
    return values[:1] if values.strides[0] == 0 else values


def _take(values: Array, rows: NDArray[np.intp]) -> Array:
    """``values[rows]``, or the single shared row (broadcasts the same) without copying."""
    return values[:1] if values.strides[0] == 0 else values[rows]


def _shared(values: Array, shape: tuple[int, ...]) -> Array:
    """``values`` in float64 broadcast to ``shape``; a view, not a copy, when rows repeat."""
    values = _rows(np.asarray(values, dtype=np.float64))
    if values.shape[0] > 1 and bool(np.all(values == values[:1])):
        values = values[:1]
    return np.broadcast_to(values, shape)


def _system(net: Network, conventions: Conventions) -> _System:
    shape = net.external_assets.shape
    L = net.obligations
    exact = L.astype(np.float64) if L.dtype != np.float64 else L
    sums = np.asarray(exact.sum(axis=-1)).reshape(-1, shape[1])  # row sums in float64
    owed = _shared(sums, shape)
    el = _shared(net.external_liabilities, shape)
    if conventions.external_seniority is Seniority.SENIOR:
        pbar, s = owed, el
    else:
        pbar, s = _shared(owed[:1] + el[:1] if el.strides[0] == 0 else owed + el, shape), None
    e = net.external_assets
    top: float
    if kernels.AVAILABLE and e.dtype == np.float64 and e.size >= _PARALLEL_MIN * 8:
        top = kernels.max_abs(e)  # one compiled pass on every thread
    else:  # max |e| as max(max e, -min e): no (S, n) temporary
        top = max(float(np.max(e, initial=0.0)), -float(np.min(e, initial=0.0)))
    scale = max(float(np.max(_rows(pbar), initial=0.0)), top)
    zeros = np.broadcast_to(np.zeros((1, shape[1])), shape)
    return _System(net, exact, pbar, owed, zeros if s is None else s, scale or 1.0)


def _weighted_change(a: Array, b: Array, pbar: Array) -> Array:
    """``Σ_i |a_i − b_i| p̄_i`` per scenario: an upper bound of the largest payment change,
    computed as one matrix-vector product (numpy's per-row max over short rows is far slower).
    """
    diff = np.subtract(a, b)
    np.abs(diff, out=diff)
    if pbar.shape[0] == 1 or pbar.strides[0] == 0:
        bound: Array = diff @ np.asarray(pbar[0], dtype=diff.dtype)
        return bound
    summed: Array = np.einsum("ij,ij->i", diff, pbar)
    return summed


def _ratio(numerator: Array, pbar: Array) -> Array:
    """``numerator / p̄`` clipped to [0, 1]; nodes that owe nothing count as paying in full."""
    if bool(np.all(_rows(pbar) > 0)):
        with np.errstate(over="ignore"):
            quotient: Array = np.divide(numerator, pbar)
        return np.clip(quotient, 0.0, 1.0, out=quotient)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r: Array = np.where(pbar > 0, numerator / np.where(pbar > 0, pbar, 1), 1.0)
    return np.clip(r, 0.0, 1.0)


def _leaky(block: Array, pbar_d: Array, beta: float = 1.0) -> NDArray[np.bool_]:
    """Nodes of a default set whose money can leave the set (Eisenberg–Noe regularity).

    A node leaks when it owes something outside the set (or, with ``β < 1``, loses part of what
    it passes on); a node is leaky when it can reach a leaking node along obligations inside.
    Leaks and obligations below the snapping tolerance count as none: a group whose only way
    out is 1e-69 of 1 is closed in floating point (its linear system is singular).
    The system restricted to leaky nodes is non-singular; the rest form closed groups whose
    payments the linear piece cannot pin down.
    """
    tol = _SNAP * max(float(np.max(pbar_d, initial=0.0)), 1.0)
    leaky: NDArray[np.bool_] = pbar_d - beta * block.sum(axis=1) > tol
    if leaky.all():
        return leaky
    edges = block > tol  # an obligation below the snapping tolerance carries no leak
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
        block = L[d[:, None], d]
        from_full = L[np.flatnonzero(full)[:, None], d].sum(axis=0)
    rhs = c[:, d] + beta * from_full  # (k, |D|)
    if block is None:  # large sparse default set: sparse LU on the leaky part
        matrix = sp.diags(pbar) - beta * L[d][:, d].T
        lu = spla.splu(matrix.tocsc())
        r[:, d] = np.vstack([lu.solve(np.ascontiguousarray(col)) for col in rhs])
        return r
    leaky = _leaky(block, pbar, beta)
    fixed = ~leaky
    solution = keep[:, d].copy()
    if leaky.any():
        li = np.flatnonzero(leaky)
        matrix = np.diag(pbar[li]) - beta * block[li[:, None], li].T
        known = rhs[:, li]
        if fixed.any():
            fi = np.flatnonzero(fixed)
            known = known + beta * solution[:, fi] @ block[fi[:, None], li]
        solution[:, li] = np.linalg.solve(matrix, known.T).T
    r[:, d] = solution
    return r


_GROUP = 16  # patterns shared by this many scenarios get one LU; rarer ones a batched solve
_MASKED_MAX_N = 128


def _solve_masked(
    system: _System,
    rows: NDArray[np.intp],
    full: NDArray[np.bool_],
    part: NDArray[np.bool_],
    c: Array,
    beta: float,
) -> tuple[Array, NDArray[np.bool_]]:
    """One batched solve of full-size systems, one per scenario, for scenarios whose patterns
    are rare: rows of nodes paying partly hold ``p̄_i r_i − β Σ_{j∈D} L_ji r_j = c_i + β
    Σ_{j∈F} L_ji``; the other rows pin ``r`` to 1 (full) or 0. Returns the ratios and which
    scenarios were solvable this way (every partial payer owes something outside the set, so
    the system is non-singular); the others need :func:`_solve_piece`.
    """
    k, n = full.shape
    L = np.asarray(system.exact)
    Ls = L if L.ndim == 2 else L[rows]
    pbar = _take(system.pbar, rows)
    inside = Ls @ part[..., None].astype(float) if Ls.ndim == 3 else part.astype(float) @ L.T
    if inside.ndim == 3:
        inside = inside[..., 0]
    tol = _SNAP * system.scale
    ok = np.all(~part | (pbar - beta * inside > tol), axis=1)
    out = np.zeros((k, n))
    idx = np.flatnonzero(ok)
    for start in range(0, idx.size, 4096):
        sel = idx[start : start + 4096]
        D, F = part[sel], full[sel]
        LT = np.swapaxes(Ls if Ls.ndim == 2 else Ls[sel], -1, -2)
        A = -beta * LT * D[:, :, None] * D[:, None, :]
        diag = np.where(D, pbar if pbar.shape[0] == 1 else pbar[sel], 1.0)
        A[:, np.arange(n), np.arange(n)] += diag
        from_full = F.astype(float) @ L if L.ndim == 2 else np.einsum("sj,sji->si", F, Ls[sel])
        rhs = np.where(D, c[sel] + beta * from_full, F.astype(float))
        out[sel] = np.linalg.solve(A, rhs[..., None])[..., 0]
    return out, ok


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

    def one_by_one(positions: Iterable[int]) -> None:
        for k in positions:
            out[k] = _solve_piece(
                system, rows[k : k + 1], full[k], part[k], c[k : k + 1], beta, keep[k : k + 1]
            )[0]

    same_pbar = system.pbar.strides[0] == 0 or bool(
        np.all(system.pbar[rows] == system.pbar[rows[:1]])
    )
    masked = not net.sparse and net.n <= _MASKED_MAX_N
    if net.shared and same_pbar:
        groups = _pattern_keys(full, part)
        order = np.argsort(groups, kind="stable")
        bounds = np.flatnonzero(np.diff(groups[order])) + 1
        rare: list[NDArray[np.intp]] = []
        for members in np.split(order, bounds):
            if masked and members.size < _GROUP:
                rare.append(members)
                continue
            k = members[0]
            out[members] = _solve_piece(
                system, rows[members], full[k], part[k], c[members], beta, keep[members]
            )
        if not rare:
            return out
        candidates = np.concatenate(rare)
    elif masked:
        candidates = np.arange(rows.size)
    else:  # per-scenario obligations or liabilities: one system each
        one_by_one(range(rows.size))
        return out
    solved, ok = _solve_masked(
        system, rows[candidates], full[candidates], part[candidates], c[candidates], beta
    )
    out[candidates[ok]] = solved[ok]
    one_by_one(candidates[~ok])  # closed groups need the leak analysis of _solve_piece
    return out


# -- Eisenberg–Noe -----------------------------------------------------------------------------


def _picard(
    system: _System, vector: Vector, conventions: Conventions
) -> tuple[Array, NDArray[np.int64]]:
    """Vectorised Picard iteration of the EN map; returns ratios and iterations per scenario.

    Scenarios run in chunks that stay in cache; within a chunk a scenario leaves the working set
    once its payments move less than ``tol × scale`` over a check interval. With shared dense
    obligations and shared ``p̄`` one step is ``r ← clip(r @ (L / p̄) + b / p̄, 0, 1)``: one matrix
    product, one addition, one clip.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # tiny debts saturate, then clip
        return _picard_run(system, vector, conventions)


def _picard_run(
    system: _System, vector: Vector, conventions: Conventions
) -> tuple[Array, NDArray[np.int64]]:
    net = system.net
    S, n = net.external_assets.shape
    dtype = net.external_assets.dtype
    pbar = system.pbar
    owes = pbar > 0
    safe = np.where(owes, pbar, 1)
    big = np.finfo(dtype).max / (4 * (n + 1))  # saturated ratios clip to 1; sums stay finite
    b = np.clip(np.where(owes, (net.external_assets - system.s) / safe, 0), -big, big)
    b = np.asarray(b, dtype=dtype)
    fast = not net.sparse and np.ndim(net.obligations) == 2 and pbar.strides[0] == 0
    if fast:
        scaled = np.where(owes[0], np.asarray(system.exact) / safe[0], 0)
        scaled = np.minimum(scaled, big).astype(dtype)
    r = np.ones((S, n), dtype) if vector == "greatest" else np.zeros((S, n), dtype)
    iterations = np.zeros(S, np.int64)
    # float32 cannot resolve 1e-9; the float64 polish restores exactness after a looser stop
    threshold = max(conventions.tol, 16 * float(np.finfo(dtype).eps)) * system.scale
    chunk = max(256, (1 << 17) // max(n, 1))  # about 1 MiB of float64 ratios per chunk
    for start in range(0, S, chunk):
        rows = np.arange(start, min(start + chunk, S))
        block = r[start : start + chunk]  # a view: results land in r directly
        b_block = b[start : start + chunk]
        active = np.arange(rows.size)
        done = 0
        while active.size and done < conventions.max_iter:
            whole = active.size == rows.size
            ra = block if whole else block[active]
            ba = b_block if whole else b_block[active]
            buffers = (np.empty_like(ra), np.empty_like(ra))
            for step in range(_CHECK_EVERY):
                m = buffers[step % 2]
                if fast:
                    np.matmul(ra, scaled, out=m)
                else:
                    here = rows[active]
                    m[...] = np.clip(system.inflow(ra, here) / safe[here], -big, big)
                m += ba
                np.clip(m, 0, 1, out=m)
                previous, ra = ra, m
            done += _CHECK_EVERY
            moved = _weighted_change(ra, previous, _rows(pbar) if fast else pbar[rows[active]])
            block[active] = ra
            iterations[rows[active]] += _CHECK_EVERY
            active = active[moved > threshold]
    r[~owes] = 1
    return np.asarray(r, dtype=np.float64), iterations


def _classify(system: _System, r: Array, c: Array, beta: float, rows: NDArray[np.intp]) -> Any:
    """The pattern a ratio vector implies: pays in full, partly, or nothing."""
    m = c + beta * system.inflow(r, rows)
    pbar = _take(system.pbar, rows)
    full = m >= pbar * (1 - _SNAP)
    zero = (m <= _SNAP * system.scale) & ~full
    return full, ~full & ~zero


def _polish(system: _System, r: Array, vector: Vector) -> tuple[Array, NDArray[np.int64]]:
    """Replace Picard's approximate ratios by the exact solution of their default pattern.

    The pattern is re-derived from the polished values until it is consistent (a fixed point of
    the EN map to rounding); each pass is one linear solve per distinct pattern.
    """
    net = system.net
    e = np.asarray(net.external_assets, dtype=np.float64)
    S, n = r.shape
    passes = np.zeros(S, np.int64)
    todo = np.flatnonzero(np.any(r < 1, axis=1))  # scenarios where everyone pays are exact
    keep = r.copy()
    for _ in range(n + 2):
        if todo.size == 0:
            break
        c = e[todo] - _take(system.s, todo)
        full, part = _classify(system, r[todo], c, 1.0, todo)
        if vector == "least":
            part &= r[todo] < 1  # least vector: nodes not yet paying in full stay unpaid-in-full
        solved = _solve_patterns(system, todo, full, part, c, 1.0, keep[todo])
        solved = np.clip(solved, 0.0, 1.0)
        passes[todo] += 1
        pbar = _take(system.pbar, todo)
        check = _ratio(c + system.inflow(solved, todo), pbar)
        err = _weighted_change(check, solved, pbar)
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
    e, s, pbar = np.asarray(net.external_assets, dtype=np.float64), system.s, system.pbar
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
    tol = _SNAP * system.scale

    def insolvent(value: Array) -> NDArray[np.bool_]:
        return (value <= tol) if at_zero else (value < -tol)

    # wave 1: everyone pays in full, so inflows are the column sums of L
    e = np.asarray(net.external_assets, dtype=np.float64)[rows]
    c = e - _take(system.s, rows) - _take(system.pbar, rows)
    if net.shared:  # column sums of L, the same for every scenario
        full_inflow = system.inflow(np.ones((1, n)), rows[:1])
    else:
        full_inflow = system.inflow(np.ones((rows.size, n)), rows)
    known = insolvent(c + full_inflow) & defaulted[rows]
    sub = known.astype(np.int64)
    last = np.ones(rows.size, np.int64)
    live = np.flatnonzero((defaulted[rows] & ~known).any(axis=1))
    for k in range(2, n + 1):
        if live.size == 0:
            break
        here = rows[live]
        ratios = np.where(known[live], r[here], 1.0)
        new = insolvent(c[live] + system.inflow(ratios, here)) & defaulted[here] & ~known[live]
        found = new.any(axis=1)
        block = sub[live]
        block[new] = k
        sub[live] = block
        known[live] |= new
        last[live[found]] = k
        live = live[found & (defaulted[here] & ~known[live]).any(axis=1)]
    unexplained = defaulted[rows] & ~known
    if unexplained.any():
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
    """Payments, equity, defaults and waves from final ratios (in place where it can: these
    arrays are the size of the whole batch and each pass over them costs memory bandwidth)."""
    net = system.net
    e = np.asarray(net.external_assets, dtype=np.float64)
    el = _shared(net.external_liabilities, e.shape)
    owed = system.owed
    r = np.asarray(r, dtype=np.float64)  # the solvers' own array: snapped in place
    np.copyto(r, 1.0, where=r >= 1 - _SNAP)
    equity = system.inflow(r, np.arange(r.shape[0]))
    inflow = equity.copy() if conventions.external_seniority is Seniority.SENIOR else None
    equity += e
    equity -= el
    equity -= owed
    tol = _SNAP * system.scale
    np.copyto(equity, 0.0, where=np.abs(equity) <= tol)
    if defaulters is None:
        defaulters = (equity <= 0) if conventions.default_at_zero else (equity < 0)
        owes = _rows(owed) + _rows(el) > 0
        if not owes.all():
            defaulters &= owes
    interbank = r * owed
    if inflow is not None:
        resources = np.where(
            defaulters, conventions.alpha * e + conventions.beta * inflow, e + inflow
        )
        external = np.minimum(el, np.maximum(resources, 0.0))
        payments = interbank
    else:
        external = r * el
        payments = interbank + external
    if wave is None:
        wave = _replay_waves(system, r, defaulters, conventions.default_at_zero)
    else:
        wave = np.where(defaulters, wave, 0)
    recovery = r if bool(np.all(_rows(owed) > 0)) else np.where(owed > 0, r, 1.0)
    unbatch = net.unbatch
    return ClearingResult(
        method=method,
        payments=unbatch(payments),
        interbank_payments=unbatch(interbank),
        external_payments=unbatch(external),
        defaulted=unbatch(defaulters),
        equity=unbatch(equity),
        recovery_rate=unbatch(recovery),
        default_wave=unbatch(wave),
        rounds=rounds if net.batched else rounds[:1],
    )


_CHUNK_ELEMENTS = 1 << 22  # per (scenarios, n) array: 32 MiB of float64, so memory stays bounded


def _chunks(net: Network) -> list[Network]:
    """The network split along the scenario axis (views, not copies)."""
    chunk = max(1024, _CHUNK_ELEMENTS // max(net.n, 1))
    if net.scenarios <= chunk:
        return [net]
    parts = []
    for start in range(0, net.scenarios, chunk):
        rows = slice(start, start + chunk)
        L = net.obligations if net.shared else net.obligations[rows]
        parts.append(
            Network(L, net.external_assets[rows], net.external_liabilities[rows], batched=True)
        )
    return parts


def _concatenate(parts: list[ClearingResult], batched: bool) -> ClearingResult:
    if len(parts) == 1:
        return parts[0]
    fields: dict[str, Any] = {}
    for name in ClearingResult.__dataclass_fields__:
        values = [getattr(p, name) for p in parts]
        fields[name] = (
            values[0] if isinstance(values[0], str) or values[0] is None
            else np.concatenate(values)
        )  # fmt: skip
    return ClearingResult(**fields)


def _compiled(
    net: Network,
    conventions: Conventions,
    method: str,
    mode: int,
    alpha: float = 1.0,
    beta: float = 1.0,
) -> ClearingResult:
    """One call of the compiled kernels (:mod:`stargate.finance.kernels`): the same algorithm
    as the numpy path, each scenario solved and its results written in one pass.

    ``mode``: 0 the growing default set (EN FDA, RV GA), 1 Picard from the top + polish, 2 from
    the bottom (least vector) + polish.
    """
    e, el, L = net.external_assets, net.external_liabilities, net.obligations
    if not net.batched and kernels_single.takes(L, e, el):  # set-up and clearing in one call
        senior = conventions.external_seniority is Seniority.SENIOR
        template, tol = kernels_single.template(
            mode, alpha, beta, conventions.default_at_zero, senior, conventions.max_iter,
            method == "rogers_veraart", conventions.tol,
        )  # fmt: skip
        return _packed(method, net, *kernels_single.clear_one(_readonly(L), e, el, template, tol))
    system = _system(net, conventions)
    S, n = net.external_assets.shape

    def rows(values: Array) -> Array:
        return _readonly(_rows(np.asarray(values, dtype=np.float64)))

    setup = np.array([
        mode, alpha, beta, conventions.default_at_zero,
        conventions.external_seniority is Seniority.SENIOR, system.scale,
        max(conventions.tol, 16 * float(np.finfo(np.float64).eps)) * system.scale,
        conventions.max_iter, method == "rogers_veraart",
    ], dtype=np.float64)  # fmt: skip
    out_f = np.empty((5, S, n))
    defaulted = np.empty((S, n), np.bool_)
    wave = np.empty((S, n), np.int64)
    rounds = np.empty(S, np.int64)
    inputs = (
        rows(net.external_assets), rows(system.s), rows(net.external_liabilities),
        rows(system.owed), rows(system.pbar), setup, out_f, defaulted, wave, rounds,
    )  # fmt: skip
    if net.sparse:
        L = sp.csr_array(system.exact)
        status = np.zeros(S, np.int8)
        colsum = np.asarray(np.bincount(L.indices, weights=L.data, minlength=n), np.float64)
        kernels_sparse.clear_sparse(
            L.indptr.astype(np.int64, copy=False), L.indices.astype(np.int64, copy=False),
            _readonly(L.data), _readonly(colsum), *inputs, status,
        )  # fmt: skip
        left = np.flatnonzero(status)
        if left.size:  # closed groups in a default set: the direct solver of the reference
            part = Network(L, net.external_assets[left], net.external_liabilities[left], True)
            reference = (
                eisenberg_noe(part, conventions, backend="numpy") if method == "eisenberg_noe"
                else rogers_veraart(part, conventions, backend="numpy")
            )  # fmt: skip
            fields = ("payments", "interbank_payments", "external_payments", "equity",
                      "recovery_rate")  # fmt: skip
            for q, name in enumerate(fields):
                out_f[q, left] = getattr(reference, name)
            defaulted[left], wave[left] = reference.defaulted, reference.default_wave
            rounds[left] = reference.rounds
    else:
        L = np.asarray(system.exact)
        stacked = L.ndim == 3
        blocks = _readonly(L if stacked else L[None])
        colsums = _readonly(L.sum(axis=-2) if stacked else L.sum(axis=0)[None])
        threads = kernels.threads()
        if threads > 1 and S >= _PARALLEL_MIN:
            kernels.clear_parallel(
                blocks, colsums, *inputs, min(threads, S // (_PARALLEL_MIN // 2))
            )
        else:
            kernels.clear_serial(blocks, colsums, *inputs)
    return _packed(method, net, out_f, defaulted, wave, rounds)


def _packed(
    method: str, net: Network, out_f: Array, defaulted: Any, wave: Any, rounds: Any
) -> ClearingResult:
    unbatch = net.unbatch
    payments, interbank, external, equity, recovery = out_f
    return ClearingResult(
        method=method,
        payments=unbatch(payments),
        interbank_payments=unbatch(interbank),
        external_payments=unbatch(external),
        defaulted=unbatch(defaulted),
        equity=unbatch(equity),
        recovery_rate=unbatch(recovery),
        default_wave=unbatch(wave),
        rounds=rounds if net.batched else rounds[:1],
    )


_PARALLEL_MIN = 4096  # scenarios below which one thread beats waking the others


def _readonly(values: Array) -> Array:
    """A C-contiguous float64 read-only view: one compiled signature for every caller."""
    view = np.ascontiguousarray(values, dtype=np.float64).view()
    view.flags.writeable = False
    return view


def _use_compiled(net: Network, backend: Backend) -> bool:
    if backend not in ("compiled", "numpy"):
        raise ValueError(f"backend must be 'compiled' or 'numpy', got {backend!r}")
    return backend == "compiled" and kernels.AVAILABLE


def eisenberg_noe(
    net: Network,
    conventions: Conventions = DEFAULT_CONVENTIONS,
    *,
    vector: Vector = "greatest",
    solver: Solver = "auto",
    backend: Backend = "compiled",
) -> ClearingResult:
    """Eisenberg–Noe clearing payments (greatest or least vector), exact.

    ``solver="fda"``: the fictitious default algorithm (greatest only, at most n rounds);
    ``"picard"``: vectorised Picard to ``conventions.tol`` then the exact polish per default
    pattern; ``"auto"`` uses the FDA for a single greatest-vector scenario, Picard otherwise.
    Default costs do not apply here (see :func:`rogers_veraart`).

    ``backend="compiled"`` (default) runs the numba kernels of :mod:`stargate.finance.kernels`
    (where ``"auto"`` is the FDA for the greatest vector, batched or not); ``"numpy"`` the
    reference implementation in this module. Both give the same results to rounding.
    """
    if solver == "fda" and vector != "greatest":
        raise ValueError("the fictitious default algorithm gives the greatest vector only")
    mode = 2 if vector == "least" else (1 if solver == "picard" else 0)
    if _use_compiled(net, backend) and not (net.sparse and mode):  # sparse Picard: numpy
        return _compiled(net, conventions, "eisenberg_noe", mode)
    if solver == "auto":
        solver = "fda" if (vector == "greatest" and net.scenarios == 1) else "picard"
    if solver == "fda":
        system = _system(net, conventions)
        r, _, rounds = _fda(system, conventions, 1.0, 1.0)
        return _result("eisenberg_noe", system, r, conventions, rounds)
    parts = []
    for part in _chunks(net):  # bounded memory, and the working set stays in cache
        system = _system(part, conventions)
        r, iterations = _picard(system, vector, conventions)
        r, passes = _polish(system, r, vector)
        parts.append(_result("eisenberg_noe", system, r, conventions, iterations + passes))
    return _concatenate(parts, net.batched)


def rogers_veraart(
    net: Network, conventions: Conventions = DEFAULT_CONVENTIONS, *, backend: Backend = "compiled"
) -> ClearingResult:
    """The greatest Rogers–Veraart clearing vector (default costs ``alpha``, ``beta``).

    Rogers & Veraart (2013), Definition 3.6: start from everyone paying in full; at each round
    the nodes with negative value join the default set and the defaulters' payments solve
    ``p_D = α e_D − s_D + β (Πᵀ p)_D``; stop when the set stops growing (at most n rounds).
    ``default_wave`` is the round in which a node joined the set. ``backend`` as in
    :func:`eisenberg_noe`.
    """
    if _use_compiled(net, backend):
        return _compiled(net, conventions, "rogers_veraart", 0, conventions.alpha, conventions.beta)
    system = _system(net, conventions)
    r, wave, rounds = _fda(system, conventions, conventions.alpha, conventions.beta)
    defaulted = wave > 0
    return _result("rogers_veraart", system, r, conventions, rounds, wave, defaulted)
