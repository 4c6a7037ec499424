"""Monte Carlo over the stress simulator: chunks, seeded streams, running summaries, backends.

The run is cut into chunks of a fixed size whatever the backend; in chunk ``k`` each parameter
draws from its own stream, ``SeedSequence(seed, spawn_key=(k, hash(parameter)))``
(:mod:`stargate.finance.draws`), so one seed gives the same numbers in one process, in a process
pool or on a Dask cluster, and two Worlds share the draws of the parameters they share. Each
chunk returns its counts and sums (never the paths); the parent folds them in chunk order and
streams the per-scenario rows to Parquet when asked. Quantiles are exact up to
:data:`EXACT_LIMIT` scenarios (the parent keeps one float per scenario and entity); above it, or
when asked, each chunk returns fixed-bin histograms instead (:mod:`stargate.finance.summaries`),
so memory stays bounded whatever the count. Workers run one BLAS thread and one numba thread,
with a bounded number of chunks in flight.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from stargate.analysis.circularity import funded_customers
from stargate.finance import summaries
from stargate.finance.draws import draw, median_draws, uncertain_figures
from stargate.finance.model import Model
from stargate.finance.plan import Plan, build_plan
from stargate.finance.simulate import simulate

DEFAULT_CHUNK = 5_000  # part of the seed: chunk k draws from its own streams
EXACT_LIMIT = 1_000_000  # scenarios above which quantiles come from histograms
IN_FLIGHT = 4  # chunks queued per worker: enough to keep it busy, few enough to bound memory
Summaries = Literal["auto", "exact", "streaming"]
QUANTILES = (0.05, 0.5, 0.95)
ENTITY_FIGURES = (
    "loss_p50_usd", "loss_p95_usd", "loss_mean_usd", "writedown_mean_usd",
    "funding_shortfall_mean_usd", "equity_raised_mean_usd", "debt_raised_mean_usd",
    "asset_sales_mean_usd", "cut_mean_usd", "dilution_mean", "received_mean_usd",
)  # fmt: skip
SUMMED = ("writedown", "shortfall", "equity", "debt", "sales", "cut", "dilution")


@dataclass(frozen=True)
class ChunkResult:
    """One chunk's contribution: counts and sums; per-scenario values for exact quantiles or
    histograms of them (streaming); and the per-scenario rows when they go to Parquet."""

    index: int
    scenarios: int
    default_counts: NDArray[np.int64]  # (n, T) scenarios defaulting in each year
    received_usd: NDArray[np.float64]  # (n,) revenue received from contracts, leases, purchases
    circular_usd: NDArray[np.float64]  # (n,) of which from customers the vendor funded
    sums: dict[str, NDArray[np.float64]]  # (n,) per-entity figures summed over scenarios
    loss_usd: NDArray[np.float64] | None = None  # (S, n), exact quantiles
    unpaid_usd: NDArray[np.float64] | None = None  # (S,)
    stranded_gw: NDArray[np.float64] | None = None  # (S,)
    total_loss_usd: NDArray[np.float64] | None = None  # (S,) system losses, lenders' included
    histogram_bins: NDArray[np.int64] | None = None  # streaming: flat bins with a count
    histogram_counts: NDArray[np.int64] | None = None  # of (n + 3, summaries.BINS)
    totals: NDArray[np.float64] | None = None  # streaming: (3,) sums of TOTALS
    default_year: NDArray[np.int16] | None = None  # (S, n) rows for Parquet, 0 = no default
    equity_raised_usd: NDArray[np.float64] | None = None  # (S, n) new equity
    debt_raised_usd: NDArray[np.float64] | None = None  # (S, n) new debt


TOTALS = ("stranded_gw", "unpaid_usd", "total_loss_usd")
_PLANS: dict[int, tuple[Model, Plan]] = {}


def _plan(model: Model) -> Plan:
    """The model's plan, built once per process (the model object is kept with it)."""
    cached = _PLANS.get(id(model))
    if cached is None or cached[0] is not model:
        if len(_PLANS) > 8:
            _PLANS.clear()
        cached = _PLANS[id(model)] = (model, build_plan(model))
    return cached[1]


def _one_thread() -> Any:
    """One BLAS thread and one numba thread in this worker thread (restore with ``.restore``)."""
    from threadpoolctl import threadpool_limits

    from stargate.finance import kernels

    if kernels.numba is not None:
        kernels.numba.set_num_threads(1)
    return threadpool_limits(limits=1, user_api="blas")


def run_chunk(
    model: Model, circular_mask: NDArray[np.bool_], seed: int, size: int, index: int,
    streaming: bool = False, rows: bool = True,
) -> ChunkResult:  # fmt: skip
    """Draw chunk ``index`` (``size`` scenarios) of the run seeded ``seed``, simulate it and
    summarise: per-scenario values (``streaming`` False) or histograms of them, and the rows
    for Parquet when ``rows`` (runs on a worker, with one BLAS and one numba thread)."""
    limits = _one_thread()
    try:
        out = simulate(model, draw(model, size, seed, index), plan=_plan(model))
    finally:
        limits.restore_original_limits()
    T = len(model.years)
    year_index = np.asarray(out.default_year) - model.years[0]
    counts = np.zeros((model.n, T), np.int64)
    hit = out.default_year > 0
    np.add.at(counts, (np.nonzero(hit)[1], year_index[hit]), 1)
    n = model.n
    payer, payee = out.revenue_pairs // n, out.revenue_pairs % n
    weights = out.received_pair_usd.sum(axis=0) * circular_mask[payer, payee]
    circular = np.bincount(payee, weights=weights, minlength=n).astype(np.float64)
    total_loss = out.total_loss_usd
    extra: dict[str, Any] = {}
    if streaming:
        columns = np.column_stack([out.loss_usd, out.stranded_gw, out.unpaid_usd, total_loss])
        counts_all = summaries.bin_counts(columns).ravel()
        bins = np.flatnonzero(counts_all)
        extra = {
            "histogram_bins": bins, "histogram_counts": counts_all[bins],
            "totals": np.array([out.stranded_gw.sum(), out.unpaid_usd.sum(), total_loss.sum()]),
        }  # fmt: skip
    else:
        extra = {"loss_usd": out.loss_usd, "unpaid_usd": out.unpaid_usd,
                 "stranded_gw": out.stranded_gw, "total_loss_usd": total_loss}  # fmt: skip
    if rows:
        extra |= {"default_year": out.default_year.astype(np.int16), "loss_usd": out.loss_usd,
                  "unpaid_usd": out.unpaid_usd, "stranded_gw": out.stranded_gw,
                  "total_loss_usd": total_loss, "equity_raised_usd": out.equity_raised_usd,
                  "debt_raised_usd": out.debt_raised_usd}  # fmt: skip
    sums = {
        "writedown": out.writedown_usd.sum(axis=0),
        "shortfall": out.funding_shortfall_usd.sum(axis=0),
        "equity": out.equity_raised_usd.sum(axis=0),
        "debt": out.debt_raised_usd.sum(axis=0),
        "sales": out.asset_sales_usd.sum(axis=0),
        "cut": out.cut_usd.sum(axis=0),
        "dilution": dilution(model, out.equity_raised_usd).sum(axis=0),
    }
    if streaming:
        sums["loss"] = out.loss_usd.sum(axis=0)
    return ChunkResult(
        index=index, scenarios=size, default_counts=counts,
        received_usd=out.received_usd.sum(axis=0), circular_usd=circular, sums=sums, **extra,
    )  # fmt: skip


def dilution(model: Model, equity: NDArray[np.float64]) -> NDArray[np.float64]:
    """(S, n) share of an entity its new shareholders own at the horizon: new equity over its
    equity value plus the new equity (0 where the World gives no equity value)."""
    value = model.equity_value[None, :]
    return np.where(value > 0, equity / np.where(value > 0, value + equity, 1.0), 0.0)


def circular_mask(model: Model, agreements: pd.DataFrame) -> NDArray[np.bool_]:
    """``mask[payer, vendor]``: the payer is a customer the vendor funded (see circularity)."""
    index = {name: i for i, name in enumerate(model.nodes)}
    mask = np.zeros((model.n, model.n), bool)
    for vendor, customers in funded_customers(agreements).items():
        for customer in customers:
            if vendor in index and customer in index:
                mask[index[customer], index[vendor]] = True
    return mask


def chunk_sizes(scenarios: int, chunk: int) -> list[int]:
    full, rest = divmod(scenarios, chunk)
    return [chunk] * full + ([rest] if rest else [])


@dataclass
class _Totals:
    """What the parent keeps while chunks come in (in chunk order): counts and sums, and either
    every scenario's losses and totals (exact quantiles: one float per scenario and entity, in
    arrays allocated once) or their histograms (streaming)."""

    n: int
    T: int
    streaming: bool
    capacity: int  # scenarios in the run
    scenarios: int = 0
    default_counts: NDArray[np.int64] = field(init=False)
    received: NDArray[np.float64] = field(init=False)
    circular: NDArray[np.float64] = field(init=False)
    sums: dict[str, NDArray[np.float64]] = field(init=False)
    loss: NDArray[np.float64] = field(init=False)  # exact: (S, n)
    values: NDArray[np.float64] = field(init=False)  # exact: (3, S) of TOTALS
    histograms: NDArray[np.int64] = field(init=False)  # streaming: (n + 3) × BINS, flat
    totals: NDArray[np.float64] = field(init=False)  # streaming: sums of TOTALS

    def __post_init__(self) -> None:
        self.default_counts = np.zeros((self.n, self.T), np.int64)
        self.received = np.zeros(self.n)
        self.circular = np.zeros(self.n)
        self.sums = {key: np.zeros(self.n) for key in (*SUMMED, "loss")}
        kept = 0 if self.streaming else self.capacity
        self.loss = np.empty((kept, self.n))
        self.values = np.empty((3, kept))
        self.histograms = np.zeros((self.n + 3) * summaries.BINS if self.streaming else 0,
                                   np.int64)  # fmt: skip
        self.totals = np.zeros(3)

    def add(self, chunk: ChunkResult) -> None:
        start, self.scenarios = self.scenarios, self.scenarios + chunk.scenarios
        self.default_counts += chunk.default_counts
        self.received += chunk.received_usd
        self.circular += chunk.circular_usd
        for key, value in chunk.sums.items():
            self.sums[key] += value
        if self.streaming:
            assert chunk.histogram_bins is not None
            assert chunk.histogram_counts is not None
            assert chunk.totals is not None
            self.histograms[chunk.histogram_bins] += chunk.histogram_counts
            self.totals += chunk.totals
            return
        rows = slice(start, self.scenarios)
        assert chunk.loss_usd is not None
        self.loss[rows] = chunk.loss_usd
        for j, values in enumerate((chunk.stranded_gw, chunk.unpaid_usd, chunk.total_loss_usd)):
            assert values is not None
            self.values[j, rows] = values

    def entity_losses(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Mean and QUANTILES (rows) of each entity's losses."""
        if self.streaming:
            counts = self.histograms.reshape(self.n + 3, summaries.BINS)
            mean = self.sums["loss"] / self.scenarios
            return mean, summaries.quantiles(counts[: self.n], QUANTILES)
        q = np.zeros((len(QUANTILES), self.n))
        for i in range(self.n):  # a column at a time: a copy of one column, not of them all
            q[:, i] = np.quantile(self.loss[:, i], QUANTILES)
        return self.loss.mean(axis=0), q

    def run_totals(self) -> list[tuple[str, float, NDArray[np.float64]]]:
        """(quantity, mean, QUANTILES) of each of TOTALS."""
        if self.streaming:
            counts = self.histograms.reshape(self.n + 3, summaries.BINS)[self.n :]
            q = summaries.quantiles(counts, QUANTILES)
            return [(name, float(self.totals[j] / self.scenarios), q[:, j])
                    for j, name in enumerate(TOTALS)]  # fmt: skip
        return [(name, float(self.values[j].mean()), np.quantile(self.values[j], QUANTILES))
                for j, name in enumerate(TOTALS)]  # fmt: skip


@dataclass(frozen=True)
class StressResult:
    """Tidy results of a run: one row per entity, per entity-year, and scenario-level quantiles."""

    scenario: str
    scenarios: int
    seed: int
    years: tuple[int, ...]
    entities: pd.DataFrame  # entity, p_default, p_default_5y, losses, raised, dilution...
    default_by_year: pd.DataFrame  # entity, year, p_default_in_year, p_default_by_year
    totals: pd.DataFrame  # quantity (stranded_gw, unpaid_usd, total_loss_usd), mean, p5...
    circular: pd.DataFrame  # vendor, received_usd (expected), circular_usd, share
    reference: dict[str, int | None]  # the median run: entity -> default year or None
    as_of: date | None = None  # the World's date: the simulation starts there
    five_year: int | None = None  # last calendar year within five years of the as-of date
    uncertain: tuple[dict[str, Any], ...] = ()  # every figure the run draws
    quantiles: str = "exact"  # or "histogram" (streaming summaries, see summaries.py)

    def to_json(self) -> dict[str, Any]:
        """The ``stargate stress --json`` object (a documented contract)."""
        by_year: dict[str, dict[str, float]] = {}
        for rec in self.default_by_year.to_dict("records"):
            by_year.setdefault(str(rec["entity"]), {})[str(rec["year"])] = float(
                rec["p_default_by_year"]
            )
        totals = {str(rec["quantity"]): rec for rec in self.totals.to_dict("records")}
        entities = {
            str(rec["entity"]): {
                "p_default": float(rec["p_default"]),
                "p_default_by_year": by_year[str(rec["entity"])],
                "p_default_5y": float(rec["p_default_5y"]),
                **{key: float(rec[key]) for key in ENTITY_FIGURES},
            }
            for rec in self.entities.to_dict("records")
        }
        return {
            "scenario": self.scenario,
            "scenarios": self.scenarios,
            "seed": self.seed,
            "horizon": [self.years[0], self.years[-1]],
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "five_year_horizon": self.five_year,
            "entities": entities,
            "stranded_gw": {k: float(totals["stranded_gw"][k]) for k in ("p5", "p50", "p95")},
            "unpaid_usd": {k: float(totals["unpaid_usd"][k]) for k in ("p5", "p50", "p95")},
            "total_loss_usd": {
                k: float(totals["total_loss_usd"][k]) for k in ("mean", "p5", "p50", "p95")
            },
            "circular_share": {
                str(rec["vendor"]): float(rec["share"]) for rec in self.circular.to_dict("records")
            },
            "reference": self.reference,
            "uncertain": list(self.uncertain),
            "quantiles": self.quantiles,
        }


def _summarise(
    model: Model, name: str, seed: int, totals: _Totals, scenarios: int,
    reference: dict[str, int | None],
) -> StressResult:  # fmt: skip
    loss_mean, q_loss = totals.entity_losses()
    in_year = totals.default_counts / scenarios
    five = five_year(model)
    sums = {key: value / scenarios for key, value in totals.sums.items()}
    entities = pd.DataFrame({
        "entity": model.nodes,
        "p_default": in_year.sum(axis=1),
        "p_default_5y": in_year[:, : five - model.years[0] + 1].sum(axis=1),
        "loss_mean_usd": loss_mean,
        "loss_p5_usd": q_loss[0], "loss_p50_usd": q_loss[1], "loss_p95_usd": q_loss[2],
        "writedown_mean_usd": sums["writedown"],
        "funding_shortfall_mean_usd": sums["shortfall"],
        "equity_raised_mean_usd": sums["equity"], "debt_raised_mean_usd": sums["debt"],
        "asset_sales_mean_usd": sums["sales"], "cut_mean_usd": sums["cut"],
        "dilution_mean": sums["dilution"], "received_mean_usd": totals.received / scenarios,
    })  # fmt: skip
    default_by_year = pd.DataFrame({
        "entity": np.repeat(model.nodes, len(model.years)),
        "year": np.tile(model.years, model.n),
        "p_default_in_year": in_year.ravel(),
        "p_default_by_year": np.cumsum(in_year, axis=1).ravel(),
    })  # fmt: skip
    rows = [{"quantity": quantity, "mean": mean, "p5": q[0], "p50": q[1], "p95": q[2]}
            for quantity, mean, q in totals.run_totals()]  # fmt: skip
    vendors = totals.received > 0
    circular = pd.DataFrame({
        "vendor": np.asarray(model.nodes)[vendors],
        "received_usd": totals.received[vendors] / scenarios,
        "circular_usd": totals.circular[vendors] / scenarios,
        "share": np.minimum(totals.circular[vendors] / totals.received[vendors], 1.0),  # rounding
    })  # fmt: skip
    return StressResult(
        scenario=name, scenarios=scenarios, seed=seed, years=model.years, entities=entities,
        default_by_year=default_by_year, totals=pd.DataFrame(rows), circular=circular,
        reference=reference, as_of=model.as_of, five_year=five,
        uncertain=tuple(uncertain_figures(model)),
        quantiles="histogram" if totals.streaming else "exact",
    )  # fmt: skip


def five_year(model: Model) -> int:
    """The last calendar year of the horizon that starts within five years of the as-of date
    (the window of the market's 5-year default probabilities)."""
    as_of = model.as_of
    try:
        end = as_of.replace(year=as_of.year + 5)
    except ValueError:  # 29 February
        end = as_of.replace(year=as_of.year + 5, day=28)
    last = end.year if end > date(end.year, 1, 1) else end.year - 1
    return int(min(max(last, model.years[0]), model.years[-1]))


def reference_run(model: Model) -> dict[str, int | None]:
    """Entity -> default year in the deterministic run (every prior at its median)."""
    year = simulate(model, median_draws(model)).default_year[0]
    return {name: (int(y) if y else None) for name, y in zip(model.nodes, year, strict=True)}


class _ParquetSink:
    """Per-scenario rows streamed to Parquet, one row group per chunk."""

    def __init__(self, path: Path | None, model: Model) -> None:
        self.path, self.model = path, model
        self.writer: Any = None
        self.offset = 0

    def write(self, chunk: ChunkResult) -> None:
        if self.path is None:
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        assert chunk.default_year is not None
        assert chunk.loss_usd is not None
        assert chunk.equity_raised_usd is not None
        assert chunk.debt_raised_usd is not None
        assert chunk.unpaid_usd is not None
        assert chunk.stranded_gw is not None
        assert chunk.total_loss_usd is not None
        S = chunk.scenarios
        columns: dict[str, Any] = {
            "scenario": pa.array(np.arange(self.offset, self.offset + S, dtype=np.int64)),
            "unpaid_usd": pa.array(chunk.unpaid_usd),
            "stranded_gw": pa.array(chunk.stranded_gw),
            "total_loss_usd": pa.array(chunk.total_loss_usd),
        }
        diluted = dilution(self.model, chunk.equity_raised_usd)
        for i, name in enumerate(self.model.nodes):
            columns[f"default_year.{name}"] = pa.array(chunk.default_year[:, i])
            columns[f"loss_usd.{name}"] = pa.array(chunk.loss_usd[:, i])
            columns[f"equity_raised_usd.{name}"] = pa.array(chunk.equity_raised_usd[:, i])
            columns[f"debt_raised_usd.{name}"] = pa.array(chunk.debt_raised_usd[:, i])
            columns[f"dilution.{name}"] = pa.array(diluted[:, i])
        table = pa.table(columns)
        if self.writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.writer = pq.ParquetWriter(str(self.path), table.schema)
        self.writer.write_table(table)
        self.offset += S

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


Submit = Callable[[Model, NDArray[np.bool_], list[int], list[int], bool, bool],
                  Iterator[ChunkResult]]  # fmt: skip

_WORKER: dict[str, Any] = {}


def _init_worker(model: Model, mask: NDArray[np.bool_]) -> None:
    """A pool process: the model once, one BLAS and one numba thread for its life."""
    _WORKER.update(model=model, mask=mask, limits=_one_thread())


def _worker_chunk(seed: int, size: int, index: int, streaming: bool, rows: bool) -> ChunkResult:
    return run_chunk(_WORKER["model"], _WORKER["mask"], seed, size, index, streaming, rows)


def _in_order(submit: Callable[[int], Any], count: int, window: int,
              result: Callable[[Any], ChunkResult]) -> Iterator[ChunkResult]:  # fmt: skip
    """Results of tasks ``0..count`` in order, with at most ``window`` submitted and not yet
    consumed (so that a fast worker cannot pile up results the parent has not folded)."""
    pending: deque[Any] = deque()
    following = 0
    while following < count or pending:
        while following < count and len(pending) < window:
            pending.append(submit(following))
            following += 1
        yield result(pending.popleft())


@contextmanager
def _backend(backend: str, workers: int, cluster: str | None, model: Model,
             mask: NDArray[np.bool_]) -> Iterator[Submit]:  # fmt: skip
    """Yield ``submit(model, mask, seeds, sizes, streaming, rows)`` -> chunk results in chunk
    order."""
    if backend == "local":

        def local(model: Model, mask: Any, seeds: list[int], sizes: list[int], streaming: bool,
                  rows: bool) -> Iterator[ChunkResult]:  # fmt: skip
            for k, (seed, size) in enumerate(zip(seeds, sizes, strict=True)):
                yield run_chunk(model, mask, seed, size, k, streaming, rows)

        yield local
    elif backend == "processes":
        with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                                 initargs=(model, mask)) as pool:  # fmt: skip

            def processes(model: Model, mask: Any, seeds: list[int], sizes: list[int],
                          streaming: bool, rows: bool) -> Iterator[ChunkResult]:  # fmt: skip
                def submit(k: int) -> Future[ChunkResult]:
                    return pool.submit(_worker_chunk, seeds[k], sizes[k], k, streaming, rows)

                yield from _in_order(submit, len(sizes), IN_FLIGHT * workers,
                                     lambda future: future.result())  # fmt: skip

            yield processes
    elif backend == "dask":
        from distributed import Client, LocalCluster

        local_cluster = None
        if cluster is None:
            # no dashboard; the scheduler's own HTTP routes on a free loopback port, not 8787
            # (two clusters on one machine would collide there)
            local_cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address=None,
                scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
            )  # fmt: skip
        client = Client(cluster if cluster is not None else local_cluster)
        try:
            slots = max(sum(client.nthreads().values()), 1)

            def dask(model: Model, mask: Any, seeds: list[int], sizes: list[int],
                     streaming: bool, rows: bool) -> Iterator[ChunkResult]:  # fmt: skip
                shared_model, shared_mask = client.scatter([model, mask], broadcast=True)

                def submit(k: int) -> Any:
                    return client.submit(run_chunk, shared_model, shared_mask, seeds[k],
                                         sizes[k], k, streaming, rows, pure=False)  # fmt: skip

                def result(future: Any) -> ChunkResult:
                    value: ChunkResult = future.result()
                    future.release()
                    return value

                yield from _in_order(submit, len(sizes), IN_FLIGHT * slots, result)

            yield dask
        finally:
            client.close()
            if local_cluster is not None:
                local_cluster.close()
    else:
        raise ValueError(f"unknown backend {backend!r}: local, processes or dask")


def run(
    model: Model,
    agreements: pd.DataFrame,
    *,
    name: str,
    scenarios: int,
    seed: int,
    backend: str = "local",
    workers: int = 1,
    cluster: str | None = None,
    chunk: int = DEFAULT_CHUNK,
    out: Path | None = None,
    progress: Callable[[int], None] | None = None,
    summaries: Summaries = "auto",
) -> StressResult:
    """Run ``scenarios`` scenarios in chunks on a backend and return the tidy summaries.

    ``progress`` is called with the number of scenarios each finished chunk adds.
    ``summaries``: ``"exact"`` quantiles (the parent keeps one float per scenario and entity),
    ``"streaming"`` (fixed-bin histograms: bounded memory, quantiles within 1.2%), or
    ``"auto"``: exact up to :data:`EXACT_LIMIT` scenarios.
    """
    if scenarios < 1:
        raise ValueError("scenarios must be at least 1")
    if chunk < 1:
        raise ValueError("chunk must be at least 1")
    if summaries not in ("auto", "exact", "streaming"):
        raise ValueError(f"summaries must be auto, exact or streaming, got {summaries!r}")
    streaming = summaries == "streaming" or (summaries == "auto" and scenarios > EXACT_LIMIT)
    sizes = chunk_sizes(scenarios, chunk)
    seeds = [seed] * len(sizes)
    mask = circular_mask(model, agreements)
    totals = _Totals(model.n, len(model.years), streaming, scenarios)
    sink = _ParquetSink(out, model)
    reference = reference_run(model)  # first: pool processes forked now inherit the kernels
    try:
        with _backend(backend, workers, cluster, model, mask) as submit:
            for result in submit(model, mask, seeds, sizes, streaming, out is not None):
                totals.add(result)
                sink.write(result)
                if progress is not None:
                    progress(result.scenarios)
    finally:
        sink.close()
    return _summarise(model, name, seed, totals, scenarios, reference)
