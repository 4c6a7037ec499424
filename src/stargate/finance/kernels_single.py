"""One dense scenario in one compiled pass: the checks of :func:`stargate.finance.network.network`
and the set-up of a clearing (row and column sums, ``p̄``, scale), then the clearing kernels of
:mod:`stargate.finance.kernels`.

For one small scenario the numpy calls of validation and set-up (a few microseconds each) cost
far more than the clearing itself; here they are loops over the ``n² + 2n`` inputs. Results are
bit for bit those of the numpy set-up: column sums are added row by row as numpy's reduction
over axis 0 does, row sums by numpy's pairwise summation (``pairwise_sum`` in numpy's
``loops_utils.h.src``: blocks of 8 partial sums up to 128 terms, halves above).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from stargate.finance.kernels import _block, _jit

TINY = float(np.finfo(np.float64).tiny)  # below this (and not 0) an amount is subnormal

# status codes of check_dense: 0 means every check passed and nothing needs flushing
OK = 0
_F64 = np.dtype(np.float64)


def takes(L: Any, e: Any, el: Any) -> bool:
    """Whether :func:`clear_one` applies: ``(n, n)``, ``(1, n)``, ``(1, n)`` float64 arrays,
    C-contiguous (a one-scenario dense :class:`~stargate.finance.network.Network`)."""
    return bool(
        type(L) is np.ndarray
        and L.dtype == _F64
        and e.dtype == _F64
        and el.dtype == _F64
        and L.flags.c_contiguous
        and e.flags.c_contiguous
        and el.flags.c_contiguous
    )


@functools.lru_cache(maxsize=64)
def template(
    mode: int, alpha: float, beta: float, at_zero: bool, senior: bool, max_iter: int,
    rv: bool, tol: float,
) -> tuple[Any, float]:  # fmt: skip
    """The kernels' ``setup`` vector less scale and threshold (:func:`clear_one` fills them
    in), and the Picard tolerance relative to the scale, as the general path computes it."""
    values = [mode, alpha, beta, at_zero, senior, 0.0, 0.0, max_iter, rv]
    setup = np.array(values, dtype=np.float64)
    setup.flags.writeable = False
    return setup, max(tol, 16 * float(np.finfo(np.float64).eps))


@_jit()
def _leaf(a: Any, lo: int, n: int) -> Any:  # pragma: no cover - compiled
    """numpy's pairwise sum of ``a[lo:lo + n]`` for ``n <= 128``: 8 partial sums."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    m = n - n % 8
    while i < m:
        j = lo + i
        r0 += a[j]
        r1 += a[j + 1]
        r2 += a[j + 2]
        r3 += a[j + 3]
        r4 += a[j + 4]
        r5 += a[j + 5]
        r6 += a[j + 6]
        r7 += a[j + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@_jit()
def _pairwise(a: Any, n: int) -> Any:  # pragma: no cover - compiled
    """``a[:n].sum()`` bit for bit: numpy halves a run above 128 terms (the first half a
    multiple of 8) and adds the two sums. Written with an explicit stack, not recursion
    (numba's on-disk cache does not reload recursive functions safely)."""
    if n <= 128:
        return _leaf(a, 0, n)
    los = np.empty(64, np.int64)
    ns = np.empty(64, np.int64)
    stage = np.zeros(64, np.int64)  # 1: left half being summed; 2: right half
    left = np.empty(64)
    top = 0
    los[0] = 0
    ns[0] = n
    while True:
        m = ns[top]
        if m > 128:
            half = m // 2
            half -= half % 8
            stage[top] = 1
            los[top + 1] = los[top]
            ns[top + 1] = half
            top += 1
            continue
        value = _leaf(a, los[top], m)
        while True:
            top -= 1
            if top < 0:
                return value
            if stage[top] == 1:
                left[top] = value
                stage[top] = 2
                half = ns[top] // 2
                half -= half % 8
                los[top + 1] = los[top] + half
                ns[top + 1] = ns[top] - half
                top += 1
                break
            value = left[top] + value


@_jit(inline=True)
def _unclean(x: float) -> bool:  # pragma: no cover - compiled
    """NaN, infinite, or subnormal (refused, or flushed to 0, by the general path)."""
    return not np.isfinite(x) or (x != 0.0 and abs(x) < TINY)


@_jit()
def check_dense(L: Any, e: Any, el: Any) -> int:  # pragma: no cover - compiled
    """0 when a dense ``(n, n)`` network passes every check of ``network()`` unchanged: all
    amounts finite and none subnormal, obligations and outside liabilities non-negative, a zero
    diagonal. Anything else returns 1 and the caller takes the general path, which raises the
    error (or flushes the subnormal amounts) exactly as before."""
    n = L.shape[0]
    for i in range(n):
        row = L[i]
        for j in range(n):
            x = row[j]
            if x < 0.0 or _unclean(x):
                return 1
        if row[i] != 0.0:
            return 1
    for i in range(n):
        if _unclean(e[i]) or _unclean(el[i]) or el[i] < 0.0:
            return 1
    return OK


@_jit()
def clear_one(
    L: Any, e: Any, el: Any, template: Any, tol_rel: float
) -> tuple[Any, Any, Any, Any]:  # pragma: no cover - compiled
    """Set up and clear one dense scenario: ``L`` ``(n, n)``, ``e`` and ``el`` ``(1, n)``.

    ``template`` is the kernels' ``setup`` vector without the scale and the Picard threshold,
    which are computed here as the numpy set-up does (``max(p̄, |e|)`` or 1; ``tol_rel ×
    scale``). Returns ``(out_f, defaulted, wave, rounds)`` shaped as for one scenario.
    """
    n = L.shape[0]
    cs = np.zeros((1, n))
    owed = np.empty((1, n))
    for i in range(n):
        row = L[i]
        for j in range(n):
            cs[0, j] += row[j]
        owed[0, i] = 0.0 + _pairwise(row, n)
    senior = template[4] != 0.0
    s = np.zeros((1, n))
    pbar = np.empty((1, n))
    scale = 0.0
    for i in range(n):
        if senior:
            s[0, i] = el[0, i]
            pbar[0, i] = owed[0, i]
        else:
            pbar[0, i] = owed[0, i] + el[0, i]
        scale = max(scale, pbar[0, i], abs(e[0, i]))
    if scale == 0.0:
        scale = 1.0
    setup = template.copy()
    setup[5] = scale
    setup[6] = tol_rel * scale
    out_f = np.empty((5, 1, n))
    defaulted = np.empty((1, n), np.bool_)
    wave = np.empty((1, n), np.int64)
    rounds = np.empty(1, np.int64)
    _block(L.reshape((1, n, n)), cs, e, s, el, owed, pbar, setup, out_f, defaulted, wave,
           rounds, 0, 1)  # fmt: skip
    return out_f, defaulted, wave, rounds
