"""Risk for everyone: the built-in scenarios' results, computed in the background for the
current World, cached in the ledger (a restart reads them back), readable without a token,
recomputed when the World changes; the comparison of two scenarios or two dates, the time
travel, and why an entity defaults."""

from __future__ import annotations

import json
import re
from datetime import date

from click.testing import CliRunner
from fastapi.testclient import TestClient

from stargate.cli import app
from stargate.finance.scenarios import builtin_scenarios
from stargate.ledger.store import Store
from stargate.web.app import Settings, create_app
from stargate.web.results import CACHE_USER, month_ends

from .conftest import wait_for_results


def test_every_builtin_is_listed_and_computed_for_anyone(client: TestClient) -> None:
    first = client.get("/api/scenarios")
    assert first.status_code == 200  # no token
    names = [item["name"] for item in first.json()]
    assert sorted(names) == sorted(builtin_scenarios())
    assert names[:2] == ["baseline", "bubble-bursts"]  # what the overview shows, first
    assert {item["status"] for item in first.json()} <= {"ready", "computing"}
    for item in wait_for_results(client):
        assert item["status"] == "ready"
        entities = item["entities"]
        assert isinstance(entities, dict)
        assert {"openai", "oracle", "softbank", "coreweave"} <= set(entities)
        for figures in entities.values():
            assert set(figures) == {"p_default", "loss_mean_usd"}
            assert 0.0 <= figures["p_default"] <= 1.0
            assert figures["loss_mean_usd"] >= 0.0


def test_a_cached_result_is_the_clis_for_the_same_seed_and_count(
    client: TestClient, demo_db: str
) -> None:
    items = {item["name"]: item for item in wait_for_results(client)}
    run = client.get(f"/api/stress/runs/{items['bubble-bursts']['run']}").json()
    assert run["user"] == CACHE_USER
    cli = CliRunner().invoke(app, ["--db", demo_db, "stress", "bubble-bursts", "--scenarios",
                                   "200", "--json"])  # fmt: skip
    assert cli.exit_code == 0, cli.output
    expected = json.loads(cli.stdout)
    assert run["result"]["seed"] == expected["seed"]
    assert run["result"]["entities"] == expected["entities"]
    got = {name: f["p_default"] for name, f in items["bubble-bursts"]["entities"].items()}
    assert got == {name: f["p_default"] for name, f in expected["entities"].items()}


def test_results_survive_a_restart_and_follow_the_world(demo_db: str) -> None:
    settings = Settings(db=demo_db, results_scenarios=120, time_travel_scenarios=20,
                        precompute=False)  # fmt: skip
    with TestClient(create_app(settings)) as first:
        before = wait_for_results(first)
    with TestClient(create_app(settings)) as second:  # read back, not recomputed
        again = second.get("/api/scenarios").json()
        assert [i["status"] for i in again] == ["ready"] * len(again)
        assert again == before
        # the World changes (a reviewer rejects a claim the World counts): new results
        with Store.open(demo_db) as store:
            token = store.tokens.create("reviewer")
        claim = second.get("/api/claims", params={"entity": "openai", "size": 1}).json()
        reviewed = second.post(f"/api/claims/{claim['items'][0]['id']}/review",
                               json={"action": "reject"},
                               headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        assert reviewed.status_code == 201
        after = second.get("/api/scenarios").json()
        assert {i["run"] for i in after}.isdisjoint({i["run"] for i in before})
        assert wait_for_results(second)[0]["status"] == "ready"


def test_compare_gives_both_sides_and_the_differences(settled: TestClient) -> None:
    client = settled
    data = client.get("/compare.json", params={"a": "baseline", "b": "bubble-bursts"}).json()
    assert data == client.get("/api/compare?a=baseline&b=bubble-bursts").json()
    assert data["status"] == "ready"
    scenarios = {i["name"]: i for i in client.get("/api/scenarios").json()}
    assert data["entities"]
    for entity, row in data["entities"].items():
        for side, name in (("a", "baseline"), ("b", "bubble-bursts")):
            assert row[side]["p_default"] == scenarios[name]["entities"][entity]["p_default"]
            assert row[side]["loss_mean_usd"] == scenarios[name]["entities"][entity][
                "loss_mean_usd"]  # fmt: skip
        assert row["delta"]["p_default"] == row["b"]["p_default"] - row["a"]["p_default"]
        assert row["delta"]["loss_mean_usd"] == (
            row["b"]["loss_mean_usd"] - row["a"]["loss_mean_usd"]
        )
    worse = [e for e, row in data["entities"].items() if row["delta"]["p_default"] > 0]
    assert {"oracle", "softbank"} <= set(worse)  # the bust hurts them
    page = client.get("/compare?a=baseline&b=bubble-bursts")
    assert page.status_code == 200
    assert 'id="comparison"' in page.text
    assert client.get("/compare.json?a=baseline&b=nonsense").status_code == 404
    assert "nonsense" in client.get("/compare?a=nonsense&b=baseline").text


def test_compare_two_dates_of_one_scenario(settled: TestClient) -> None:
    data = settled.get("/api/compare", params={"a": "baseline", "b": "baseline",
                                               "a_as_of": "2025-06-30"}).json()  # fmt: skip
    assert data["a"]["as_of"] == "2025-06-30"
    assert data["b"]["as_of"] != "2025-06-30"
    later = settled.get("/api/compare", params={"a": "baseline", "b": "baseline",
                                                "a_as_of": "2099-01-01"})  # fmt: skip
    assert later.status_code == 404  # after the World's date


def test_time_travel_moves_month_by_month_with_its_documents(settled: TestClient) -> None:
    data = settled.get("/api/timetravel").json()
    assert data["status"] == "ready"
    months = data["months"]
    assert months == sorted(months)
    assert len(months) == len(data["steps"]) >= 12
    assert all(len(s["p"]) == len(months) for s in data["series"])
    moved = [s for s in data["steps"] if s["documents"]]
    assert moved
    claims = settled.get("/api/claims", params={"size": 200})
    assert claims.status_code == 200
    for step in moved[1:6]:  # each document after the first month has a claim first
        # counted in its month (the first month counts everything stated by then, and undated)
        for document in step["documents"]:
            source = settled.get(f"/api/sources/{document['id']}").json()
            stated = [c["stated_at"] or c["published_at"] or "" for c in source["claims"]]
            assert any(s[:7] == step["month"] or (len(s) == 4 and f"{s}-01" == step["month"])
                       for s in stated), (step["month"], stated)  # fmt: skip
    page = settled.get("/timetravel").text
    assert 'id="travel-chart"' in page
    assert f'id="month-{moved[0]["month"]}"' in page


def test_month_ends() -> None:
    assert month_ends("2025-11", date(2026, 2, 10)) == [
        date(2025, 11, 30), date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 10),
    ]  # fmt: skip
    assert month_ends("2026-02", date(2026, 2, 10)) == [date(2026, 2, 10)]


def test_an_entity_page_says_why_it_defaults(settled: TestClient) -> None:
    data = settled.get("/api/entities/oracle").json()
    risk = data["risk"]
    assert [r["scenario"] for r in risk["scenarios"]][:2] == ["baseline", "bubble-bursts"]
    assert all(r["status"] == "ready" and 0 <= r["p_default"] <= 1 for r in risk["scenarios"])
    why = risk["waterfall"]
    assert why["entity"] == "oracle"
    assert any(row["agreement"] == "openai-oracle" and row["side"] == "in" for row in why["rows"])
    assert risk["drivers"]
    for driver in risk["drivers"]:
        assert driver["paid_usd"] > 0
        assert driver["claims"]  # every driving agreement shows its quotes
    page = settled.get("/entities/oracle").text
    for anchor in ('id="risk"', 'id="why"', 'id="drivers"'):
        assert anchor in page
    outside = settled.get("/api/entities/bank-syndicate").json()
    assert outside["risk"] is None  # no balance sheet: outside capital, said so on the page


def test_the_overview_leads_with_who_loses(settled: TestClient) -> None:
    data = settled.get("/api/overview").json()["who_loses"]
    assert data["status"] == "ready"
    assert (data["a"]["name"], data["b"]["name"]) == ("baseline", "bubble-bursts")
    assert data["a"]["fan"]
    assert data["b"]["fan"]
    order = data["order"]
    top = data["entities"][order[0]]
    assert max(top["a"]["p_default"], top["b"]["p_default"]) >= max(
        max(r["a"]["p_default"], r["b"]["p_default"]) for r in data["entities"].values()
    )
    page = settled.get("/").text
    assert page.index('id="who-loses"') < page.index('id="headline"')
    assert 'id="risk"' in page


def test_a_bad_form_field_is_shown_in_place_with_the_input_kept(
    client: TestClient, token: str
) -> None:
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    client.post("/login", data={"token": token, "csrf": csrf.group(1)})
    form = client.get("/stress?scenario=bubble-bursts").text
    session_csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert session_csrf is not None
    fields = client.get("/api/stress", params={"scenario": "bubble-bursts"}).json()["values"]
    fields.update({"csrf": session_csrf.group(1), "clearing.alpha": "2", "scenarios": "300"})
    refused = client.post("/stress", data=fields, follow_redirects=False)
    assert refused.status_code == 422
    assert 'id="form-errors"' in refused.text
    assert re.search(r'id="field-clearing-alpha" class="[^"]*invalid', refused.text)
    assert "less than or equal to 1" in refused.text
    assert re.search(r'name="clearing.alpha"[^>]*value="2"', refused.text)  # kept
    assert re.search(r'name="scenarios"[^>]*value="300"', refused.text)
    assert '<span id="chosen">bubble-bursts</span>' in refused.text
