"""The stress simulator: hand-computed chains (deferral, builder debt, horizon exposure, status
probabilities), history before the as-of date, keyed random streams, the demand property, and
the vectorised engine against the per-scenario reference on every built-in."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stargate.finance.draws import draw, median_draws, standard
from stargate.finance.model import build_model
from stargate.finance.scenarios import Scenario, builtin_scenarios, load_scenario
from stargate.finance.simulate import simulate
from stargate.ledger.records import Entity, EntityType
from stargate.world.curated import (
    Agreement,
    Build,
    Curated,
    Delivery,
    Economics,
    Finance,
    Interval,
    Prior,
    SourceEntry,
    StatusChange,
)  # fmt: skip
from stargate.world.world import World, build_world, curated_world

from .reference_simulation import simulate_one

SOURCE = SourceEntry(key="test", publisher="test", title="hand-built", date="2026",
                     address="https://example.org", quality="P")  # fmt: skip
SIGNED = [StatusChange(date="2024", status="signed")]  # hand-built deals bind
BEFORE = date(2024, 6, 1)  # an as-of date before the hand-built horizons: no history
AS_OF = date(2026, 12, 1)  # the date the demo figures below were measured at
FIELDS = ("loss_usd", "writedown_usd", "unpaid_usd", "stranded_gw", "received_usd",
          "funding_shortfall_usd", "equity_raised_usd", "debt_raised_usd", "asset_sales_usd",
          "cut_usd", "lender_loss_usd", "received_from_usd")  # fmt: skip


def finance(entity: str, revenue: float = 0.0, margin: float = 0.0, cash: float = 0.0,
            **extra: Any) -> Finance:  # fmt: skip
    return Finance(entity=entity, as_of="2025", cash_usd=cash, revenue_usd=revenue,
                   margin=margin, sources=["test"], **extra)  # fmt: skip


def chain_world(lab_margin: float = 1.0, years: int = 3, lab: Finance | None = None) -> World:
    """One lab, one cloud, one chip vendor."""
    entities = [
        Entity("lab", "Lab", EntityType.COMPANY, role="lab"),
        Entity("cloud", "Cloud", EntityType.COMPANY, role="cloud"),
        Entity("vendor", "Vendor", EntityType.COMPANY, role="chips"),
    ]
    agreements = (
        Agreement(id="lab-cloud", name="compute", kind="contract", payer=["lab"], payee="cloud",
                  amount_usd=8 * years, annual_usd=8, start="2025", years=years, capacity_gw=1,
                  sources=["test"], status=SIGNED),
        Agreement(id="cloud-vendor", name="chips", kind="purchase", payer=["cloud"], payee="vendor",
                  amount_usd=18, annual_usd=6, start="2025", years=3, sources=["test"],
                  status=SIGNED),
    )  # fmt: skip
    curated = Curated(
        agreements=agreements, sites=(),
        finances=(lab or finance("lab", revenue=10, margin=lab_margin), finance("cloud"),
                  finance("vendor")),
        sources={"test": SOURCE},
    )  # fmt: skip
    return build_world(entities, curated)


def chain_scenario(**changes: Any) -> Scenario:
    """No deferral, losses at face value, nothing refinanced, no interest: the hand figures."""
    data: dict[str, Any] = {
        "name": "chain",
        "description": "lab revenue halves from 2026",
        "horizon": [2025, 2027],
        "interest_rate": {"p5": 0, "p95": 0},
        "demand": {"shocks": [{"name": "half", "applies_to": "lab", "from": 2026, "factor": 0.5}]},
        "capital": {"rollover": 0.0, "sensitivity": 0.0},
        "contracts": {"deferral": {"max_share": 0.0}, "loss_given_default": 1.0},
    }
    for key, value in changes.items():
        data[key] = {**data[key], **value} if isinstance(value, dict) and key in data else value
    return Scenario.model_validate(data)


def by_node(model: Any, values: Any) -> dict[str, Any]:
    return dict(zip(model.nodes, np.asarray(values).tolist(), strict=True))


def test_the_lab_underpays_the_cloud_which_underpays_the_vendor() -> None:
    """2025: lab earns 10, pays 8; cloud pays vendor 6. 2026: lab earns 5, has 2 + 5 = 7 < 8,
    pays 7 and defaults: the cloud loses the 1 short and the 8 still to come. 2027: the cloud has
    3 for 6 owed: pays 3 and defaults."""
    model = build_model(chain_world(), chain_scenario(), as_of=BEFORE)
    out = simulate(model, median_draws(model))
    assert by_node(model, out.default_year[0]) == {"cloud": 2027, "lab": 2026, "vendor": 0}
    assert by_node(model, out.loss_usd[0]) == pytest.approx({"cloud": 1 + 8, "lab": 0,
                                                            "vendor": 3})  # fmt: skip
    assert out.unpaid_usd[0] == pytest.approx(1 + 3)
    assert out.stranded_gw[0] == pytest.approx(1.0)
    assert by_node(model, out.received_usd[0]) == pytest.approx(
        {"cloud": 8 + 7, "lab": 0, "vendor": 6 + 6 + 3}
    )


def test_a_distressed_tenant_defers_before_it_defaults() -> None:
    """2026: the lab has 7 for 8 owed, a gap of 1: it defers 1/8 of its contract payment (the
    policy allows half), pays 7 and does not default; 30% of what it deferred (0.3) is cut for
    good, the cloud's loss, and 0.7 falls due the next year."""
    model = build_model(chain_world(years=2),
                        chain_scenario(horizon=[2025, 2026],
                                       contracts={"deferral": {"max_share": 0.5,
                                                               "cancel_share": 0.3}}),
                        as_of=BEFORE)  # fmt: skip
    out = simulate(model, median_draws(model))
    assert by_node(model, out.default_year[0]) == {"cloud": 0, "lab": 0, "vendor": 0}
    assert by_node(model, out.cut_usd[0])["cloud"] == pytest.approx(0.3)
    assert by_node(model, out.loss_usd[0])["cloud"] == pytest.approx(0.3)
    assert by_node(model, out.received_usd[0])["cloud"] == pytest.approx(8 + 7)


def test_deferring_past_the_horizon_does_not_erase_the_loss() -> None:
    """The same lab with a three-year contract and a two-year horizon, allowed to defer only
    10%: it defers 0.8, still owes 7.2 for 7 and defaults in 2026. The cloud loses the 0.2 short,
    the 0.24 cut and the 8.56 left (0.56 deferred and 2027's 8, beyond the horizon): 9 = 24 − 15
    paid. With loss given default 0.6 only what is left is scaled: 0.2 + 0.24 + 0.6 × 8.56."""
    for lgd, loss in ((1.0, 9.0), (0.6, 0.2 + 0.24 + 0.6 * 8.56)):
        scenario = chain_scenario(
            horizon=[2025, 2026],
            contracts={
                "deferral": {"max_share": 0.1, "cancel_share": 0.3},
                "loss_given_default": lgd,
            },
        )
        model = build_model(chain_world(), scenario, as_of=BEFORE)
        out = simulate(model, median_draws(model))
        assert by_node(model, out.default_year[0])["lab"] == 2026
        assert by_node(model, out.loss_usd[0])["cloud"] == pytest.approx(loss)
        assert by_node(model, out.cut_usd[0])["cloud"] == pytest.approx(0.24)


def builder_world(cloud_cash: float) -> World:
    """The lab rents 1 GW from the cloud at 10 a year for three years, delivered in 2025; the
    cloud pays 20 of capex for it, borrows half over two years at 10%, and rents the site at 1 a
    year. The lab's revenue stops in 2026."""
    entities = [Entity("lab", "Lab", EntityType.COMPANY, role="lab"),
                Entity("cloud", "Cloud", EntityType.COMPANY, role="cloud")]  # fmt: skip
    deal = Agreement(id="rent", name="capacity", kind="contract", payer=["lab"], payee="cloud",
                     amount_usd=30, annual_usd=10, start="2025", years=3, capacity_gw=1,
                     sources=["test"], status=SIGNED)  # fmt: skip
    capex = Prior(p5=20, p95=20, dist="lognormal", basis="assumption: hand-built")
    build = Build(agreement="rent", builder="cloud", capex_usd_per_gw=capex,
                  lease_usd_per_gw_year=1, debt_share=0.5, debt_years=2, spread=0.1,
                  sources=["test"], basis="hand-built")  # fmt: skip
    curated = Curated(
        agreements=(deal,), sites=(), sources={"test": SOURCE},
        finances=(finance("lab", revenue=10, margin=1.0), finance("cloud", cash=cloud_cash)),
        economics=Economics(deliveries=(Delivery(agreement="rent", path={2025: 1.0},
                                                 basis="hand-built"),), builds=(build,)),
    )  # fmt: skip
    return build_world(entities, curated)


def test_a_tenants_failure_reaches_the_builder_through_its_debt() -> None:
    """2025: the cloud pays 20 of capex and 1 of rent from 10 of cash, 10 of project debt and
    the lab's 10: 9 left. 2026: the lab pays nothing and defaults (the cloud loses the 10 short
    and the 10 still owed); the cloud services its debt (5 + 10% × 10 = 6) and the rent (1): 2
    left. 2027: 5 + 10% × 5 = 5.5 and 1 of rent against 2: it defaults, 4.5 unpaid to lenders.
    With 20 of cash to start it survives."""
    shock = {"demand": {"shocks": [{"name": "stop", "applies_to": "lab", "from": 2026,
                                    "factor": 0}]}}  # fmt: skip
    model = build_model(builder_world(10), chain_scenario(**shock), as_of=BEFORE)
    out = simulate(model, median_draws(model))
    assert by_node(model, out.default_year[0]) == {"cloud": 2027, "lab": 2026}
    assert by_node(model, out.debt_raised_usd[0])["cloud"] == pytest.approx(10)
    assert by_node(model, out.loss_usd[0])["cloud"] == pytest.approx(10 + 10)
    assert out.stranded_gw[0] == pytest.approx(1.0)
    assert out.lender_loss_usd[0] == pytest.approx(4.5)
    rich = build_model(builder_world(20), chain_scenario(**shock), as_of=BEFORE)
    assert by_node(rich, simulate(rich, median_draws(rich)).default_year[0])["cloud"] == 0


def test_status_decides_whether_an_agreement_binds() -> None:
    """Signed and completed deals bind; announced ones with 0.7, letters of intent 0.35, talks
    0.2 (the World calls a curated deal without a status announced); deals on ice, cancelled or
    denied never bind and leave the run; a funding rule's probability overrides the status."""
    statuses = ["signed", "completed", "announced", "letter_of_intent", "in_talks", "on_ice",
                "cancelled", "denied", None]  # fmt: skip
    entities = [Entity("a", "A", EntityType.COMPANY, role="lab"),
                Entity("b", "B", EntityType.COMPANY, role="cloud")]  # fmt: skip
    agreements = tuple(
        Agreement(id=f"deal-{k}", name=str(s), kind="contract", payer=["a"], payee="b",
                  amount_usd=1, annual_usd=1, start="2025", years=1, sources=["test"],
                  status=[] if s is None else [{"date": "2025", "status": s}])
        for k, s in enumerate(statuses)
    )  # fmt: skip
    curated = Curated(agreements=agreements, sites=(), sources={"test": SOURCE},
                      finances=(finance("a", revenue=100, margin=1), finance("b")))  # fmt: skip
    world = build_world(entities, curated)
    scenario = chain_scenario(
        demand={"shocks": []}, funding=[{"agreement": "deal-0", "probability": 0.25}]
    )  # a funding rule overrides the status
    model = build_model(world, scenario, as_of=BEFORE)
    assert model.leg_agreement == ("deal-0", "deal-1", "deal-2", "deal-3", "deal-4", "deal-8")
    expected = [0.25, 1.0, 0.7, 0.35, 0.2, 0.7]
    assert model.leg_probability.tolist() == pytest.approx(expected)
    keep = draw(model, 20_000, seed=3).keep.mean(axis=0)
    assert keep == pytest.approx(expected, abs=0.015)
    assert median_draws(model).keep[0].tolist() == [p >= 0.5 for p in expected]


@pytest.fixture(scope="module")
def demo() -> World:

    return curated_world(AS_OF)


def test_history_is_not_drawn_and_nobody_defaults_before_the_as_of_date(demo: World) -> None:
    model = build_model(demo, load_scenario("bubble-bursts"))
    assert model.history == 1  # 2026 starts before 1 December 2026
    out = simulate(model, draw(model, 300, seed=1))
    years = out.default_year[out.default_year > 0]
    assert years.size
    assert years.min() >= 2027
    traced = simulate(model, draw(model, 1, seed=2), trace=True).trace
    again = simulate(model, draw(model, 1, seed=3), trace=True).trace
    assert np.allclose(traced[0]["revenue"], again[0]["revenue"])  # history is the median run
    assert not np.allclose(traced[1]["revenue"], again[1]["revenue"])  # then the draws


def test_each_parameter_draws_from_its_own_stream(demo: World) -> None:
    """Adding an agreement adds parameters and leaves every other draw unchanged (common random
    numbers between Worlds); another chunk of the run gets other numbers."""
    import pandas as pd

    model = build_model(demo, load_scenario("baseline"))
    row = demo.agreements[demo.agreements["id"] == "openai-amd"].iloc[0].to_dict()
    row.update(id="extra-deal", payers=["xai"], payee="oracle", capacity_gw=float("nan"))
    payment = {"agreement_id": "extra-deal", "payer": "xai", "payee": "oracle",
               "kind": "contract", "year": 2027, "amount_usd": 1e9}  # fmt: skip
    tables = dict(demo.tables)
    tables["agreements"] = pd.concat([demo.agreements, pd.DataFrame([row])], ignore_index=True)
    tables["payments"] = pd.concat([demo.payments, pd.DataFrame([payment])], ignore_index=True)
    bigger = build_model(World(tables, demo.resolved_values, demo.as_of), load_scenario("baseline"))
    first, second = standard(model, 50, 7), standard(bigger, 50, 7)
    assert set(second) - set(first) == {"status:extra-deal"}
    for param, values in first.items():
        assert np.array_equal(values, second[param]), param
    other_chunk = standard(model, 50, 7, chunk=1)
    assert not np.array_equal(first["demand"], other_chunk["demand"])


@settings(max_examples=12, deadline=None, derandomize=True)
@given(st.floats(0.2, 2.5), st.floats(0.2, 2.5))
def test_more_demand_never_raises_system_losses(low: float, high: float) -> None:
    """Mean system losses (every creditor's and outside lenders') over common random numbers
    never rise with the AI-demand level."""

    low, high = sorted((low, high))
    world = curated_world(AS_OF)
    base = load_scenario("baseline")
    losses = []
    for level in (low, high):
        demand = base.demand.model_copy(update={"level": Interval(p5=level, p95=level)})
        model = build_model(world, base.model_copy(update={"demand": demand}))
        losses.append(simulate(model, draw(model, 150, seed=11)).total_loss_usd.mean())
    assert losses[1] <= losses[0] * (1 + 1e-9) + 1.0


@pytest.mark.parametrize("name", sorted(builtin_scenarios()))
def test_vectorised_equals_the_per_scenario_reference(demo: World, name: str) -> None:
    model = build_model(demo, load_scenario(name))
    draws = draw(model, 8, seed=7)
    batch = simulate(model, draws)
    for s in range(draws.scenarios):
        one = simulate_one(model, draws, s)
        assert batch.default_year[s].tolist() == one.default_year[0].tolist()
        for field in FIELDS:
            mine, theirs = getattr(batch, field)[s], getattr(one, field)[0]
            assert np.allclose(mine, theirs, rtol=1e-9, atol=1e-3), field


@pytest.mark.parametrize("name", ["baseline", "bubble-bursts"])
def test_quarterly_vectorised_equals_the_reference(demo: World, name: str) -> None:
    model = build_model(demo, load_scenario(name).model_copy(update={"period": "quarter"}))
    assert model.history == 4
    draws = draw(model, 6, seed=5)
    batch = simulate(model, draws)
    for s in range(draws.scenarios):
        one = simulate_one(model, draws, s)
        assert batch.default_year[s].tolist() == one.default_year[0].tolist()
        for field in FIELDS:
            assert np.allclose(getattr(batch, field)[s], getattr(one, field)[0], rtol=1e-9,
                               atol=1e-3), field  # fmt: skip


def test_quarters_and_years_owe_the_same_money(demo: World) -> None:
    """Splitting a year into quarters moves scheduled money within the year, never adds any."""
    yearly = build_model(demo, load_scenario("baseline"))
    quarterly = build_model(
        demo, load_scenario("baseline").model_copy(update={"period": "quarter"})
    )
    per_year = quarterly.leg_schedule.reshape(len(yearly.leg_schedule), -1, 4).sum(axis=2)
    assert np.allclose(per_year, yearly.leg_schedule)
    assert np.allclose(quarterly.debt_service.reshape(-1, 4, yearly.n).sum(axis=1),
                       yearly.debt_service)  # fmt: skip


def test_the_build_queue_by_hand() -> None:
    """Cap 3 GW a year. A (2 GW) and B (4 GW) start in year 0, C (1 GW) in year 3. Year 0: 3
    built, A online (1 left); year 1: 4, B online (wait 1); nothing waits in year 2; year 3: C
    online at once."""
    from stargate.finance.contracts import build_queue

    def leg(name: str, start: int, gw: float) -> dict[str, object]:
        schedule = np.zeros(6)
        schedule[start:] = 1.0
        return {"agreement": name, "linked": True, "schedule": schedule, "capacity": gw}

    unlinked = {**leg("D", 0, 50.0), "linked": False}
    legs = [leg("A", 0, 2.0), leg("B", 0, 4.0), leg("C", 3, 1.0), unlinked]
    assert build_queue(legs, 3.0).tolist() == [0, 1, 0, 0]
    assert build_queue(legs, 100.0).tolist() == [0, 0, 0, 0]
    assert build_queue(legs, 1.0).tolist() == [1, 5, 3, 0]


def test_capacity_linked_payments_follow_delivery(demo: World) -> None:
    """OpenAI pays Oracle $60B a year at full capacity from 2027 as the 4.5 GW come online
    (45% running on average in 2027): $27B in the reference run; power-crunch's delay and queue
    push it later."""
    base = build_model(demo, load_scenario("baseline"))
    trace = simulate(base, median_draws(base), trace=True).trace
    legs = [k for k, a in enumerate(base.leg_agreement) if a == "openai-oracle"]
    paid_2027 = sum(trace[1]["paid"][k] for k in legs)
    assert paid_2027 == pytest.approx(60e9 * 0.45)
    late = build_model(demo, load_scenario("power-crunch"))
    late_trace = simulate(late, median_draws(late), trace=True).trace
    assert sum(late_trace[1]["paid"][k] for k in legs) < paid_2027


def _rows(draws: Any, rows: slice) -> Any:
    from dataclasses import fields, replace

    return replace(draws, **{f.name: getattr(draws, f.name)[rows] for f in fields(draws)})


def test_each_scenario_is_computed_alone(demo: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine runs scenarios in blocks side by side; every number is the same whatever the
    block size and however the draws are split (so chunks and workers cannot change a result)."""
    from stargate.finance import engine

    model = build_model(demo, load_scenario("bubble-bursts"))
    draws = draw(model, 37, seed=4)
    whole = simulate(model, draws)
    parts = [
        simulate(model, _rows(draws, slice(0, 5))),
        simulate(model, _rows(draws, slice(5, 37))),
    ]
    for lanes in (1, 3):
        monkeypatch.setattr(engine, "LANES", lanes)
        parts.append(simulate(model, draws))
    for field in ("default_year", *FIELDS):
        mine = getattr(whole, field)
        assert np.array_equal(np.concatenate([getattr(p, field) for p in parts[:2]]), mine), field
        for other in parts[2:]:
            assert np.array_equal(getattr(other, field), mine), field


@pytest.mark.parametrize(
    "clearing",
    [{"method": "furfine", "recovery_rate": 0.4},
     {"method": "eisenberg_noe", "external_seniority": "senior"},
     {"method": "rogers_veraart", "alpha": 0.6, "beta": 0.9, "external_seniority": "senior"}],
)  # fmt: skip
def test_every_clearing_method_equals_the_reference(demo: World, clearing: dict[str, Any]) -> None:
    scenario = load_scenario("bubble-bursts")
    scenario = scenario.model_copy(
        update={"clearing": scenario.clearing.model_copy(update=clearing)}
    )
    model = build_model(demo, scenario)
    draws = draw(model, 5, seed=13)
    batch = simulate(model, draws)
    assert (batch.default_year > 0).any()
    for s in range(draws.scenarios):
        one = simulate_one(model, draws, s)
        assert batch.default_year[s].tolist() == one.default_year[0].tolist()
        for field in FIELDS:
            assert np.allclose(getattr(batch, field)[s], getattr(one, field)[0], rtol=1e-9,
                               atol=1e-3), field  # fmt: skip


def test_the_plan_refuses_a_node_that_owes_itself(demo: World) -> None:
    from dataclasses import replace

    from stargate.finance.network import ClearingInputError
    from stargate.finance.plan import build_plan

    model = build_model(demo, load_scenario("baseline"))
    owed = (model.leg_payee >= 0) & (np.asarray(model.leg_kind) != "equity")  # clearing legs
    k = int(np.flatnonzero(owed)[0])
    payee = model.leg_payee.copy()
    payee[k] = model.leg_payer[k]
    with pytest.raises(ClearingInputError, match="cannot owe itself"):
        build_plan(replace(model, leg_payee=payee))
