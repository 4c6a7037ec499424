"""The suite never creates or touches the user's own data directory (issue 15, item 7): the
default store of every command it runs lies in the suite's temporary folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import SUITE_DATA, USER_DATA_DIR, USER_DATA_EXISTED

from stargate.ledger import database


def test_the_default_store_is_the_suites() -> None:
    assert database.resolve_url() == f"sqlite:///{SUITE_DATA / 'default.sqlite'}"
    assert database.default_path().is_relative_to(SUITE_DATA)
    assert not database.default_path().is_relative_to(USER_DATA_DIR)


def test_a_command_without_db_writes_only_under_the_suite(tmp_path: Path) -> None:
    home = tmp_path / "home"  # a user whose data directory is known to be empty
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k != database.ENV_VAR} | {"HOME": str(home)}
    for command in (["init", "--no-corpus", "--no-extract"], ["summary", "--json"]):
        done = subprocess.run([sys.executable, "-m", "stargate", *command], env=env,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr
    created = SUITE_DATA / "xdg" / "stargate" / "stargate.sqlite"
    assert created.exists()  # the platform default, under the suite's XDG_DATA_HOME
    assert not (home / ".local" / "share" / "stargate").exists()
    if not USER_DATA_EXISTED:
        assert not USER_DATA_DIR.exists()
