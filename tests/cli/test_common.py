"""What every command shares: --version, and bad input ending in one `error:` line, exit 2."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from stargate import __version__
from stargate.cli import app


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"stargate {__version__}"


def test_stargate_errors_are_one_line_and_exit_2(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    cases = [
        (["--db", db, "explain", "Nobody Inc"], "no entity called"),
        (["--db", db, "claims", "--entity", "Nobody Inc"], "no entity called"),
        (["--db", "nonsense://x", "summary"], "cannot use the database URL"),
        (["--db", db, "capacity", "--power-gw", "1", "--chip", "NoSuchChip"], "NoSuchChip"),
        (["--db", db, "stress", str(tmp_path / "missing.yaml")], "missing.yaml"),
    ]
    for argv, message in cases:
        result = CliRunner().invoke(app, argv, catch_exceptions=False)
        assert result.exit_code == 2, (argv, result.stdout, result.stderr)
        assert result.stderr.startswith("error:"), (argv, result.stderr)
        assert message in result.stderr, (argv, result.stderr)
        assert "Traceback" not in result.stderr
