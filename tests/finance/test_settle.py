"""The simulator's clearing of one period (over the unknown nodes only, on an edge list) against
the public clearing functions on the full network: Eisenberg–Noe, Rogers–Veraart and Furfine,
both seniorities, defaulting below or at zero, random and degenerate networks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from stargate.finance.methods import solver
from stargate.finance.network import Conventions, network
from stargate.finance.settle import BAD_LIABILITY, BAD_OBLIGATION, BAD_VALUE, settle, workspace

E, EL, RATIO, EXTERNAL = range(4)
METHODS = ("eisenberg_noe", "rogers_veraart", "furfine")


def cleared(method: str, conventions: Conventions, L: np.ndarray, e: np.ndarray,
            el: np.ndarray) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """settle's status, recovery rates, outside payments and defaults for one scenario."""
    n = len(e)
    payer, payee = np.nonzero(L)
    pairs = np.vstack([payer, payee]).astype(np.int64)
    amounts = L[payer, payee].reshape(1, -1, 1).copy()
    wn = np.zeros((4, n, 1))
    wn[E, :, 0], wn[EL, :, 0] = e, el
    defaulted = np.zeros((n, 1), np.bool_)
    code = {"eisenberg_noe": 0, "rogers_veraart": 1, "furfine": 2}[method]
    rv = method != "eisenberg_noe"
    status = settle(
        code, conventions.alpha if rv else 1.0, conventions.beta if rv else 1.0,
        conventions.recovery_rate, conventions.external_seniority == "senior",
        conventions.default_at_zero, pairs, amounts, 0, wn, E, EL, RATIO, EXTERNAL, defaulted, 0,
        *workspace(n),
    )  # fmt: skip
    return int(status), wn[RATIO, :, 0], wn[EXTERNAL, :, 0], defaulted[:, 0]


def assert_as_the_public_api(method: str, conventions: Conventions, L: np.ndarray, e: np.ndarray,
                             el: np.ndarray) -> None:  # fmt: skip
    status, ratio, external, defaulted = cleared(method, conventions, L, e, el)
    assert status == 0
    reference: Any = solver(method)(network(L, e, el), conventions)
    scale = max(float(np.max(L.sum(axis=1) + el, initial=0.0)), float(np.max(np.abs(e))), 1.0)
    assert defaulted.tolist() == np.asarray(reference.defaulted).tolist()
    assert np.max(np.abs(ratio - reference.recovery_rate)) <= 1e-9
    assert np.max(np.abs(external - reference.external_payments)) <= 1e-12 * scale


@st.composite
def networks(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Obligations, outside assets and debts of one scenario: random, or a cycle, a chain, a
    closed group that owes nothing outside (EN regularity fails), or nobody short."""
    n = draw(st.integers(2, 8))
    shape = draw(st.sampled_from(("random", "cycle", "chain", "closed", "solvent")))
    amounts = st.floats(0, 10, allow_nan=False, allow_infinity=False)
    L = draw(hnp.arrays(np.float64, (n, n), elements=amounts))
    L = np.where(draw(hnp.arrays(np.bool_, (n, n))), L, 0.0)
    if shape == "cycle":
        L = np.roll(np.eye(n), 1, axis=1) * draw(st.floats(0.5, 10))
    elif shape == "chain":
        L = np.eye(n, k=1) * draw(st.floats(0.5, 10))
    np.fill_diagonal(L, 0)
    e = draw(hnp.arrays(np.float64, n, elements=st.floats(0, 10, allow_nan=False)))
    el = draw(hnp.arrays(np.float64, n, elements=st.one_of(
        st.just(0.0), st.floats(1e-3, 5, allow_nan=False))))  # fmt: skip
    if shape == "closed":
        el[:2] = 0.0  # nodes 0 and 1 owe each other only
        L[:2] = 0.0
        L[0, 1], L[1, 0] = 3.0, 2.0
        e[:2] = 0.0
    elif shape == "solvent":
        e = e + L.sum(axis=1) + el
    return L, e, el


conventions_ = st.builds(
    Conventions,
    external_seniority=st.sampled_from(["pari_passu", "senior"]),
    default_at_zero=st.booleans(),
    alpha=st.sampled_from([1.0, 0.5, 0.9]),
    beta=st.sampled_from([1.0, 0.8, 0.95]),
    recovery_rate=st.sampled_from([0.0, 0.4]),
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(networks(), conventions_, st.sampled_from(METHODS))
def test_settle_is_the_public_clearing(
    net: tuple[np.ndarray, np.ndarray, np.ndarray], conventions: Conventions, method: str
) -> None:
    assert_as_the_public_api(method, conventions, *net)


def test_a_cascade_through_sure_payers_and_unknown_nodes() -> None:
    """A chain 0 → 1 → 2 → 3 where only node 0 is short: nodes 1..3 are unknown until node 0
    defaults; node 4 owes nobody in the chain and is a sure payer; RV costs deepen the cascade."""
    L = np.zeros((5, 5))
    L[0, 1], L[1, 2], L[2, 3], L[4, 3] = 10.0, 8.0, 6.0, 5.0
    e = np.array([4.0, 0.5, 0.5, 0.0, 6.0])
    el = np.array([0.0, 0.0, 0.0, 1.0, 0.0])
    for method in METHODS:
        for seniority in ("pari_passu", "senior"):
            conventions = Conventions(external_seniority=seniority, alpha=0.5, beta=0.8,
                                      recovery_rate=0.4)  # fmt: skip
            assert_as_the_public_api(method, conventions, L, e, el)
    _, ratio, _, defaulted = cleared("eisenberg_noe", Conventions(), L, e, el)
    assert defaulted.tolist() == [True, True, True, False, False]
    assert ratio[0] == pytest.approx(0.4)


def test_refused_inputs_are_reported_as_the_clearing_would() -> None:
    L = np.array([[0.0, 5.0], [0.0, 0.0]])
    assert cleared("eisenberg_noe", Conventions(), L, np.array([1.0, np.nan]),
                   np.zeros(2))[0] == BAD_VALUE  # fmt: skip
    assert cleared("eisenberg_noe", Conventions(), L, np.array([1.0, 0.0]),
                   np.array([-1.0, 0.0]))[0] == BAD_LIABILITY  # fmt: skip
    assert cleared("eisenberg_noe", Conventions(), -L, np.array([-10.0, 0.0]),
                   np.zeros(2))[0] == BAD_OBLIGATION  # fmt: skip
