"""The Python API as a notebook user meets it: a short repr, the tables in ``dir()``, analysis
dtypes, money without float artefacts, ``stargate.analysis`` and ``stargate.stress`` returning
tidy DataFrames with the command line's numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import stargate
from stargate.cli import app


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("api") / "demo.sqlite")
    assert CliRunner().invoke(app, ["--db", db, "init"]).exit_code == 0
    return db


def test_a_world_reads_well_in_a_notebook(demo: str) -> None:
    world = stargate.load(demo)
    assert len(repr(world)) < 500
    assert "agreements=" in repr(world)
    assert {"agreements", "sites", "payments", "agreement_parties"} <= set(dir(world))
    agreements = world.agreements
    assert isinstance(agreements["kind"].dtype, pd.CategoricalDtype)
    assert isinstance(agreements["payers"].iloc[0], list)  # a list, not a comma-joined string
    money = pd.concat([agreements["amount_usd"], world.payments["amount_usd"]]).dropna()
    assert (money == money.round(2)).all()  # no 24999999999.999996


def test_typed_tables_have_dates_strings_and_nullable_integers(demo: str) -> None:
    world = stargate.load(demo)
    sites = world.typed("sites")
    assert sites["date"].dtype == "datetime64[ns]"
    assert sites["name"].dtype == "string"
    months = sites[sites["date_text"].str.len() == 7]
    assert len(months) > 0
    assert (months["date"] == pd.to_datetime(months["date_text"] + "-01")).all()
    agreements = world.typed("agreements")
    assert agreements["start_year"].dtype == "Int64"
    assert agreements["start_year"].isna().any()  # gaps stay gaps, not 2027.0 floats
    assert world.sites["date"].dtype == object  # the table itself keeps the prefix text


def test_analysis_exports_its_functions(demo: str) -> None:
    world = stargate.load(demo)
    assert "analysis" in dir(stargate)
    assert stargate.analysis.cycles(world.agreements)
    assert set(stargate.analysis.__all__) >= {"cycles", "circular_shares", "gaps", "exposures"}


def test_stress_returns_tidy_frames_with_the_clis_numbers(demo: str, tmp_path: Path) -> None:
    result = stargate.stress("bubble-bursts", db=demo, scenarios=300, seed=11)
    entities = result.entities
    assert isinstance(entities, pd.DataFrame)
    assert {"entity", "p_default", "p_default_5y", "loss_mean_usd"} <= set(entities.columns)
    assert entities["entity"].is_unique
    by_year = result.default_by_year
    assert set(by_year.columns) == {"entity", "year", "p_default_in_year", "p_default_by_year"}
    assert len(by_year) == len(entities) * len(result.years)
    cli = CliRunner().invoke(app, ["--db", demo, "stress", "bubble-bursts", "--scenarios", "300",
                                   "--seed", "11", "--json"])  # fmt: skip
    assert cli.exit_code == 0, cli.output
    expected = json.loads(cli.stdout)
    assert result.to_json()["entities"] == expected["entities"]
    world = stargate.load(demo)
    again = stargate.stress("bubble-bursts", world=world, scenarios=300, seed=11)
    pd.testing.assert_frame_equal(again.entities, entities)
