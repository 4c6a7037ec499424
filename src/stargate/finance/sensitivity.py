"""Which uncertain inputs move the default probabilities: a one-at-a-time tornado and Sobol
indices.

- **Tornado.** Each input group (an entity's revenue, margin, access or holdings; the demand
  level; the funding climate; the interest rate; the delivery delay; a build's capex; whether an
  agreement goes ahead; an agreement's amount; secured funding) is pinned at the low, then the
  high end of its 90% interval (a normal's ∓1.645, a uniform's 0.05 and 0.95) while every other
  input is drawn as usual from the same random numbers (common random numbers, so the
  difference is the input's effect and not noise). The swing ``|P(high) − P(low)|`` ranks the
  inputs for each target (Saltelli et al., *Global Sensitivity Analysis: The Primer*, 2008,
  §1.2; one-at-a-time designs do not see interactions).
- **Sobol indices.** First-order ``S1`` (the share of the variance of the default indicator an
  input explains alone) and total ``ST`` (with every interaction it takes part in), estimated
  with Saltelli's sampling scheme (Saltelli et al., *Comput. Phys. Commun.* 181:259, 2010) and
  Jansen's estimators as SALib implements them (Herman & Usher, *JOSS* 2(9):97, 2017), over the
  same input groups, each scenario of the design one row of the vectorised simulator.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.special import ndtri

from stargate.finance.draws import Param, parameters, pinned, standard, to_draws
from stargate.finance.model import Model
from stargate.finance.simulate import simulate
from stargate.units import Z90

TARGETS = ("openai", "oracle", "coreweave", "softbank")


def groups(model: Model) -> dict[str, list[Param]]:
    """The model's parameters by sensitivity group, in order."""
    out: dict[str, list[Param]] = {}
    for p in parameters(model):
        out.setdefault(p.group, []).append(p)
    return out


def _ends(params: list[Param]) -> tuple[float, float]:
    return (-Z90, Z90) if params[0].kind == "normal" else (0.05, 0.95)


def _inputs(model: Model, drivers: dict[str, NDArray[np.float64]]) -> Iterator[
        tuple[str, dict[str, NDArray[np.float64]], dict[str, NDArray[np.float64]]]]:  # fmt: skip
    for name, params in groups(model).items():
        low, high = _ends(params)
        yield name, pinned(drivers, params, low), pinned(drivers, params, high)


def tornado(
    model: Model, scenarios: int, seed: int, targets: tuple[str, ...] = TARGETS
) -> pd.DataFrame:
    """Rows (target, input, p_low, p_high, swing), largest swing first within each target."""
    index = [model.nodes.index(t) for t in targets if t in model.nodes]
    drivers = standard(model, scenarios, seed)
    rows = []
    for name, low, high in _inputs(model, drivers):
        p_low = (simulate(model, to_draws(model, low, scenarios)).default_year[:, index] > 0
                 ).mean(axis=0)  # fmt: skip
        p_high = (simulate(model, to_draws(model, high, scenarios)).default_year[:, index] > 0
                  ).mean(axis=0)  # fmt: skip
        for k, i in enumerate(index):
            rows.append({
                "target": model.nodes[i], "input": name, "p_low": float(p_low[k]),
                "p_high": float(p_high[k]), "swing": float(abs(p_high[k] - p_low[k])),
            })  # fmt: skip
    table = pd.DataFrame(rows, columns=["target", "input", "p_low", "p_high", "swing"])
    return table.sort_values(["target", "swing", "input"], ascending=[True, False, True],
                             ignore_index=True)  # fmt: skip


def sobol(
    model: Model, base: int = 256, seed: int = 42, targets: tuple[str, ...] = TARGETS,
    chunk: int = 5_000,
) -> pd.DataFrame:  # fmt: skip
    """Rows (target, input, S1, S1_conf, ST, ST_conf) for each input group and target, largest
    total index first; ``base`` (a power of two) sets the design's size, ``base × (groups + 2)``
    scenarios. Targets that never or always default get no rows (no variance to explain)."""
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    by_group = groups(model)
    params = [p for members in by_group.values() for p in members]
    if not params:
        return pd.DataFrame(columns=["target", "input", "S1", "S1_conf", "ST", "ST_conf"])
    problem = {
        "num_vars": len(params), "names": [p.id for p in params], "bounds": [[0.0, 1.0]] * len(
            params), "groups": [p.group for p in params],
    }  # fmt: skip
    design = sample.sample(problem, base, calc_second_order=False, seed=seed)
    design = np.clip(design, 1e-9, 1 - 1e-9)
    index = [model.nodes.index(t) for t in targets if t in model.nodes]
    defaulted = np.zeros((len(design), len(index)))
    for start in range(0, len(design), chunk):
        rows = design[start : start + chunk]
        drivers = {p.id: (ndtri(rows[:, j]) if p.kind == "normal" else rows[:, j])
                   for j, p in enumerate(params)}  # fmt: skip
        out = simulate(model, to_draws(model, drivers, len(rows)))
        defaulted[start : start + len(rows)] = out.default_year[:, index] > 0
    records = []
    names = list(by_group)
    for k, i in enumerate(index):
        y = defaulted[:, k]
        if y.std() == 0:
            continue
        with warnings.catch_warnings():  # a small design may hold a group's runs all equal
            warnings.filterwarnings("ignore", message="Constant values encountered")
            result = analyze.analyze(problem, y, calc_second_order=False, seed=seed)
        for g, name in enumerate(names):
            records.append({
                "target": model.nodes[i], "input": name, "S1": float(result["S1"][g]),
                "S1_conf": float(result["S1_conf"][g]), "ST": float(result["ST"][g]),
                "ST_conf": float(result["ST_conf"][g]),
            })  # fmt: skip
    table = pd.DataFrame(records, columns=["target", "input", "S1", "S1_conf", "ST", "ST_conf"])
    return table.sort_values(["target", "ST", "input"], ascending=[True, False, True],
                             ignore_index=True)  # fmt: skip
