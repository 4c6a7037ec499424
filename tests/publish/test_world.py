"""Exports of the World (JSON, CSV, GraphML, FollowTheMoney lines) through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from stargate.cli import app
from stargate.world.world import SCHEMA


@pytest.mark.parametrize("fmt", ["json", "csv", "graphml", "ftm"])
def test_exports(tmp_path: Path, fmt: str) -> None:
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    out = tmp_path / f"world.{fmt}"
    result = CliRunner().invoke(
        app, ["--db", db, "world", "export", "--format", fmt, "--out", str(out)]
    )
    assert result.exit_code == 0, result.stderr
    assert out.exists()
    if fmt == "json":
        assert set(json.loads(out.read_text())["tables"]) == set(SCHEMA)
    if fmt == "ftm":
        first = json.loads(out.read_text().splitlines()[0])
        assert {"id", "schema", "properties"} <= set(first)
