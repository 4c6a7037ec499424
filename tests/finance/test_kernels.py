"""The compiled clearing kernels against the numpy reference (``backend="numpy"``) on random and
degenerate networks, their invariants, and their behaviour without a writable numba cache."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from stargate.finance import kernels
from stargate.finance.clearing import ClearingResult, eisenberg_noe, rogers_veraart
from stargate.finance.network import Conventions, network

pytestmark = pytest.mark.skipif(not kernels.AVAILABLE, reason="numba is not importable")

SHAPES = ("random", "no_obligations", "no_outside_assets", "isolated_node", "cycle")


@st.composite
def batches(draw: st.DrawFn, max_n: int = 7) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Obligations ``(n, n)``, outside assets ``(S, n)``, outside debts ``(n,)``; the shape is
    random or degenerate (no obligations, no outside assets, a node linked to nobody, a pure
    cycle)."""
    n = draw(st.integers(1, max_n))
    shape = draw(st.sampled_from(SHAPES))
    amounts = st.floats(0, 10, allow_nan=False, allow_infinity=False)
    L = draw(hnp.arrays(np.float64, (n, n), elements=amounts))
    L = np.where(draw(hnp.arrays(np.bool_, (n, n))), L, 0.0)
    if shape == "no_obligations":
        L[:] = 0
    elif shape == "cycle":
        L = np.roll(np.eye(n), 1, axis=1) * draw(st.floats(0.5, 10))
    elif shape == "isolated_node":
        k = draw(st.integers(0, n - 1))
        L[k, :] = L[:, k] = 0
    np.fill_diagonal(L, 0)
    S = draw(st.integers(1, 4))
    e = draw(hnp.arrays(np.float64, (S, n), elements=st.floats(0, 10, allow_nan=False)))
    if shape == "no_outside_assets":
        e[:] = 0
    # as in test_clearing: outside debts 0 or at least 1e-3 (the reference's LP-free checks
    # hold at any size, but amounts of 1e-300 only test float rounding)
    el = draw(hnp.arrays(np.float64, n, elements=st.one_of(
        st.just(0.0), st.floats(1e-3, 5, allow_nan=False))))  # fmt: skip
    return L, e, el


conventions_ = st.builds(
    Conventions,
    external_seniority=st.sampled_from(["pari_passu", "senior"]),
    default_at_zero=st.booleans(),
)


def assert_same(
    compiled: ClearingResult,
    reference: ClearingResult,
    scale: float,
    rel: float = 1e-12,
    owed: np.ndarray | None = None,
) -> None:
    """Amounts equal to ``rel`` of the largest amount; the same defaults and waves. Given what
    each node owes, its ratio is held to ``rel·scale / owed`` (the amounts pin it to no more)."""
    tol = rel * max(scale, 1.0)
    for name in ("payments", "interbank_payments", "external_payments", "equity"):
        got, want = getattr(compiled, name), getattr(reference, name)
        assert got.shape == want.shape
        assert np.max(np.abs(got - want), initial=0.0) <= tol, name
    # ratios: the amounts above pin them to rel·scale / p̄; a node owing 1e-4 gets 1e4·rel
    bound = 1e-9 if owed is None else np.maximum(1e-9, tol / np.maximum(owed, 1e-300))
    assert np.all(np.abs(compiled.recovery_rate - reference.recovery_rate) <= bound)
    assert compiled.defaulted.tolist() == reference.defaulted.tolist()
    assert compiled.default_wave.tolist() == reference.default_wave.tolist()


def scale_of(L: np.ndarray, e: np.ndarray, el: np.ndarray) -> float:
    return float(max(np.max(L.sum(axis=-1) + el, initial=0.0), np.max(np.abs(e), initial=0.0)))


@settings(max_examples=150, deadline=None)
@given(batches(), conventions_, st.sampled_from(["auto", "fda", "picard"]))
def test_eisenberg_noe_greatest_equals_the_reference(
    data: tuple[np.ndarray, ...], conventions: Conventions, solver: Any
) -> None:
    L, e, el = data
    # Picard's values stand on closed groups the polish cannot pin down: there both backends
    # agree to the Picard tolerance only (they check convergence at different steps)
    rel = 1e-12 if solver != "picard" else 10 * conventions.tol
    # "auto" is the FDA in the compiled engine, batched or not; the reference's auto runs
    # Picard on batches, which differs from the FDA on a closed group with nothing left
    exact = "fda" if solver == "auto" else solver
    for net in (network(L, e, el), network(L, e[0], el)):
        compiled = eisenberg_noe(net, conventions, solver=solver)
        reference = eisenberg_noe(net, conventions, solver=exact, backend="numpy")
        assert_same(compiled, reference, scale_of(L, e, el), rel, L.sum(axis=1) + el)


@settings(max_examples=100, deadline=None)
@given(batches(), conventions_)
def test_eisenberg_noe_least_equals_the_reference(
    data: tuple[np.ndarray, ...], conventions: Conventions
) -> None:
    L, e, el = data
    net = network(L, e, el)
    compiled = eisenberg_noe(net, conventions, vector="least")
    reference = eisenberg_noe(net, conventions, vector="least", backend="numpy")
    # see above
    assert_same(compiled, reference, scale_of(L, e, el), 10 * conventions.tol, L.sum(axis=1) + el)


@settings(max_examples=150, deadline=None)
@given(batches(), conventions_, st.floats(0, 1), st.floats(0, 1))
def test_rogers_veraart_equals_the_reference(
    data: tuple[np.ndarray, ...], conventions: Conventions, alpha: float, beta: float
) -> None:
    L, e, el = data
    costs = Conventions(
        external_seniority=conventions.external_seniority,
        default_at_zero=conventions.default_at_zero,
        alpha=alpha,
        beta=beta,
    )
    net = network(L, e, el)
    assert_same(rogers_veraart(net, costs), rogers_veraart(net, costs, backend="numpy"),
                scale_of(L, e, el), owed=L.sum(axis=1) + el)  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(batches(), conventions_)
def test_stacked_and_sparse_equal_the_reference(
    data: tuple[np.ndarray, ...], conventions: Conventions
) -> None:
    L, e, el = data
    S = e.shape[0]
    stacked = L[None] * np.linspace(1.0, 0.5, S)[:, None, None]  # a different L per scenario
    scale = scale_of(stacked, e, el)
    net = network(stacked, e, el)
    assert_same(
        eisenberg_noe(net, conventions),
        eisenberg_noe(net, conventions, solver="fda", backend="numpy"),
        scale,
        owed=stacked.sum(axis=-1) + el,
    )
    sparse = network(sp.csr_array(L), e, el)
    assert_same(
        eisenberg_noe(sparse, conventions),
        eisenberg_noe(sparse, conventions, solver="fda", backend="numpy"),
        scale_of(L, e, el),
        owed=L.sum(axis=1) + el,
    )
    assert_same(
        rogers_veraart(sparse, conventions),
        rogers_veraart(sparse, conventions, backend="numpy"),
        scale_of(L, e, el),
        owed=L.sum(axis=1) + el,
    )


def en_map(L: np.ndarray, e: np.ndarray, el: np.ndarray, p: np.ndarray) -> np.ndarray:
    pbar = L.sum(axis=1) + el
    with np.errstate(divide="ignore", invalid="ignore"):
        Pi = np.where(pbar[:, None] > 0, L / np.where(pbar > 0, pbar, 1)[:, None], 0)
    return np.minimum(pbar, np.maximum(0, e + p @ Pi))


@settings(max_examples=150, deadline=None)
@given(batches())
def test_invariants_of_the_compiled_kernels(data: tuple[np.ndarray, ...]) -> None:
    """Greatest ≥ least, both fixed points of the EN map, money conserved (E13)."""
    L, e, el = data
    for obligations in (L, sp.csr_array(L)):
        net = network(obligations, e, el)
        greatest = eisenberg_noe(net)
        least = eisenberg_noe(net, vector="least")
        assert np.all(greatest.payments >= least.payments - 1e-9)
        for result in (greatest, least):
            for k in range(e.shape[0]):
                p = result.payments[k]
                assert np.allclose(en_map(L, e[k], el, p), p, atol=1e-9)
        conserved = np.maximum(greatest.equity, 0).sum(axis=1) + greatest.external_payments.sum(1)
        assert np.allclose(conserved, e.sum(axis=1), atol=1e-8)


def test_large_batches_run_in_parallel_and_agree() -> None:
    rng = np.random.default_rng(11)
    n, S = 24, 9000
    L = rng.lognormal(0, 1, (n, n)) * (rng.uniform(size=(n, n)) < 0.4)
    np.fill_diagonal(L, 0)
    el = rng.uniform(2, 6, n)
    e = (L.sum(1) + el - L.sum(0) + 2) * (1 - rng.beta(0.5, 10, (S, n)))
    net = network(L, e, el)
    compiled, reference = eisenberg_noe(net), eisenberg_noe(net, solver="fda", backend="numpy")
    assert compiled.defaulted.any(axis=1).mean() > 0.2
    assert_same(compiled, reference, scale_of(L, e, el))
    costs = Conventions(alpha=0.6, beta=0.9)
    assert_same(rogers_veraart(net, costs), rogers_veraart(net, costs, backend="numpy"), 1.0)


def test_sparse_slow_sweeps_go_to_the_direct_solver() -> None:
    """A cycle that leaks almost nothing: the Jacobi sweeps contract by 1/1.0001 each, too slow
    for ``MAX_SWEEPS``; that scenario is solved by the reference's direct solver (everyone pays
    0), the other one (outside assets cover the debts) by the kernel."""
    L = sp.csr_array(np.array([[0, 1.0, 0], [0, 0, 1.0], [1.0, 0, 0]]))
    net = network(L, [[0, 0, 0], [1, 1, 1]], [1e-4, 1e-4, 1e-4])
    result = eisenberg_noe(net)
    assert result.payments.tolist() == [[0, 0, 0], [1.0001, 1.0001, 1.0001]]
    assert result.default_wave.tolist() == [[1, 1, 1], [0, 0, 0]]
    assert_same(result, eisenberg_noe(net, backend="numpy"), 1.0)


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="backend"):
        eisenberg_noe(network([[0, 1], [1, 0]], [1, 1]), backend="gpu")  # type: ignore[arg-type]


@pytest.mark.slow
def test_clears_without_a_writable_cache(tmp_path: Any) -> None:
    """No cache directory numba can write: the kernels compile in memory and still clear."""
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    env = os.environ | {
        "NUMBA_CACHE_DIR": str(blocker / "numba"),  # cannot be created, even by root
        "NUMBA_CACHE_LOCATOR_CLASSES": "_UserProvidedCacheLocator",
    }
    code = (
        "from stargate.finance.clearing import eisenberg_noe\n"
        "from stargate.finance.network import network, Conventions\n"
        "r = eisenberg_noe(network([[0, 4, 0], [0, 0, 3], [2, 0, 0]], [18, 18, 9], [17, 18, 8]),"
        " Conventions(external_seniority='senior'))\n"
        "print(r.equity.tolist())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[-1.0, 0.0, 2.0]"


def test_a_leak_below_the_snapping_tolerance_leaves_a_closed_group() -> None:
    """Found by hypothesis: a cycle 2 <-> 4 whose only way out is 2e-69 (of 1) to a node that
    leaks. In floating point the group is closed (its linear system is singular): the numpy
    reference raised LinAlgError and the compiled one-scenario path returned NaN."""
    L = np.zeros((5, 5))
    L[0, 1] = L[2, 4] = L[4, 2] = 1.0
    L[2, 0] = 2.14364622e-69
    e, el = np.zeros((1, 5)), np.zeros(5)
    for at_zero in (True, False):
        conventions = Conventions(default_at_zero=at_zero)
        for net in (network(L, e, el), network(L, e[0], el)):
            compiled = eisenberg_noe(net, conventions, solver="fda")
            reference = eisenberg_noe(net, conventions, solver="fda", backend="numpy")
            assert np.all(np.isfinite(compiled.payments))
            assert_same(compiled, reference, 1.0, owed=L.sum(axis=1) + el)


def test_every_module_with_compiled_code_keys_the_cache() -> None:
    """A kernel inlined from another module must be recompiled when that module changes: every
    module of the package with compiled code is in the stamp, and the cached kernels use it."""
    folder = Path(kernels.__file__).parent
    compiling = sorted(p.stem for p in folder.glob("*.py") if "@_jit(" in p.read_text())
    assert compiling == sorted(kernels.COMPILED_MODULES)
    from stargate.finance import kernels_single, settle

    for dispatcher in (kernels._block, kernels_single.clear_one, settle._reduced_fda):
        locator = dispatcher._cache._impl.locator
        assert type(locator).__name__.startswith("SourcesKeyed")
        assert locator.get_source_stamp() == kernels.sources_stamp()
