"""One dense scenario in one compiled pass (``stargate.finance.kernels_single``): the same checks
and errors as the general path of ``network()``, and the same results bit for bit as the general
compiled path (and to rounding as the numpy reference) on random and degenerate networks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stargate.finance import kernels, kernels_single
from stargate.finance.clearing import ClearingResult, eisenberg_noe, rogers_veraart
from stargate.finance.network import ClearingInputError, Conventions, network

pytestmark = pytest.mark.skipif(not kernels.AVAILABLE, reason="numba is not importable")

FIELDS = ("payments", "interbank_payments", "external_payments", "equity", "recovery_rate",
          "defaulted", "default_wave", "rounds")  # fmt: skip
TINY = np.finfo(np.float64).tiny


def general_path(function: Any, *args: Any, **kwargs: Any) -> ClearingResult:
    """A clearing call with the one-scenario path switched off (the general compiled path)."""
    takes = kernels_single.takes
    kernels_single.takes = lambda *arrays: False  # type: ignore[assignment]
    try:
        result: ClearingResult = function(*args, **kwargs)
    finally:
        kernels_single.takes = takes  # type: ignore[assignment]
    return result


def _equal(fast: ClearingResult, general: ClearingResult) -> None:
    for name in FIELDS:
        a, b = getattr(fast, name), getattr(general, name)
        assert a.shape == b.shape, name
        assert a.dtype == b.dtype, name
        assert np.array_equal(a, b), name


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([[0, -1], [1, 0]], [1, 1]), "obligations must be non-negative"),
        (([[0, np.nan], [1, 0]], [1, 1]), "obligations contains NaN or infinite values"),
        (([[0, np.inf], [1, 0]], [1, 1]), "obligations contains NaN or infinite values"),
        (([[0, 1], [1, 0]], [1, np.inf]), "external_assets contains NaN or infinite values"),
        (([[0, 1], [1, 0]], [1, 1], [np.nan, 0]),
         "external_liabilities contains NaN or infinite values"),
        (([[0, 1], [1, 0]], [1, 1], [-1, 0]), "external_liabilities must be non-negative"),
        (([[1, 1], [1, 0]], [1, 1]), "a node cannot owe itself: the diagonal must be zero"),
        (([[0, -1], [1, 1]], [1, 1]), "obligations must be non-negative"),  # first error first
        (([[0, 1], [1, 0]], [1, 1, 1]), "external_assets must have length 2"),
        (([[0, 1, 2], [1, 0, 2]], [1, 1]), "must be square"),
    ],
)  # fmt: skip
def test_float64_arrays_get_the_same_errors_as_lists(args: tuple, message: str) -> None:
    """The fast path's candidates (float64 arrays) are refused with the general path's error."""
    with pytest.raises(ClearingInputError) as from_lists:
        network(*args)
    with pytest.raises(ClearingInputError) as from_arrays:
        network(*(np.asarray(a, dtype=np.float64) for a in args))
    assert str(from_arrays.value) == str(from_lists.value)
    assert message in str(from_arrays.value)


def test_subnormal_amounts_are_flushed_from_arrays_too() -> None:
    L = np.array([[0.0, TINY / 4], [2.0, 0.0]])
    e = np.array([1.0, -TINY / 8])
    el = np.array([TINY / 2, 1.0])
    net = network(L, e, el)
    assert net.obligations[0, 1] == 0
    assert net.external_assets[0, 1] == 0
    assert net.external_liabilities[0, 0] == 0
    assert L[0, 1] == TINY / 4  # the caller's arrays are untouched


def test_a_clean_network_is_viewed_not_copied_and_read_only() -> None:
    L = np.array([[0.0, 1.0], [2.0, 0.0]])
    e = np.array([1.0, 3.0])
    net = network(L, e)
    assert net.obligations is L
    assert not net.batched
    assert net.scenarios == 1
    assert np.shares_memory(net.external_assets, e)
    assert not net.external_assets.flags.writeable
    assert not net.external_liabilities.flags.writeable
    assert np.array_equal(net.external_liabilities, [[0.0, 0.0]])
    with pytest.raises(ValueError, match="read-only"):
        net.external_assets[0, 0] = 5.0


@pytest.mark.parametrize("n", [1, 2, 7, 8, 9, 15, 16, 17, 127, 128, 129, 136, 257, 300, 1031])
def test_row_sums_are_numpys_bit_for_bit(n: int) -> None:
    values = np.random.default_rng(n).lognormal(0, 4, n)
    assert 0.0 + kernels_single._pairwise(values, n) == values.sum()


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One scenario: random, no obligations, nobody short, a closed cycle, a node owing only
    outside, or exactly zero equity (integer amounts)."""
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.sampled_from([1, 2, 3, 5, 8, 13, 32, 130]))
    shape = draw(st.sampled_from(["random", "empty", "solvent", "cycle", "outside", "integer"]))
    rng = np.random.default_rng(seed)
    L = rng.lognormal(0, 1, (n, n)) * (rng.uniform(size=(n, n)) < 0.4)
    np.fill_diagonal(L, 0)
    el = rng.uniform(0, 5, n)
    owed, claims = L.sum(axis=1), L.sum(axis=0)
    e = np.maximum(owed + el - claims + rng.normal(0, 2, n), 0)
    if shape == "empty":
        L[:] = 0
    elif shape == "solvent":
        e = owed + el + 1
    elif shape == "cycle":
        L = np.roll(np.eye(n), 1, axis=1) * 3.0 if n > 1 else np.zeros((1, 1))
        e = np.zeros(n)
    elif shape == "outside":
        L[0] = 0
        el[0] = e[0] + 1
    elif shape == "integer":
        L = np.round(L * 2)
        el = np.round(el)
        e = L.sum(axis=1) + el - L.sum(axis=0) - rng.integers(0, 2, n)
        e = np.maximum(e, 0)
    return L, e, el


CONVENTIONS = [
    Conventions(),
    Conventions(external_seniority="senior"),
    Conventions(default_at_zero=True),
]


@settings(max_examples=60, deadline=None)
@given(data=scenarios(), conventions=st.sampled_from(CONVENTIONS))
def test_one_scenario_equals_the_general_path(
    data: tuple[np.ndarray, ...], conventions: Conventions
) -> None:
    L, e, el = data
    net = network(L, e, el)
    assert kernels_single.takes(net.obligations, net.external_assets, net.external_liabilities)
    for kwargs in ({}, {"solver": "picard"}, {"vector": "least"}):
        fast = eisenberg_noe(net, conventions, **kwargs)  # type: ignore[arg-type]
        _equal(fast, general_path(eisenberg_noe, net, conventions, **kwargs))
        reference = eisenberg_noe(net, conventions, backend="numpy", **kwargs)  # type: ignore[arg-type]
        scale = max(1.0, float(np.max(L.sum(axis=1) + el)), float(np.max(e, initial=0)))
        for name in FIELDS[:5]:
            assert np.allclose(
                getattr(fast, name), getattr(reference, name), rtol=0, atol=1e-12 * scale
            )
    rv = Conventions(alpha=0.6, beta=0.8, external_seniority=conventions.external_seniority)
    _equal(rogers_veraart(net, rv), general_path(rogers_veraart, net, rv))
