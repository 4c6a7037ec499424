"""Stress runs kept in the ledger, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import json

from stargate.ledger.store import Store


def test_a_run_is_recorded_updated_and_listed(store: Store) -> None:
    scenario = json.dumps({"name": "baseline", "scenarios": 10})
    store.runs.add("a" * 32, scenario, 10, "alice")
    store.runs.add("b" * 32, scenario, 10, "bob")
    store.runs.update("a" * 32, status="running", done=4)
    run = store.runs.get("a" * 32)
    assert run is not None
    assert (run["status"], run["done"], run["name"], run["finished_at"]) == (
        "running", 4, "baseline", None,
    )  # fmt: skip
    store.runs.update("a" * 32, status="done", result={"scenarios": 10}, finished=True)
    done = store.runs.get("a" * 32)
    assert done is not None
    assert done["result"] == {"scenarios": 10}
    assert done["finished_at"]
    store.runs.abandon_unfinished("stopped")
    abandoned = store.runs.get("b" * 32)
    assert abandoned is not None
    assert (abandoned["status"], abandoned["error"]) == ("failed", "stopped")
    listed = store.runs.recent()
    assert {r["id"] for r in listed} == {"a" * 32, "b" * 32}
    assert all("result" not in r and "scenario" not in r for r in listed)
    assert store.runs.get("c" * 32) is None
    assert [r["id"] for r in store.runs.recent(by="bob")] == ["b" * 32]
    assert [r["id"] for r in store.runs.recent(exclude=("bob",))] == ["a" * 32]
