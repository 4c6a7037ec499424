"""The tornado and the Sobol indices: an input that decides a default shows a full swing and
carries the variance; inputs without a spread do not appear."""

from __future__ import annotations

from datetime import date

from stargate.finance.model import build_model
from stargate.finance.scenarios import load_scenario
from stargate.finance.sensitivity import groups, sobol, tornado
from stargate.world.curated import Prior
from stargate.world.world import curated_world

from .test_simulate import BEFORE, chain_scenario, chain_world, finance


def lab_world() -> object:
    """The chain, the lab's long-run margin drawn between 0.5 and 1.5 a year of revenue...
    clipped to [0, 1]: at the low end the lab cannot pay its 8 a year, at the high end it can."""
    lab = finance(
        "lab",
        revenue=10,
        margin=1.0,
        revenue_target_year=2025,
        approach_years=0.01,
        priors={"margin_long_run": Prior(p5=0.3, p95=1.7, basis="assumption: test")},
    )
    return chain_world(lab=lab)


def test_the_input_that_decides_the_default_has_the_full_swing() -> None:
    """Revenue halves from 2026: at a margin of 0.3 (p5 end, reached at once) the lab earns 3
    then 1.5 and defaults in 2025; at 1 (p95 clipped) it earns 10 then 5 with 2 saved, and
    defaults in 2026 all the same; so only a default *time* moves, and the probability of
    default does not: no swing. With the shock off, the margin decides: the full swing."""
    model = build_model(lab_world(), chain_scenario(demand={"shocks": []}), as_of=BEFORE)  # type: ignore[arg-type]
    assert list(groups(model)) == ["margin:lab"]
    table = tornado(model, 50, 1, targets=("lab", "cloud"))
    lab_row = table[table["target"] == "lab"].iloc[0]
    assert lab_row.input == "margin:lab"
    assert (lab_row.p_low, lab_row.p_high, lab_row.swing) == (1.0, 0.0, 1.0)
    indices = sobol(model, base=64, seed=3, targets=("lab",))
    assert list(indices["input"]) == ["margin:lab"]
    assert indices.iloc[0].ST > 0.9  # the one input explains all the variance


def test_tornado_and_sobol_on_the_demo_world_are_ranked_and_bounded() -> None:
    world = curated_world(date(2026, 12, 1))
    model = build_model(world, load_scenario("bubble-bursts"))
    table = tornado(model, 60, 2)
    assert set(table["target"]) == {"openai", "oracle", "coreweave", "softbank"}
    assert table[["p_low", "p_high"]].stack().between(0, 1).all()
    for _, rows in table.groupby("target"):
        assert list(rows["swing"]) == sorted(rows["swing"], reverse=True)
    assert (table["swing"] > 0).any()
    assert {"demand", "climate", "revenue:openai", "status:openai-amd"} <= set(table["input"])
    indices = sobol(model, base=16, seed=2)
    assert not indices.empty
    for _, rows in indices.groupby("target"):
        assert list(rows["ST"]) == sorted(rows["ST"], reverse=True)
