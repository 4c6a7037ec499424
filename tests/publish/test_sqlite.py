"""`stargate export --format sqlite`: one self-contained file with the ledger and the World,
exact money, no secrets, metadata for Datasette; refusals leave nothing behind."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from stargate.cli import app
from stargate.ledger.store import Store


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_the_export_holds_the_ledger_and_the_world(store_url: str, tmp_path: Path) -> None:
    assert run("--db", store_url, "init")[0] == 0
    with Store.open(store_url) as store:
        secret = store.tokens.create("someone")
        claims = store.claims()
    out = tmp_path / "stargate.sqlite"
    code, output = run("--db", store_url, "export", "--format", "sqlite", "--out", str(out),
                       "--json")  # fmt: skip
    assert code == 0, output
    report = json.loads(output)
    with sqlite3.connect(out) as db:
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"claims", "sources", "entities", "world_agreements", "world_resolved"} <= names
        assert not names & {"api_tokens", "stress_runs", "alembic_version"}
        assert db.execute("SELECT count(*) FROM claims").fetchone()[0] == len(claims)
        assert report["rows"]["claims"] == len(claims)
        amounts = dict(db.execute("SELECT id, amount FROM claims"))
        assert all(
            Decimal(amounts[c.id]) == c.claim.amount for c in claims if c.claim.amount is not None
        )  # exact, as text
        assert all(amounts[c.id] is None for c in claims if c.claim.amount is None)  # coded
        assert secret not in out.read_bytes().decode("latin-1")
        meta = dict(db.execute("SELECT key, value FROM export_metadata"))
        assert "license" in meta
        assert meta["stargate_version"]
    datasette = json.loads((tmp_path / "stargate.sqlite.metadata.json").read_text())
    columns = datasette["databases"]["*"]["tables"]["world_agreements"]["columns"]
    assert "[USD]" in columns["amount_usd"]


def test_an_existing_file_is_kept_unless_forced(tmp_path: Path) -> None:
    db = str(tmp_path / "store.sqlite")
    assert run("--db", db, "init")[0] == 0
    out = tmp_path / "out.sqlite"
    out.write_bytes(b"precious")
    code, output = run("--db", db, "export", "--format", "sqlite", "--out", str(out))
    assert code != 0
    assert "exists" in output
    assert out.read_bytes() == b"precious"
    assert run("--db", db, "export", "--format", "sqlite", "--out", str(out), "--force")[0] == 0
    assert out.read_bytes().startswith(b"SQLite format 3")
    missing = tmp_path / "no" / "such" / "out.sqlite"
    code, output = run("--db", db, "export", "--format", "sqlite", "--out", str(missing))
    assert code != 0
    assert "no folder" in output
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".stargate")) == []


def test_the_export_opens_in_datasette(tmp_path: Path) -> None:
    import asyncio

    from datasette.app import Datasette

    db = str(tmp_path / "store.sqlite")
    assert run("--db", db, "init")[0] == 0
    out = tmp_path / "stargate.sqlite"
    assert run("--db", db, "export", "--format", "sqlite", "--out", str(out))[0] == 0
    metadata = json.loads((tmp_path / "stargate.sqlite.metadata.json").read_text())

    async def browse() -> tuple[int, list[dict[str, object]], str]:
        datasette = Datasette([str(out)], metadata=metadata)
        rows = await datasette.client.get("/stargate/world_agreements.json?_shape=array&_size=5")
        home = await datasette.client.get("/")
        return rows.status_code, rows.json(), home.text

    status, rows, home = asyncio.run(browse())
    assert status == 200
    assert len(rows) == 5
    assert rows[0]["amount_usd"] > 0
    assert "CC BY" in home  # the licence shows on every page

    async def linked() -> tuple[list[dict[str, object]], int, int]:
        datasette = Datasette([str(out)], metadata=metadata)
        payments = await datasette.client.get(
            "/stargate/world_payments.json?_shape=array&_size=3&_labels=on"
        )
        page = await datasette.client.get("/stargate/world_agreements")
        row = await datasette.client.get("/stargate/world_agreements/openai-oracle")
        return payments.json(), page.status_code, row.status_code

    payments, page, row = asyncio.run(linked())
    assert (page, row) == (200, 200)  # HTML pages with facets and units render; rows by key
    first = payments[0]
    assert first["agreement_id"]["label"]  # a foreign key, followed to the agreement's name
    assert first["payer"]["label"]


def test_the_export_has_keys_that_hold(tmp_path: Path) -> None:
    """Primary and foreign keys: claims -> sources, agreement_* and payments -> agreements,
    parties -> entities, the claims behind an agreement -> the ledger's claims; every declared
    foreign key holds (SQLite's foreign_key_check finds nothing)."""
    db = str(tmp_path / "store.sqlite")
    assert run("--db", db, "init")[0] == 0
    out = tmp_path / "stargate.sqlite"
    assert run("--db", db, "export", "--format", "sqlite", "--out", str(out))[0] == 0
    with sqlite3.connect(out) as con:

        def keys(table: str) -> set[tuple[str, str, str]]:
            return {(r[3], r[2], r[4]) for r in con.execute(f"PRAGMA foreign_key_list({table})")}

        def primary(table: str) -> list[str]:
            rows = con.execute(f"PRAGMA table_info({table})").fetchall()
            return [r[1] for r in sorted(rows, key=lambda r: r[5]) if r[5]]

        assert ("source_id", "sources", "id") in keys("claims")
        for table in ("world_agreement_parties", "world_agreement_conditions",
                      "world_agreement_status", "world_agreement_revisions",
                      "world_agreement_claims", "world_payments"):  # fmt: skip
            assert ("agreement_id", "world_agreements", "id") in keys(table), table
        assert ("claim_id", "claims", "id") in keys("world_agreement_claims")
        assert ("entity", "world_entities", "id") in keys("world_agreement_parties")
        assert ("id", "sources", "id") in keys("world_sources")
        assert primary("world_agreements") == ["id"]
        assert primary("world_entities") == ["id"]
        assert primary("world_agreement_parties") == ["agreement_id", "entity", "role"]
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        parties = con.execute("SELECT count(*) FROM world_agreement_parties").fetchone()[0]
        assert parties > 0
    meta = json.loads((tmp_path / "stargate.sqlite.metadata.json").read_text())
    tables = meta["databases"]["*"]["tables"]
    assert tables["world_agreements"]["facets"] == [
        "kind",
        "latest_status",
        "amount_state",
        "payee",
    ]
    assert tables["world_agreements"]["label_column"] == "name"
    assert tables["world_payments"]["units"]["amount_usd"] == "USD"
    assert "kind" in tables["claims"]["facets"]


def test_datasette_comes_with_the_main_install() -> None:
    """The README's `datasette stargate.sqlite --metadata ...` works after `make run`, which
    installs the package without its dev extras."""
    from importlib.metadata import requires

    needed = requires("stargate") or []
    assert any(r.startswith("datasette") and "extra ==" not in r for r in needed), needed


def test_the_readmes_datasette_commands_work(tmp_path: Path) -> None:
    """The two commands the README gives after `make run`, run as written (the store from the
    environment, as `make run` leaves it; Datasette asked for one page instead of serving)."""
    import os
    import re
    import shlex
    import subprocess
    import sys

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"Datasette comes with the install.*?```sh\n(.*?)```", readme, re.S)
    assert block, "the README shows the Datasette commands"
    commands = [shlex.split(line) for line in block.group(1).splitlines() if line.strip()]
    assert [c[0] for c in commands] == [".venv/bin/stargate", ".venv/bin/datasette"]
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    assert run("--db", db, "init")[0] == 0
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "STARGATE_DATABASE_URL": db}
    for command in commands:
        program = str(bin_dir / Path(command[0]).name)
        extra = ["--get", "/stargate/world_agreements.json?_shape=array&_size=3"]
        done = subprocess.run(
            [program, *command[1:], *(extra if "datasette" in program else [])],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert len(rows) == 3
    assert all(r["amount_usd"] is None or r["amount_usd"] > 0 for r in rows)
    assert (tmp_path / "stargate.sqlite.metadata.json").exists()
