"""Command-line tables at 80 columns: the amounts and the ids that other commands take are
shown in full; text gives way instead."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import stargate
from stargate.cli import app
from stargate.ledger.store import Store


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("cli80") / "demo.sqlite")
    assert CliRunner().invoke(app, ["--db", db, "init"]).exit_code == 0
    return db


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_claims_show_every_amount_at_80_columns(demo: str) -> None:
    text = _run("--db", demo, "claims", "--entity", "softbank")
    lines = text.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    with Store.open(demo) as store:
        claims = store.claims(entity="softbank")
    shown = [c for c in claims if c.claim.quantity is not None]
    assert shown
    for c in shown:
        assert str(c.claim.quantity) in text, str(c.claim.quantity)
        assert c.id[:8] in text


def test_world_show_keeps_ids_and_amounts_whole(demo: str, tmp_path: Path) -> None:
    text = _run("--db", demo, "world", "show")
    assert max(len(line.rstrip()) for line in text.splitlines()) <= 80
    world = stargate.load(demo)
    for row in world.agreements.to_dict("records"):
        assert f" {row['id']} " in text, row["id"]
        assert f"${row['amount_usd'] / 1e9:,.1f}B" in text
