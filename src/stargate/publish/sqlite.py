"""Publish the ledger and the World as one self-contained SQLite file that opens in Datasette
(``datasette FILE --metadata FILE.metadata.json``).

The ledger's tables keep their schema (money as exact decimal text); the World's tables are
added as ``world_<name>`` with the units of ``SCHEMA`` in the metadata. Tokens and stress runs
are never exported. The file is written beside its target and renamed into place, so a failed
export leaves nothing half-written.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from stargate import __version__
from stargate.errors import StargateError
from stargate.jsonable import jsonable
from stargate.ledger.dump import dump_sqlite, public_tables
from stargate.ledger.store import Store
from stargate.world.world import SCHEMA, World

LICENSE = "Article texts: their publishers' terms (quoted for review); curated data: CC BY 4.0"


class PublishError(StargateError, RuntimeError):
    """The export could not be written; nothing was left at the target."""


def _metadata(world: World) -> dict[str, Any]:
    world_tables = {
        f"world_{name}": {
            "description": f"The World's {name} table (resolved from the ledger and curated data)",
            "columns": {c.name: f"{c.description}" + (f" [{c.unit}]" if c.unit else "")
                        for c in columns},
            "units": {c.name: c.unit for c in columns if c.unit and c.unit != "param units"},
        }
        for name, columns in SCHEMA.items()
    }  # fmt: skip
    ledger_tables = public_tables()
    return {
        "title": "stargate: the AI-infrastructure build-out, sourced",
        "description": "Claims extracted from news with their quotes and sources, and the model "
        "resolved from them. Every number in world_resolved lists its supporting claim ids.",
        "license": LICENSE,
        "source": "stargate ledger",
        "databases": {"*": {"tables": {**ledger_tables, **world_tables}}},
    }


def flat(frame: pd.DataFrame) -> pd.DataFrame:
    """List and mapping cells as JSON text (SQLite and CSV hold scalars)."""
    copy = frame.copy()
    for column in copy.columns:
        if copy[column].map(lambda v: isinstance(v, list | dict | tuple)).any():
            copy[column] = copy[column].map(
                lambda v: (
                    json.dumps(jsonable(v), ensure_ascii=False)
                    if isinstance(v, list | dict | tuple)
                    else v
                )
            )
    return copy


def publish(store: Store, world: World, out: Path, *, force: bool = False) -> dict[str, Any]:
    """Write ``out`` (SQLite) and ``out.metadata.json``; returns the row counts written."""
    if out.exists() and not force:
        raise PublishError(f"{out} exists; pass --force to replace it")
    if out.parent and not out.parent.exists():
        raise PublishError(f"no folder {out.parent}")
    fd, tmp_name = tempfile.mkstemp(prefix=".stargate-export-", suffix=".sqlite", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        meta = _metadata(world)
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        facts = {"title": meta["title"], "license": LICENSE, "stargate_version": __version__,
                 "exported_at": stamp, "store": store.url}  # fmt: skip
        frames = {f"world_{name}": flat(frame) for name, frame in world.tables.items()}
        counts = dump_sqlite(store, tmp, frames, facts)
        os.replace(tmp, out)
    except Exception as error:
        tmp.unlink(missing_ok=True)
        if isinstance(error, PublishError):
            raise
        raise PublishError(f"cannot write {out}: {type(error).__name__}: {error}") from error
    (out.parent / f"{out.name}.metadata.json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return counts
