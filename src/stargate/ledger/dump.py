"""Copy the ledger's public tables, and extra tables given as data frames, into a new SQLite
file (the Datasette publication). Tokens, sessions, stress runs and the migration stamp stay
private."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, insert, select

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


def dump_sqlite(
    store: Store, path: Path, extra: Mapping[str, pd.DataFrame], facts: Mapping[str, str]
) -> dict[str, int]:
    """Write the public tables, ``extra`` (name -> frame) and an ``export_metadata`` key/value
    table of ``facts`` into the new SQLite file ``path``; returns the rows written per table."""
    counts: dict[str, int] = {}
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
            for name, frame in extra.items():
                frame.to_sql(name, target, index=False)
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
