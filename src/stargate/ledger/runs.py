"""Stress runs started from the dashboard, as rows of the ledger's ``stress_runs`` table:
status, progress and the result, so a run stays shareable by its URL after a restart."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from stargate.ledger import tables
from stargate.ledger.clock import now

if TYPE_CHECKING:
    from stargate.ledger.store import Store

STATUSES = ("queued", "running", "done", "failed")


def _iso(stamp: datetime | None) -> str | None:
    return stamp.isoformat() if stamp else None


def _row(row: Any, *, full: bool = True) -> dict[str, Any]:
    scenario = json.loads(row.scenario)
    item = {
        "id": row.id, "status": row.status, "done": row.done, "total": row.total,
        "user": row.user, "scenario": scenario, "name": scenario.get("name"),
        "created_at": _iso(row.created_at), "finished_at": _iso(row.finished_at),
        "error": row.error, "result": row.result,
    }  # fmt: skip
    if not full:
        item.pop("scenario")
        item.pop("result")
    return item


class StressRuns:
    """The stress runs of one store (``store.runs``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def add(self, run_id: str, scenario_json: str, total: int, user: str) -> None:
        """Record a queued run."""
        with self._store.transaction() as connection:
            connection.execute(
                tables.stress_runs.insert().values(
                    id=run_id, scenario=scenario_json, status="queued", done=0, total=total,
                    user=user, created_at=now(),
                )
            )  # fmt: skip

    def update(self, run_id: str, *, finished: bool = False, **values: Any) -> None:
        """Set a run's ``status``, ``done``, ``result`` or ``error``; ``finished`` stamps it."""
        if finished:
            values["finished_at"] = now()
        with self._store.transaction() as connection:
            connection.execute(
                tables.stress_runs.update()
                .where(tables.stress_runs.c.id == run_id)
                .values(**values)
            )

    def abandon_unfinished(self, reason: str) -> None:
        """Mark queued or running runs as failed (a server that stopped never finishes them)."""
        with self._store.transaction() as connection:
            connection.execute(
                tables.stress_runs.update()
                .where(tables.stress_runs.c.status.in_(["queued", "running"]))
                .values(status="failed", finished_at=now(), error=reason)
            )

    def get(self, run_id: str) -> dict[str, Any] | None:
        with self._store.engine.connect() as connection:
            row = connection.execute(
                select(tables.stress_runs).where(tables.stress_runs.c.id == run_id)
            ).first()
        return None if row is None else _row(row)

    def recent(self, limit: int = 20, *, by: str | None = None,
               exclude: tuple[str, ...] = ()) -> list[dict[str, Any]]:  # fmt: skip
        """The latest runs, newest first, without their scenario and result; ``by`` keeps one
        user's runs, ``exclude`` leaves some users' runs out (the dashboard's own cache)."""
        t = tables.stress_runs
        query = select(t).order_by(t.c.created_at.desc()).limit(limit)
        if by is not None:
            query = query.where(t.c.user == by)
        if exclude:
            query = query.where(t.c.user.not_in(exclude))
        with self._store.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [_row(row, full=False) for row in rows]
