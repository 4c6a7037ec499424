"""Cash flows period by period over the World, cleared each period, vectorised over scenarios.

Each period of the horizon (a year, or a quarter with every yearly flow scaled by a quarter), for
every scenario ``s`` and entity ``i`` (documented in ``docs/methods.md``):

1. outside revenue ``R = revenue₀ × (1 + g)^(t − t₀) × shocks``, ``g`` drawn from the entity's
   growth prior (or the scenario's override); operating cash flow ``R × margin`` for an entity
   whose median margin is positive (its costs scale with its sales); for a loss-maker (median
   margin below zero) costs follow its own plan, its revenue at the median of its own growth
   prior, ``C = revenue₀ × (1 + ḡ)^(t − t₀) × (1 − margin)``, and cash flow is ``R − C``: equal to
   ``R × margin`` on plan, falling one for one when demand falls short (otherwise a lab that
   burns cash would burn less when demand falls, and more demand would raise its default risk);
2. obligations due: every agreement leg (payer → payee) pays its schedule for the year; payments
   of capacity-linked agreements (those with GW) slip by the scenario's delivery delay; funding
   rules drop an agreement (probability) or cap its cumulative payments (stop after). Equity
   pledges are not debts: they are paid after clearing from the cash left, reach the investee at
   the end of the period, and an unpaid pledge is the investee's funding shortfall, not a default
   of the backer. Entities without a balance sheet in the World (bond investors, bank syndicates)
   are outside capital: they always pay and never default;
3. outside assets ``e = cash + max(OCF, 0) + funding access``; outside liabilities
   ``el = debt service + capex programmes + max(−OCF, 0)``;
4. clearing (Eisenberg–Noe, Rogers–Veraart or Furfine with the scenario's conventions);
5. cash carries over; funding access actually drawn becomes debt, serviced over five years at the
   scenario's interest rate;
6. a defaulter's agreements end from the next period: its creditors lose this period's shortfall
   and the remaining scheduled payments, the capacity it was paying for is stranded, and equity
   invested in it is written down.

Every number is an array with a leading scenario axis; a per-scenario reference written as plain
loops lives in the tests and must agree with this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stargate.finance import secured as secured_funding
from stargate.finance.methods import solver
from stargate.finance.network import Conventions, network
from stargate.finance.scenarios import Scenario, check_against, members
from stargate.units import Z90
from stargate.world.world import World

REPAYMENT_YEARS = 5
CAPACITY_KINDS = frozenset({"contract", "lease", "purchase"})
# curated condition rules that tie an agreement's payments to capacity delivery
DELIVERY_RULES = frozenset({"per_gw_deployed", "pay_on_delivery"})


NOT_BINDING = frozenset({"on_ice", "cancelled", "denied"})
"""Agreement statuses the simulation leaves out: nobody pays under them."""


def condition_rules(conditions: object) -> set[str]:
    """The rule names of an agreement's conditions (the World lists them)."""
    if isinstance(conditions, list | tuple):
        return {str(rule) for rule in conditions}
    return set()


@dataclass(frozen=True)
class Model:
    """The World and a scenario as arrays (no randomness): nodes, legs, priors."""

    nodes: tuple[str, ...]
    years: tuple[int, ...]
    leg_agreement: tuple[str, ...]
    leg_payer: NDArray[np.intp]  # (K,)
    leg_payee: NDArray[np.intp]  # (K,), -1 for a capex programme
    leg_kind: tuple[str, ...]
    leg_schedule: NDArray[np.float64]  # (K, P) amount due each period of the horizon
    leg_capacity_gw: NDArray[np.float64]  # (K,) the payer's share of the agreement's GW
    leg_linked: NDArray[np.bool_]  # (K,) payments follow capacity delivery
    leg_probability: NDArray[np.float64]  # (K,) chance the agreement goes ahead
    leg_stop_after: NDArray[np.float64]  # (K,) cap on cumulative payments (inf: none)
    revenue: NDArray[np.float64]  # (n,)
    growth: tuple[NDArray[np.float64], NDArray[np.float64]]  # mean, sd (n,)
    plan_growth: NDArray[np.float64]  # (n,) the entity's own growth median: its cost plan
    margin: tuple[NDArray[np.float64], NDArray[np.float64]]
    access: tuple[NDArray[np.float64], NDArray[np.float64]]
    cash: NDArray[np.float64]  # (n,)
    debt_service: NDArray[np.float64]  # (n,)
    shock: NDArray[np.float64]  # (P, n) revenue multipliers
    interest: tuple[float, float]
    delay: tuple[float, float]
    conventions: Conventions
    method: str
    outside: NDArray[np.bool_]  # (n,) outside capital: no balance sheet, always pays
    secured: tuple[tuple[secured_funding.Figure, ...], ...] = ()  # (n,) secured-funding figures
    leg_wait: NDArray[np.intp] | None = None  # (K,) periods a linked leg waits in the build queue
    periods_per_year: int = 1  # 4 for quarters: schedules and shocks are per period
    leg_per_gw: NDArray[np.bool_] | None = None  # (K,) schedule in GW, priced by capex per GW
    capex_per_gw: tuple[float, float] | None = None  # lognormal (mu, sigma) of USD per GW

    @property
    def periods(self) -> int:
        return len(self.years) * self.periods_per_year

    @property
    def dt(self) -> float:
        """A period's length in years (flows given per year are scaled by it)."""
        return 1.0 / self.periods_per_year

    def period_year(self, t: int) -> int:
        return self.years[t // self.periods_per_year]

    @property
    def n(self) -> int:
        return len(self.nodes)


def _normal(p5: float, p95: float) -> tuple[float, float]:
    return (p5 + p95) / 2, (p95 - p5) / (2 * Z90)


def not_simulated(scenario: Scenario) -> list[str]:
    """Scenario fields that are validated but do not act on the simulation yet (none now; kept
    so that a field added to the schema before its mechanism is named, not silently ignored)."""
    del scenario
    return []


def site_capex_legs(
    world: World, index: dict[str, int], years: tuple[int, ...]
) -> list[dict[str, Any]]:
    """One capex leg per curated site whose owner is in the model: each gigawatt the site adds
    (its build path: the running maximum of its planned, under-construction and operational
    figures) is paid by the owner, half in the year it comes online and half the year before,
    in GW to be priced by the drawn capex per GW. Sites with a curated capex programme keep that
    sourced amount instead; spending before the horizon is sunk."""
    programmes = set(world.agreements.loc[world.agreements["kind"] == "capex_programme", "site"])
    legs = []
    built_states = {"planned", "under_construction", "operational"}
    for site_id, points in world.sites.groupby("site_id", sort=False):
        owner = str(points["owner"].iloc[0])
        if site_id in programmes or owner not in index:
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
                "probability": 1.0, "stop_after": np.inf, "per_gw": True,
            })  # fmt: skip
    return legs


def build_model(world: World, scenario: Scenario) -> Model:
    """Arrays for the simulation; entities are those in agreements or finances."""
    agreements = [
        a for a in world.agreements.to_dict("records") if a["latest_status"] not in NOT_BINDING
    ]
    finances = {row["entity"]: row for row in world.finances.to_dict("records")}
    priors = world.priors
    roles = dict(zip(world.entities["id"], world.entities["role"], strict=True))
    check_against(scenario, roles, {str(i) for i in world.agreements["id"]})
    per_year = {"year": 1, "quarter": 4}[scenario.period]
    names = set(finances)
    for a in agreements:
        names |= set(a["payers"])
        if a["payee"]:
            names.add(a["payee"])
    nodes = tuple(sorted(names))
    index = {name: i for i, name in enumerate(nodes)}
    years = tuple(scenario.years)
    n, T = len(nodes), len(years)

    def prior(param: str, entity: str) -> tuple[float, float]:
        rows = priors[(priors["param"] == param) & (priors["entity"] == entity)]
        if len(rows) == 0:
            return 0.0, 0.0
        row = rows.iloc[0]
        return _normal(float(row["p5"]), float(row["p95"]))

    def vectors(param: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        pairs = [prior(param, name) for name in nodes]
        return np.array([m for m, _ in pairs]), np.array([s for _, s in pairs])

    growth = vectors("revenue_growth")
    plan_growth = growth[0].copy()  # before the scenario's demand overrides
    for target, interval in scenario.demand.growth.items():
        for member in members(target, roles):
            if member in index:
                growth[0][index[member]], growth[1][index[member]] = _normal(
                    interval.p5, interval.p95
                )
    shock = np.ones((T, n))
    for s in scenario.demand.shocks:
        for member in members(s.applies_to, roles):
            if member in index:
                for t, year in enumerate(years):
                    if year >= s.from_year and (s.until_year is None or year <= s.until_year):
                        shock[t, index[member]] *= s.factor
    probability = {
        r.agreement: r.probability
        for r in scenario.funding
        if r.agreement and r.probability is not None
    }
    stop_after = {
        r.agreement: r.stop_after_usd
        for r in scenario.funding
        if r.agreement and r.stop_after_usd is not None
    }

    legs: list[dict[str, Any]] = []
    for a in agreements:
        payers = list(a["payers"])
        rules = condition_rules(a["conditions"])
        schedule = world.payments[world.payments["agreement_id"] == a["id"]]
        capacity = (
            float(a["capacity_gw"])
            if a["capacity_gw"] == a["capacity_gw"] and a["capacity_gw"]
            else 0.0
        )
        for payer in payers:
            due = np.zeros(T)
            mine = schedule[schedule["payer"] == payer]
            for year, amount in zip(mine["year"], mine["amount_usd"], strict=True):
                if years[0] <= int(year) <= years[-1]:
                    due[int(year) - years[0]] += float(amount)
            share = 1 / len(payers)
            legs.append({
                "agreement": a["id"], "payer": index[payer],
                "payee": index[a["payee"]] if a["payee"] else -1, "kind": a["kind"],
                "schedule": due, "capacity": capacity * share,
                # payments follow delivery: capacity sold, or funding paid per GW deployed
                "linked": bool(capacity) and (a["kind"] in CAPACITY_KINDS
                                              or bool(rules & DELIVERY_RULES)),
                "queued": bool(capacity) and a["kind"] in CAPACITY_KINDS,
                "probability": probability.get(a["id"], 1.0),
                "stop_after": stop_after.get(a["id"], np.inf) * share,
            })  # fmt: skip

    policies = {  # for one entity the last rule wins (a scenario's rules follow its parent's)
        r.entity: scenario.disputed if r.secured_from_claims == "default" else r.secured_from_claims
        for r in scenario.funding
        if r.entity is not None and r.secured_from_claims is not None
    }
    secured = tuple(
        secured_funding.figures(world.resolved_values, name, policies[name])
        if name in policies
        else ()
        for name in nodes
    )

    if scenario.capex_per_gw_usd is not None:
        legs += site_capex_legs(world, index, years)

    def column(key: str, dtype: Any = np.float64) -> NDArray[Any]:
        return np.array([leg.get(key, False) for leg in legs], dtype=dtype)

    cap = scenario.delivery.gw_per_year_cap
    wait = build_queue(legs, cap) * per_year if cap is not None else None
    # a year's amount is due in equal parts over its periods; shocks hold for the whole year
    schedule = np.vstack([leg["schedule"] for leg in legs]) if legs else np.zeros((0, T))
    schedule = np.repeat(schedule / per_year, per_year, axis=1)

    finance = [finances.get(name, {}) for name in nodes]
    return Model(
        nodes=nodes,
        years=years,
        leg_agreement=tuple(leg["agreement"] for leg in legs),
        leg_payer=column("payer", np.intp),
        leg_payee=column("payee", np.intp),
        leg_kind=tuple(leg["kind"] for leg in legs),
        leg_schedule=schedule,
        leg_capacity_gw=column("capacity"),
        leg_linked=column("linked", bool),
        leg_probability=column("probability"),
        leg_stop_after=column("stop_after"),
        revenue=np.array([float(f.get("revenue_usd", 0.0)) for f in finance]),
        growth=growth,
        plan_growth=plan_growth,
        margin=vectors("operating_margin"),
        access=vectors("funding_access_usd"),
        cash=np.array([float(f.get("cash_usd", 0.0)) for f in finance]),
        debt_service=np.array([float(f.get("debt_service_usd", 0.0)) for f in finance]),
        shock=np.repeat(shock, per_year, axis=0),
        interest=_normal(scenario.interest_rate.p5, scenario.interest_rate.p95),
        delay=_normal(scenario.delivery.delay_years.p5, scenario.delivery.delay_years.p95),
        conventions=Conventions(
            external_seniority=scenario.clearing.external_seniority,  # type: ignore[arg-type]
            alpha=scenario.clearing.alpha,
            beta=scenario.clearing.beta,
            recovery_rate=scenario.clearing.recovery_rate,
        ),
        method=scenario.clearing.method,
        outside=np.array([name not in finances for name in nodes], dtype=bool),
        secured=secured,
        leg_wait=wait,
        periods_per_year=per_year,
        leg_per_gw=column("per_gw", bool),
        capex_per_gw=_lognormal(scenario.capex_per_gw_usd.p5, scenario.capex_per_gw_usd.p95)
        if scenario.capex_per_gw_usd is not None
        else None,
    )


def _lognormal(p5: float, p95: float) -> tuple[float, float]:
    """(mu, sigma) of the lognormal with this 90% interval (a cost is positive)."""
    return (np.log(p5) + np.log(p95)) / 2, (np.log(p95) - np.log(p5)) / (2 * Z90)


def build_queue(legs: list[dict[str, Any]], cap_gw: float) -> NDArray[np.intp]:
    """Whole years each capacity-linked leg waits for its gigawatts when at most ``cap_gw`` can
    be built a year (power and construction limits).

    Agreements queue in the order of their first payment (then of the curated file); capacity
    accrues at ``cap_gw`` a year while an agreement is waiting, and the agreement at the head
    comes online, its whole schedule shifted by its wait, once the capacity built since cover its
    gigawatts; capacity does not accrue while nobody waits. The queue is the same in every
    scenario: the drawn delivery delay shifts every linked leg alike.
    """
    agreements: dict[str, tuple[int, float, list[int]]] = {}
    for k, leg in enumerate(legs):
        # only agreements that deliver capacity take a place in the queue; funding paid per GW
        # deployed follows the drawn delay but builds nothing itself
        if not leg.get("queued", leg["linked"]) or not leg["schedule"].any():
            continue
        start = int(np.flatnonzero(leg["schedule"])[0])
        first, gw, members = agreements.get(leg["agreement"], (start, 0.0, []))
        agreements[leg["agreement"]] = (min(first, start), gw + leg["capacity"], [*members, k])
    wait = np.zeros(len(legs), dtype=np.intp)
    queue = sorted(agreements.values(), key=lambda item: item[0])  # stable: file order on ties
    pool, year, head = 0.0, 0, 0
    while head < len(queue):
        start, gw, members = queue[head]
        if year < start:
            year, pool = start, 0.0  # nothing waits: no capacity accrues
        pool += cap_gw
        while head < len(queue) and queue[head][0] <= year and pool >= queue[head][1] - 1e-12:
            start, gw, members = queue[head]
            pool -= gw
            wait[members] = year - start
            head += 1
        year += 1
    return wait


@dataclass(frozen=True)
class Draws:
    """One scenario's random inputs per row (the same draws feed both implementations)."""

    growth: NDArray[np.float64]  # (S, n)
    margin: NDArray[np.float64]  # (S, n)
    access: NDArray[np.float64]  # (S, n), >= 0
    interest: NDArray[np.float64]  # (S,), >= 0
    delay: NDArray[np.intp]  # (S,), whole years >= 0
    keep: NDArray[np.bool_]  # (S, K) the agreement goes ahead
    secured: NDArray[np.float64] | None = None  # (S, n) secured funding for pledges (None: 0)
    capex_per_gw: NDArray[np.float64] | None = None  # (S,) USD per GW for site capex legs

    @property
    def scenarios(self) -> int:
        return int(self.growth.shape[0])


def draw(model: Model, scenarios: int, rng: np.random.Generator) -> Draws:
    n, K = model.n, len(model.leg_agreement)

    def normal(pair: tuple[NDArray[np.float64], NDArray[np.float64]]) -> NDArray[np.float64]:
        return pair[0] + pair[1] * rng.standard_normal((scenarios, n))

    per_gw = np.zeros(K, bool) if model.leg_per_gw is None else model.leg_per_gw
    keep_by_agreement = {
        a: rng.random(scenarios)
        for a, priced in zip(model.leg_agreement, per_gw, strict=True)
        if not priced
    }  # one draw per agreement, shared by its legs; site capex always goes ahead
    certain = np.zeros(scenarios)  # below any probability: kept
    pairs = zip(model.leg_agreement, model.leg_probability, strict=True)
    keep = (
        np.column_stack([keep_by_agreement.get(a, certain) < p for a, p in pairs])
        if K
        else np.zeros((scenarios, 0), bool)
    )
    return Draws(
        growth=normal(model.growth),
        margin=normal(model.margin),
        access=np.maximum(normal(model.access), 0.0),
        interest=np.maximum(
            model.interest[0] + model.interest[1] * rng.standard_normal(scenarios), 0.0
        ),
        delay=np.maximum(
            np.rint(model.delay[0] + model.delay[1] * rng.standard_normal(scenarios)), 0
        ).astype(np.intp),
        keep=keep,
        secured=_secured(model, scenarios, rng),
        capex_per_gw=None
        if model.capex_per_gw is None
        else np.exp(model.capex_per_gw[0] + model.capex_per_gw[1] * rng.standard_normal(scenarios)),
    )


def _secured(model: Model, scenarios: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """Drawn after every other input, and only for backers with figures, so that a scenario
    without secured-funding rules keeps its random numbers."""
    pot = np.zeros((scenarios, model.n))
    for i, figs in enumerate(model.secured):
        if figs:
            pot[:, i] = secured_funding.draw(figs, scenarios, rng)
    return pot


def median_draws(model: Model) -> Draws:
    """The deterministic reference run: every prior at its median, every agreement kept."""
    K = len(model.leg_agreement)
    return Draws(
        growth=model.growth[0][None, :].copy(),
        margin=model.margin[0][None, :].copy(),
        access=np.maximum(model.access[0], 0.0)[None, :].copy(),
        interest=np.array([max(model.interest[0], 0.0)]),
        delay=np.array([max(round(model.delay[0]), 0)], dtype=np.intp),
        keep=(model.leg_probability >= 0.5)[None, :].copy() if K else np.zeros((1, 0), bool),
        secured=np.array([[secured_funding.median(f) if f else 0.0 for f in model.secured]])
        if model.secured
        else None,
        capex_per_gw=None if model.capex_per_gw is None else np.exp([model.capex_per_gw[0]]),
    )


@dataclass(frozen=True)
class Outcome:
    """Per-scenario results (leading axis S)."""

    default_year: NDArray[np.int64]  # (S, n), 0 = no default
    loss_usd: NDArray[np.float64]  # (S, n) creditor losses: shortfalls + remaining payments lost
    writedown_usd: NDArray[np.float64]  # (S, n) equity written down by investors
    unpaid_usd: NDArray[np.float64]  # (S,) obligations not paid (network and outside)
    stranded_gw: NDArray[np.float64]  # (S,)
    received_usd: NDArray[np.float64]  # (S, n) contract/lease/purchase payments received
    received_from_usd: NDArray[np.float64]  # (S, n, n) [s, payer, payee] of those payments
    funding_shortfall_usd: NDArray[np.float64]  # (S, n) equity pledged to an investee, not paid


def _clear(
    model: Model, L: NDArray[np.float64], e: NDArray[np.float64], el: NDArray[np.float64]
) -> Any:
    return solver(model.method)(network(L, e, el), model.conventions)


def simulate(model: Model, draws: Draws) -> Outcome:
    """Run every scenario of ``draws`` through the horizon (vectorised), period by period."""
    S, n, T = draws.scenarios, model.n, model.periods
    dt, repay = model.dt, REPAYMENT_YEARS * model.periods_per_year
    K = len(model.leg_agreement)
    alive = np.ones((S, n), bool)
    cash = np.repeat(model.cash[None, :], S, axis=0)
    extra_service = np.zeros((S, n, T + repay))
    paid_cum = np.zeros((S, K))
    ended = np.zeros((S, K), bool)
    default_year = np.zeros((S, n), np.int64)
    loss = np.zeros((S, n))
    writedown = np.zeros((S, n))
    unpaid = np.zeros(S)
    stranded = np.zeros(S)
    received = np.zeros((S, n))
    received_from = np.zeros((S, n, n))
    shortfall = np.zeros((S, n))
    payer, payee = model.leg_payer, model.leg_payee
    capex = payee < 0
    safe_payee = np.where(capex, 0, payee)
    revenue_kind = np.array([k in CAPACITY_KINDS for k in model.leg_kind], dtype=bool)
    equity_kind = np.array([k == "equity" for k in model.leg_kind], dtype=bool)
    outside = model.outside[None, :]
    pot = np.zeros((S, n)) if draws.secured is None else draws.secured.copy()
    price = _price(model, draws)  # (S, K): 1, or USD per GW for site capex legs
    shift = _shift(model, draws)  # (S, K): periods each leg's schedule slips
    # sums of per-leg amounts by payer, by payee, by (payer, payee): products with one-hot
    # matrices (BLAS) instead of scattered additions
    to_payer = _one_hot(payer, n)  # (K, n)
    to_payee = _one_hot(np.where(capex, -1, payee), n)  # capex has no payee: zero rows
    to_pair = _one_hot(np.where(capex, -1, payer * n + safe_payee), n * n)  # (K, n²)
    for t in range(T):
        year, elapsed = model.period_year(t), t * dt
        # 2. obligations: the leg schedules, shifted by the delivery delay where capacity-linked
        due = _scheduled(model, shift, t)
        due = due * price * (draws.keep & ~ended)
        due = np.minimum(due, np.maximum(model.leg_stop_after[None, :] - paid_cum, 0.0))
        live = alive[:, payer] & np.where(capex[None, :], True, alive[:, safe_payee])
        due *= live
        network_legs = ~capex & ~equity_kind
        L = ((due * network_legs) @ to_pair).reshape(S, n, n)
        capex_due = (due * capex) @ to_payer
        # 1 and 3. revenue, operating cash flow, outside assets and liabilities
        # growth below −100% a year means no revenue, not a negative one
        revenue = model.revenue * dt * np.maximum(1 + draws.growth, 0.0) ** elapsed * model.shock[t]
        planned = model.revenue * dt * (1 + model.plan_growth) ** elapsed
        ocf = np.where(  # a loss-maker's costs follow its plan; a profitable entity's its sales
            model.margin[0] < 0, revenue - planned * (1 - draws.margin), revenue * draws.margin
        )
        access = np.where(alive, draws.access * dt, 0.0)
        el = np.where(
            alive,
            model.debt_service * dt + extra_service[:, :, t] + capex_due + np.maximum(-ocf, 0.0),
            0.0,
        )
        owes = L.sum(axis=2) + el
        e = np.where(alive, cash + np.maximum(ocf, 0.0) + access, 0.0)
        e = np.where(outside, owes, e)  # outside capital covers whatever it owes
        # 4. clear
        result = _clear(model, L, e, el)
        ratio = np.asarray(result.recovery_rate).reshape(S, n)
        paid_L = L * ratio[:, :, None]
        paid_leg = np.where(equity_kind[None, :], 0.0, due * ratio[:, payer])
        external = np.asarray(result.external_payments).reshape(S, n)
        defaulted = np.asarray(result.defaulted).reshape(S, n) & alive & ~outside
        # 5. cash carries over; drawn access becomes debt; equity pledges are paid from what is left
        end_cash = e + paid_L.sum(axis=1) - paid_L.sum(axis=2) - external
        drawn = np.where(alive & ~outside, np.maximum(access - end_cash, 0.0), 0.0)
        cash = np.where(alive & ~outside, np.maximum(end_cash - access, 0.0), 0.0)
        equity_due = due * equity_kind[None, :] * ~defaulted[:, payer]
        pledged = equity_due @ to_payer
        from_pot = np.where(alive & ~outside, np.minimum(pledged, pot), 0.0)  # secured first
        pot -= from_pot
        rest = pledged - from_pot
        from_cash = np.where(rest > 0, np.minimum(rest, cash), 0.0)
        safe_pledged = np.where(pledged > 0, pledged, 1.0)
        can_pay = np.where(pledged > 0, (from_pot + from_cash) / safe_pledged, 1.0)
        can_pay = np.where(outside, 1.0, can_pay)
        equity_paid = equity_due * can_pay[:, payer]
        cash -= np.where(outside, 0.0, from_cash)
        cash += equity_paid @ to_payee
        shortfall += (equity_due - equity_paid) @ to_payee
        cash = np.where(alive & ~outside, cash, 0.0)
        paid_leg = paid_leg + equity_paid
        paid_cum += paid_leg
        service = drawn * (draws.interest[:, None] * dt + 1.0 / repay)
        extra_service[:, :, t + 1 : t + 1 + repay] += service[:, :, None]
        # bookkeeping of what was owed and what came in
        unpaid += (L - paid_L).sum(axis=(1, 2)) + (el - external).sum(axis=1)
        loss += (L - paid_L).sum(axis=1)
        money_in = paid_leg * (revenue_kind & ~capex)[None, :]
        received += money_in @ to_payee
        received_from += (money_in @ to_pair).reshape(S, n, n)
        # 6. defaults end agreements from the next period
        if defaulted.any():
            default_year[defaulted] = year
            alive &= ~defaulted
            hit = (
                defaulted[:, payer] | np.where(capex[None, :], False, defaulted[:, safe_payee])
            ) & ~ended
            hit &= draws.keep
            remaining = _remaining(model, shift, price, t, paid_cum) * hit
            lost = (
                remaining * (~capex & ~equity_kind)[None, :]
            )  # pledges lost are shortfalls, not losses
            loss += lost @ to_payee
            stranded += (model.leg_capacity_gw[None, :] * (hit & defaulted[:, payer])).sum(axis=1)
            into_defaulter = equity_kind[None, :] & ~capex[None, :] & defaulted[:, safe_payee] & hit
            writedown += (paid_cum * into_defaulter) @ to_payer
            ended |= hit
    return Outcome(
        default_year, loss, writedown, unpaid, stranded, received, received_from, shortfall
    )


def _one_hot(index: NDArray[np.intp], size: int) -> NDArray[np.float64]:
    """``out[k, index[k]] = 1`` (a row of zeros where ``index[k]`` is negative)."""
    out = np.zeros((len(index), size))
    keep = index >= 0
    out[np.flatnonzero(keep), index[keep]] = 1.0
    return out


def _price(model: Model, draws: Draws) -> NDArray[np.float64]:
    """What one unit of each leg's schedule costs: 1 USD, or the drawn USD per GW."""
    K = len(model.leg_agreement)
    if model.leg_per_gw is None or draws.capex_per_gw is None or not model.leg_per_gw.any():
        return np.ones((draws.scenarios, K))
    return np.where(model.leg_per_gw[None, :], draws.capex_per_gw[:, None], 1.0)


def _shift(model: Model, draws: Draws) -> NDArray[np.intp]:
    """Periods each leg's schedule slips: linked legs by the drawn delay (whole years) plus
    their queue wait."""
    wait = np.zeros(len(model.leg_agreement), np.intp) if model.leg_wait is None else model.leg_wait
    delay = draws.delay[:, None] * model.periods_per_year
    return np.where(model.leg_linked[None, :], delay + wait[None, :], 0)


def _scheduled(model: Model, shift: NDArray[np.intp], u: int) -> NDArray[np.float64]:
    """(S, K) amounts each leg's schedule puts in period ``u`` once shifted."""
    T, K = model.periods, len(model.leg_agreement)
    slot = u - shift
    return np.where(
        slot >= 0, model.leg_schedule[np.arange(K)[None, :], np.clip(slot, 0, T - 1)], 0.0
    )


def _remaining(
    model: Model,
    shift: NDArray[np.intp],
    price: NDArray[np.float64],
    t: int,
    paid_cum: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Scheduled payments after period ``t`` (within the horizon), capped by stop-after rules."""
    later = sum((_scheduled(model, shift, u) for u in range(t + 1, model.periods)),
                np.zeros_like(price))  # fmt: skip
    return np.minimum(later * price, np.maximum(model.leg_stop_after[None, :] - paid_cum, 0.0))
