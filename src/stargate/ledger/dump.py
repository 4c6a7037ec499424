"""Copy the ledger's public tables, and extra tables given as data frames, into a new SQLite
file (the Datasette publication). Tokens, sessions, stress runs and the migration stamp stay
private."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    create_engine,
    insert,
    select,
)

from stargate.ledger import tables

if TYPE_CHECKING:
    import pandas as pd

    from stargate.ledger.store import Store

PRIVATE = frozenset({"api_tokens", "sessions", "stress_runs", "alembic_version"})


def public_tables() -> dict[str, dict[str, object]]:
    """Each public ledger table's description and column comments (for the metadata file)."""
    return {
        name: {"description": table.comment or f"ledger table {name}",
               "columns": {c.name: c.comment for c in table.columns if c.comment}}
        for name, table in tables.metadata.tables.items() if name not in PRIVATE
    }  # fmt: skip


@dataclass(frozen=True, slots=True)
class Keys:
    """The keys of an extra table: its primary key columns, and foreign keys as
    ``(column, table, column)`` (to another extra table or a ledger table)."""

    primary: tuple[str, ...] = ()
    foreign: tuple[tuple[str, str, str], ...] = ()


def _type(dtype: Any) -> Any:
    kind = getattr(dtype, "kind", "O")
    return {"i": Integer, "u": Integer, "f": Float, "b": Boolean}.get(kind, Text)


def _value(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return None if type(value).__name__ in {"NAType", "NaTType"} else value


def _extra_table(name: str, frame: pd.DataFrame, keys: Keys, metadata: MetaData) -> Table:
    constraints: list[Any] = []
    if keys.primary:
        constraints.append(PrimaryKeyConstraint(*keys.primary))
    for column, table, target in keys.foreign:
        constraints.append(ForeignKeyConstraint([column], [f"{table}.{target}"]))
    columns = [Column(str(c), _type(frame[c].dtype)) for c in frame.columns]
    return Table(name, metadata, *columns, *constraints)


def dump_sqlite(
    store: Store, path: Path, extra: Mapping[str, pd.DataFrame], facts: Mapping[str, str],
    keys: Mapping[str, Keys] | None = None,
) -> dict[str, int]:  # fmt: skip
    """Write the public tables, ``extra`` (name -> frame, with ``keys`` by name: primary and
    foreign keys, which Datasette follows as links) and an ``export_metadata`` key/value
    table of ``facts`` into the new SQLite file ``path``; returns the rows written per table."""
    counts: dict[str, int] = {}
    keys = keys or {}
    engine = create_engine(f"sqlite:///{path}")
    try:
        public = [t for name, t in tables.metadata.tables.items() if name not in PRIVATE]
        tables.metadata.create_all(engine, tables=public)
        with store.engine.connect() as source, engine.begin() as target:
            for table in public:
                rows = [dict(r._mapping) for r in source.execute(select(table))]
                if rows:
                    target.execute(insert(table), rows)
                counts[table.name] = len(rows)
        with engine.begin() as target:
            built = MetaData()
            for reference in tables.metadata.tables.values():
                if reference.name not in PRIVATE:
                    reference.to_metadata(built)  # the ledger tables foreign keys may name
            made = {name: _extra_table(name, frame, keys.get(name, Keys()), built)
                    for name, frame in extra.items()}  # fmt: skip
            built.create_all(target, tables=list(made.values()))
            for name, frame in extra.items():
                rows = [{k: _value(v) for k, v in row.items()} for row in frame.to_dict("records")]
                if rows:
                    target.execute(insert(made[name]), rows)
                counts[name] = len(frame)
            target.exec_driver_sql(
                "CREATE TABLE export_metadata (key TEXT PRIMARY KEY, value TEXT)"
            )
            target.exec_driver_sql(
                "INSERT INTO export_metadata VALUES " + ", ".join(["(?, ?)"] * len(facts)),
                tuple(v for pair in facts.items() for v in pair),
            )
    finally:
        engine.dispose()
    return counts
