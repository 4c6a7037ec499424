"""The model as flat arrays for the compiled simulator: nodes, agreement legs and builds as index
arrays (an edge list), and the (payer, payee) pairs that exist, built and checked once per run.

The network of the demo World has a few dozen legs and pairs among some thirty nodes (of 900
possible cells): every per-period sum runs over the legs or pairs that exist, never over an
``(n, n)`` matrix. Row names index the packed arrays (``nodef[CASH]``, ``legi[PAYER]``...); the
compiled kernels (:mod:`stargate.finance.engine`) read the same names.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from stargate.finance.contracts import REVENUE_KINDS
from stargate.finance.model import Model
from stargate.finance.network import ClearingInputError, Seniority
from stargate.finance.settle import METHOD_CODES

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]

# node floats (NF, n)
CASH0, REV_START, MARGIN_START, CAPEX_DEBT_SHARE, SALE_RATE, NEW_DEBT_SHARE, SPREAD = range(7)
NF = 7
# node integers (NI, n)
OUTSIDE, HAS_REVENUE, CAPEX_PERIODS = range(3)
NI = 3
# per period and node (PN, P, n)
(LEFT, REV_MEDIAN, MARGIN_MEDIAN, FIXED, SHOCK, DEBT_SERVICE, DEBT_PRINCIPAL, DEBT_OUTSTANDING,
 GROWTH_CAPEX) = range(9)  # fmt: skip
PN = 9
# leg floats (LF, K)
LEG_RATE, VALUE, BEFORE, TOTAL, CAPACITY, STOP_AFTER, COST = range(7)
LF = 7
# leg integers (LI, K); PAIR: the leg's network pair (-1: none), REVENUE_PAIR likewise
(PAYER, PAYEE, MODE, START, LINKED, WAIT, PER_GW, DEFERRABLE, LEG_LOSS, IS_CAPEX, IS_EQUITY,
 IS_NETWORK, IS_REVENUE, PAIR, REVENUE_PAIR) = range(15)  # fmt: skip
LI = 15
# per leg and period (2, K, P)
SCHEDULE, PLAN = range(2)
# build floats (BF, B) and integers (BI, B)
GW, LEASE, DEBT_SHARE, BUILD_SPREAD = range(4)
BF = 4
BUILD_LEG, BUILDER, FINANCED, BUILD_PERIODS = range(4)
BI = 4
# scalars
DT, ROLLOVER, KAPPA, LGD, MAX_SHARE, CANCEL, ALPHA, BETA, RECOVERY = range(9)
CF = 9
PERIODS, HISTORY, PER_YEAR, NEW_DEBT_PERIODS, WIDTH, METHOD, SENIOR, AT_ZERO = range(8)
CI = 8


@dataclass(frozen=True)
class Plan:
    """Everything the compiled simulator reads, as C-contiguous float64 / int64 arrays."""

    n: int
    legs: int
    builds: int
    nodef: Floats  # (NF, n)
    nodei: Ints  # (NI, n)
    periodf: Floats  # (PN, P, n)
    legf: Floats  # (LF, K)
    legi: Ints  # (LI, K)
    legp: Floats  # (2, K, P)
    buildf: Floats  # (BF, B)
    buildi: Ints  # (BI, B)
    pairs: Ints  # (2, Q) payer, payee of each network pair
    revenue_pairs: Ints  # (R,) flat payer × n + payee of each revenue pair
    conf: Floats  # (CF,)
    coni: Ints  # (CI,)
    year: Ints  # (P,) calendar year of each period


def _unique_pairs(flat: Ints) -> tuple[Ints, Ints]:
    """Sorted distinct flat indices of ``flat`` (-1: none) and each entry's position (-1)."""
    pairs = np.unique(flat[flat >= 0]).astype(np.int64)
    where = np.searchsorted(pairs, flat)
    return pairs, np.where(flat >= 0, where, -1).astype(np.int64)


def _finite(name: str, values: NDArray[np.float64]) -> None:
    if values.size and not np.all(np.isfinite(values)):
        raise ClearingInputError(f"model input {name} contains NaN or infinite values")


def build_plan(model: Model) -> Plan:
    """Flatten ``model`` (see the module docstring) and check, once for the whole run, what the
    clearing would otherwise check every period: nobody owes itself, and the amounts that make
    up obligations are finite."""
    n, K, B, P = model.n, len(model.leg_agreement), len(model.build_id), model.periods
    payer, payee = np.asarray(model.leg_payer, np.int64), np.asarray(model.leg_payee, np.int64)
    kinds = model.leg_kind
    capex = payee < 0
    equity = np.array([k == "equity" for k in kinds], bool)
    network = ~capex & ~equity
    revenue = np.array([k in REVENUE_KINDS for k in kinds], bool) & ~capex
    if np.any(network & (payer == payee)):
        k = int(np.flatnonzero(network & (payer == payee))[0])
        raise ClearingInputError(f"leg {k} of {model.leg_agreement[k]!r}: a node cannot owe itself")
    flat = payer * n + np.where(capex, 0, payee)
    pairs, leg_pair = _unique_pairs(np.where(network, flat, -1))
    revenue_pairs, leg_revenue_pair = _unique_pairs(np.where(revenue, flat, -1))
    for name in ("leg_rate", "leg_value", "leg_before", "leg_total", "leg_capacity_gw",
                 "leg_cost", "leg_schedule", "leg_plan", "cash", "fixed", "debt_service",
                 "growth_capex", "build_gw", "build_lease"):  # fmt: skip
        _finite(name, np.asarray(getattr(model, name), float))
    if model.method not in METHOD_CODES:
        raise ClearingInputError(
            f"clearing method {model.method!r} cannot run in the simulator; choose one of "
            + ", ".join(METHOD_CODES)
        )
    width = P + max([model.new_debt_periods, *model.build_periods.tolist(),
                     *model.capex_periods.tolist()]) + 1  # fmt: skip
    conventions = model.conventions

    def floats(*columns: object) -> Floats:
        return np.ascontiguousarray(np.vstack([np.asarray(c, np.float64) for c in columns]))

    def ints(*columns: object) -> Ints:
        return np.ascontiguousarray(np.vstack([np.asarray(c, np.int64) for c in columns]))

    return Plan(
        n=n, legs=K, builds=B,
        nodef=floats(model.cash, model.rev_start, model.margin_start, model.capex_debt_share,
                   model.sale_rate, model.new_debt_share, model.spread).reshape(NF, n),
        nodei=ints(model.outside, model.has_revenue, model.capex_periods).reshape(NI, n),
        periodf=np.ascontiguousarray(np.stack([
            np.asarray(a, np.float64).reshape(P, n)
            for a in (model.left, np.where(model.has_revenue[None, :], model.rev_median, 0.0),
                      model.margin_median, model.fixed, model.shock, model.debt_service,
                      model.debt_principal, model.debt_outstanding, model.growth_capex)
        ])),
        legf=floats(model.leg_rate, model.leg_value, model.leg_before, model.leg_total,
                  model.leg_capacity_gw, model.leg_stop_after, model.leg_cost).reshape(LF, K),
        legi=ints(payer, payee, model.leg_mode, model.leg_start, model.leg_linked,
                  model.leg_wait, model.leg_per_gw, model.leg_deferrable & network,
                  model.leg_loss, capex, equity, network, revenue, leg_pair,
                  leg_revenue_pair).reshape(LI, K),
        legp=np.ascontiguousarray(np.stack([np.asarray(model.leg_schedule, float).reshape(K, P),
                                            np.asarray(model.leg_plan, float).reshape(K, P)])),
        buildf=floats(model.build_gw, model.build_lease, model.build_debt_share,
                    model.build_spread).reshape(BF, B),
        buildi=ints(model.build_leg, model.build_builder, model.build_financed,
                     model.build_periods).reshape(BI, B),
        pairs=np.ascontiguousarray(np.vstack([pairs // max(n, 1), pairs % max(n, 1)])
                                   .astype(np.int64)).reshape(2, len(pairs)),
        revenue_pairs=revenue_pairs,
        conf=np.array([model.dt, model.rollover, model.capital[0], model.loss_given_default,
                       model.deferral[0], model.deferral[1], conventions.alpha,
                       conventions.beta, conventions.recovery_rate], np.float64),
        coni=np.array([P, model.history, model.periods_per_year, model.new_debt_periods, width,
                       METHOD_CODES[model.method],
                       conventions.external_seniority is Seniority.SENIOR,
                       conventions.default_at_zero], np.int64),
        year=np.array([model.period_year(t) for t in range(P)], np.int64),
    )  # fmt: skip
