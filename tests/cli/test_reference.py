"""The generated CLI reference: current, and complete down to nested commands."""

from __future__ import annotations

from pathlib import Path

import click

from stargate.cli import app
from stargate.cli.reference import render

REPO = Path(__file__).resolve().parents[2]


def test_cli_reference_is_current() -> None:
    assert (REPO / "docs" / "cli.md").read_text(encoding="utf-8") == render(), (
        "docs/cli.md is stale: run `make docs`"
    )


# -- separate processes --------------------------------------------------------------------


def _leaves(group: click.Group, prefix: str) -> list[str]:
    found = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None
        path = f"{prefix} {name}"
        found.append(path)
        if isinstance(command, click.Group):
            found += _leaves(command, path)
    return found


def test_every_command_and_nested_command_is_documented() -> None:
    page = render()
    commands = _leaves(app, "stargate")
    assert {"stargate compute train", "stargate token create", "stargate token revoke",
            "stargate world show", "stargate world export"} <= set(commands)  # fmt: skip
    for path in commands:
        assert f"`{path}`" in page, f"{path} missing from docs/cli.md"
