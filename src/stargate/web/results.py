"""Results of the built-in scenarios for everyone: computed in the background for the current
World, cached, and readable without a token.

A result is keyed by the World version (the ledger's :meth:`~stargate.ledger.store.Store.version`
and the as-of date), the scenario (its name and a digest of its validated content), the seed and
the number of scenarios. Results are rows of the ledger's ``stress_runs`` table (user
``dashboard``; the id is a digest of the key), so a restart reads them back instead of
recomputing, and a new World version (a claim added, a review, a merge, a new day) gets new keys,
computed afresh. One worker thread computes them one at a time, most wanted first.

The time travel (:meth:`ScenarioResults.time_travel`) re-runs one scenario on the World as of
the end of each month (a cheap count of scenarios), with the documents first counted that month.
"""

from __future__ import annotations

import calendar
import hashlib
import itertools
import json
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from stargate.ledger.store import Store
from stargate.web.snapshot import Snapshot, Snapshots

if TYPE_CHECKING:
    from stargate.finance.scenarios import Scenario
    from stargate.world.world import World

log = logging.getLogger(__name__)

CACHE_USER: Final = "dashboard"
TIME_TRAVEL_USER: Final = "dashboard:time-travel"
FORMAT: Final = 1  # bump when the stored result changes shape
LEAD: Final = ("baseline", "bubble-bursts")  # what the overview shows first: computed first
ENTITY_FIGURES: Final = ("p_default", "p_default_5y", "loss_mean_usd", "loss_p95_usd")


@dataclass(frozen=True, slots=True)
class Key:
    """What a cached result depends on."""

    kind: str  # "run" or "time-travel"
    version: tuple[int, ...]
    as_of: date
    scenario: str
    digest: str  # of the scenario as validated (a changed file is a new key)
    seed: int
    scenarios: int

    @property
    def id(self) -> str:
        text = json.dumps([FORMAT, self.kind, list(self.version), self.as_of.isoformat(),
                           self.scenario, self.digest, self.seed, self.scenarios])  # fmt: skip
        return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Entry:
    """A cached result and where it stands: ``ready``, ``computing`` or ``failed``."""

    key: Key
    status: str
    done: int = 0
    total: int = 0
    result: dict[str, Any] | None = field(default=None, repr=False)
    error: str | None = None

    def summary(self) -> dict[str, Any]:
        """The ``/api/scenarios`` item: name, status and, when ready, each entity's figures."""
        item: dict[str, Any] = {
            "name": self.key.scenario, "status": self.status, "run": self.key.id,
            "as_of": self.key.as_of.isoformat(), "scenarios": self.key.scenarios,
            "seed": self.key.seed, "done": self.done, "total": self.total,
        }  # fmt: skip
        if self.status == "ready" and self.result is not None:
            item["entities"] = {
                name: {k: figures[k] for k in ("p_default", "loss_mean_usd")}
                for name, figures in self.result["entities"].items()
            }
            item["total_loss_usd"] = self.result["total_loss_usd"]
        if self.error:
            item["error"] = self.error
        return item


def _status(row_status: str) -> str:
    return {"done": "ready", "failed": "failed"}.get(row_status, "computing")


class _Worker:
    """One daemon thread running jobs from a priority queue, one at a time (lower first)."""

    def __init__(self) -> None:
        self._queue: queue.PriorityQueue[tuple[int, int, Callable[[], None] | None]] = (
            queue.PriorityQueue()
        )
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.stopping = threading.Event()

    def put(self, priority: int, job: Callable[[], None]) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="results", daemon=True)
                self._thread.start()
        self._queue.put((priority, next(self._order), job))

    def _loop(self) -> None:
        while not self.stopping.is_set():
            _, _, job = self._queue.get()
            if job is None:
                return
            try:
                job()
            except Exception:  # a job records its own failure; this keeps the thread alive
                log.exception("a background result failed")

    def stop(self, wait: float = 0.0) -> None:
        self.stopping.set()
        self._queue.put((-1, -1, None))
        if self._thread is not None and wait:
            self._thread.join(wait)


def month_ends(first: str, as_of: date) -> list[date]:
    """The last day of each month from ``first`` (``YYYY-MM``) to the month of ``as_of``; the
    last is ``as_of`` itself."""
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while (year, month) < (as_of.year, as_of.month):
        out.append(date(year, month, calendar.monthrange(year, month)[1]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return [*out, as_of]


def _month(when: str) -> str:
    """The month from which a claim stated at a prefix date counts (``2025`` counts from
    January 2025, as :func:`stargate.world.world.counted_claims` compares prefixes)."""
    return when[:7] if len(when) >= 7 else f"{when[:4]}-01"


class ScenarioResults:
    """The built-in scenarios' results for the current World, computed in the background."""

    def __init__(
        self, store: Store, snapshots: Snapshots, *, scenarios: int = 2_000,
        time_travel_scenarios: int = 400,
    ) -> None:  # fmt: skip
        self.store = store
        self.snapshots = snapshots
        self.scenarios = scenarios
        self.time_travel_scenarios = time_travel_scenarios
        self._worker = _Worker()
        self._lock = threading.Lock()
        self._entries: dict[str, Entry] = {}
        self._changes = 0  # bumped whenever an entry changes status: pages keyed on it

    # -- looking up ------------------------------------------------------------------------------

    def names(self) -> list[str]:
        from stargate.finance.scenarios import builtin_scenarios

        names = builtin_scenarios()
        return [*[n for n in LEAD if n in names], *[n for n in names if n not in LEAD]]

    def token(self) -> str:
        """Changes whenever a result becomes ready or fails (for pages that show them)."""
        return str(self._changes)

    def _scenario(self, name: str) -> Scenario:
        from stargate.finance.scenarios import load_scenario

        return load_scenario(name)

    def key(self, name: str, snapshot: Snapshot, as_of: date | None = None,
            kind: str = "run") -> Key:  # fmt: skip
        scenario = self._scenario(name)
        digest = hashlib.sha256(scenario.model_dump_json(by_alias=True).encode()).hexdigest()
        count = self.scenarios if kind == "run" else self.time_travel_scenarios
        return Key(kind, snapshot.version, as_of or snapshot.world.as_of, name, digest[:16],
                   scenario.seed, count)  # fmt: skip

    def get(self, name: str, as_of: date | None = None, priority: int = 5) -> Entry:
        """The result of built-in scenario ``name`` on the current World (as of ``as_of``,
        default the World's date), queued for computing when it is not cached."""
        snapshot = self.snapshots.get()
        return self._entry(self.key(name, snapshot, as_of), snapshot, priority)

    def all(self) -> list[Entry]:
        """Every built-in scenario's entry, the overview's two first."""
        return [self.get(name, priority=0 if name in LEAD else 2) for name in self.names()]

    def time_travel(self) -> Entry:
        """Each entity's default probability under the baseline as of each month."""
        snapshot = self.snapshots.get()
        return self._entry(self.key("baseline", snapshot, kind="time-travel"), snapshot, 4)

    def warm(self) -> None:
        """Queue everything the pages show (at start, so the demo is ready when opened)."""
        self.all()
        self.time_travel()

    def _entry(self, key: Key, snapshot: Snapshot, priority: int) -> Entry:
        with self._lock:
            known = self._entries.get(key.id)
            if known is not None:
                return known
            row = self.store.runs.get(key.id)
            if row is not None and row["status"] == "done":
                entry = Entry(key, "ready", row["done"], row["total"], row["result"])
                self._entries[key.id] = entry
                return entry
            scenario = self._scenario(key.scenario)
            total = self._total(key, snapshot)
            stored = json.dumps({**json.loads(scenario.model_dump_json(by_alias=True)),
                                 "scenarios": key.scenarios, "cache_key": key.id,
                                 "kind": key.kind})  # fmt: skip
            user = CACHE_USER if key.kind == "run" else TIME_TRAVEL_USER
            if row is None:
                self.store.runs.add(key.id, stored, total, user)
            else:  # cut short by a restart, or failed in an earlier process: try again
                self.store.runs.update(key.id, status="queued", done=0, error=None,
                                       finished_at=None, total=total)  # fmt: skip
            entry = Entry(key, "computing", 0, total)
            self._entries[key.id] = entry
        job = self._run if key.kind == "run" else self._travel
        self._worker.put(priority, lambda: job(key, scenario, snapshot))
        return entry

    def _total(self, key: Key, snapshot: Snapshot) -> int:
        if key.kind == "run":
            return key.scenarios
        return len(month_ends(self._first_month(snapshot), key.as_of))

    def _set(self, key: Key, **changes: Any) -> None:
        with self._lock:
            entry = replace(self._entries[key.id], **changes)
            self._entries[key.id] = entry
            if entry.status != "computing" or "status" in changes:
                self._changes += 1

    def _finish(self, key: Key, result: dict[str, Any] | None, error: str | None) -> None:
        if error is None:
            self.store.runs.update(key.id, status="done", result=result, finished=True,
                                   done=self._entries[key.id].total)  # fmt: skip
            self._set(key, status="ready", result=result, done=self._entries[key.id].total)
        else:
            self.store.runs.update(key.id, status="failed", error=error, finished=True)
            self._set(key, status="failed", error=error)

    # -- computing -------------------------------------------------------------------------------

    def _world(self, snapshot: Snapshot, as_of: date) -> World:
        if as_of == snapshot.world.as_of:
            return snapshot.world
        from stargate.world.curated import bundled
        from stargate.world.world import build_world

        return build_world(snapshot.evidence, bundled(), as_of=as_of, rule=snapshot.world.rule)

    def _run(self, key: Key, scenario: Scenario, snapshot: Snapshot) -> None:
        if self._worker.stopping.is_set():
            return
        try:
            self.store.runs.update(key.id, status="running")
            result = simulate(self._world(snapshot, key.as_of), scenario, key.scenarios,
                              progress=lambda done: self._set(key, done=done))  # fmt: skip
        except Exception as error:  # reported on the pages, never raised in the worker
            self._finish(key, None, f"{type(error).__name__}: {error}")
            return
        self._finish(key, result, None)

    def _first_month(self, snapshot: Snapshot) -> str:
        from stargate.world.resolve import statement_date

        dated = [statement_date(c, snapshot.sources) for c in snapshot.claims.values()]
        months = sorted(_month(d) for d in dated if d and d[:4].isdigit())
        first = months[0] if months else snapshot.world.as_of.isoformat()[:7]
        return min(first, snapshot.world.as_of.isoformat()[:7])

    def _travel(self, key: Key, scenario: Scenario, snapshot: Snapshot) -> None:
        from stargate.world.world import counted_claims

        try:
            self.store.runs.update(key.id, status="running")
            steps: list[dict[str, Any]] = []
            before: set[str] = set()
            for done, end in enumerate(month_ends(self._first_month(snapshot), key.as_of)):
                if self._worker.stopping.is_set():
                    return
                counted = set(counted_claims(snapshot.evidence, end))
                world = self._world(snapshot, end)
                result = simulate(world, scenario, key.scenarios)
                steps.append({
                    "month": end.isoformat()[:7], "as_of": end.isoformat(),
                    "entities": {name: {k: figures[k] for k in ENTITY_FIGURES}
                                 for name, figures in result["entities"].items()},
                    "agreements": len(world.agreements),
                    "documents": _documents(snapshot, counted - before),
                    "claims_added": len(counted - before),
                    "added": sorted(counted - before),
                    "claims_dropped": len(before - counted),
                })  # fmt: skip
                before = counted
                self._set(key, done=done + 1)
                self.store.runs.update(key.id, done=done + 1)
        except Exception as error:
            self._finish(key, None, f"{type(error).__name__}: {error}")
            return
        self._finish(key, {"scenario": key.scenario, "scenarios": key.scenarios,
                           "seed": key.seed, "as_of": key.as_of.isoformat(),
                           "steps": steps}, None)  # fmt: skip

    def shutdown(self, wait: float = 0.0) -> None:
        self._worker.stop(wait)


def _documents(snapshot: Snapshot, claim_ids: set[str]) -> list[dict[str, Any]]:
    """The documents whose claims first counted in a step, with how many of their claims."""
    counts: dict[str, int] = {}
    for claim_id in claim_ids:
        stored = snapshot.claims.get(claim_id)
        if stored is not None:
            counts[stored.claim.source_id] = counts.get(stored.claim.source_id, 0) + 1
    out = []
    for source_id, count in counts.items():
        source = snapshot.sources.get(source_id)
        out.append({
            "id": source_id, "claims": count,
            "title": source.title if source else None,
            "publisher": source.publisher if source else None,
            "published_at": source.published_at if source else None,
            "curated": bool(source and source.metadata.get("curated")),
        })  # fmt: skip
    return sorted(out, key=lambda d: (-d["claims"], d["id"]))


def simulate(
    world: World, scenario: Scenario, scenarios: int,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """A built-in scenario's ``stargate stress --json`` object on ``world`` (the simulator's
    public API: :func:`stargate.finance.montecarlo.run`, same seed, same numbers as the CLI)."""
    from stargate.finance.model import build_model, not_simulated
    from stargate.finance.montecarlo import run

    model = build_model(world, scenario)
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done)

    result = run(model, world.agreements, name=scenario.name, scenarios=scenarios,
                 seed=scenario.seed, progress=advance)  # fmt: skip
    report = result.to_json()
    report["not_simulated"] = not_simulated(scenario)
    report["totals"] = json.loads(result.totals.to_json(orient="records"))
    return report
