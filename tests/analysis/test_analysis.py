"""Funding gap and exposures over the World."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from stargate.analysis.exposures import exposures
from stargate.analysis.gap import gaps
from stargate.cli import app
from stargate.world.world import curated_world


def test_project_gap_parts_add_up() -> None:
    project = gaps(curated_world(), "stargate")[0]
    # Oracle and MGX put in $7B together ("à eux deux"): split evenly, an assumption
    assert project["committed_by_party"] == pytest.approx({
        "openai": 19e9, "softbank": 19e9, "oracle": 3.5e9, "mgx": 3.5e9,
    })  # fmt: skip
    assert project["committed_usd"] == pytest.approx(45e9)
    required, gap = project["required_capex_usd"], project["gap_usd"]
    assert required["p5"] < required["p50"] < required["p95"]
    for q in ("p5", "p50", "p95"):
        assert gap[q] == pytest.approx(required[q] - 45e9)
    assert required["p5"] == pytest.approx(10 * 29e9)


def test_every_site_has_a_gap_and_financing_is_counted() -> None:
    sites = {g["name"]: g for g in gaps(curated_world())[1:]}
    assert sites["abilene-site"]["committed_by_party"] == {"jpmorgan": 9.6e9, "blue-owl": 5e9}
    assert sites["dona-ana-site"]["committed_usd"] == pytest.approx(18e9)
    for site in sites.values():
        if site["gw"] == 0:  # no source gives its power (Denton): nothing to price
            assert site["required_capex_usd"]["p50"] == 0
            continue
        assert site["required_shell_power_usd"]["p50"] < site["required_capex_usd"]["p50"]


def test_exposures_are_the_payment_schedules() -> None:
    world = curated_world()
    table = exposures(world, "oracle")
    owed_by_openai = table[(table["creditor"] == "oracle") & (table["debtor"] == "openai")]
    assert owed_by_openai["amount_usd"].sum() == pytest.approx(300e9)
    assert sorted(owed_by_openai["year"]) == [2027, 2028, 2029, 2030, 2031]
    total = exposures(world)["amount_usd"].sum()
    with_payee = world.payments.dropna(subset=["payee"])["amount_usd"].sum()
    assert total == pytest.approx(with_payee)


def test_gap_and_exposures_commands(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    one = CliRunner().invoke(app, ["--db", db, "gap", "stargate", "--json"])
    assert one.exit_code == 0
    data = json.loads(one.stdout)
    assert set(data["gap_usd"]) == {"p5", "p50", "p95"}
    missing = CliRunner().invoke(app, ["--db", db, "gap", "atlantis"])
    assert missing.exit_code == 2
    rows = json.loads(CliRunner().invoke(app, ["--db", db, "exposures", "--json"]).stdout)
    assert {"creditor", "debtor", "kind", "year", "amount_usd"} == set(rows[0])
