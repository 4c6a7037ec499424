"""Compiled clearing kernels (numba): the exact fictitious-default algorithm and Picard iteration
with its exact polish, one scenario at a time, for dense obligations (shared ``(n, n)`` or one
matrix per scenario); the results (payments, equity, defaults, waves) are written in the same pass.

The algorithms are those of :mod:`stargate.finance.clearing` (the numpy reference), step for step:

- Eisenberg & Noe (2001), *Management Science* 47(2):236-249, §3, fictitious default algorithm;
  Rogers & Veraart (2013), *Management Science* 59(4):882-898, Definition 3.6 (Greatest Clearing
  Vector Algorithm): the default set grows; each round solves
  ``(diag(p̄_D) − β Lᵀ_DD) r_D = α e_D − s_D + β Lᵀ_FD 1`` for the defaulters ``D`` (Gaussian
  elimination with partial pivoting), defaulters whose estate is negative paying nothing.
- Picard iteration of the EN map from ``p̄`` (greatest) or 0 (least), its convergence checked
  every iteration, then the exact polish (one solve per scenario's default pattern).

Inflows are kept by rank updates: with everyone paying in full the inflow is the column sums of
``L``, and a defaulter ``i`` paying the ratio ``r_i`` removes ``(1 − r_i) L[i, :]``; a round costs
``O(|D| n)`` instead of a full ``O(n²)`` product, and a scenario without defaults costs ``O(n)``.

Compiled code is cached on disk (``cache=True``), keyed by the sources of every module with
compiled code (:data:`COMPILED_MODULES`: a kernel inlined from another module is recompiled when
that module changes); where no cache directory is writable the kernels are compiled in memory at
first use. Without numba, :data:`AVAILABLE` is False and callers use
the numpy reference.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

numba: Any
try:  # pragma: no cover - exercised by the import itself
    numba = importlib.import_module("numba")
    AVAILABLE = True
except ImportError:  # pragma: no cover - numba is a dependency; this keeps the package usable
    numba = None
    AVAILABLE = False

SNAP = 1e-12  # as in stargate.finance.clearing: values this close to a kink are on it

# the modules of this package with compiled code (a test holds the list complete)
COMPILED_MODULES = ("engine", "kernels", "kernels_single", "kernels_sparse", "settle", "steps")
_HERE = Path(__file__).resolve().parent


@functools.cache
def sources_stamp() -> bytes:
    """SHA-256 of the sources of :data:`COMPILED_MODULES`: the key of every cached kernel."""
    digest = hashlib.sha256()
    for name in COMPILED_MODULES:
        path = _HERE / f"{name}.py"
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.digest()


def _key_cache_by_sources() -> None:
    """Numba keys a cached function by its own file only; for the functions of this package,
    put locators first that key it by :func:`sources_stamp` (in ``NUMBA_CACHE_DIR`` when set,
    else in ``__pycache__``, as numba's own locators do)."""
    caching: Any = importlib.import_module("numba.core.caching")

    class Keyed:
        def get_source_stamp(self) -> bytes:
            return sources_stamp()

        @classmethod
        def from_function(cls, py_func: Any, py_file: str) -> Any:
            if Path(py_file).resolve().parent != _HERE:
                return None
            return super().from_function(py_func, py_file)  # type: ignore[misc]

    def public(name: str) -> Any:  # numba 0.61 prefixes these names with "_"
        return getattr(caching, name, None) or getattr(caching, f"_{name}")

    registry = public("CacheImpl")._locator_classes
    for base in (public("InTreeCacheLocator"), public("UserProvidedCacheLocator")):
        name = f"SourcesKeyed{base.__name__.lstrip('_')}"
        if not any(known.__name__ == name for known in registry):
            registry.insert(0, type(name, (Keyed, base), {}))


if numba is not None:
    with contextlib.suppress(AttributeError, ImportError):  # another numba: per-file keys
        _key_cache_by_sources()


def _jit(parallel: bool = False, inline: bool = False) -> Callable[[Callable[..., Any]], Any]:
    """``numba.njit`` with an on-disk cache, or without one where no cache dir is writable;
    ``inline``: inlined into its callers (no call: numba passes an array as seven to nine scalars
    and releases each at return, so a call with a dozen arrays costs about as much as a round of
    the FDA; the per-scenario steps are inlined, at about twice the compile time)."""

    def decorate(function: Callable[..., Any]) -> Any:
        if numba is None:  # pragma: no cover
            return function
        options: dict[str, Any] = {"nogil": True, "parallel": parallel, "error_model": "numpy"}
        if inline:
            options["inline"] = "always"
        try:
            return numba.njit(cache=True, **options)(function)
        except RuntimeError:  # "cannot cache function ...: no locator available"
            return numba.njit(cache=False, **options)(function)

    return decorate


def _prange(n: int) -> range:  # pragma: no cover - replaced by numba.prange when compiled
    return range(n)


prange: Callable[[int], range] = numba.prange if numba is not None else _prange


def _borrowing() -> Callable[[Any], Any]:
    """``borrowed(array)``: the same array with no reference to its memory, so that passing it
    to a compiled function or taking a view of it costs no atomic reference count (numba counts
    every array argument of a call and every view; two threads counting on the same array fight
    over one cache line). The caller keeps the owner alive while the borrowed array is used."""
    if numba is None:  # pragma: no cover
        return lambda array: array
    cgutils: Any = importlib.import_module("numba.core.cgutils")
    intrinsic: Any = importlib.import_module("numba.extending").intrinsic

    @intrinsic  # type: ignore[untyped-decorator]
    def borrowed(typingctx: Any, array: Any) -> Any:
        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            source = context.make_array(signature.args[0])(context, builder, value=args[0])
            out = context.make_array(signature.return_type)(context, builder)
            cgutils.copy_struct(out, source)
            out.meminfo = cgutils.get_null_value(out.meminfo.type)
            return out._getvalue()

        return array(array), codegen

    return borrowed  # type: ignore[no-any-return]


borrowed = _borrowing()


# -- one scenario ------------------------------------------------------------------------------


@_jit()
def _short(value: float, at_zero: bool, tol: float) -> bool:  # pragma: no cover - compiled
    """Whether a node whose value (assets less liabilities) is ``value`` cannot pay in full:
    below ``-tol``, or at most ``tol`` where a node at zero defaults."""
    return (value < -tol) | (at_zero & (value <= tol))  # no branch: loops vectorise


@_jit(inline=True)
def _gauss(A: Any, b: Any, k: int) -> None:  # pragma: no cover - compiled
    """Solve ``A[:k, :k] x = b[:k]`` in place (``b`` becomes ``x``), partial pivoting."""
    for col in range(k):
        pivot = col
        best = abs(A[col, col])
        for row in range(col + 1, k):
            if abs(A[row, col]) > best:
                best = abs(A[row, col])
                pivot = row
        if pivot != col:
            for j in range(k):
                A[col, j], A[pivot, j] = A[pivot, j], A[col, j]
            b[col], b[pivot] = b[pivot], b[col]
        inv = A[col, col]
        for row in range(col + 1, k):
            f = A[row, col] / inv
            if f != 0.0:
                for j in range(col + 1, k):
                    A[row, j] -= f * A[col, j]
                b[row] -= f * b[col]
    for col in range(k - 1, -1, -1):
        acc = b[col]
        for j in range(col + 1, k):
            acc -= A[col, j] * b[j]
        b[col] = acc / A[col, col]


@_jit(inline=True)
def _solve_pattern(
    L: Any, pbar: Any, c: Any, beta: float, full: Any, part: Any, keep: Any, x: Any,
    tol_s: float, idx: Any, leaky: Any, A: Any, b: Any,
) -> None:  # fmt: skip  # pragma: no cover - compiled
    """Exact ratios of one default pattern (``_solve_masked`` / ``_solve_piece`` of the numpy
    reference): ``x = 1`` on ``full``, 0 where neither, the linear solution on ``part``; nodes of
    ``part`` whose money cannot leave the set (closed groups, EN regularity fails) keep ``keep``.
    """
    n = pbar.size
    m = 0
    for i in range(n):
        x[i] = 1.0 if full[i] else 0.0
        if part[i]:
            idx[m] = i
            m += 1
    if m == 0:
        return
    direct = True  # every partial payer owes something outside the set
    for a in range(m):
        i = idx[a]
        inside = 0.0
        for q in range(m):
            inside += L[i, idx[q]]
        leaky[a] = pbar[i] - beta * inside > tol_s
        direct = direct and leaky[a]
    if not direct:  # leak analysis: a node is leaky when it reaches a leaking node
        top = 1.0
        for a in range(m):
            top = max(top, pbar[idx[a]])
        for a in range(m):
            i = idx[a]
            inside = 0.0
            for q in range(m):
                inside += L[i, idx[q]]
            leaky[a] = pbar[i] - beta * inside > SNAP * top
        grown = True
        while grown:
            grown = False
            for a in range(m):
                if leaky[a]:
                    continue
                for q in range(m):
                    if leaky[q] and L[idx[a], idx[q]] > SNAP * top:
                        leaky[a] = True
                        grown = True
                        break
    k = 0
    for a in range(m):  # leaky nodes first, in order; the fixed ones keep their values
        if leaky[a]:
            idx[k], idx[a] = idx[a], idx[k]
            leaky[k], leaky[a] = leaky[a], leaky[k]
            k += 1
    for a in range(k, m):
        x[idx[a]] = keep[idx[a]]
    if k == 0:
        return
    for a in range(k):
        i = idx[a]
        from_full = 0.0
        for j in range(n):
            if full[j]:
                from_full += L[j, i]
        fixed = 0.0
        for q in range(k, m):
            fixed += keep[idx[q]] * L[idx[q], i]
        b[a] = c[i] + beta * from_full + beta * fixed
        for q in range(k):
            A[a, q] = -beta * L[idx[q], i]
        A[a, a] += pbar[i]
    _gauss(A, b, k)
    for a in range(k):
        x[idx[a]] = b[a]


@_jit(inline=True)
def _rank_inflow(L: Any, cs: Any, r: Any, out: Any) -> None:  # pragma: no cover - compiled
    """``out = r @ L`` as the column sums minus what the nodes paying less than in full withhold."""
    n = cs.size
    for j in range(n):
        out[j] = cs[j]
    for i in range(n):
        d = 1.0 - r[i]
        if d != 0.0:
            for j in range(n):
                out[j] -= d * L[i, j]


@_jit(inline=True)
def _fda(
    L: Any, cs: Any, e: Any, s: Any, pbar: Any, alpha: float, beta: float, at_zero: bool,
    tol: float, r: Any, inflow: Any, wave: Any, work: Any, flags: Any, iwork: Any, A: Any,
) -> int:  # fmt: skip  # pragma: no cover - compiled
    """Greatest clearing ratios ``r`` by the growing default set (EN FDA; RV GA); ``wave`` the
    round each node joined the set; ``inflow = r @ L``. Returns the rounds used."""
    n = cs.size
    defaulted, full, part, zero, now_zero, leaky = (
        flags[0], flags[1], flags[2], flags[3], flags[4], flags[5]
    )  # fmt: skip
    c, x, keep, b = work[0], work[1], work[2], work[3]
    dlist, idx = iwork[0], iwork[1]
    r[:] = 1.0  # everyone pays in full; one array a loop, so that each is a vector store
    inflow[:] = cs
    defaulted[:] = False
    wave[:] = 0
    for i in range(n):
        c[i] = alpha * e[i] - s[i]
    nd = 0
    rounds = 0
    for rnd in range(1, n + 2):
        new = 0
        for i in range(n):  # no early exit, no branch: the loop vectorises
            short = _short(e[i] - s[i] + inflow[i] - pbar[i], at_zero, tol)
            new += short & (pbar[i] > 0) & (not defaulted[i])
        if new == 0:
            break
        rounds = rnd
        for i in range(n):  # the new defaulters, in order
            short = _short(e[i] - s[i] + inflow[i] - pbar[i], at_zero, tol)
            if short and pbar[i] > 0 and not defaulted[i]:
                defaulted[i] = True
                wave[i] = rnd
                dlist[nd] = i
                nd += 1
        for i in range(n):
            full[i] = not defaulted[i]
        zero[:] = False
        keep[:] = 0.0  # closed groups pay 0, as in the reference's FDA
        for _ in range(n + 1):
            for i in range(n):
                part[i] = defaulted[i] and not zero[i]
            _solve_pattern(L, pbar, c, beta, full, part, keep, x, tol, idx, leaky, A, b)
            for a in range(nd):
                i = dlist[a]
                x[i] = min(max(x[i], 0.0), 1.0)
            same = True
            for a in range(nd):  # estates with everyone's payments clipped at zero
                i = dlist[a]
                got = cs[i]
                for q in range(nd):
                    j = dlist[q]
                    got -= (1.0 - x[j]) * L[j, i]
                now_zero[i] = c[i] + beta * got < -tol
                same = same and now_zero[i] == zero[i]
            if same:
                break
            for a in range(nd):
                zero[dlist[a]] = now_zero[dlist[a]]
        for j in range(n):
            inflow[j] = cs[j]
        for a in range(nd):
            i = dlist[a]
            r[i] = x[i]
            d = 1.0 - x[i]
            if d != 0.0:
                for j in range(n):
                    inflow[j] -= d * L[i, j]
    return rounds


@_jit()
def _picard(
    L: Any, cs: Any, e: Any, s: Any, pbar: Any, greatest: bool, threshold: float,
    max_iter: int, r: Any, inflow: Any, x: Any,
) -> int:  # fmt: skip  # pragma: no cover - compiled
    """Picard iteration of the EN map on ratios from 1 (greatest) or 0 (least), until the
    payments move less than ``threshold`` in one step (``Σ |Δr| p̄``). Returns iterations."""
    n = cs.size
    for i in range(n):
        r[i] = 1.0 if greatest else 0.0
    done = 0
    while done < max_iter:
        _rank_inflow(L, cs, r, inflow)
        moved = 0.0
        for j in range(n):
            if pbar[j] > 0:
                v = min(max((inflow[j] + e[j] - s[j]) / pbar[j], 0.0), 1.0)
                moved += abs(v - r[j]) * pbar[j]
                x[j] = v
            else:
                x[j] = 1.0
        for j in range(n):
            r[j] = x[j]
        done += 1
        if moved <= threshold:
            break
    return done


@_jit()
def _polish(
    L: Any, cs: Any, e: Any, s: Any, pbar: Any, least: bool, scale: float, r: Any,
    inflow: Any, work: Any, flags: Any, iwork: Any, A: Any,
) -> int:  # fmt: skip  # pragma: no cover - compiled
    """Replace Picard's ratios by the exact solution of their default pattern, re-read until
    consistent (the numpy reference's ``_polish``). Returns the passes used."""
    n = cs.size
    any_short = False
    for i in range(n):
        any_short = any_short or r[i] < 1.0
    if not any_short:
        return 0
    full, part, leaky = flags[1], flags[2], flags[5]
    c, x, keep, b = work[0], work[1], work[2], work[3]
    idx = iwork[1]
    for i in range(n):
        keep[i] = r[i]
        c[i] = e[i] - s[i]
    passes = 0
    for _ in range(n + 2):
        _rank_inflow(L, cs, r, inflow)
        for i in range(n):
            m = c[i] + inflow[i]
            full[i] = m >= pbar[i] * (1.0 - SNAP)
            part[i] = not full[i] and not m <= SNAP * scale
            if least:
                part[i] = part[i] and r[i] < 1.0
        _solve_pattern(L, pbar, c, 1.0, full, part, keep, x, SNAP * scale, idx, leaky, A, b)
        for i in range(n):
            x[i] = min(max(x[i], 0.0), 1.0)
        passes += 1
        _rank_inflow(L, cs, x, inflow)
        err = 0.0
        for i in range(n):
            if pbar[i] > 0:
                check = min(max((c[i] + inflow[i]) / pbar[i], 0.0), 1.0)
                err += abs(check - x[i]) * pbar[i]
            r[i] = x[i]
        if err <= 1e-9 * scale:
            break
    return passes


@_jit(inline=True)
def _replay(
    L: Any, cs: Any, e: Any, s: Any, pbar: Any, r: Any, defaulted: Any, at_zero: bool,
    tol: float, wave: Any, known: Any, ratios: Any, inflow: Any,
) -> None:  # fmt: skip  # pragma: no cover - compiled
    """Default waves of an outcome (``_replay_waves``): wave 1 is insolvent when everyone pays
    in full, wave k once the earlier waves pay their clearing payments; defaults no wave
    explains get the last wave + 1."""
    n = cs.size
    open_ = 0
    for i in range(n):
        known[i] = _short(e[i] - s[i] - pbar[i] + cs[i], at_zero, tol) & defaulted[i]
        wave[i] = 1 if known[i] else 0
        open_ += defaulted[i] != known[i]  # defaulted, not yet explained
    if open_ == 0:
        return
    last = 1
    for k in range(2, n + 1):
        for i in range(n):
            ratios[i] = r[i] if known[i] else 1.0
        _rank_inflow(L, cs, ratios, inflow)
        found = False
        for i in range(n):
            short = _short(e[i] - s[i] - pbar[i] + inflow[i], at_zero, tol)
            if short and defaulted[i] and not known[i]:
                wave[i] = k
                found = True
        if not found:
            break
        last = k
        open_ = 0
        for i in range(n):
            if wave[i] == k:
                known[i] = True
            elif defaulted[i] and not known[i]:
                open_ += 1
        if open_ == 0:
            return
    for i in range(n):
        if defaulted[i] and not known[i]:
            wave[i] = last + 1


@_jit(inline=True)
def _write(
    e: Any, s: Any, el: Any, owed: Any, pbar: Any, r: Any, inflow: Any, setup: Any,
    fwave: Any, out_f: Any, out_def: Any, out_wave: Any, k: int,
) -> bool:  # fmt: skip  # pragma: no cover - compiled
    """Results of scenario ``k`` from final ratios and inflows (``_result`` of the reference):
    ``out_f[:, k]`` = payments, interbank, outside payments, equity, recovery. Defaulters: net
    worth below zero (or at zero under ``default_at_zero``); for Rogers–Veraart the algorithm's
    default set ``fwave > 0``, whose waves are written too. Returns whether any node defaulted.
    """
    n = r.size
    alpha, beta = setup[1], setup[2]
    at_zero, senior, rv = setup[3] != 0.0, setup[4] != 0.0, setup[8] != 0.0
    tol = SNAP * setup[5]
    defaults = 0
    for i in range(n):  # every load unconditional, selects not branches: the loop vectorises
        ei, got, eli, owes, ratio, joined = e[i], inflow[i], el[i], owed[i], r[i], fwave[i]
        equity = got + ei
        equity -= eli
        equity -= owes
        equity = 0.0 if abs(equity) <= tol else equity
        below = (equity < 0.0) | (at_zero & (equity == 0.0))  # logic, not branches, on flags
        d = (rv & (joined > 0)) | ((not rv) & below & (owes + eli > 0))
        out_def[k, i] = d
        defaults += d
        interbank = ratio * owes
        resources = alpha * ei + beta * got if d else ei + got
        external = min(eli, max(resources, 0.0)) if senior else ratio * eli
        out_f[0, k, i] = interbank if senior else interbank + external
        out_f[1, k, i] = interbank
        out_f[2, k, i] = external
        out_f[3, k, i] = equity
        out_f[4, k, i] = ratio if owes > 0 else 1.0
    if rv:
        for i in range(n):
            out_wave[k, i] = fwave[i]
    return defaults > 0


@_jit(inline=True)
def _scenario(
    L: Any, cs: Any, e: Any, s: Any, el: Any, owed: Any, pbar: Any, setup: Any,
    out_f: Any, out_def: Any, out_wave: Any, k: int, r: Any, inflow: Any, work: Any,
    flags: Any, iwork: Any, A: Any,
) -> int:  # fmt: skip  # pragma: no cover - compiled
    """Clear scenario ``k`` and write its results; returns rounds (FDA) or iterations + polish
    passes (Picard).

    ``setup = (mode, alpha, beta, at_zero, senior, scale, threshold, max_iter, rv)`` with mode
    0 = FDA, 1 = Picard + polish from the top, 2 = from the bottom (least vector).
    """
    n = cs.size
    mode = int(setup[0])
    alpha, beta = setup[1], setup[2]
    at_zero = setup[3] != 0.0
    scale = setup[5]
    rv = setup[8] != 0.0
    tol = SNAP * scale
    fwave = iwork[2]
    if mode == 0:
        rounds = _fda(L, cs, e, s, pbar, alpha, beta, at_zero, tol, r, inflow, fwave,
                      work, flags, iwork, A)  # fmt: skip
    else:
        rounds = _picard(L, cs, e, s, pbar, mode == 1, setup[6], int(setup[7]), r, inflow,
                         work[1])  # fmt: skip
        for i in range(n):
            if not pbar[i] > 0:
                r[i] = 1.0
        rounds += _polish(L, cs, e, s, pbar, mode == 2, scale, r, inflow, work, flags,
                          iwork, A)  # fmt: skip
    snapped = mode != 0  # the FDA's inflows are those of its ratios unless a ratio snaps to 1
    for i in range(n):
        snap = (r[i] >= 1.0 - SNAP) & (r[i] != 1.0)
        r[i] = 1.0 if snap else r[i]
        snapped |= snap
    if snapped:
        _rank_inflow(L, cs, r, inflow)
    any_default = _write(e, s, el, owed, pbar, r, inflow, setup, fwave, out_f, out_def,
                         out_wave, k)  # fmt: skip
    if rv:
        return int(rounds)
    if any_default:
        _replay(L, cs, e, s, pbar, r, out_def[k], at_zero, tol, out_wave[k], flags[0],
                work[1], work[2])  # fmt: skip
    else:
        for i in range(n):
            out_wave[k, i] = 0
    return int(rounds)


@_jit()
def _block(
    L: Any, cs: Any, e: Any, s: Any, el: Any, owed: Any, pbar: Any, setup: Any, out_f: Any,
    out_def: Any, out_wave: Any, rounds: Any, lo: int, hi: int,
) -> None:  # fmt: skip  # pragma: no cover - compiled
    """Scenarios ``lo..hi`` with one set of work arrays. With the FDA, a scenario where every
    node can pay in full while everyone else does is done in one pass over its nodes."""
    n = e.shape[1]
    # work arrays; every array is used borrowed (no reference counting), its owner kept below
    own_f, own_b = np.ones((6, n)), np.zeros((6, n), np.bool_)
    own_i, own_A = np.zeros((4, n), np.int64), np.empty((n, n))
    f, flags, ints, A = borrowed(own_f), borrowed(own_b), borrowed(own_i), borrowed(own_A)
    r, inflow, work, iwork, nowave = f[0], f[1], f[2:], ints[:3], ints[3]
    L, cs, e, s, el, owed, pbar = (
        borrowed(L), borrowed(cs), borrowed(e), borrowed(s), borrowed(el), borrowed(owed),
        borrowed(pbar),
    )  # fmt: skip
    setup, out_f, out_def, out_wave, rounds = (
        borrowed(setup), borrowed(out_f), borrowed(out_def), borrowed(out_wave), borrowed(rounds)
    )  # fmt: skip
    fda = setup[0] == 0.0
    at_zero, rv = setup[3] != 0.0, setup[8] != 0.0
    tol = SNAP * setup[5]
    one_L, one_cs = L.shape[0] == 1, cs.shape[0] == 1
    one_s, one_el, one_owed, one_pbar = (
        s.shape[0] == 1, el.shape[0] == 1, owed.shape[0] == 1, pbar.shape[0] == 1
    )  # fmt: skip
    for k in range(lo, hi):
        g = 0 if one_L else k
        csk = cs[0] if one_cs else cs[k]
        sk = s[0] if one_s else s[k]
        elk = el[0] if one_el else el[k]
        owedk = owed[0] if one_owed else owed[k]
        pbark = pbar[0] if one_pbar else pbar[k]
        ek = e[k]
        solvent = fda
        if fda:
            short = 0
            for i in range(n):  # no early exit, no branch: the loop vectorises
                short += _short(ek[i] - sk[i] + csk[i] - pbark[i], at_zero, tol) & (pbark[i] > 0)
            solvent = short == 0
        if solvent:  # everyone pays in full: r = 1, inflows are the column sums
            if _write(ek, sk, elk, owedk, pbark, r, csk, setup, nowave, out_f, out_def,
                      out_wave, k) and not rv:  # fmt: skip
                # a node owing only outside debt, senior: in default, nobody else is
                _replay(L[g], csk, ek, sk, pbark, r, out_def[k], at_zero, tol, out_wave[k],
                        flags[0], work[1], work[2])  # fmt: skip
            elif not rv:
                for i in range(n):
                    out_wave[k, i] = 0
            rounds[k] = 0
            continue
        rounds[k] = _scenario(
            L[g], csk, ek, sk, elk, owedk, pbark, setup, out_f, out_def, out_wave, k, r,
            inflow, work, flags, iwork, A,
        )  # fmt: skip
        for i in range(n):
            r[i] = 1.0
    # a last use of each owner: numba frees an array after its last use, so without this the
    # borrowed work arrays would point at freed memory
    own_f[0, 0], own_b[0, 0], own_i[0, 0], own_A[0, 0] = 1.0, False, 0, 0.0


@_jit()
def clear_serial(
    L: Any, cs: Any, e: Any, s: Any, el: Any, owed: Any, pbar: Any, setup: Any, out_f: Any,
    out_def: Any, out_wave: Any, rounds: Any,
) -> None:  # fmt: skip  # pragma: no cover - compiled
    """Every scenario on the calling thread (small batches, or callers that run their own
    threads: the kernels release the GIL)."""
    _block(L, cs, e, s, el, owed, pbar, setup, out_f, out_def, out_wave, rounds, 0, e.shape[0])


@_jit(parallel=True)
def clear_parallel(
    L: Any, cs: Any, e: Any, s: Any, el: Any, owed: Any, pbar: Any, setup: Any, out_f: Any,
    out_def: Any, out_wave: Any, rounds: Any, blocks: int,
) -> None:  # fmt: skip  # pragma: no cover - compiled
    """The scenarios split into ``blocks`` contiguous blocks, one per thread."""
    S = e.shape[0]
    for t in prange(blocks):
        _block(L, cs, e, s, el, owed, pbar, setup, out_f, out_def, out_wave, rounds,
               t * S // blocks, (t + 1) * S // blocks)  # fmt: skip


@_jit(parallel=True)
def max_abs(values: Any) -> float:  # pragma: no cover - compiled
    """``max |values|`` of a 2-D array (0 when empty), in one pass on every thread."""
    top = 0.0
    for k in prange(values.shape[0]):
        for i in range(values.shape[1]):
            top = max(top, abs(values[k, i]))
    return top


def threads() -> int:
    """Threads the parallel kernels use (``numba.set_num_threads``, ``NUMBA_NUM_THREADS``)."""
    return int(numba.get_num_threads()) if numba is not None else 1
