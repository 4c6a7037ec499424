"""``stargate circularity`` and ``stargate world show`` with ``--json``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from stargate.cli import app


def test_circularity_and_world_show_commands(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    result = CliRunner().invoke(app, ["--db", db, "circularity", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert {"cycles", "vendors"} <= set(data)
    shown = CliRunner().invoke(app, ["--db", db, "world", "show", "--json"])
    assert json.loads(shown.stdout)["schema"]["agreements"][0]["name"] == "id"
