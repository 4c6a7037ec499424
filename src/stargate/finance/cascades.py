"""Default cascades without a clearing fixed point: Furfine and DebtRank, batched over scenarios.

- Furfine (2003), *JMCB* 35(1): a defaulter's creditors lose ``(1 − R)`` of what it owes them;
  a creditor whose losses exceed its net worth defaults in the next round.
- DebtRank, Battiston et al. (2012), *Sci. Rep.* 2:541: relative equity losses ``h`` spread
  through the impact matrix ``W_ij = min(1, A_ij / E_i)`` (``A_ij`` = what ``j`` owes ``i``);
  with ``single_hit`` each node passes on its distress once, then goes inactive.
- Linear DebtRank, Bardoscia et al. (2015), *PLoS ONE* 10(6): e0130406, eq. (5):
  ``h(t+1) = min(1, h(t) + W (h(t) − h(t−1)))``, every increment passed on.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stargate.finance.clearing import ClearingResult, _result, _system
from stargate.finance.network import (
    DEFAULT_CONVENTIONS,
    Array,
    ClearingInputError,
    Conventions,
    Network,
    Seniority,
)

_LINEAR_TOL = 1e-14


def book_equity(net: Network) -> Array:
    """Net worth at face value: outside assets + claims − obligations − outside debt, (S, n)."""
    equity: Array = net.external_assets + net.claims() - net.owed() - net.external_liabilities
    return equity


def furfine(net: Network, conventions: Conventions = DEFAULT_CONVENTIONS) -> ClearingResult:
    """Furfine sequential defaults with recovery rate ``conventions.recovery_rate``.

    Round 1 defaults are nodes with negative book equity; each later round adds the nodes whose
    book equity minus their losses on defaulted debtors is negative. At most n rounds. Creditors
    of a defaulter receive ``R`` of its obligations; equity is book equity minus those losses.
    """
    system = _system(net, conventions)
    S, n = net.external_assets.shape
    w0 = book_equity(net).astype(float)
    loss_share = 1.0 - conventions.recovery_rate
    owes = (net.owed() + net.external_liabilities) > 0

    def insolvent(value: Array) -> NDArray[np.bool_]:
        tol = 1e-12 * system.scale
        return ((value <= tol) if conventions.default_at_zero else (value < -tol)) & owes

    defaulted = insolvent(w0)
    wave = np.where(defaulted, 1, 0).astype(np.int64)
    rounds = np.where(defaulted.any(axis=1), 1, 0).astype(np.int64)
    rows = np.arange(S)
    loss = np.zeros_like(w0)
    for k in range(2, n + 2):
        loss = loss_share * system.inflow(defaulted.astype(float), rows)
        new = insolvent(w0 - loss) & ~defaulted
        if not new.any():
            break
        wave[new] = k
        rounds[new.any(axis=1)] = k
        defaulted |= new
    r = np.where(defaulted, conventions.recovery_rate, 1.0)
    result = _result("furfine", system, r, conventions, rounds, wave, defaulted)
    # Furfine values claims on defaulters at R and keeps book values otherwise (no fixed point).
    equity = w0 - loss_share * system.inflow(defaulted.astype(float), rows)
    if conventions.external_seniority is Seniority.PARI_PASSU:
        external = r * net.external_liabilities
    else:
        external = np.asarray(result.external_payments).reshape(S, n)
    interbank = r * system.owed
    return ClearingResult(
        method="furfine",
        payments=net.unbatch(r * system.pbar),
        interbank_payments=net.unbatch(interbank),
        external_payments=net.unbatch(external),
        defaulted=result.defaulted,
        equity=net.unbatch(equity),
        recovery_rate=result.recovery_rate,
        default_wave=result.default_wave,
        rounds=result.rounds,
    )


def _impact(net: Network, equity: Array, cap: bool) -> Any:
    """``W[s, i, j] = A_ij / E_i`` with ``A = Lᵀ`` (capped at 1 when asked); (n, n) if shared."""
    L: Any = net.obligations
    dense = L.toarray() if net.sparse else np.asarray(L, dtype=float)
    A = np.swapaxes(dense, -1, -2)  # A[i, j] = what j owes i
    shared_equity = bool(np.all(equity == equity[:1]))
    E = equity[0] if (shared_equity and A.ndim == 2) else equity
    with np.errstate(divide="ignore", invalid="ignore"):
        W = np.where(A > 0, A / np.where(E > 0, E, 1)[..., :, None], 0.0)
    W = np.where((A > 0) & (E <= 0)[..., :, None], 1.0, W)
    return np.minimum(W, 1.0) if cap else W


def _spread(W: Any, dh: Array) -> Array:
    """``Σ_j W_ij dh_j`` for every scenario."""
    spread: Array = dh @ W.T if W.ndim == 2 else np.einsum("sij,sj->si", W, dh)
    return spread


def debtrank(
    net: Network,
    shock: ArrayLike,
    conventions: Conventions = DEFAULT_CONVENTIONS,
    *,
    equity: ArrayLike | None = None,
    weights: ArrayLike | None = None,
) -> ClearingResult:
    """DebtRank after an initial relative equity loss ``shock`` (n,) or (S, n) in [0, 1].

    ``equity`` defaults to book equity; ``weights`` (relative economic value ``v``) default to
    each node's share of total assets. ``debtrank`` is ``Σ_j v_j (h_j(T) − h_j(1))``, the loss
    caused by propagation, excluding the initial shock (Battiston 2012, eq. 3). The other fields
    are implied valuations: a claim on node j is worth ``1 − h_j``, equity is ``E (1 − h)``,
    a node with ``h = 1`` is in default, and ``default_wave`` is the round it reached 1.
    """
    S, n = net.external_assets.shape
    E = book_equity(net) if equity is None else np.asarray(equity, float)
    if E.shape[-1] != n or E.ndim > 2:
        raise ClearingInputError(f"equity must have length {n}, got shape {E.shape}")
    E = np.broadcast_to(E.reshape(-1, n), (S, n)).astype(float)
    h1 = np.asarray(shock, float)
    if h1.shape[-1] != n or h1.ndim > 2 or not np.all(np.isfinite(h1)):
        raise ClearingInputError(f"shock must be {n} finite values per scenario")
    if np.any(h1 < 0) or np.any(h1 > 1):
        raise ClearingInputError("shock is a relative equity loss and must be in [0, 1]")
    batched = net.batched or h1.ndim == 2
    if h1.ndim == 2 and h1.shape[0] != S:
        if S != 1:
            raise ClearingInputError(f"scenario axes disagree: {h1.shape[0]} and {S}")
        S = h1.shape[0]
        E = np.broadcast_to(E, (S, n))
    h1 = np.broadcast_to(h1.reshape(-1, n), (S, n)).copy()
    h1[E <= 0] = 1.0
    if weights is None:
        size = np.broadcast_to(net.external_assets + net.claims(), (S, n)).astype(float)
        size = np.maximum(size, 0)
    else:
        size = np.broadcast_to(np.asarray(weights, float).reshape(-1, n), (S, n))
        if np.any(size < 0) or not np.all(np.isfinite(size)):
            raise ClearingInputError("weights must be finite and non-negative")
    total = size.sum(axis=1, keepdims=True)
    v = np.where(total > 0, size / np.where(total > 0, total, 1), 1.0 / n)

    W = _impact(net, E, conventions.cap)
    h = h1.copy()
    wave = np.where(h >= 1, 1, 0).astype(np.int64)
    rounds = np.ones(S, np.int64)
    if conventions.single_hit:
        distressed = h > 0
        inactive = np.zeros_like(distressed)
        step = 1
        while distressed.any() and step <= n + 1:
            step += 1
            h = np.minimum(1.0, h + _spread(W, np.where(distressed, h, 0.0)))
            inactive |= distressed
            distressed = (h > 0) & ~inactive
            newly = (h >= 1) & (wave == 0)
            wave[newly] = step
            rounds[np.any(distressed, axis=1) | newly.any(axis=1)] = step
    else:
        previous = np.zeros_like(h)
        for step in range(2, conventions.max_iter + 2):
            increment = h - previous
            if np.max(np.abs(increment), initial=0.0) <= _LINEAR_TOL:
                break
            moving = np.max(np.abs(increment), axis=1) > _LINEAR_TOL
            previous = h
            h = np.minimum(1.0, h + _spread(W, increment))
            newly = (h >= 1) & (wave == 0)
            wave[newly] = step
            rounds[moving] = step
    h = np.where(h >= 1 - 1e-12, 1.0, h)
    defaulted = h >= 1
    owed = np.broadcast_to(net.owed(), (S, n))
    el = np.broadcast_to(net.external_liabilities, (S, n))
    value = 1.0 - h

    def shape(x: NDArray[Any]) -> NDArray[Any]:
        return x if batched else x[0]

    pool = owed if conventions.external_seniority is Seniority.SENIOR else owed + el
    return ClearingResult(
        method="debtrank",
        payments=shape(value * pool),
        interbank_payments=shape(value * owed),
        external_payments=shape(value * el),
        defaulted=shape(defaulted),
        equity=shape(E * value),
        recovery_rate=shape(np.where(owed > 0, value, 1.0)),
        default_wave=shape(np.where(defaulted, wave, 0)),
        rounds=rounds if batched else rounds[:1],
        h=shape(h),
        debtrank=(v * (h - h1)).sum(axis=1) if batched else (v * (h - h1)).sum(axis=1)[:1],
    )
