"""One-at-a-time sensitivity of default probabilities: the tornado table.

For each uncertain input (an entity's revenue growth, operating margin or funding access, the
interest rate, the delivery delay, the sites' capex per GW), the run is repeated twice with that
input pinned at the low and the high end of its 90% interval (the prior's p5 and p95) while every
other input is drawn as usual, from the same random numbers in both runs (common random numbers,
so the difference is the input's effect and not noise). The swing
``|P(default | high) − P(default | low)|`` ranks the inputs for each target entity (Saltelli et
al., *Global Sensitivity Analysis: The Primer*, 2008, §1.2 on one-at-a-time designs and their
limits: interactions are not seen).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import pandas as pd

from stargate.finance.simulate import Draws, Model, draw, simulate
from stargate.units import Z90

TARGETS = ("openai", "oracle", "coreweave", "softbank")


def _inputs(model: Model, draws: Draws) -> Iterator[tuple[str, Draws, Draws]]:
    """(input name, draws pinned low, draws pinned high) for every input with a spread."""
    for param in ("growth", "margin", "access"):
        mean, sd = getattr(model, param)
        for i, name in enumerate(model.nodes):
            if sd[i] <= 0 or model.outside[i]:
                continue
            low, high = getattr(draws, param).copy(), getattr(draws, param).copy()
            low[:, i], high[:, i] = mean[i] - Z90 * sd[i], mean[i] + Z90 * sd[i]
            if param == "access":
                low, high = np.maximum(low, 0.0), np.maximum(high, 0.0)
            yield f"{param}:{name}", replace(draws, **{param: low}), replace(draws, **{param: high})
    mean, sd = model.interest
    if sd > 0:
        pinned = [np.full(draws.scenarios, max(v, 0.0)) for v in (mean - Z90 * sd, mean + Z90 * sd)]
        yield "interest", replace(draws, interest=pinned[0]), replace(draws, interest=pinned[1])
    mean, sd = model.delay
    if sd > 0:
        years = [np.full(draws.scenarios, max(round(v), 0), np.intp)
                 for v in (mean - Z90 * sd, mean + Z90 * sd)]  # fmt: skip
        yield "delay", replace(draws, delay=years[0]), replace(draws, delay=years[1])
    if model.capex_per_gw is not None and model.capex_per_gw[1] > 0:
        mu, sigma = model.capex_per_gw
        ends = [np.full(draws.scenarios, np.exp(mu + z * sigma)) for z in (-Z90, Z90)]
        yield (
            "capex_per_gw",
            replace(draws, capex_per_gw=ends[0]),
            replace(draws, capex_per_gw=ends[1]),
        )


def tornado(
    model: Model, scenarios: int, seed: int, targets: tuple[str, ...] = TARGETS
) -> pd.DataFrame:
    """Rows (target, input, p_low, p_high, swing), largest swing first within each target."""
    index = [model.nodes.index(t) for t in targets if t in model.nodes]
    draws = draw(model, scenarios, np.random.default_rng(seed))
    rows = []
    for name, low, high in _inputs(model, draws):
        p_low = (simulate(model, low).default_year[:, index] > 0).mean(axis=0)
        p_high = (simulate(model, high).default_year[:, index] > 0).mean(axis=0)
        for k, i in enumerate(index):
            rows.append({
                "target": model.nodes[i], "input": name, "p_low": float(p_low[k]),
                "p_high": float(p_high[k]), "swing": float(abs(p_high[k] - p_low[k])),
            })  # fmt: skip
    table = pd.DataFrame(rows, columns=["target", "input", "p_low", "p_high", "swing"])
    return table.sort_values(["target", "swing", "input"], ascending=[True, False, True],
                             ignore_index=True)  # fmt: skip
