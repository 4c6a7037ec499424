"""The World and a scenario as arrays for the stress simulation (no randomness).

Nodes are the entities in agreements, finances and builds; those without a balance sheet in the
World (bond investors, bank syndicates, developers) are outside capital: they always pay and
never default. Periods are years or quarters of the scenario's horizon; the leading periods that
start before the World's as-of date are history, run once at the median and never drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stargate.finance import secured as secured_funding
from stargate.finance.capital import tranches
from stargate.finance.contracts import (
    CAPACITY_KINDS,
    DELIVERY_RULES,
    ON_DELIVERY,
    RATE,
    REVENUE_KINDS,
    SCHEDULED,
    binding,
    build_queue,
    condition_rules,
    delivery_paths,
    keys,
    payers_of,
    share_in,
)  # fmt: skip
from stargate.finance.economics import decay, lognormal, long_run, normal
from stargate.finance.network import Conventions
from stargate.finance.scenarios import Scenario, ScenarioError, check_against, members
from stargate.finance.uncertain import Amount, amounts
from stargate.world.curated import bundled
from stargate.world.world import World

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Prior:
    """A drawn figure per entity: ``a + b z`` (normal, floored at 0 where ``floor``) or
    ``exp(a + b z)`` (lognormal), ``z`` standard normal; absent where ``b`` is 0."""

    a: Array
    b: Array
    log: NDArray[np.bool_]

    def at(self, z: Array) -> Array:
        value = self.a + self.b * z
        out: Array = np.maximum(value, 0.0)
        logs = np.flatnonzero(self.log)
        if logs.size:  # exp of the lognormal columns only
            out[..., logs] = np.exp(value[..., logs])
        return out


@dataclass(frozen=True)
class Model:
    """Everything the simulator needs, as arrays; ``n`` nodes, ``K`` legs, ``B`` builds."""

    nodes: tuple[str, ...]
    years: tuple[int, ...]
    periods_per_year: int
    history: int  # leading periods before the as-of date
    as_of: date
    outside: NDArray[np.bool_]  # (n,)
    # economics (n,) or (P, n)
    cash: Array
    has_revenue: NDArray[np.bool_]
    rev_mu: Array  # median log revenue in the target year
    rev_sigma: Array
    beta: Array
    rev_start: Array  # the median path's log revenue at the first simulated period
    rev_gap: Array  # years from there to the target year
    tau: Array
    left: Array  # (P, n) exp(−(e_t − e_h)/τ) for simulated periods
    rev_median: Array  # (P, n) median log revenue path (history and the reference run)
    margin_start: Array
    margin_mu: Array
    margin_sd: Array
    margin_median: Array  # (P, n)
    fixed: Array  # (P, n) fixed cash costs per year
    contract_margin: Array
    new_debt_share: Array
    spread: Array
    access: Prior
    access_mult: Array
    assets: Prior
    assets_mult: Array
    sale_rate: Array
    equity_value: Array
    debt_service: Array  # (P, n) per period, the World's tranches
    debt_principal: Array  # (P, n) of which principal
    debt_outstanding: Array  # (P, n)
    rollover: float  # share of maturing principal refinanced in a neutral climate
    growth_capex: Array  # (P, n) capex committed on planned revenue growth
    capex_debt_share: Array
    capex_periods: NDArray[np.intp]
    shock: Array  # (P, n) revenue multipliers
    demand: tuple[float, float]  # log level: mean, sd
    capital: tuple[float, float, float, float]  # sensitivity, persistence, correlation, shift
    new_debt_periods: int
    interest: tuple[float, float]
    delay: tuple[float, float]
    loss_given_default: float
    deferral: tuple[float, float]  # max share, cancel share
    conventions: Conventions
    method: str
    secured: tuple[tuple[secured_funding.Figure, ...], ...]  # (n,)
    # legs (K,)
    leg_agreement: tuple[str, ...]
    leg_payer: NDArray[np.intp]
    leg_payee: NDArray[np.intp]  # -1: a capex programme
    leg_kind: tuple[str, ...]
    leg_mode: NDArray[np.intp]  # SCHEDULED, RATE, ON_DELIVERY
    leg_schedule: Array  # (K, P) scheduled amounts per period
    leg_rate: Array  # full-capacity rate per year (RATE)
    leg_value: Array  # contract value (ON_DELIVERY)
    leg_start: NDArray[np.intp]  # first period of RATE payments
    leg_plan: Array  # (K, P) planned share running
    leg_before: Array  # share running before the horizon
    leg_total: Array  # remaining contract value at the horizon's start (this payer's share)
    leg_capacity_gw: Array
    leg_linked: NDArray[np.bool_]
    leg_wait: NDArray[np.intp]
    leg_probability: Array
    leg_stop_after: Array
    leg_per_gw: NDArray[np.bool_]
    leg_deferrable: NDArray[np.bool_]
    leg_cost: Array  # share of the payment the payee spends delivering it
    leg_loss: NDArray[np.bool_]  # creditors lose the remaining value when the payer defaults
    leg_amount: tuple[str | None, ...]  # amount parameter scaling the leg
    capex_per_gw: tuple[float, float] | None
    # builds (B,)
    build_id: tuple[str, ...]
    build_leg: NDArray[np.intp]  # the agreement's leg whose path and status the build follows
    build_builder: NDArray[np.intp]
    build_gw: Array
    build_capex: tuple[Array, Array]  # lognormal (mu, sigma) per GW; NaN: own purchase
    build_financed: NDArray[np.intp]  # own purchase: the builder's leg it borrows for (else -1)
    build_lease: Array
    build_debt_share: Array
    build_periods: NDArray[np.intp]
    build_spread: Array
    amounts: tuple[Amount, ...] = field(default=())
    described: dict[str, dict[str, Any]] = field(default_factory=dict)  # param id -> figure

    @property
    def n(self) -> int:
        return len(self.nodes)

    @property
    def periods(self) -> int:
        return len(self.years) * self.periods_per_year

    @property
    def dt(self) -> float:
        return 1.0 / self.periods_per_year

    def period_year(self, t: int) -> int:
        return self.years[t // self.periods_per_year]

    def period_label(self, t: int) -> str:
        year = self.period_year(t)
        return str(year) if self.periods_per_year == 1 else f"{year}Q{t % 4 + 1}"


def period_starts(years: tuple[int, ...], per_year: int) -> list[date]:
    return [date(y, 1 + 12 * q // per_year, 1) for y in years for q in range(per_year)]


def history_periods(years: tuple[int, ...], per_year: int, as_of: date) -> int:
    """How many leading periods start before the as-of date (history, not drawn)."""
    starts = period_starts(years, per_year)
    h = sum(1 for s in starts if s < as_of)
    if h >= len(starts):
        raise ScenarioError(
            f"the horizon {years[0]}–{years[-1]} ends before the World's as-of date {as_of}: "
            "nothing is left to simulate"
        )
    return h


def records(frame: Any) -> list[dict[str, Any]]:
    """A World table's rows as dicts with string keys."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _finance_column(finance: list[dict[str, Any]], key: str, default: float) -> Array:
    out = []
    for f in finance:
        value = f.get(key, default)
        out.append(default if value is None or value != value else float(value))
    return np.array(out, dtype=float)


def _priors(world: World, nodes: tuple[str, ...], param: str) -> dict[str, dict[str, Any]]:
    rows = world.priors[world.priors["param"] == param]
    return {str(r["entity"]): r for r in records(rows) if r["entity"] in nodes}


def _prior(world: World, nodes: tuple[str, ...], param: str) -> Prior:
    found = _priors(world, nodes, param)
    a, b, log = np.zeros(len(nodes)), np.zeros(len(nodes)), np.zeros(len(nodes), bool)
    for i, name in enumerate(nodes):
        if name not in found:
            continue
        row = found[name]
        if row["dist"] == "lognormal":
            a[i], b[i] = lognormal(float(row["p5"]), float(row["p95"]))
            log[i] = True
        else:
            a[i], b[i] = normal(float(row["p5"]), float(row["p95"]))
    return Prior(a, b, log)


def _multipliers(table: dict[str, float], nodes: tuple[str, ...], roles: dict[str, Any]) -> Array:
    out = np.ones(len(nodes))
    index = {name: i for i, name in enumerate(nodes)}
    for target, factor in table.items():
        for member in members(target, roles):
            if member in index:
                out[index[member]] *= factor
    return out


def build_model(world: World, scenario: Scenario, as_of: date | None = None) -> Model:
    """Arrays for the simulation, from the World as of ``as_of`` (default: the World's date)."""
    as_of = as_of or world.as_of
    agreements = records(world.agreements)
    finances = {str(row["entity"]): row for row in records(world.finances)}
    roles = dict(zip(world.entities["id"], world.entities["role"], strict=True))
    # a rule may name a curated deal the World does not hold yet as of its date: nothing to act
    # on then; a name unknown to the curated data too is an error
    known = {str(a["id"]) for a in agreements} | {a.id for a in bundled().agreements}
    check_against(scenario, roles, known)
    per_year = {"year": 1, "quarter": 4}[scenario.period]
    names = set(finances)
    for a in agreements:
        names |= set(payers_of(a["payers"]))
        if a["payee"]:
            names.add(a["payee"])
    names |= {str(b) for b in world.builds["builder"]}
    nodes = tuple(sorted(names))
    index = {name: i for i, name in enumerate(nodes)}
    years = tuple(scenario.years)
    n, T = len(nodes), len(years) * per_year
    dt = 1.0 / per_year
    h = history_periods(years, per_year, as_of)
    finance = [finances.get(name, {}) for name in nodes]

    # -- economics: revenue, margin and fixed-cost paths (see economics.py) ------------------
    base = _finance_column(finance, "revenue_year", float(years[0])) + 0.5
    mids = np.array([years[0] + (t + 0.5) * dt for t in range(T)])
    elapsed = mids[:, None] - base[None, :]  # (P, n)
    e_h = (years[0] + h * dt) - base
    tau = _finance_column(finance, "approach_years", 4.0)
    revenue0 = _finance_column(finance, "revenue_usd", 0.0)
    has_revenue = revenue0 > 0
    log0 = np.log(np.where(has_revenue, revenue0, 1.0))
    target = _priors(world, nodes, "revenue_target_usd")
    rev_mu, rev_sigma = log0.copy(), np.zeros(n)
    target_year = _finance_column(finance, "revenue_target_year", 2030.0)
    e_target = np.where([name in target for name in nodes], target_year + 0.5 - base, 0.0)
    for name, row in target.items():
        i = index[name]
        rev_mu[i], rev_sigma[i] = lognormal(float(row["p5"]), float(row["p95"]))
    level0 = long_run(rev_mu, log0, e_target, tau)
    rev_median = level0 + (log0 - level0) * decay(elapsed, tau)
    rev_start = level0 + (log0 - level0) * decay(e_h, tau)
    left = decay(np.maximum(elapsed - e_h[None, :], 0.0), tau)
    margin0 = _finance_column(finance, "margin", 0.0)
    margin_mu, margin_sd = margin0.copy(), np.zeros(n)
    for name, row in _priors(world, nodes, "margin_long_run").items():
        margin_mu[index[name]], margin_sd[index[name]] = normal(float(row["p5"]), float(row["p95"]))
    m_level = np.clip(margin_mu, 0.0, 1.0)
    margin_median = m_level + (margin0 - m_level) * decay(elapsed, tau)
    margin_start = m_level + (margin0 - m_level) * decay(e_h, tau)
    fixed0 = _finance_column(finance, "fixed_costs_usd", 0.0)
    fixed_long = _finance_column(finance, "fixed_costs_long_run_usd", 0.0)
    fixed_long = np.where([f.get("fixed_costs_long_run_usd") is None for f in finance], fixed0,
                          fixed_long)  # fmt: skip
    fixed = fixed_long + (fixed0 - fixed_long) * decay(elapsed, tau)
    # capex committed on the plan: for each dollar a year of planned revenue growth
    previous = level0 + (log0 - level0) * decay(elapsed - dt, tau)
    growth = np.where(has_revenue, np.maximum(np.exp(rev_median) - np.exp(previous), 0.0), 0.0)
    growth_capex = growth * _finance_column(finance, "capex_per_revenue", 0.0)
    shock = np.ones((len(years), n))
    for s in scenario.demand.shocks:
        for member in members(s.applies_to, roles):
            if member in index:
                for t, year in enumerate(years):
                    if year >= s.from_year and (s.until_year is None or year <= s.until_year):
                        shock[t, index[member]] *= s.factor
    debt_service, debt_principal, debt_outstanding = tranches(world.debts, nodes, years, per_year)
    level = scenario.demand.level

    # -- legs ----------------------------------------------------------------------------
    paths = delivery_paths(world.deliveries)
    probability = {r.agreement: r.probability for r in scenario.funding
                   if r.agreement and r.probability is not None}  # fmt: skip
    stop_after = {r.agreement: r.stop_after_usd for r in scenario.funding
                  if r.agreement and r.stop_after_usd is not None}  # fmt: skip
    amount_params = amounts(world)
    by_agreement = {a.agreement: a.param for a in amount_params}
    contract_margin = _finance_column(finance, "contract_margin", 1.0)
    legs: list[dict[str, Any]] = []
    for a in agreements:
        payers = payers_of(a["payers"])
        rules = condition_rules(a["conditions"])
        if probability.get(a["id"], binding(a["latest_status"], scenario.contracts.binding)) <= 0:
            continue  # never binds (on ice, cancelled, denied, or a rule says so): out of the run
        schedule = world.payments[world.payments["agreement_id"] == a["id"]]
        capacity = float(a["capacity_gw"]) if a["capacity_gw"] == a["capacity_gw"] and \
            a["capacity_gw"] else 0.0  # fmt: skip
        kind = str(a["kind"])
        payee = index[a["payee"]] if a["payee"] else -1
        path = paths.get(str(a["id"]))
        for payer in payers:
            mine = schedule[schedule["payer"] == payer]
            by_year: dict[int, float] = {}
            for year, amount in zip(mine["year"], mine["amount_usd"], strict=True):
                by_year[int(year)] = by_year.get(int(year), 0.0) + float(amount)
            due = np.array([by_year.get(y, 0.0) for y in years])
            total_all = sum(by_year.values())
            leg = _leg_terms(path, kind, by_year, total_all, years, per_year)
            leg.update({
                "agreement": str(a["id"]), "payer": index[payer], "payee": payee, "kind": kind,
                "schedule": due, "capacity": capacity / len(payers),
                "linked": path is not None or (bool(capacity) and (
                    kind in CAPACITY_KINDS or bool(rules & DELIVERY_RULES))),
                "queued": bool(capacity) and kind in CAPACITY_KINDS,
                "probability": probability.get(
                    a["id"], binding(a["latest_status"], scenario.contracts.binding)),
                "stop_after": stop_after.get(a["id"], np.inf) / len(payers),
                "deferrable": kind in REVENUE_KINDS and payee >= 0,
                "cost": (1.0 - contract_margin[payee]) if kind in REVENUE_KINDS and payee >= 0
                else 0.0,
                "loss": kind in REVENUE_KINDS and payee >= 0,
                "amount": by_agreement.get(str(a["id"])),
            })  # fmt: skip
            legs.append(leg)
    if scenario.capex_per_gw_usd is not None:
        legs += _site_capex_legs(world, index, years, per_year)
    cap = scenario.delivery.gw_per_year_cap
    wait = (build_queue(legs, cap) * per_year if cap is not None
            else np.zeros(len(legs), np.intp))  # fmt: skip

    def column(key: str, dtype: Any = np.float64, default: Any = False) -> NDArray[Any]:
        return np.array([leg.get(key, default) for leg in legs], dtype=dtype)

    K = len(legs)
    schedule = np.vstack([leg["schedule"] for leg in legs]) if legs else np.zeros((0, len(years)))
    plan = np.vstack([leg["plan"] for leg in legs]) if legs else np.zeros((0, T))

    # -- builds --------------------------------------------------------------------------
    first_leg: dict[str, int] = {}
    for k, leg in enumerate(legs):
        first_leg.setdefault(leg["agreement"], k)
    builds = records(world.builds)
    build_leg, build_builder, build_gw, capex_mu, capex_sigma, financed = [], [], [], [], [], []
    builds = [b for b in builds if str(b["agreement_id"]) in first_leg]  # in the World, binding
    for b in builds:
        k0 = first_leg[str(b["agreement_id"])]
        builder = index[str(b["builder"])]
        build_leg.append(k0)
        build_builder.append(builder)
        gw = (
            b["gw"]
            if b["gw"] == b["gw"] and b["gw"] is not None
            else sum(leg["capacity"] for leg in legs if leg["agreement"] == b["agreement_id"])
        )
        build_gw.append(float(gw))
        if b["capex_per_gw_p5"] is None or b["capex_per_gw_p5"] != b["capex_per_gw_p5"]:
            own = [
                k
                for k, leg in enumerate(legs)
                if leg["agreement"] == b["agreement_id"] and leg["payer"] == builder
            ]
            if not own:
                raise ScenarioError(f"build of {b['agreement_id']!r}: {b['builder']!r} pays "
                                    "nothing under it, so it needs capex_usd_per_gw")  # fmt: skip
            financed.append(own[0])
            capex_mu.append(np.nan)
            capex_sigma.append(np.nan)
        else:
            financed.append(-1)
            mu, sigma = lognormal(float(b["capex_per_gw_p5"]), float(b["capex_per_gw_p95"]))
            capex_mu.append(mu)
            capex_sigma.append(sigma)

    policies = {  # for one entity the last rule wins (a scenario's rules follow its parent's)
        r.entity: scenario.disputed if r.secured_from_claims == "default" else r.secured_from_claims
        for r in scenario.funding
        if r.entity is not None and r.secured_from_claims is not None
    }
    secured = tuple(
        secured_funding.figures(world.resolved_values, name, policies[name])
        if name in policies else ()
        for name in nodes
    )  # fmt: skip
    capital = scenario.capital
    equity = _finance_column(finance, "equity_value_usd", 0.0)
    described = _described(world, scenario, nodes, legs, builds, amount_params)
    return Model(
        nodes=nodes, years=years, periods_per_year=per_year, history=h, as_of=as_of,
        outside=np.array([name not in finances for name in nodes], dtype=bool),
        cash=_finance_column(finance, "cash_usd", 0.0), has_revenue=has_revenue,
        rev_mu=rev_mu, rev_sigma=rev_sigma, beta=_finance_column(finance, "demand_beta", 0.0),
        rev_start=rev_start, rev_gap=e_target - e_h, tau=tau, left=left,
        rev_median=np.where(has_revenue[None, :], rev_median, -np.inf),
        margin_start=margin_start, margin_mu=margin_mu, margin_sd=margin_sd,
        margin_median=margin_median, fixed=fixed, contract_margin=contract_margin,
        new_debt_share=_finance_column(finance, "new_debt_share", 0.5),
        spread=_finance_column(finance, "credit_spread", 0.02),
        access=_prior(world, nodes, "funding_access_usd"),
        access_mult=_multipliers(capital.access, nodes, roles),
        assets=_prior(world, nodes, "sellable_assets_usd"),
        assets_mult=_multipliers(capital.assets, nodes, roles),
        sale_rate=_finance_column(finance, "asset_sale_rate", 0.0),
        equity_value=equity, debt_service=debt_service, debt_principal=debt_principal,
        debt_outstanding=debt_outstanding, rollover=capital.rollover, growth_capex=growth_capex,
        capex_debt_share=_finance_column(finance, "capex_debt_share", 0.0),
        capex_periods=(_finance_column(finance, "capex_debt_years", 5.0) * per_year).astype(
            np.intp),
        shock=np.repeat(shock, per_year, axis=0), demand=lognormal(level.p5, level.p95),
        capital=(capital.sensitivity, capital.persistence, capital.demand_correlation,
                 capital.shift),
        new_debt_periods=capital.new_debt_years * per_year,
        interest=normal(scenario.interest_rate.p5, scenario.interest_rate.p95),
        delay=normal(scenario.delivery.delay_years.p5, scenario.delivery.delay_years.p95),
        loss_given_default=scenario.contracts.loss_given_default,
        deferral=(scenario.contracts.deferral.max_share, scenario.contracts.deferral.cancel_share),
        conventions=Conventions(
            external_seniority=scenario.clearing.external_seniority,  # type: ignore[arg-type]
            alpha=scenario.clearing.alpha, beta=scenario.clearing.beta,
            recovery_rate=scenario.clearing.recovery_rate,
        ),
        method=scenario.clearing.method, secured=secured,
        leg_agreement=tuple(leg["agreement"] for leg in legs),
        leg_payer=column("payer", np.intp), leg_payee=column("payee", np.intp),
        leg_kind=tuple(leg["kind"] for leg in legs), leg_mode=column("mode", np.intp, 0),
        leg_schedule=np.repeat(schedule / per_year, per_year, axis=1) if K else np.zeros((0, T)),
        leg_rate=column("rate", default=0.0), leg_value=column("value", default=0.0),
        leg_start=column("start", np.intp, 0), leg_plan=plan,
        leg_before=column("before", default=0.0), leg_total=column("total", default=0.0),
        leg_capacity_gw=column("capacity"), leg_linked=column("linked", bool),
        leg_wait=np.asarray(wait, np.intp), leg_probability=column("probability"),
        leg_stop_after=column("stop_after"), leg_per_gw=column("per_gw", bool),
        leg_deferrable=column("deferrable", bool), leg_cost=column("cost", default=0.0),
        leg_loss=column("loss", bool), leg_amount=tuple(leg.get("amount") for leg in legs),
        capex_per_gw=lognormal(scenario.capex_per_gw_usd.p5, scenario.capex_per_gw_usd.p95)
        if scenario.capex_per_gw_usd is not None else None,
        build_id=tuple(f"{b['agreement_id']}:{b['builder']}" for b in builds),
        build_leg=np.array(build_leg, np.intp), build_builder=np.array(build_builder, np.intp),
        build_gw=np.array(build_gw, float), build_capex=(np.array(capex_mu, float),
                                                         np.array(capex_sigma, float)),
        build_financed=np.array(financed, np.intp),
        build_lease=np.array([float(b["lease_usd_per_gw_year"]) for b in builds]),
        build_debt_share=np.array([float(b["debt_share"]) for b in builds]),
        build_periods=np.array([int(b["debt_years"]) * per_year for b in builds], np.intp),
        build_spread=np.array([float(b["spread"]) for b in builds]),
        amounts=amount_params, described=described,
    )  # fmt: skip


def _leg_terms(
    path: dict[int, float] | None, kind: str, by_year: dict[int, float], total_all: float,
    years: tuple[int, ...], per_year: int,
) -> dict[str, Any]:  # fmt: skip
    """How one payer's leg pays: its mode, rate or value, plan, and remaining contract value."""
    T = len(years) * per_year
    first = years[0]
    if path is None:
        total = sum(v for y, v in by_year.items() if y >= first)
        return {"mode": SCHEDULED, "plan": np.zeros(T), "total": total, "before": 0.0}
    plan = np.repeat([share_in(path, y) for y in years], per_year)
    before = share_in(path, first - 1)
    if kind in {"contract", "lease"}:
        pay_years = sorted(y for y, v in by_year.items() if v > 0)
        rate = total_all / len(pay_years) if pay_years else 0.0
        start_year = pay_years[0] if pay_years else first
        paid = sum(rate * share_in(path, y) for y in range(start_year, first))
        start = max(start_year - first, 0) * per_year
        return {"mode": RATE, "rate": rate, "start": start, "plan": plan, "before": before,
                "total": max(total_all - paid, 0.0)}  # fmt: skip
    return {"mode": ON_DELIVERY, "value": total_all, "plan": plan, "before": before,
            "total": total_all * (1.0 - before)}  # fmt: skip


def _site_capex_legs(
    world: World, index: dict[str, int], years: tuple[int, ...], per_year: int
) -> list[dict[str, Any]]:
    """One capex leg per curated site whose owner is in the model: each gigawatt the site adds
    (its build path: the running maximum of its planned, under-construction and operational
    figures) is paid by the owner, half in the year it comes online and half the year before,
    in GW to be priced by the drawn capex per GW. Sites with a curated capex programme keep that
    sourced amount, and sites with loans or equity in the World are financed by them; spending
    before the horizon is sunk."""
    agreements = world.agreements
    programmes = set(agreements.loc[agreements["kind"] == "capex_programme", "site"])
    financed = set(agreements.loc[agreements["kind"].isin(["loan", "equity"]), "site"])
    legs = []
    built_states = {"planned", "under_construction", "operational"}
    T = len(years) * per_year
    for site_id, points in world.sites.groupby("site_id", sort=False):
        owner = str(points["owner"].iloc[0])
        if site_id in programmes or site_id in financed or owner not in index:
            continue
        due = np.zeros(len(years))
        built = 0.0
        for row in points.sort_values("date").to_dict("records"):
            if row["status"] not in built_states or row["power_gw"] <= built:
                continue
            added, built = float(row["power_gw"]) - built, float(row["power_gw"])
            online = int(str(row["date"])[:4])
            for year in (online - 1, online):
                if years[0] <= year <= years[-1]:
                    due[year - years[0]] += added / 2
        if due.any():
            legs.append({
                "agreement": f"site-capex:{site_id}", "payer": index[owner], "payee": -1,
                "kind": "capex_programme", "schedule": due, "capacity": 0.0, "linked": False,
                "probability": 1.0, "stop_after": np.inf, "per_gw": True, "mode": SCHEDULED,
                "plan": np.zeros(T), "total": float(due.sum()), "before": 0.0,
                "deferrable": False, "cost": 0.0, "loss": False, "amount": None,
            })  # fmt: skip
    return legs


PRIOR_PREFIX = {"revenue_target_usd": "revenue", "margin_long_run": "margin",
                "funding_access_usd": "access", "sellable_assets_usd": "assets"}  # fmt: skip


def _described(
    world: World, scenario: Scenario, nodes: tuple[str, ...], legs: list[dict[str, Any]],
    builds: list[dict[str, Any]], amount_params: tuple[Amount, ...],
) -> dict[str, dict[str, Any]]:  # fmt: skip
    """What each random input is and where its distribution comes from (the run lists them)."""
    out: dict[str, dict[str, Any]] = {
        "demand": {"figure": "AI-demand level (multiplier on AI sellers' long-run revenue)",
                   "p5": scenario.demand.level.p5, "p95": scenario.demand.level.p95,
                   "source": f"scenario {scenario.name}: demand.level"},
        "climate": {"figure": "funding climate, each simulated period", "p5": None, "p95": None,
                    "source": f"scenario {scenario.name}: capital"},
        "interest": {"figure": "base interest rate", "p5": scenario.interest_rate.p5,
                     "p95": scenario.interest_rate.p95,
                     "source": f"scenario {scenario.name}: interest_rate"},
        "delay": {"figure": "delivery delay (years)", "p5": scenario.delivery.delay_years.p5,
                  "p95": scenario.delivery.delay_years.p95,
                  "source": f"scenario {scenario.name}: delivery.delay_years"},
    }  # fmt: skip
    if scenario.capex_per_gw_usd is not None:
        out["capex_per_gw"] = {"figure": "site capex per GW (building and power)",
                               "p5": scenario.capex_per_gw_usd.p5,
                               "p95": scenario.capex_per_gw_usd.p95,
                               "source": f"scenario {scenario.name}: capex_per_gw_usd"}  # fmt: skip
    for row in records(world.priors):
        prefix = PRIOR_PREFIX.get(str(row["param"]))
        if prefix and row["entity"] in nodes:
            out[f"{prefix}:{row['entity']}"] = {
                "figure": f"{row['param']} of {row['entity']}", "p5": float(row["p5"]),
                "p95": float(row["p95"]),
                "source": "; ".join(x for x in (row["source"], row.get("basis")) if x),
            }  # fmt: skip
    for b in builds:
        if b["capex_per_gw_p5"] is None or b["capex_per_gw_p5"] != b["capex_per_gw_p5"]:
            continue  # its own purchase: nothing drawn
        out[f"build:{b['agreement_id']}:{b['builder']}"] = {
            "figure": f"{b['builder']}'s capex per GW for {b['agreement_id']}",
            "p5": b["capex_per_gw_p5"], "p95": b["capex_per_gw_p95"],
            "source": keys(b["sources"]),
        }  # fmt: skip
    for leg in legs:
        status = f"status:{leg['agreement']}"
        if 0 < leg["probability"] < 1 and status not in out:
            out[status] = {
                "figure": f"{leg['agreement']} goes ahead",
                "p5": None,
                "p95": None,
                "probability": leg["probability"],
                "source": "its latest status and the scenario's contracts.binding",
            }
    for a in amount_params:
        out[a.param] = {"figure": f"amount of {a.agreement} (multiple of the World's)",
                        "p5": a.low, "p95": a.high, "source": a.source}  # fmt: skip
    for r in scenario.funding:
        if r.entity is not None and r.secured_from_claims is not None:
            out[f"secured:{r.entity}"] = {
                "figure": f"secured funding of {r.entity}", "p5": None, "p95": None,
                "source": f"resolved funding_secured claims, policy {r.secured_from_claims}",
            }  # fmt: skip
    return out


def not_simulated(scenario: Scenario) -> list[str]:
    """Scenario fields that are validated but do not act on the simulation yet (none now; kept
    so that a field added to the schema before its mechanism is named, not silently ignored)."""
    del scenario
    return []
