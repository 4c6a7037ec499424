"""``stargate explain`` on the demo corpus: the Oracle–OpenAI deal, SoftBank's disputed funding."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from stargate.cli import app


@pytest.fixture
def demo(store_url: str) -> str:
    assert CliRunner().invoke(app, ["--db", store_url, "init"]).exit_code == 0
    return store_url


def explain(url: str, query: str) -> dict:
    result = CliRunner().invoke(app, ["--db", url, "explain", query, "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_softbank_funding_is_a_mixture_with_the_denial(demo: str) -> None:
    data = explain(demo, "SoftBank")
    (funding,) = [p for p in data["propositions"] if p["kind"] == "funding_secured"]
    assert funding["state"] == "disputed"
    assert {s["speaker"] for s in funding["supporting"]} == {"Elon Musk"}
    assert [s["speaker"] for s in funding["dissenting"]] == ["Sam Altman"]
    denial = [c for c in funding["components"] if c["denial"]]
    assert len(denial) == 1
    assert 0 < denial[0]["weight"] < 1
    assert sum(c["weight"] for c in funding["components"]) == pytest.approx(1.0)
    for claim in funding["supporting"] + funding["dissenting"]:
        assert claim["quote"]
        assert claim["source"]["id"]


def test_oracle_openai_deal_is_traceable(demo: str) -> None:
    data = explain(demo, "Oracle-OpenAI")
    kinds = {(p["kind"], p["period"]) for p in data["propositions"]}
    assert ("contract", "per_year") in kinds
    contract = next(p for p in data["propositions"] if p["kind"] == "contract")
    assert contract["subjects"] == ["openai"]
    assert contract["object"] == "oracle"
    assert contract["value"] == 30_000_000_000
    assert all("30 milliards" in c["quote"] for c in contract["supporting"])


def test_unknown_entity_is_a_clear_error(demo: str) -> None:
    result = CliRunner().invoke(app, ["--db", demo, "explain", "Nobody Corp"])
    assert result.exit_code == 2
    assert "no entity called 'Nobody Corp'" in result.stderr
