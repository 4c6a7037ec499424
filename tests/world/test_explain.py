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
    (funding,) = [p for p in data["propositions"]
                  if p["kind"] == "funding_secured" and p["object"] == "stargate"]  # fmt: skip
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
    yearly = [p for p in data["propositions"]
              if p["kind"] == "contract" and p["period"] == "per_year"]  # fmt: skip
    values = {p["value"] for p in yearly}
    # the seed's $30B a year (no dates stated), and the WSJ's ~$60B a year for 2027-2031: two
    # valid-time slots here; the agreement reads the later one as a revision of the first
    assert values == {30_000_000_000, 60_000_000_000}
    seed = next(p for p in yearly if p["value"] == 30_000_000_000)
    assert seed["subjects"] == ["openai"]
    assert seed["object"] == "oracle"
    assert all("30 milliards" in c["quote"] for c in seed["supporting"])


def test_unknown_entity_is_a_clear_error(demo: str) -> None:
    result = CliRunner().invoke(app, ["--db", demo, "explain", "Nobody Corp"])
    assert result.exit_code == 2
    assert "no entity called 'Nobody Corp'" in result.stderr
