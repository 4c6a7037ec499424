"""The random inputs of a run: one stream per parameter, and the transforms to model inputs.

Every random input is a *parameter* with a stable id (``revenue:openai``, ``climate:2028``,
``status:openai-amd``, ``amount:openai-broadcom``...), drawn as standard normals or uniforms from
its own stream: ``SeedSequence(seed, spawn_key=(chunk, hash(id)))`` (NumPy's documented way to
derive independent streams; O'Neill, PCG, 2014). Adding an agreement or an entity to the World
adds parameters and leaves every other draw unchanged, so two Worlds, or a World and its
tornado variants, are compared on common random numbers (Glasserman, *Monte Carlo Methods in
Financial Engineering*, 2004, §4.1). A parameter missing from the drivers is at its median
(0 for a normal, 0.5 for a uniform): the reference run is the run with no drivers at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from stargate.finance import capital, secured
from stargate.finance.economics import long_run, target_spread
from stargate.finance.model import Model

Array = NDArray[np.float64]
DEMAND_UNIT = 0.3  # one unit of the funding climate per 0.3 in the log demand level


@dataclass(frozen=True)
class Param:
    """A random input: its id (its stream), standard ``normal`` or ``uniform``, and the
    sensitivity group it belongs to (the climate's periods form one group)."""

    id: str
    kind: Literal["normal", "uniform"]
    group: str


@dataclass(frozen=True)
class Draws:
    """Model inputs for ``S`` scenarios (leading axis)."""

    demand: Array  # (S,) log AI-demand level
    revenue: Array  # (S, n) long-run log revenue level
    margin: Array  # (S, n) long-run margin
    access: Array  # (S, n) new money a year in a neutral climate
    assets: Array  # (S, n) sellable holdings in a neutral climate
    climate: Array  # (S, P)
    interest: Array  # (S,) base rate
    delay: NDArray[np.intp]  # (S,) whole years
    keep: NDArray[np.bool_]  # (S, K)
    factor: Array  # (S, K) amount multipliers
    capex_per_gw: Array  # (S,) site capex per GW (1 when the scenario prices none)
    build_capex: Array  # (S, B) capex per GW of each build (NaN: its own purchase)
    secured: Array  # (S, n)

    @property
    def scenarios(self) -> int:
        return int(self.demand.shape[0])


def parameters(model: Model) -> tuple[Param, ...]:
    """The model's random inputs, in a fixed order."""
    out: list[Param] = []
    if model.demand[1] > 0:
        out.append(Param("demand", "normal", "demand"))
    own = target_spread(model.rev_sigma, model.beta, DEMAND_UNIT)
    for i, name in enumerate(model.nodes):
        if model.outside[i]:
            continue
        if model.has_revenue[i] and own[i] > 0:
            out.append(Param(f"revenue:{name}", "normal", f"revenue:{name}"))
        if model.margin_sd[i] > 0:
            out.append(Param(f"margin:{name}", "normal", f"margin:{name}"))
        if model.access.b[i] > 0:
            out.append(Param(f"access:{name}", "normal", f"access:{name}"))
        if model.assets.b[i] > 0:
            out.append(Param(f"assets:{name}", "normal", f"assets:{name}"))
    if model.capital[0] > 0:  # the climate acts through its sensitivity only
        out += [Param(f"climate:{model.period_label(t)}", "normal", "climate")
                for t in range(model.history, model.periods)]  # fmt: skip
    if model.interest[1] > 0:
        out.append(Param("interest", "normal", "interest"))
    if model.delay[1] > 0:
        out.append(Param("delay", "normal", "delay"))
    if model.capex_per_gw is not None and model.capex_per_gw[1] > 0:
        out.append(Param("capex_per_gw", "normal", "capex_per_gw"))
    for b, build in enumerate(model.build_id):
        if model.build_capex[1][b] > 0:
            out.append(Param(f"build:{build}", "normal", f"build:{build}"))
    seen: set[str] = set()
    for agreement, p in zip(model.leg_agreement, model.leg_probability, strict=True):
        if 0 < p < 1 and agreement not in seen:
            seen.add(agreement)
            out.append(Param(f"status:{agreement}", "uniform", f"status:{agreement}"))
    out += [Param(a.param, "uniform", a.param) for a in model.amounts]
    for i, figures in enumerate(model.secured):
        out += [Param(f"secured:{model.nodes[i]}:{j}", "uniform", f"secured:{model.nodes[i]}")
                for j in range(len(figures))]  # fmt: skip
    return tuple(out)


def _key(param: str) -> tuple[int, int]:
    digest = hashlib.blake2b(param.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest[:4], "little"), int.from_bytes(digest[4:], "little")


def stream(param: Param, scenarios: int, seed: int, chunk: int = 0) -> Array:
    """``scenarios`` standard draws of one parameter from its own stream."""
    sequence = np.random.SeedSequence(seed, spawn_key=(chunk, *_key(param.id)))
    rng = np.random.default_rng(sequence)
    if param.kind == "normal":
        return rng.standard_normal(scenarios)
    return rng.random(scenarios)


def standard(model: Model, scenarios: int, seed: int, chunk: int = 0) -> dict[str, Array]:
    """Standard draws of every parameter of the model for one chunk of scenarios."""
    return {p.id: stream(p, scenarios, seed, chunk) for p in parameters(model)}


def to_draws(model: Model, drivers: Mapping[str, Array], scenarios: int | None = None) -> Draws:
    """Model inputs from standard draws (a missing parameter sits at its median)."""
    S = scenarios if scenarios is not None else (
        len(next(iter(drivers.values()))) if drivers else 1)  # fmt: skip
    n, K, P = model.n, len(model.leg_agreement), model.periods

    def z(param: str) -> Array:
        value = drivers.get(param)
        return np.zeros(S) if value is None else np.asarray(value, dtype=float)

    def u(param: str) -> Array:
        value = drivers.get(param)
        return np.full(S, 0.5) if value is None else np.asarray(value, dtype=float)

    def per_node(prefix: str) -> Array:
        out = np.zeros((S, n))
        for i, name in enumerate(model.nodes):
            value = drivers.get(f"{prefix}:{name}")
            if value is not None:
                out[:, i] = value
        return out

    mu, sigma = model.demand
    demand = mu + sigma * z("demand")
    own = target_spread(model.rev_sigma, model.beta, DEMAND_UNIT)
    target = (
        model.rev_mu[None, :] + model.beta[None, :] * demand[:, None] + own * per_node("revenue")
    )
    revenue = long_run(target, model.rev_start[None, :], model.rev_gap[None, :],
                       model.tau[None, :])  # fmt: skip
    margin = np.clip(model.margin_mu + model.margin_sd * per_node("margin"), 0.0, 1.0)
    access = model.access.at(per_node("access")) * model.access_mult
    assets = (model.assets.at(per_node("assets")) * model.assets_mult
              * np.exp(model.beta[None, :] * demand[:, None]))  # fmt: skip
    assets = np.where(model.assets.b[None, :] > 0, assets, 0.0)
    shocks = np.zeros((S, P))
    for t in range(model.history, P):
        shocks[:, t] = z(f"climate:{model.period_label(t)}")
    sensitivity, persistence, correlation, shift = model.capital
    del sensitivity  # applied by the simulator
    climate = capital.climate(demand / DEMAND_UNIT, shocks, model.history, persistence,
                              correlation, shift, model.dt)  # fmt: skip
    keep = np.ones((S, K), bool)
    factor = np.ones((S, K))
    by_param = {a.param: a for a in model.amounts}
    for k, (agreement, p) in enumerate(zip(model.leg_agreement, model.leg_probability,
                                           strict=True)):  # fmt: skip
        keep[:, k] = u(f"status:{agreement}") <= p if 0 < p < 1 else p >= 1
        param = model.leg_amount[k]
        if param is not None:
            factor[:, k] = secured.quantile(by_param[param].figure, u(param))
    capex = (np.exp(model.capex_per_gw[0] + model.capex_per_gw[1] * z("capex_per_gw"))
             if model.capex_per_gw is not None else np.ones(S))  # fmt: skip
    mus, sigmas = model.build_capex
    build = np.column_stack([np.exp(mus[b] + sigmas[b] * z(f"build:{bid}"))
                             for b, bid in enumerate(model.build_id)]) if len(mus) else \
        np.zeros((S, 0))  # fmt: skip
    pot = np.zeros((S, n))
    for i, figures in enumerate(model.secured):
        for j, fig in enumerate(figures):
            pot[:, i] += secured.quantile(fig, u(f"secured:{model.nodes[i]}:{j}"))
    return Draws(
        demand=demand, revenue=revenue, margin=margin, access=access, assets=assets,
        climate=climate, interest=np.maximum(model.interest[0] + model.interest[1]
                                             * z("interest"), 0.0),
        delay=np.maximum(np.rint(model.delay[0] + model.delay[1] * z("delay")), 0).astype(
            np.intp),
        keep=keep, factor=factor, capex_per_gw=capex, build_capex=build, secured=pot,
    )  # fmt: skip


def draw(model: Model, scenarios: int, seed: int, chunk: int = 0) -> Draws:
    """``scenarios`` scenarios of chunk ``chunk`` of a run seeded with ``seed``."""
    return to_draws(model, standard(model, scenarios, seed, chunk), scenarios)


def median_draws(model: Model) -> Draws:
    """The deterministic reference run: every parameter at its median, so every agreement
    binding with probability of at least one half is kept."""
    return to_draws(model, {}, 1)


def pinned(drivers: Mapping[str, Array], params: list[Param], value: float) -> dict[str, Array]:
    """The drivers with ``params`` set to ``value`` (a standard normal's z, or a uniform's u),
    every other driver as drawn (common random numbers)."""
    out = dict(drivers)
    size = len(next(iter(drivers.values()))) if drivers else 1
    for p in params:
        out[p.id] = np.full(size, value)
    return out


def uncertain_figures(model: Model) -> list[dict[str, Any]]:
    """Every figure the run draws (one row per parameter; the climate's periods as one), with
    its 90% interval or probability and where it comes from."""
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for p in parameters(model):
        key = p.group if p.group in ("climate",) or p.id.startswith("secured:") else p.id
        if key in seen:
            continue
        seen.add(key)
        rows.append({"param": key, **model.described.get(key, {"figure": key})})
    return rows
