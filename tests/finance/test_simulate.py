"""The stress simulator: a hand-computed chain, and the vectorised engine against the reference."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from stargate.finance.scenarios import Scenario, load_scenario
from stargate.finance.simulate import build_model, draw, median_draws, simulate
from stargate.ledger.records import Entity, EntityType
from stargate.world.curated import Agreement, Curated, Finance, Interval, SourceEntry
from stargate.world.world import build_world, curated_world

from .reference_simulation import simulate_one

SOURCE = SourceEntry(key="test", publisher="test", title="hand-built", date="2026",
                     address="https://example.org", quality="P")  # fmt: skip
ZERO = Interval(p5=0, p95=0)


def finance(entity: str, revenue: float = 0.0, margin: float = 0.0) -> Finance:
    return Finance(
        entity=entity, as_of="2025", cash_usd=0, revenue_usd=revenue, revenue_growth=ZERO,
        operating_margin=Interval(p5=margin, p95=margin), debt_usd=0, debt_service_usd=0,
        funding_access_usd=ZERO, sources=["test"],
    )  # fmt: skip


def chain_world(lab_margin: Interval | None = None) -> object:
    """One lab, one cloud, one chip vendor (the mechanism test the issue asks for)."""
    lab = finance("lab", revenue=10, margin=1.0)
    if lab_margin is not None:
        lab = lab.model_copy(update={"operating_margin": lab_margin})
    entities = [
        Entity("lab", "Lab", EntityType.COMPANY, role="lab"),
        Entity("cloud", "Cloud", EntityType.COMPANY, role="cloud"),
        Entity("vendor", "Vendor", EntityType.COMPANY, role="chips"),
    ]
    agreements = (
        Agreement(id="lab-cloud", name="compute", kind="contract", payer=["lab"], payee="cloud",
                  amount_usd=24, annual_usd=8, start="2025", years=3, capacity_gw=1,
                  sources=["test"]),
        Agreement(id="cloud-vendor", name="chips", kind="purchase", payer=["cloud"], payee="vendor",
                  amount_usd=18, annual_usd=6, start="2025", years=3, sources=["test"]),
    )  # fmt: skip
    curated = Curated(
        agreements=agreements, sites=(),
        finances=(lab, finance("cloud"), finance("vendor")),
        sources={"test": SOURCE},
    )  # fmt: skip
    return build_world(entities, curated)


def chain_scenario() -> Scenario:
    return Scenario.model_validate({
        "name": "chain", "description": "lab revenue halves from 2026", "horizon": [2025, 2027],
        "interest_rate": {"p5": 0, "p95": 0},
        "demand": {"shocks": [{"name": "half", "applies_to": "lab", "from": 2026, "factor": 0.5}]},
    })  # fmt: skip


def test_the_lab_underpays_the_cloud_which_underpays_the_vendor() -> None:
    """2025: lab earns 10, pays 8; cloud pays vendor 6. 2026: lab earns 5, has 2 + 5 = 7 < 8,
    pays 7 and defaults; cloud (2 + 7) pays 6. 2027: the lab's contract has ended, the cloud has
    3 for 6 owed: pays 3 and defaults."""
    model = build_model(chain_world(), chain_scenario())  # type: ignore[arg-type]
    out = simulate(model, median_draws(model))
    years = dict(zip(model.nodes, out.default_year[0], strict=True))
    assert years == {"cloud": 2027, "lab": 2026, "vendor": 0}
    losses = dict(zip(model.nodes, out.loss_usd[0], strict=True))
    assert losses == pytest.approx({"cloud": 1 + 8, "lab": 0, "vendor": 3})
    assert out.unpaid_usd[0] == pytest.approx(1 + 3)
    assert out.stranded_gw[0] == pytest.approx(1.0)
    received = dict(zip(model.nodes, out.received_usd[0], strict=True))
    assert received == pytest.approx({"cloud": 8 + 7, "lab": 0, "vendor": 6 + 6 + 3})


def test_money_is_conserved_and_nobody_pays_more_than_it_owes() -> None:
    model = build_model(chain_world(), chain_scenario())  # type: ignore[arg-type]
    out = simulate(model, median_draws(model))
    paid_in = out.received_usd[0].sum()
    owed = model.leg_schedule.sum()
    assert paid_in + out.unpaid_usd[0] <= owed + 1e-9


@pytest.mark.parametrize(
    "name",
    ["baseline", "demand-shortfall", "softbank-short", "nvidia-steps-back", "power-crunch",
     "bubble-bursts"],
)  # fmt: skip
def test_vectorised_equals_the_per_scenario_reference(name: str) -> None:
    model = build_model(curated_world(), load_scenario(name))
    draws = draw(model, 12, np.random.default_rng(7))
    batch = simulate(model, draws)
    for s in range(draws.scenarios):
        one = simulate_one(model, draws, s)
        assert batch.default_year[s].tolist() == one.default_year[0].tolist()
        for field in ("loss_usd", "writedown_usd", "unpaid_usd", "stranded_gw", "received_usd",
                      "funding_shortfall_usd"):  # fmt: skip
            mine, theirs = getattr(batch, field)[s], getattr(one, field)[0]
            assert np.allclose(mine, theirs, rtol=1e-9, atol=1e-3), field


def test_more_demand_never_raises_defaults_in_the_chain() -> None:
    world = chain_world()
    previous = None
    base = chain_scenario()
    for factor in (0.2, 0.5, 0.8, 1.0, 1.5):
        shock = base.demand.shocks[0].model_copy(update={"factor": factor})
        demand = base.demand.model_copy(update={"shocks": (shock,)})
        scenario = base.model_copy(update={"demand": demand})
        model = build_model(world, scenario)  # type: ignore[arg-type]
        defaults = int((simulate(model, median_draws(model)).default_year > 0).sum())
        assert previous is None or defaults <= previous
        previous = defaults


def test_more_demand_never_hurts_a_loss_making_lab() -> None:
    """Lab margin −0.5 on a plan of 10 a year: its costs are 15 whatever the demand. Demand × 0.5,
    1, 2 leaves −10, −5, +5 < 8 owed (default in 2025); × 4 leaves 25 (no default). Scaling
    costs with sales (R × margin) would make it default in every case."""
    world = chain_world(lab_margin=Interval(p5=-0.5, p95=-0.5))
    years = []
    for factor in (0.5, 1.0, 2.0, 4.0):
        scenario = Scenario.model_validate({
            "name": "demand", "description": "x", "horizon": [2025, 2027],
            "interest_rate": {"p5": 0, "p95": 0},
            "demand": {"shocks": [{"name": "d", "applies_to": "lab", "from": 2025,
                                   "factor": factor}]},
        })  # fmt: skip
        model = build_model(world, scenario)  # type: ignore[arg-type]
        years.append(int(simulate(model, median_draws(model)).default_year[0, 1]))
    assert years == [2025, 2025, 2025, 0]


def test_the_build_queue_by_hand() -> None:
    """Cap 3 GW a year. A (2 GW) and B (4 GW) start in year 0, C (1 GW) in year 3. Year 0: 3
    built, A online (1 left); year 1: 4, B online (wait 1); nothing waits in year 2; year 3: C
    online at once."""
    from stargate.finance.simulate import build_queue

    def leg(name: str, start: int, gw: float) -> dict[str, object]:
        schedule = np.zeros(6)
        schedule[start:] = 1.0
        return {"agreement": name, "linked": True, "schedule": schedule, "capacity": gw}

    unlinked = {**leg("D", 0, 50.0), "linked": False}
    legs = [leg("A", 0, 2.0), leg("B", 0, 4.0), leg("C", 3, 1.0), unlinked]
    assert build_queue(legs, 3.0).tolist() == [0, 1, 0, 0]
    assert build_queue(legs, 100.0).tolist() == [0, 0, 0, 0]
    assert build_queue(legs, 1.0).tolist() == [1, 5, 3, 0]  # A in 1, B in 5, C waits for B


def test_a_delivery_cap_delays_the_capacity_and_its_payments() -> None:
    """The lab's 1 GW contract with a cap of 0.5 GW a year comes online a year late, so in 2025
    the cloud has no income for the 6 it owes its chip vendor: it defaults, its agreements end,
    and the vendor loses that 6 and the 12 still scheduled."""
    scenario = chain_scenario().model_copy(update={"demand": chain_scenario().demand.model_copy(
        update={"shocks": ()})})  # fmt: skip
    capped = scenario.model_copy(update={"delivery": scenario.delivery.model_copy(
        update={"gw_per_year_cap": 0.5})})  # fmt: skip
    model = build_model(chain_world(), capped)  # type: ignore[arg-type]
    assert model.leg_wait is not None
    assert dict(zip(model.leg_agreement, model.leg_wait.tolist(), strict=True)) == {
        "lab-cloud": 1, "cloud-vendor": 0}  # fmt: skip
    out = simulate(model, median_draws(model))
    years = dict(zip(model.nodes, out.default_year[0].tolist(), strict=True))
    assert years == {"cloud": 2025, "lab": 0, "vendor": 0}
    losses = dict(zip(model.nodes, out.loss_usd[0], strict=True))
    assert losses["vendor"] == pytest.approx(6 + 12)
    assert out.received_usd[0].sum() == 0
    uncapped = build_model(chain_world(), scenario)  # type: ignore[arg-type]
    assert simulate(uncapped, median_draws(uncapped)).default_year[0].tolist() == [0, 0, 0]


def test_quarters_by_hand() -> None:
    """The chain in quarters: the lab earns 2.5 a quarter (1.25 from 2026) and owes 2; the cloud
    owes 1.5. The lab runs dry in 2026 Q3 (0.5 + 1.25 < 2: pays 1.75), the cloud in 2027 Q2
    (0.25 for 1.5). Same default years as in yearly periods, different losses: the cloud loses
    0.25 and the 2 + 8 still scheduled, the vendor 1.25 and the 3 still scheduled."""
    scenario = chain_scenario().model_copy(update={"period": "quarter"})
    model = build_model(chain_world(), scenario)  # type: ignore[arg-type]
    assert model.periods == 12
    assert model.leg_schedule.shape == (2, 12)
    out = simulate(model, median_draws(model))
    assert dict(zip(model.nodes, out.default_year[0].tolist(), strict=True)) == {
        "cloud": 2027, "lab": 2026, "vendor": 0}  # fmt: skip
    losses = dict(zip(model.nodes, out.loss_usd[0], strict=True))
    assert losses == pytest.approx({"cloud": 0.25 + 2 + 8, "lab": 0, "vendor": 1.25 + 3})
    assert out.unpaid_usd[0] == pytest.approx(0.25 + 1.25)
    received = dict(zip(model.nodes, out.received_usd[0], strict=True))
    assert received == pytest.approx({"cloud": 8 + 5.75, "lab": 0, "vendor": 12 + 1.75})


@pytest.mark.parametrize("name", ["baseline", "power-crunch", "bubble-bursts"])
def test_quarterly_vectorised_equals_the_reference(name: str) -> None:
    scenario = load_scenario(name).model_copy(update={"period": "quarter"})
    model = build_model(curated_world(), scenario)
    draws = draw(model, 8, np.random.default_rng(5))
    batch = simulate(model, draws)
    for s in range(draws.scenarios):
        one = simulate_one(model, draws, s)
        assert batch.default_year[s].tolist() == one.default_year[0].tolist()
        for field in ("loss_usd", "unpaid_usd", "stranded_gw", "received_usd",
                      "funding_shortfall_usd"):  # fmt: skip
            mine, theirs = getattr(batch, field)[s], getattr(one, field)[0]
            assert np.allclose(mine, theirs, rtol=1e-9, atol=1e-3), field


def test_quarters_and_years_owe_the_same_money() -> None:
    """Splitting a year into quarters moves money within the year, never adds or drops any."""
    for name in ("baseline", "power-crunch"):
        yearly = build_model(curated_world(), load_scenario(name))
        quarterly = build_model(
            curated_world(), load_scenario(name).model_copy(update={"period": "quarter"})
        )
        assert quarterly.leg_schedule.sum() == pytest.approx(yearly.leg_schedule.sum())
        per_year = quarterly.leg_schedule.reshape(len(yearly.leg_schedule), -1, 4).sum(axis=2)
        assert np.allclose(per_year, yearly.leg_schedule)


def test_site_capex_is_priced_per_gigawatt() -> None:
    """The cloud owns a site that reaches 1 GW online in 2026 (0.4 planned for 2025): it pays 0.2
    GW's worth in 2024 (sunk, before the horizon), 0.2 + 0.3 in 2025 and 0.3 in 2026, at the
    drawn price per GW; a site with a curated capex programme is not priced twice."""
    from stargate.world.curated import Site, SitePoint

    world = chain_world()
    site = Site(id="site", name="site", owner="cloud", tenant="lab", offtaker="lab",
                power_basis="it", sources=["test"], timeline=[
                    SitePoint(date="2024-01", gw=2.0, status="announced"),
                    SitePoint(date="2025-06", gw=0.4, status="planned"),
                    SitePoint(date="2026-06", gw=1.0, status="operational")])  # fmt: skip
    curated = Curated(agreements=(), sites=(site,), finances=(finance("cloud", revenue=100,
                      margin=1.0),), sources={"test": SOURCE})  # fmt: skip
    entities = [Entity("cloud", "Cloud", EntityType.COMPANY, role="cloud")]
    world = build_world(entities, curated)
    scenario = chain_scenario().model_copy(update={
        "demand": chain_scenario().demand.model_copy(update={"shocks": ()}),
        "capex_per_gw_usd": Interval(p5=10, p95=40)})  # fmt: skip
    model = build_model(world, scenario)
    assert model.leg_agreement == ("site-capex:site",)
    assert model.leg_schedule[0].tolist() == pytest.approx([0.5, 0.3, 0.0])
    draws = median_draws(model)
    assert draws.capex_per_gw is not None
    assert draws.capex_per_gw[0] == pytest.approx(20.0)  # the lognormal's median, sqrt(10 × 40)
    out = simulate(model, draws)
    assert out.unpaid_usd[0] == 0
    assert out.default_year[0].tolist() == [0]
    priced = draw(model, 2_000, np.random.default_rng(2)).capex_per_gw
    assert priced is not None
    assert np.all(priced > 0)
    assert np.quantile(priced, [0.05, 0.95]) == pytest.approx([10, 40], rel=0.1)
    without = build_model(world, scenario.model_copy(update={"capex_per_gw_usd": None}))
    assert without.leg_agreement == ()


def test_funding_paid_per_gw_deployed_follows_delivery_but_builds_nothing() -> None:
    from stargate.finance.simulate import condition_rules

    assert condition_rules(["per_gw_deployed", "pay_on_delivery"]) == {
        "per_gw_deployed", "pay_on_delivery"}  # fmt: skip
    assert condition_rules(None) == set()
    # the World of December 2025, before Nvidia's letter of intent went on ice (January 2026)
    model = build_model(curated_world(date(2025, 12, 1)), load_scenario("power-crunch"))
    assert model.leg_wait is not None
    legs = dict(zip(model.leg_agreement, zip(model.leg_linked, model.leg_wait, strict=True),
                    strict=True))  # fmt: skip
    assert legs["nvidia-openai-loi"] == (True, 0)  # slips with the delay, waits in no queue
    assert legs["openai-broadcom"][0]
    assert legs["openai-broadcom"][1] > 0
    assert not legs["blue-owl-abilene-equity"][0]  # plain equity pays on its schedule
