"""Stress runs started from the dashboard: validated scenarios run one at a time on a background
thread; status, progress and results live in the ledger's ``stress_runs`` table, so a result stays
shareable by its URL after the server restarts."""

from __future__ import annotations

import json
import math
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from stargate.ledger import tables
from stargate.ledger.store import Store, now
from stargate.units import Z90
from stargate.web.snapshot import Snapshots

if TYPE_CHECKING:
    import pandas as pd

    from stargate.finance.scenarios import Scenario
    from stargate.finance.simulate import Model


def wilson(p: float, n: int, z: float = Z90) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (Wilson, JASA 22:209, 1927, eq. 8)."""
    if n <= 0:
        return (0.0, 1.0)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (max(0.0, centre - half), min(1.0, centre + half))


def _row(row: Any) -> dict[str, Any]:
    scenario = json.loads(row.scenario)
    return {
        "id": row.id, "status": row.status, "done": row.done, "total": row.total,
        "user": row.user, "scenario": scenario, "name": scenario.get("name"),
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
        "error": row.error, "result": row.result,
    }  # fmt: skip


class StressJobs:
    """Queue, run and look up stress runs of one store."""

    def __init__(self, store: Store, snapshots: Snapshots) -> None:
        self.store = store
        self.snapshots = snapshots
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stress")
        self._abandon_unfinished()

    def _abandon_unfinished(self) -> None:
        with self.store.transaction() as connection:
            connection.execute(
                tables.stress_runs.update()
                .where(tables.stress_runs.c.status.in_(["queued", "running"]))
                .values(status="failed", finished_at=now(),
                        error="the server stopped before the run finished")
            )  # fmt: skip

    def submit(self, scenario: Scenario, user: str) -> str:
        """Queue a run of ``scenario`` on the current World; a scenario the simulator refuses
        raises :class:`ScenarioError` here, before anything is recorded."""
        from stargate.finance.simulate import build_model

        world = self.snapshots.get().world
        model = build_model(world, scenario)
        run_id = uuid.uuid4().hex
        with self.store.transaction() as connection:
            connection.execute(
                tables.stress_runs.insert().values(
                    id=run_id, scenario=scenario.model_dump_json(by_alias=True), status="queued",
                    done=0, total=scenario.scenarios, user=user, created_at=now(),
                )
            )  # fmt: skip
        self._pool.submit(self._run, run_id, scenario, model, world.agreements)
        return run_id

    def _set(self, run_id: str, **values: Any) -> None:
        with self.store.transaction() as connection:
            connection.execute(
                tables.stress_runs.update()
                .where(tables.stress_runs.c.id == run_id)
                .values(**values)
            )

    def _run(self, run_id: str, scenario: Scenario, model: Model, agreements: pd.DataFrame) -> None:
        from stargate.finance.montecarlo import run
        from stargate.finance.simulate import not_simulated

        done = 0

        def advance(count: int) -> None:
            nonlocal done
            done += count
            self._set(run_id, done=done)

        try:
            self._set(run_id, status="running")
            result = run(
                model,
                agreements,
                name=scenario.name,
                scenarios=scenario.scenarios,
                seed=scenario.seed,
                progress=advance,
            )
            report = result.to_json()
            report["not_simulated"] = not_simulated(scenario)
            report["totals"] = json.loads(result.totals.to_json(orient="records"))
            self._set(run_id, status="done", result=report, finished_at=now())
        except Exception as error:
            self._set(run_id, status="failed", error=f"{type(error).__name__}: {error}",
                      finished_at=now())  # fmt: skip

    def get(self, run_id: str) -> dict[str, Any] | None:
        with self.store.engine.connect() as connection:
            row = connection.execute(
                select(tables.stress_runs).where(tables.stress_runs.c.id == run_id)
            ).first()
        return None if row is None else _row(row)

    def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        t = tables.stress_runs
        with self.store.engine.connect() as connection:
            rows = connection.execute(
                select(t.c.id, t.c.status, t.c.done, t.c.total, t.c.user, t.c.scenario,
                       t.c.created_at, t.c.finished_at, t.c.error, t.c.result)
                .order_by(t.c.created_at.desc()).limit(limit)
            ).all()  # fmt: skip
        listed = []
        for row in rows:
            item = _row(row)
            item.pop("result")
            item.pop("scenario")
            listed.append(item)
        return listed

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def fan(result: dict[str, Any], limit: int = 8) -> list[dict[str, Any]]:
    """Cumulative default probability by year for the entities most likely to default, with a
    90% Wilson band for the Monte Carlo error of each estimate."""
    n = int(result["scenarios"])
    ranked = sorted(result["entities"].items(), key=lambda kv: -kv[1]["p_default"])
    series = []
    for name, figures in ranked[:limit]:
        if figures["p_default"] <= 0:
            break
        years = sorted(figures["p_default_by_year"])
        p = [figures["p_default_by_year"][y] for y in years]
        bands = [wilson(v, n) for v in p]
        series.append({"entity": name, "years": [int(y) for y in years], "p": p,
                       "low": [b[0] for b in bands], "high": [b[1] for b in bands]})  # fmt: skip
    return series
