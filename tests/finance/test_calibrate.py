"""Calibration: the CDS formula by hand, the rows against the anchors, and the ``stargate
calibrate --json`` contract."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from stargate.cli import app
from stargate.finance.calibrate import calibrate, operations_by_year
from stargate.finance.model import build_model
from stargate.finance.scenarios import load_scenario
from stargate.world.curated import Anchor
from stargate.world.world import curated_world


def test_default_probability_from_a_cds_spread_by_hand() -> None:
    """120bp with 40% recovery: λ = 0.012 / 0.6 = 2% a year, PD(5y) = 1 − e^−0.1 ≈ 9.5%; 300bp:
    5%, 22.1% (the market-anchors figures)."""
    for spread, expected in ((120, 1 - math.exp(-0.1)), (300, 1 - math.exp(-0.25))):
        anchor = Anchor(
            id="x",
            entity="oracle",
            measure="pd_5y",
            date="2025",
            spread_bp=spread,
            recovery=0.4,
            ratio_low=0.4,
            ratio_high=2.5,
            sources=["s"],
        )
        assert anchor.anchor_value == pytest.approx(expected)
    assert (
        Anchor(
            id="y",
            entity="openai",
            measure="burn_usd",
            date="2026",
            year=2027,
            value=57e9,
            ratio_low=0.7,
            ratio_high=1.3,
            sources=["s"],
        ).anchor_value
        == 57e9
    )


def test_rows_set_every_anchor_beside_the_model() -> None:
    world = curated_world(date(2026, 12, 1))
    rows, result = calibrate(world, scenarios=400, seed=3)
    assert len(rows) == len(world.anchors)
    assert result.five_year == 2031
    for row in rows:
        assert row["ratio"] == pytest.approx(row["model"] / row["anchor"])
        low, high = row["tolerance"]
        assert row["within_tolerance"] == (low <= row["ratio"] <= high)
        assert bool(row["reason"]) == (not row["within_tolerance"])
        assert row["sources"]
    pd_rows = [r for r in rows if r["measure"] == "pd_5y"]
    assert {r["entity"] for r in pd_rows} == {"oracle", "coreweave", "softbank"}
    for r in pd_rows:
        assert 0 < r["model"] < 1  # no entity with a market quote sits at 0 or 1
        assert r["formula"] == "PD = 1 - exp(-5 s / (1 - R))"


def test_openai_burn_in_the_reference_run_is_its_latest_plan() -> None:
    """The reference run's burn for 2026-2028 within ±30% of the Feb-2026 plan (25/57/85)."""
    world = curated_world(date(2026, 12, 1))
    books = operations_by_year(build_model(world, load_scenario("baseline")))["openai"]
    for year, plan in ((2026, 25e9), (2027, 57e9), (2028, 85e9)):
        assert 0.7 <= books[year]["burn"] / plan <= 1.3, year
    assert books[2026]["revenue"] == pytest.approx(29.4e9, rel=0.05)


def test_calibrate_cli_contract(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.sqlite'}"
    result = CliRunner().invoke(app, ["--db", db, "calibrate", "--scenarios", "200", "--json"])
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    assert rows
    for row in rows:
        assert {"entity", "measure", "anchor", "model", "ratio", "within_tolerance", "reason",
                "sources"} <= set(row)  # fmt: skip
        assert isinstance(row["anchor"], float)
        assert isinstance(row["model"], float)
        assert isinstance(row["within_tolerance"], bool)
        assert isinstance(row["reason"], str)
        assert isinstance(row["sources"], list)
    text = CliRunner().invoke(app, ["--db", db, "calibrate", "--scenarios", "100"])
    assert text.exit_code == 0
    assert "PD = 1 − exp(−5 s / (1 − R))" in text.stdout
