"""Stress runs from the dashboard: validated like scenario files, run in the background, kept
and shareable by URL, with the same numbers as `stargate stress` for the same seed."""

from __future__ import annotations

import time
from typing import Any

from click.testing import CliRunner
from fastapi.testclient import TestClient

from stargate.cli import app
from stargate.web.jobs import fan, wilson


def wait_for(client: TestClient, url: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run: dict[str, Any] = client.get(url).json()
        if run["status"] in {"done", "failed"}:
            return run
        time.sleep(0.1)
    raise AssertionError(f"{url} did not finish in {timeout} s")


def test_a_run_matches_the_cli_for_the_same_seed(
    client: TestClient, demo_db: str, bearer: dict[str, str]
) -> None:
    started = client.post("/api/stress/runs", json={"scenario": "demand-shortfall",
                          "scenarios": 400, "seed": 7}, headers=bearer)  # fmt: skip
    assert started.status_code == 202
    run = wait_for(client, started.json()["url"])
    assert run["status"] == "done"
    assert run["done"] == run["total"] == 400
    assert run["user"] == "reviewer"
    cli = CliRunner().invoke(app, ["--db", demo_db, "stress", "demand-shortfall", "--scenarios",
                                   "400", "--seed", "7", "--json"])  # fmt: skip
    assert cli.exit_code == 0, cli.output
    import json

    expected = json.loads(cli.stdout)
    for key in ("scenario", "scenarios", "seed", "horizon", "entities", "stranded_gw",
                "unpaid_usd", "circular_share", "reference"):  # fmt: skip
        assert run["result"][key] == expected[key], key
    page = client.get(started.json()["page"])
    assert page.status_code == 200
    assert 'id="fan"' in page.text
    assert 'id="losses"' in page.text
    assert 'id="waterfall"' in page.text  # why: the reference run's cash, item by item
    why = client.get(f"/api/stress/runs/{run['id']}?entity=oracle").json()["waterfall"]
    assert why["entity"] == "oracle"
    assert any(row["item"] == "openai-oracle" for row in why["rows"])
    assert len(why["shortfall"]) == len(why["years"])
    listed = client.get("/api/stress").json()["runs"]
    assert listed[0]["id"] == run["id"]
    assert listed[0]["status"] == "done"


def test_runs_are_kept_across_restarts(demo_db: str, bearer: dict[str, str]) -> None:
    from stargate.web.app import Settings, create_app

    with TestClient(create_app(Settings(db=demo_db, precompute=False))) as first:
        started = first.post("/api/stress/runs", json={"scenario": "baseline", "scenarios": 30},
                             headers=bearer).json()  # fmt: skip
        done = wait_for(first, started["url"])
    with TestClient(create_app(Settings(db=demo_db, precompute=False))) as second:
        assert second.get(started["url"]).json() == done


def test_bad_scenarios_are_refused_naming_the_field(
    client: TestClient, bearer: dict[str, str]
) -> None:
    for body, field in (
        ({"scenario": "baseline", "overrides": {"clearing": {"alpha": 2}}}, "clearing.alpha"),
        ({"scenario": "baseline", "overrides": {"horizon": [2030, 2025]}}, "horizon"),
        ({"scenario": "baseline", "overrides": {"colour": "red"}}, "colour"),
        ({"scenario": "baseline", "scenarios": 1_000_000}, "scenarios"),
        ({"scenario": "baseline", "scenarios": 100, "overrides": {"period": "month"}}, "period"),
    ):
        response = client.post("/api/stress/runs", json=body, headers=bearer)
        assert response.status_code == 422, body
        assert field in response.json()["error"]["message"], response.json()
    unknown = client.post("/api/stress/runs", json={"scenario": "doom"}, headers=bearer)
    assert unknown.status_code == 404
    assert client.get("/api/stress").json()["runs"] == []


def test_the_form_runs_a_scenario(client: TestClient, token: str) -> None:
    from tests.web.test_writes import login

    from stargate.finance.scenarios import builtin
    from stargate.web.forms import form_values

    csrf = login(client, token)
    values = {**form_values(builtin("softbank-short")), "scenarios": "60", "csrf": csrf}
    response = client.post("/stress", data=values, follow_redirects=False)
    assert response.status_code == 303
    run = wait_for(client, "/api" + response.headers["location"])
    assert run["status"] == "done"
    assert run["name"] == "softbank-short"
    bad = client.post("/stress", data={**values, "clearing.alpha": "lots"})
    assert bad.status_code == 422
    assert "clearing.alpha" in bad.text


def test_wilson_interval() -> None:
    # Wilson (1927); for 0 of 100 the 90% interval is [0, z^2/(n+z^2)].
    low, high = wilson(0.0, 100)
    assert low == 0.0
    assert abs(high - 1.6449**2 / (100 + 1.6449**2)) < 1e-4
    low, high = wilson(0.5, 10_000)
    assert abs((high - low) / 2 - 1.6449 * 0.005) < 1e-4
    assert wilson(1.0, 50)[1] == 1.0


def test_fan_lists_the_likeliest_defaulters_first() -> None:
    result = {"scenarios": 100, "entities": {
        "a": {"p_default": 0.2, "p_default_by_year": {"2026": 0.1, "2025": 0.0}},
        "b": {"p_default": 0.9, "p_default_by_year": {"2025": 0.5, "2026": 0.9}},
        "c": {"p_default": 0.0, "p_default_by_year": {"2025": 0.0, "2026": 0.0}},
    }}  # fmt: skip
    series = fan(result)
    assert [s["entity"] for s in series] == ["b", "a"]
    assert series[1]["years"] == [2025, 2026]
    assert series[1]["p"] == [0.0, 0.1]
    assert all(lo <= p <= hi for s in series for lo, p, hi in zip(s["low"], s["p"], s["high"],
                                                                  strict=True))  # fmt: skip


def test_a_quarterly_run_from_the_api(client: TestClient, bearer: dict[str, str]) -> None:
    started = client.post("/api/stress/runs", json={"scenario": "baseline", "scenarios": 40,
                          "overrides": {"period": "quarter"}}, headers=bearer)  # fmt: skip
    assert started.status_code == 202
    run = wait_for(client, started.json()["url"])
    assert run["status"] == "done", run["error"]
    assert run["scenario"]["period"] == "quarter"
    assert list(run["result"]["entities"]["openai"]["p_default_by_year"]) == [
        str(y) for y in range(2026, 2036)]  # fmt: skip
