"""What every verb module of the command line shares: the consoles, ``--json``, opening the
store and the World, printing JSON, and failing with a clear message.

Only ``click`` is imported at start; rich, SQLAlchemy and the numerical stack load inside the
commands that use them, so ``stargate --help`` stays fast.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

if TYPE_CHECKING:
    from rich.console import Console

    from stargate.ledger.store import Store
    from stargate.world.world import World

F = TypeVar("F", bound=Callable[..., Any])


class _LazyConsole:
    """A rich Console made on first use (rich costs ~50 ms to import)."""

    def __init__(self, *, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    @property
    def console(self) -> Console:
        """The real Console, for rich objects that take one (progress bars)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self._stderr, highlight=False, soft_wrap=True)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.console, name)


_out = _LazyConsole(stderr=False)
_err = _LazyConsole(stderr=True)
out: Console = _out  # type: ignore[assignment]
err: Console = _err  # type: ignore[assignment]


def stderr_console() -> Console:
    """The real standard-error Console (rich's progress bars need the object itself)."""
    return _err.console


def json_option(function: F) -> F:
    """The ``--json`` flag every read command has."""
    return click.option(
        "--json", "as_json_", is_flag=True, help="Print one JSON document instead of tables."
    )(function)


def database() -> str | None:
    """The ``--db`` value given to the root command (None: the default store)."""
    value: str | None = click.get_current_context().find_root().obj
    return value


def open_store() -> Store:
    """The store named by ``--db`` (migrated when needed)."""
    from stargate.ledger.store import Store

    return Store.open(database())


def as_of_option(function: F) -> F:
    """``--as-of DATE``: the World as the evidence stated up to that date makes it."""
    return click.option(
        "--as-of",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        help="The World as of this date (YYYY-MM-DD; default: today): evidence stated later is "
        "left out.",
    )(function)


def rule_option(function: F) -> F:
    """``--rule``: the resolution rule (versioned; both stay selectable)."""
    return click.option(
        "--rule",
        type=click.Choice(["resolve-1", "resolve-2"]),
        default="resolve-2",
        show_default=True,
        help="Resolution rule: resolve-2 reads later figures as revisions; resolve-1 does not.",
    )(function)


def day(value: datetime | None) -> date | None:
    """The date of a ``--as-of`` value."""
    return None if value is None else value.date()


def load_world(as_of: datetime | date | None = None, rule: str = "resolve-2") -> World:
    """The World resolved from the store named by ``--db``, as of a date (default today)."""
    from stargate.world.world import load

    when = as_of.date() if isinstance(as_of, datetime) else as_of
    return load(database(), as_of=when, rule=rule)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``error: message`` (escaped: it may hold file names or text) and exit."""
    from rich.markup import escape

    err.print(f"[red]error:[/red] {escape(printable(message))}")
    sys.exit(code)


def emit_json(data: Any) -> None:
    """Print ``data`` as one JSON document (through the package's one JSON cleaner)."""
    from stargate.jsonable import jsonable

    sys.stdout.write(json.dumps(jsonable(data), ensure_ascii=False, indent=2) + "\n")


_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: object) -> str:
    """``text`` safe for a terminal: control characters (escape sequences, carriage returns,
    bidirectional overrides) become ``\\xNN`` / ``\\uNNNN``; undecodable file-name bytes become
    ``\\xNN``. Newlines and tabs are kept."""
    value = str(text)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        errors = "surrogateescape" if _escapable(value) else "backslashreplace"
        value = value.encode("utf-8", errors).decode("utf-8", "backslashreplace")
    return _CONTROLS.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), value)


def _escapable(value: str) -> bool:
    return all(not 0xD800 <= ord(c) <= 0xDFFF or 0xDC80 <= ord(c) <= 0xDCFF for c in value)


def breakdown(counts: dict[str, int]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in counts.items())
