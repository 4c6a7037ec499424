"""Stress runs started from the dashboard: validated scenarios run one at a time on a background
thread; status, progress and results live in the ledger's ``stress_runs`` table, so a result stays
shareable by its URL after the server restarts."""

from __future__ import annotations

import json
import math
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from stargate.ledger.store import Store
from stargate.units import Z90
from stargate.web.snapshot import Snapshots

if TYPE_CHECKING:
    import pandas as pd

    from stargate.finance.model import Model
    from stargate.finance.scenarios import Scenario


def wilson(p: float, n: int, z: float = Z90) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (Wilson, JASA 22:209, 1927, eq. 8)."""
    if n <= 0:
        return (0.0, 1.0)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (max(0.0, centre - half), min(1.0, centre + half))


class StressJobs:
    """Queue, run and look up stress runs of one store."""

    def __init__(self, store: Store, snapshots: Snapshots) -> None:
        self.store = store
        self.snapshots = snapshots
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stress")
        self._abandon_unfinished()

    def _abandon_unfinished(self) -> None:
        self.store.runs.abandon_unfinished("the server stopped before the run finished")

    def submit(self, scenario: Scenario, user: str) -> str:
        """Queue a run of ``scenario`` on the current World; a scenario the simulator refuses
        raises :class:`ScenarioError` here, before anything is recorded."""
        from stargate.finance.model import build_model

        world = self.snapshots.get().world
        model = build_model(world, scenario)
        run_id = uuid.uuid4().hex
        scenario_json = scenario.model_dump_json(by_alias=True)
        self.store.runs.add(run_id, scenario_json, scenario.scenarios, user)
        self._pool.submit(self._run, run_id, scenario, model, world.agreements)
        return run_id

    def _set(self, run_id: str, **values: Any) -> None:
        self.store.runs.update(run_id, **values)

    def _run(self, run_id: str, scenario: Scenario, model: Model, agreements: pd.DataFrame) -> None:
        from stargate.finance.model import not_simulated
        from stargate.finance.montecarlo import run

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
            self._set(run_id, status="done", result=report, finished=True)
        except Exception as error:  # a failed run is reported on its page, never raised
            self._set(run_id, status="failed", error=f"{type(error).__name__}: {error}",
                      finished=True)  # fmt: skip

    def get(self, run_id: str) -> dict[str, Any] | None:
        return self.store.runs.get(run_id)

    def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        return self.store.runs.recent(limit)

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
