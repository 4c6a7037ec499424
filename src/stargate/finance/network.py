"""The one input shape of every clearing method: obligations, outside assets and liabilities,
and the conventions that change results (``docs/methods.md``, "Conventions").

Orientation is fixed: ``L[i, j]`` is what node ``i`` owes node ``j`` (row owes column). Inputs may
carry a leading scenario axis: assets and liabilities ``(S, n)``; obligations ``(S, n, n)`` or a
shared ``(n, n)`` dense array or ``scipy.sparse`` matrix.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from stargate.errors import StargateError
from stargate.finance import kernels, kernels_single

Array = NDArray[np.floating[Any]]


class ClearingInputError(StargateError, ValueError):
    """Inputs that no clearing method accepts; the message says which and why."""


class Seniority(enum.StrEnum):
    """Where outside (non-network) debt ranks against obligations inside the network."""

    PARI_PASSU = "pari_passu"  # one pro-rata pool, as if outside creditors were one more node
    SENIOR = "senior"  # paid before any node in the network


@dataclass(frozen=True, slots=True)
class Conventions:
    """The choices that change results on the same data; each one is explicit.

    - ``external_seniority``: outside debt ``pari_passu`` (systemicrisk, neva, Glasserman–Young)
      or ``senior`` (the BDF2017 teaching code).
    - ``default_at_zero``: whether a node with net worth exactly 0 is in default. Default False
      (solvent at zero, as systemicrisk and Rogers–Veraart's algorithm). It matters only for maps
      that jump at 0 (Rogers–Veraart, Furfine, DebtRank); Eisenberg–Noe payments are continuous.
    - ``alpha``, ``beta``: shares of outside and interbank assets a defaulter recovers
      (Rogers & Veraart 2013); 1 and 1 give Eisenberg–Noe.
    - ``recovery_rate``: share of a Furfine defaulter's obligations its creditors recover.
    - ``cap``: DebtRank impact ``W = min(1, A/E)`` (Battiston 2012) or uncapped ``A/E``.
    - ``single_hit``: DebtRank propagates each node's distress once (Battiston 2012) or every
      increment (linear DebtRank, Bardoscia et al. 2015).
    - ``tol``: Picard stopping tolerance, relative to the largest obligation, before the exact
      polish; ``max_iter`` bounds iterations.
    """

    external_seniority: Seniority = Seniority.PARI_PASSU
    default_at_zero: bool = False
    alpha: float = 1.0
    beta: float = 1.0
    recovery_rate: float = 0.0
    cap: bool = True
    single_hit: bool = True
    tol: float = 1e-9
    max_iter: int = 100_000

    def __post_init__(self) -> None:
        object.__setattr__(self, "external_seniority", Seniority(self.external_seniority))
        for name in ("alpha", "beta", "recovery_rate"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and 0.0 <= float(value) <= 1.0):
                raise ClearingInputError(f"{name} must be in [0, 1], got {value!r}")
        if not self.tol > 0:
            raise ClearingInputError(f"tol must be positive, got {self.tol!r}")
        if self.max_iter < 1:
            raise ClearingInputError(f"max_iter must be at least 1, got {self.max_iter!r}")


DEFAULT_CONVENTIONS = Conventions()


@dataclass(frozen=True, slots=True)
class Network:
    """Validated inputs, broadcast to a scenario axis.

    ``obligations`` is ``(n, n)`` dense, ``(S, n, n)`` dense, or sparse CSR ``(n, n)``.
    ``external_assets`` and ``external_liabilities`` are ``(S, n)``. ``batched`` records whether
    the caller gave a scenario axis, so results come back in the caller's shape.
    """

    obligations: Array | sp.csr_array
    external_assets: Array
    external_liabilities: Array
    batched: bool

    @property
    def n(self) -> int:
        return int(self.external_assets.shape[1])

    @property
    def scenarios(self) -> int:
        return int(self.external_assets.shape[0])

    @property
    def sparse(self) -> bool:
        return bool(sp.issparse(self.obligations))

    @property
    def shared(self) -> bool:
        """True when every scenario has the same obligations."""
        return bool(self.sparse or np.ndim(self.obligations) == 2)

    def owed(self) -> Array:
        """Row sums of L: what each node owes inside the network, ``(S, n)`` or ``(1, n)``."""
        if self.sparse:
            return np.asarray(self.obligations.sum(axis=1)).reshape(1, -1)
        sums: Array = np.asarray(self.obligations).sum(axis=-1)
        return sums.reshape(1, -1) if sums.ndim == 1 else sums

    def claims(self) -> Array:
        """Column sums of L: what each node is owed inside the network."""
        if self.sparse:
            return np.asarray(self.obligations.sum(axis=0)).reshape(1, -1)
        sums: Array = np.asarray(self.obligations).sum(axis=-2)
        return sums.reshape(1, -1) if sums.ndim == 1 else sums

    def unbatch(self, values: NDArray[Any]) -> NDArray[Any]:
        """Drop the scenario axis again when the caller gave none."""
        return values if self.batched else values[0]


def _finite(name: str, values: NDArray[Any]) -> NDArray[Any]:
    """Refuse NaN and infinities; flush subnormal amounts (below ~1e-308) to zero.

    Returns ``values`` itself when nothing needed flushing, else a flushed copy.
    """
    if not np.all(np.isfinite(values)):
        raise ClearingInputError(f"{name} contains NaN or infinite values")
    subnormal = (np.abs(values) < np.finfo(values.dtype).tiny) & (values != 0)
    if subnormal.any():
        values = np.where(subnormal, 0, values).astype(values.dtype)
    return values


_F64 = np.dtype(np.float64)


def _one_dense(
    obligations: object, external_assets: object, external_liabilities: object, dtype: object
) -> Network | None:
    """The common case in one compiled pass: one scenario, float64 arrays already in the shape
    asked for. Returns None (the general path decides, and raises) unless every check of
    :func:`network` passes with nothing to flush."""
    if not (
        kernels.AVAILABLE
        and (dtype is np.float64 or dtype == _F64)
        and type(obligations) is np.ndarray
        and type(external_assets) is np.ndarray
        and obligations.dtype == _F64
        and external_assets.dtype == _F64
        and obligations.ndim == 2
        and external_assets.ndim == 1
        and obligations.flags.c_contiguous
        and external_assets.flags.c_contiguous
    ):
        return None
    n = obligations.shape[0]
    if n == 0 or obligations.shape[1] != n or external_assets.shape[0] != n:
        return None
    if external_liabilities is None:
        liabilities = np.zeros(n)
    elif (
        type(external_liabilities) is np.ndarray
        and external_liabilities.dtype == _F64
        and external_liabilities.shape == (n,)
        and external_liabilities.flags.c_contiguous
    ):
        liabilities = external_liabilities
    else:
        return None
    if kernels_single.check_dense(obligations, external_assets, liabilities):
        return None
    assets = external_assets.reshape(1, n)
    liabilities = liabilities.reshape(1, n)
    assets.flags.writeable = False  # views, read-only as np.broadcast_to gives them
    liabilities.flags.writeable = False
    return Network(obligations, assets, liabilities, False)


def network(
    obligations: ArrayLike | sp.sparray | sp.spmatrix,
    external_assets: ArrayLike,
    external_liabilities: ArrayLike | None = None,
    *,
    dtype: type[np.floating[Any]] | np.dtype[Any] = np.float64,
) -> Network:
    """Validate and broadcast clearing inputs (see :class:`Network`); raise on bad input."""
    fast = _one_dense(obligations, external_assets, external_liabilities, dtype)
    if fast is not None:
        return fast
    dtype = np.dtype(dtype)
    if dtype not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise ClearingInputError(f"dtype must be float64 or float32, got {dtype}")
    if sp.issparse(obligations):
        matrix = sp.csr_array(obligations, dtype=dtype, copy=True)
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
            raise ClearingInputError(f"obligations must be square, got shape {matrix.shape}")
        matrix.data = _finite("obligations", matrix.data)
        if np.any(matrix.data < 0):
            raise ClearingInputError("obligations must be non-negative")
        if np.any(matrix.diagonal() != 0):
            raise ClearingInputError("a node cannot owe itself: the diagonal must be zero")
        n = matrix.shape[0]
        L: Array | sp.csr_array = matrix
        l_batched = False
    else:
        dense = np.asarray(obligations, dtype=dtype)
        if dense.ndim not in (2, 3) or dense.shape[-1] != dense.shape[-2]:
            raise ClearingInputError(
                f"obligations must be square (n, n) or (S, n, n), got shape {dense.shape}"
            )
        dense = _finite("obligations", dense)
        if np.any(dense < 0):
            raise ClearingInputError("obligations must be non-negative")
        if np.any(np.diagonal(dense, axis1=-2, axis2=-1) != 0):
            raise ClearingInputError("a node cannot owe itself: the diagonal must be zero")
        n = dense.shape[-1]
        L = np.ascontiguousarray(dense)
        l_batched = dense.ndim == 3

    assets = np.asarray(external_assets, dtype=dtype)
    liabilities = (
        np.zeros(n, dtype) if external_liabilities is None
        else np.asarray(external_liabilities, dtype=dtype)
    )  # fmt: skip
    checked = []
    for name, values in (("external_assets", assets), ("external_liabilities", liabilities)):
        if values.ndim not in (1, 2) or values.shape[-1] != n:
            raise ClearingInputError(
                f"{name} must have length {n} (one per node), got shape {values.shape}"
            )
        checked.append(_finite(name, values))
    assets, liabilities = checked
    if np.any(liabilities < 0):
        raise ClearingInputError("external_liabilities must be non-negative")

    batched = l_batched or assets.ndim == 2 or liabilities.ndim == 2
    sizes = {a.shape[0] for a in (assets, liabilities) if a.ndim == 2}
    if l_batched:
        sizes.add(np.shape(L)[0])
    if len(sizes) > 1:
        raise ClearingInputError(f"scenario axes disagree: lengths {sorted(sizes)}")
    S = sizes.pop() if sizes else 1
    # read-only views: a shared vector is broadcast, never copied S times
    assets = np.broadcast_to(assets.reshape(-1, n), (S, n))
    liabilities = np.broadcast_to(liabilities.reshape(-1, n), (S, n))
    return Network(L, assets, liabilities, batched)
