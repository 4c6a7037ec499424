"""Web fixtures: the demo store (the bundled corpus, built once per test process and copied per
test so writes never leak), an in-process client, and a token."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from stargate.cli import app
from stargate.ledger.store import Store
from stargate.web.app import Settings, create_app


def init_store(url: str) -> None:
    result = CliRunner().invoke(app, ["--db", url, "init"])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    init_store(str(path))
    return path


@pytest.fixture
def demo_db(demo_file: Path, tmp_path: Path) -> str:
    copy = tmp_path / "store.sqlite"
    shutil.copy(demo_file, copy)
    return str(copy)


@pytest.fixture
def client(demo_db: str) -> Iterator[TestClient]:
    settings = Settings(
        db=demo_db,
        max_stress_scenarios=5_000,
        max_body_bytes=64 * 1024,
        results_scenarios=200,
        time_travel_scenarios=40,
        precompute=False,
    )  # computed on first view, small: tests stay quick
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def wait_for_results(client: TestClient, timeout: float = 240.0) -> list[dict[str, object]]:
    """Every cached built-in result and the time travel, once ready (they compute in the
    background; the first run in a process also compiles the simulator's kernels)."""
    deadline = time.monotonic() + timeout
    while True:
        items: list[dict[str, object]] = client.get("/api/scenarios").json()
        travel = client.get("/api/timetravel").json()["status"]
        statuses = {str(i["status"]) for i in items} | {travel}
        assert "failed" not in statuses, items
        if statuses == {"ready"}:
            return items
        assert time.monotonic() < deadline, statuses
        time.sleep(0.5)


@pytest.fixture
def settled(client: TestClient) -> TestClient:
    """The client once the cached results are ready (pages then stop changing)."""
    wait_for_results(client)
    return client


@pytest.fixture
def token(demo_db: str) -> str:
    with Store.open(demo_db) as store:
        return store.tokens.create("reviewer")


@pytest.fixture
def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
