"""The reference run's waterfall: a hand-computed case and the ``--explain --json`` contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from stargate.cli import app
from stargate.finance.explain import UnknownEntityError, waterfall
from stargate.finance.model import build_model

from .test_simulate import BEFORE, builder_world, chain_scenario


def test_the_builders_waterfall_by_hand() -> None:
    """The builder of test_simulate: 2025 in: the lab's 10 and 10 of project debt; out: 20 of
    capex, 1 of rent. 2026: out 6 of debt service and 1 of rent. 2027: 6.5 due, 2 paid: 4.5
    short, default."""
    shock = {"demand": {"shocks": [{"name": "stop", "applies_to": "lab", "from": 2026,
                                    "factor": 0}]}}  # fmt: skip
    model = build_model(builder_world(10), chain_scenario(**shock), as_of=BEFORE)
    report = waterfall(model, "cloud")
    years = report["years"]
    assert years["2025"]["cash_in"] == pytest.approx({"rent": 10, "project debt: rent:cloud": 10})
    assert years["2025"]["cash_out"] == pytest.approx({"build capex: rent:cloud": 20,
                                                       "site rent: rent:cloud": 1})  # fmt: skip
    assert years["2026"]["cash_out"] == pytest.approx({"debt service": 6,
                                                       "site rent: rent:cloud": 1})  # fmt: skip
    assert years["2026"]["shortfall"] == 0
    assert years["2027"]["shortfall"] == pytest.approx(4.5)
    assert report["defaulted_in"] == "2027"
    assert waterfall(model, "lab")["defaulted_in"] == "2026"
    with pytest.raises(UnknownEntityError, match="no entity 'nobody'"):
        waterfall(model, "nobody")


def test_explain_cli_contract(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'e.sqlite'}"
    result = CliRunner().invoke(app, ["--db", db, "stress", "bubble-bursts", "--explain",
                                      "oracle", "--json"])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert {"entity", "years", "defaulted_in"} <= set(report)
    assert report["entity"] == "oracle"
    for year, book in report["years"].items():
        assert year.isdigit()
        assert set(book) == {"cash_in", "cash_out", "shortfall"}
        assert isinstance(book["shortfall"], float)
        assert all(isinstance(v, float) for v in book["cash_in"].values())
    assert "openai-oracle" in report["years"]["2028"]["cash_in"]
    assert report["defaulted_in"] is None or report["defaulted_in"] in report["years"]
    table = CliRunner().invoke(app, ["--db", db, "stress", "baseline", "--explain", "openai"])
    assert table.exit_code == 0
    assert "shortfall" in table.stdout
    bad = CliRunner().invoke(app, ["--db", db, "stress", "baseline", "--explain", "nobody"])
    assert bad.exit_code == 2
    assert "no entity 'nobody'" in bad.stderr
