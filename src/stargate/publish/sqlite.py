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
from stargate.ledger.dump import Keys, dump_sqlite, public_tables
from stargate.ledger.store import Store
from stargate.world.world import SCHEMA, World

LICENSE = "Article texts: their publishers' terms (quoted for review); curated data: CC BY 4.0"


class PublishError(StargateError, RuntimeError):
    """The export could not be written; nothing was left at the target."""


def _agreement(column: str = "agreement_id") -> tuple[str, str, str]:
    return (column, "world_agreements", "id")


def _entity(column: str) -> tuple[str, str, str]:
    return (column, "world_entities", "id")


# Primary and foreign keys of the World's tables in the export (Datasette links rows by them):
# every agreement_* table and the payments point to their agreement, parties to entities, the
# claims behind an agreement to the ledger's claims, the World's sources to the ledger's.
WORLD_KEYS: dict[str, Keys] = {
    "world_entities": Keys(("id",)),
    "world_agreements": Keys(("id",), (_entity("payee"),)),
    "world_agreement_parties": Keys(("agreement_id", "entity", "role"),
                                    (_agreement(), _entity("entity"))),
    "world_agreement_conditions": Keys((), (_agreement(),)),
    "world_agreement_status": Keys((), (_agreement(),)),
    "world_agreement_revisions": Keys((), (_agreement(),)),
    "world_agreement_claims": Keys(("agreement_id", "column", "claim_id"),
                                   (_agreement(), ("claim_id", "claims", "id"))),
    "world_payments": Keys((), (_agreement(), _entity("payer"), _entity("payee"))),
    "world_sites": Keys((), (_entity("owner"), _entity("tenant"), _entity("offtaker"))),
    "world_finances": Keys(("entity",), (_entity("entity"),)),
    "world_debts": Keys((), (_entity("entity"),)),
    "world_deliveries": Keys(("agreement_id", "year"), (_agreement(),)),
    "world_builds": Keys((), (_agreement(), _entity("builder"))),
    "world_estimates": Keys(("agreement_id",), (_agreement(),)),
    "world_anchors": Keys(("id",), (_entity("entity"),)),
    "world_priors": Keys((), (_entity("entity"),)),
    "world_sources": Keys(("id",), (("id", "sources", "id"),)),
}  # fmt: skip

# What Datasette offers to facet by, and the column it shows for a row a key points to.
FACETS: dict[str, list[str]] = {
    "claims": ["kind", "status", "polarity", "rank"],
    "sources": ["publisher", "language"],
    "entities": ["type", "role"],
    "world_entities": ["type", "role"],
    "world_agreements": ["kind", "latest_status", "amount_state", "payee"],
    "world_agreement_parties": ["role", "entity"],
    "world_agreement_status": ["status"],
    "world_agreement_revisions": ["field", "current"],
    "world_agreement_claims": ["column"],
    "world_payments": ["year", "kind", "payer", "payee"],
    "world_sites": ["status", "power_basis", "owner"],
    "world_resolved": ["kind", "state", "unit"],
    "world_sources": ["excerpts", "publisher"],
    "world_debts": ["entity"],
    "world_priors": ["entity", "dist"],
}
LABELS: dict[str, str] = {
    "entities": "name", "sources": "title", "world_entities": "name",
    "world_agreements": "name", "world_sources": "title", "world_sites": "name",
}  # fmt: skip


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
    ledger_tables: dict[str, dict[str, Any]] = public_tables()
    for name, table in {**ledger_tables, **world_tables}.items():
        if name in FACETS:
            table["facets"] = FACETS[name]
        if name in LABELS:
            table["label_column"] = LABELS[name]
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
        counts = dump_sqlite(store, tmp, frames, facts, WORLD_KEYS)
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
