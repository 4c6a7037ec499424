"""The tornado table: an input that decides a default shows a full swing, others none."""

from __future__ import annotations

from stargate.finance.sensitivity import tornado
from stargate.finance.simulate import build_model
from stargate.world.curated import Interval
from stargate.world.world import curated_world

from .test_simulate import chain_scenario, chain_world


def test_the_input_that_decides_the_default_has_the_full_swing() -> None:
    """Chain world, lab revenue halves from 2026. At margin 0.5 the lab cannot pay the cloud its
    8 a year (2025: 5 < 8); at 1.5 it can (2025: 15, 2026: 7 + 7.5). The cloud's outside
    finances have no spread, so only the lab's margin appears."""
    world = chain_world(lab_margin=Interval(p5=0.5, p95=1.5))
    table = tornado(build_model(world, chain_scenario()), 50, 1, targets=("lab", "cloud"))  # type: ignore[arg-type]
    assert list(table["input"].unique()) == ["margin:lab"]
    lab_row = table[table["target"] == "lab"].iloc[0]
    assert (lab_row.p_low, lab_row.p_high, lab_row.swing) == (1.0, 0.0, 1.0)


def test_tornado_on_the_demo_world_is_ranked_and_bounded() -> None:
    from stargate.finance.scenarios import load_scenario

    model = build_model(curated_world(), load_scenario("bubble-bursts"))
    table = tornado(model, 60, 2)
    assert set(table["target"]) == {"openai", "oracle", "coreweave", "softbank"}
    assert table[["p_low", "p_high"]].stack().between(0, 1).all()
    for _, rows in table.groupby("target"):
        assert list(rows["swing"]) == sorted(rows["swing"], reverse=True)
    assert (table["swing"] > 0).any()
