"""News reaches the model: three articles (a new deal, a revised figure, a denial) become review
items; accepting them changes the World and the stress results, each number traced to its quote.
On SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from stargate.cli import app
from stargate.finance.draws import standard
from stargate.finance.scenarios import load_scenario
from stargate.finance.simulate import build_model
from stargate.ledger.store import Store
from stargate.world.world import load

NEWS = Path(__file__).resolve().parents[1] / "fixtures" / "news"


def run(url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--db", url, *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def initialised(store_url: str) -> str:
    code, _, err = run(store_url, "init")
    assert code == 0, err
    return store_url


def items_by_type(url: str) -> dict[str, list[dict[str, object]]]:
    code, out, err = run(url, "review", "list", "--json")
    assert code == 0, err
    found: dict[str, list[dict[str, object]]] = {"candidate": [], "revision": [], "status": []}
    for item in json.loads(out):
        found[str(item["type"])].append(item)
    return found


def test_three_articles_reach_the_world(initialised: str) -> None:
    url = initialised
    before = load(url)
    code, out, err = run(url, "ingest", str(NEWS), "--impact", "--scenarios", "400",
                         "--seed", "3", "--json")  # fmt: skip
    assert code == 0, err
    impact = json.loads(out)
    assert [d["outcome"] for d in impact["documents"]] == ["added"] * 3
    nscale = next(c for c in impact["candidates"] if c["payee"] == "nscale")
    assert nscale["payers"] == ["openai"]
    assert nscale["kind"] == "contract"
    assert nscale["new"]["amount_usd"] == 20e9
    assert nscale["new"]["capacity_gw"] == 2
    assert all(c["quote"] for c in nscale["claim_details"])
    oracle = next(r for r in impact["revisions"] if r["agreement_id"] == "openai-oracle")
    assert (oracle["field"], oracle["old"], oracle["new"]) == ("annual", 60e9, 35e9)
    aws = next(s for s in impact["status_changes"] if s["agreement_id"] == "openai-aws")
    assert (aws["old"], aws["new"]) == ("signed", "denied")
    stress = impact["stress"]["entities"]
    assert stress["oracle"]["loss_mean_usd_after"] < stress["oracle"]["loss_mean_usd_before"]
    # the new contract is paid to nscale (due in 2026, before the as-of date: history, not risk)
    assert (stress["nscale"]["received_mean_usd_after"]
            > stress["nscale"]["received_mean_usd_before"])  # fmt: skip
    assert stress["aws"]["loss_mean_usd_after"] == 0  # the denied contract is out

    # nothing changed yet: the items wait for a person
    unchanged = load(url)
    assert set(unchanged.agreements["id"]) == set(before.agreements["id"])
    with Store.open(url) as store:
        judgements_before = store.table_counts()

    pending = items_by_type(url)
    for item in (nscale, oracle, aws):
        assert any(i["id"] == item["id"] for i in pending[str(item["type"])])
        for key in ("id", "type", "agreement_id", "payers", "payee", "kind", "field", "old",
                    "new", "claims"):  # fmt: skip
            assert key in item
        code, out, err = run(url, "review", "accept", str(item["id"]))
        assert code == 0, err
    with Store.open(url) as store:
        after_counts = store.table_counts()
    changed = {k for k in after_counts if after_counts[k] != judgements_before[k]}
    assert changed <= {"deals", "deal_claims", "review_decisions"}  # judgements only

    world = load(url)
    new = world.agreements[world.agreements["payee"] == "nscale"]
    new = new[new["amount_usd"] == 20e9].iloc[0]
    assert list(new["payers"]) == ["openai"]
    assert new["capacity_gw"] == 2
    assert set(new["claims"]) >= {"amount_usd", "capacity_gw"}
    deal = world.agreements.set_index("id").loc["openai-oracle"]
    assert deal["annual_usd"] == 35e9
    revisions = world.agreement_revisions
    annual = revisions[(revisions["agreement_id"] == "openai-oracle")
                       & (revisions["field"] == "annual")]  # fmt: skip
    assert sorted(annual["value"]) == [30e9, 35e9, 60e9]  # every figure, dated, with its claims
    assert annual.set_index("value").loc[35e9, "current"]
    aws_row = world.agreements.set_index("id").loc["openai-aws"]
    assert aws_row["latest_status"] == "denied"
    model = build_model(world, load_scenario("baseline"))
    assert "openai-aws" not in model.leg_agreement  # out of the simulation
    assert new["id"] in model.leg_agreement
    # common random numbers: every draw is keyed by what it is about, so the accepted news
    # leaves the draws of every parameter the two Worlds share unchanged
    old_model = build_model(before, load_scenario("baseline"))
    old_draws = standard(old_model, 200, seed=11)
    new_draws = standard(model, 200, seed=11)
    shared = set(old_draws) & set(new_draws)
    assert {p for p in shared if p.startswith(("revenue:", "margin:", "access:"))}
    for param in shared:
        assert np.array_equal(old_draws[param], new_draws[param]), param
    assert set(new_draws) - set(old_draws)  # the new agreement brings its own parameters


def test_a_rejected_item_stays_out(initialised: str) -> None:
    url = initialised
    assert run(url, "ingest", str(NEWS / "nscale-openai.txt"))[0] == 0
    item = next(i for i in items_by_type(url)["candidate"] if i["payee"] == "nscale")
    code, _, err = run(url, "review", "reject", str(item["id"]), "--reason", "a rumour")
    assert code == 0, err
    assert all(i["id"] != item["id"] for i in items_by_type(url)["candidate"])
    assert "nscale" not in set(load(url).agreements["payee"]) - {"nscale"} or not any(
        load(url).agreements["amount_usd"] == 20e9
    )
    code, _, err = run(url, "review", "reject", str(item["id"]), "--reason", "again")
    assert code == 2
    assert "no pending review item" in err


def test_bad_evidence_is_left_pending_with_a_reason(initialised: str, tmp_path: Path) -> None:
    url = initialised
    (tmp_path / "loop.txt").write_text(
        "Title: A loop\nPublished: 2026-10-01\n---\n"
        "OpenAI will pay OpenAI $5 billion a year for compute, the company said.\n"
        "Nscale signed a $3 billion contract with Acme Cloud Holdings Inc, the companies said.\n",
        encoding="utf-8",
    )
    assert run(url, "ingest", str(tmp_path / "loop.txt"))[0] == 0
    with Store.open(url) as store:
        counts = store.table_counts()
    items = [i for kind in items_by_type(url).values() for i in kind]
    flagged = [i for i in items if i["problems"]]
    for item in flagged:
        code, _, err = run(url, "review", "accept", str(item["id"]))
        assert code == 2
        assert "cannot be accepted" in err
    with Store.open(url) as store:
        assert store.table_counts() == counts  # refused: nothing written
    code, _, err = run(url, "review", "reject", "0000000000000000", "--reason", "x")
    assert code == 2
    assert "no pending review item" in err
    code, _, err = run(url, "review", "reject", str(items[0]["id"]), "--reason", " ")
    assert code == 2
    assert "needs a reason" in err


def test_the_world_export_keeps_its_contract(initialised: str, tmp_path: Path) -> None:
    out = tmp_path / "world.json"
    code, _, err = run(initialised, "world", "export", "--format", "json", "--out", str(out))
    assert code == 0, err
    tables = json.loads(out.read_text())["tables"]
    oracle = next(a for a in tables["agreements"] if a["id"] == "openai-oracle")
    assert oracle["payers"] == ["openai"]
    assert set(oracle["claims"]) >= {"amount_usd", "annual_usd", "capacity_gw"}
    assert all(isinstance(ids, list) for ids in oracle["claims"].values())
    assert {"agreement_parties", "agreement_conditions", "agreement_status",
            "agreement_revisions", "agreement_claims"} <= set(tables)  # fmt: skip


def test_as_of_leaves_later_evidence_out(initialised: str) -> None:
    url = initialised
    code, out, _ = run(url, "world", "show", "--json", "--as-of", "2025-08-01")
    assert code == 0
    early = json.loads(out)["tables"]["agreements"]
    oracle = next(a for a in early if a["id"] == "openai-oracle")
    assert oracle["annual_usd"] == 30e9  # the WSJ's $300B (September 2025) is not out yet
    assert all(a["id"] != "nvidia-openai-equity" for a in early)  # closed March 2026
    code, out, _ = run(url, "stress", "baseline", "--scenarios", "50", "--json",
                       "--as-of", "2025-08-01")  # fmt: skip
    assert code == 0
    assert json.loads(out)["as_of"] == "2025-08-01"
