"""Monte Carlo runs: the same seed gives the same numbers on every backend, summaries agree with
the per-scenario rows, and the ``stargate stress`` contract."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from stargate.analysis.circularity import circular_shares
from stargate.cli import app
from stargate.finance.draws import median_draws
from stargate.finance.model import Model, build_model
from stargate.finance.montecarlo import chunk_sizes, run
from stargate.finance.scenarios import load_scenario
from stargate.finance.simulate import simulate
from stargate.world.world import World, curated_world


@pytest.fixture(scope="module")
def world() -> World:
    return curated_world()


@pytest.fixture(scope="module")
def model(world: World) -> Model:
    return build_model(world, load_scenario("bubble-bursts"))


def test_chunks_cover_every_scenario() -> None:
    assert chunk_sizes(10, 3) == [3, 3, 3, 1]
    assert chunk_sizes(9, 3) == [3, 3, 3]
    assert chunk_sizes(2, 5) == [2]


def test_the_same_seed_gives_the_same_numbers_on_every_backend(world: World, model: Model) -> None:
    common = {"name": "bubble-bursts", "scenarios": 700, "seed": 11, "chunk": 200}
    local = run(model, world.agreements, backend="local", **common).to_json()  # type: ignore[arg-type]
    pool = run(model, world.agreements, backend="processes", workers=2, **common).to_json()  # type: ignore[arg-type]
    dask = run(model, world.agreements, backend="dask", workers=2, **common).to_json()  # type: ignore[arg-type]
    assert json.dumps(local, sort_keys=True) == json.dumps(pool, sort_keys=True)
    assert json.dumps(local, sort_keys=True) == json.dumps(dask, sort_keys=True)
    other = run(model, world.agreements, backend="local", **{**common, "seed": 12}).to_json()  # type: ignore[arg-type]
    assert json.dumps(local, sort_keys=True) != json.dumps(other, sort_keys=True)


def test_summaries_agree_with_the_per_scenario_rows(
    tmp_path: Path, world: World, model: Model
) -> None:
    out = tmp_path / "runs" / "r.parquet"
    result = run(model, world.agreements, name="x", scenarios=450, seed=3, chunk=100, out=out)
    rows = pq.read_table(out).to_pandas()
    assert len(rows) == 450
    assert list(rows["scenario"]) == list(range(450))
    assert pq.ParquetFile(out).num_row_groups == 5
    entities = result.entities.set_index("entity")
    by_year = result.default_by_year.set_index(["entity", "year"])
    for name in model.nodes:
        years = rows[f"default_year.{name}"].to_numpy()
        assert entities.loc[name, "p_default"] == pytest.approx((years > 0).mean())
        for year in model.years:
            expected = ((years > 0) & (years <= year)).mean()
            assert by_year.loc[(name, year), "p_default_by_year"] == pytest.approx(expected)
        loss = rows[f"loss_usd.{name}"].to_numpy()
        assert entities.loc[name, "loss_p95_usd"] == pytest.approx(np.quantile(loss, 0.95))
        for figure, column in (("equity_raised_mean_usd", "equity_raised_usd"),
                               ("debt_raised_mean_usd", "debt_raised_usd"),
                               ("dilution_mean", "dilution")):  # fmt: skip
            assert entities.loc[name, figure] == pytest.approx(rows[f"{column}.{name}"].mean())
    totals = result.totals.set_index("quantity")
    assert totals.loc["total_loss_usd", "mean"] == pytest.approx(rows["total_loss_usd"].mean())
    assert totals.loc["stranded_gw", "p50"] == pytest.approx(rows["stranded_gw"].median())
    assert totals.loc["unpaid_usd", "mean"] == pytest.approx(rows["unpaid_usd"].mean())
    # cumulative by year, ending at the overall probability
    last = by_year.xs(model.years[-1], level="year")["p_default_by_year"]
    assert np.allclose(last.sort_index(), entities["p_default"].sort_index())


def test_the_reference_is_the_median_run(world: World, model: Model) -> None:
    result = run(model, world.agreements, name="x", scenarios=10, seed=1)
    median = simulate(model, median_draws(model)).default_year[0]
    for name, year in zip(model.nodes, median, strict=True):
        assert result.reference[name] == (int(year) or None)


def test_circular_revenue_only_comes_from_funded_customers(world: World) -> None:
    baseline = build_model(world, load_scenario("baseline"))
    result = run(baseline, world.agreements, name="x", scenarios=200, seed=5)
    static = circular_shares(world.agreements)
    for row in result.circular.itertuples():
        assert 0.0 <= row.share <= 1.0
        if static.get(row.vendor, {}).get("share", 0.0) == 0.0:
            assert row.share == 0.0, row.vendor
    assert result.circular.set_index("vendor").loc["nvidia", "share"] > 0


def test_stress_cli_contract(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    out = tmp_path / "r.parquet"
    result = CliRunner().invoke(
        app,
        ["--db", db, "stress", "demand-shortfall", "--scenarios", "300", "--seed", "9",
         "--out", str(out), "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) >= {"scenario", "scenarios", "seed", "horizon", "entities",
                           "stranded_gw", "unpaid_usd", "circular_share", "reference"}  # fmt: skip
    assert (report["scenario"], report["scenarios"], report["seed"]) == ("demand-shortfall", 300, 9)
    assert report["horizon"] == [2026, 2035]
    assert report["as_of"] == date.today().isoformat()  # the World's date: today by default
    openai = report["entities"]["openai"]
    assert set(openai) >= {"p_default", "p_default_by_year", "loss_p50_usd", "loss_p95_usd",
                           "p_default_5y", "equity_raised_mean_usd", "debt_raised_mean_usd",
                           "dilution_mean"}  # fmt: skip
    assert list(openai["p_default_by_year"]) == [str(y) for y in range(2026, 2036)]
    for entity in report["entities"].values():  # nothing defaults before the as-of date
        for year, p in entity["p_default_by_year"].items():
            if date(int(year), 12, 31) < date.today():
                assert p == 0.0
    assert set(report["total_loss_usd"]) == {"mean", "p5", "p50", "p95"}
    drawn = {u["param"] for u in report["uncertain"]}
    assert {"demand", "climate", "revenue:coreweave", "status:openai-amd"} <= drawn
    assert set(report["stranded_gw"]) == {"p5", "p50", "p95"} == set(report["unpaid_usd"])
    assert (
        report["stranded_gw"]["p5"] <= report["stranded_gw"]["p50"] <= report["stranded_gw"]["p95"]
    )
    assert set(report["reference"]) == set(report["entities"])
    assert pq.ParquetFile(out).metadata.num_rows == 300
    assert report["not_simulated"] == []  # every validated field acts on the simulation
    short = CliRunner().invoke(
        app, ["--db", db, "stress", "softbank-short", "--scenarios", "20", "--json"]
    )
    assert json.loads(short.stdout)["not_simulated"] == []
    assert "not simulated yet" not in short.stderr


def test_stress_list_and_errors(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    listed = CliRunner().invoke(app, ["--db", db, "stress", "--list", "--json"])
    assert listed.exit_code == 0
    assert {s["name"] for s in json.loads(listed.stdout)} >= {
        "baseline", "demand-shortfall", "softbank-short", "nvidia-steps-back", "power-crunch",
        "bubble-bursts",
    }  # fmt: skip
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ndescription: x\nhorizon: [2025, 2030]\nscenarios: -4\n")
    failed = CliRunner().invoke(app, ["--db", db, "stress", str(bad), "--json"])
    assert failed.exit_code != 0
    assert "scenarios" in failed.stderr
    assert failed.stdout == ""
    both = CliRunner().invoke(
        app, ["--db", db, "stress", "--workers", "2", "--cluster", "tcp://127.0.0.1:1"]
    )
    assert both.exit_code != 0
    assert "choose one" in both.stderr


def test_stress_cli_sensitivity_lists_only_inputs_that_move(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    result = CliRunner().invoke(
        app, ["--db", db, "stress", "softbank-short", "--scenarios", "40", "--sensitivity",
              "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    sensitivity = report["sensitivity"]
    assert set(sensitivity) == {"openai", "oracle", "coreweave", "softbank"}
    for rows in sensitivity.values():
        assert all(row["swing"] > 0 for row in rows)
        assert [r["swing"] for r in rows] == sorted((r["swing"] for r in rows), reverse=True)
    assert any(sensitivity.values())
    sobol = report["sobol"]
    assert sobol
    assert set(sobol) <= set(sensitivity)
    for rows in sobol.values():
        assert {"input", "S1", "ST", "S1_conf", "ST_conf"} <= set(rows[0])
        assert [r["ST"] for r in rows] == sorted((r["ST"] for r in rows), reverse=True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("funding:\n  - {agreement: made-up-deal, probability: 0.5}\n", "unknown agreement"),
        ("period: month\n", "field 'period'"),
    ],
)
def test_stress_refuses_what_it_cannot_simulate(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: s\ndescription: d\nextends: baseline\n" + text, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    result = CliRunner().invoke(app, ["--db", db, "stress", str(path), "--json"])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
