"""The ``stargate`` command: the root group, ``main()``, and the verb groups it registers.

Each verb module (:mod:`.ledger`, :mod:`.extract`, :mod:`.world`, :mod:`.calculators`,
:mod:`.clear`, :mod:`.stress`, :mod:`.calibrate`, :mod:`.web`, :mod:`.publish`) defines its
commands on its own and
imports only :mod:`.common`; nothing imports back up. Errors the package raises on bad input
(:class:`stargate.errors.StargateError`) are caught here, once: ``error: ...`` and exit 2.
"""

from __future__ import annotations

import logging
from typing import Any

import click

from stargate import __version__
from stargate.cli import (
    calculators,
    calibrate,
    clear,
    extract,
    ledger,
    publish,
    review,
    stress,
    web,
    world,
)
from stargate.cli.common import fail
from stargate.errors import StargateError


class _Root(click.Group):
    """The root group: one place that turns a :class:`StargateError` into a clean exit."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StargateError as error:
            fail(str(error), error.exit_code)


@click.group(
    cls=_Root, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(
    __version__, "--version", prog_name="stargate", message="%(prog)s %(version)s"
)
@click.option(
    "--db",
    metavar="PATH_OR_URL",
    help="Store: a SQLite file path or any SQLAlchemy URL. "
    "Default: $STARGATE_DATABASE_URL, else stargate.sqlite in the user data directory.",
)
@click.pass_context
def app(context: click.Context, db: str | None) -> None:
    """An open, sourced, executable model of the AI-infrastructure build-out."""
    context.obj = db
    # Libraries used for reading documents log parse noise that is not the user's concern.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


for _module in (ledger, extract, world, review, calculators, clear, stress, calibrate, web,
                publish):  # fmt: skip
    for _command in _module.COMMANDS:
        app.add_command(_command)


def main() -> None:
    app(prog_name="stargate")


__all__ = ["app", "main"]
