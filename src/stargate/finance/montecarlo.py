"""Monte Carlo over the stress simulator: chunks, seeded streams, running summaries, backends.

The run is cut into chunks of a fixed size whatever the backend; in chunk ``k`` each parameter
draws from its own stream, ``SeedSequence(seed, spawn_key=(k, hash(parameter)))``
(:mod:`stargate.finance.draws`), so one seed gives the same numbers in one process, in a process
pool or on a Dask cluster, and two Worlds share the draws of the parameters they share. Each
chunk returns its counts and per-scenario summaries (never
the paths); the parent folds them in chunk order, streams the per-scenario rows to Parquet and
keeps only what the quantiles need (one float per scenario and entity).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from stargate.analysis.circularity import funded_customers
from stargate.finance.draws import draw, median_draws, uncertain_figures
from stargate.finance.model import Model
from stargate.finance.simulate import simulate

DEFAULT_CHUNK = 5_000
QUANTILES = (0.05, 0.5, 0.95)
ENTITY_FIGURES = (
    "loss_p50_usd", "loss_p95_usd", "loss_mean_usd", "writedown_mean_usd",
    "funding_shortfall_mean_usd", "equity_raised_mean_usd", "debt_raised_mean_usd",
    "asset_sales_mean_usd", "cut_mean_usd", "dilution_mean", "received_mean_usd",
)  # fmt: skip
SUMMED = ("writedown", "shortfall", "equity", "debt", "sales", "cut", "dilution")


@dataclass(frozen=True)
class ChunkResult:
    """One chunk's contribution: counts and sums, plus one row per scenario."""

    index: int
    default_counts: NDArray[np.int64]  # (n, T) scenarios defaulting in each year
    received_usd: NDArray[np.float64]  # (n,) revenue received from contracts, leases, purchases
    circular_usd: NDArray[np.float64]  # (n,) of which from customers the vendor funded
    sums: dict[str, NDArray[np.float64]]  # (n,) per-entity figures summed over scenarios
    default_year: NDArray[np.int16]  # (S, n), 0 = no default
    loss_usd: NDArray[np.float64]  # (S, n)
    unpaid_usd: NDArray[np.float64]  # (S,)
    stranded_gw: NDArray[np.float64]  # (S,)
    total_loss_usd: NDArray[np.float64]  # (S,) system losses, lenders' included
    equity_raised_usd: NDArray[np.float64]  # (S, n) new equity
    debt_raised_usd: NDArray[np.float64]  # (S, n) new debt


def run_chunk(
    model: Model, circular_mask: NDArray[np.bool_], seed: int, size: int, index: int,
) -> ChunkResult:  # fmt: skip
    """Draw chunk ``index`` (``size`` scenarios) of the run seeded ``seed``, simulate it and
    summarise (runs on a worker, with one BLAS thread)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        out = simulate(model, draw(model, size, seed, index))
    T = len(model.years)
    year_index = np.asarray(out.default_year) - model.years[0]
    counts = np.zeros((model.n, T), np.int64)
    hit = out.default_year > 0
    np.add.at(counts, (np.nonzero(hit)[1], year_index[hit]), 1)
    return ChunkResult(
        index=index,
        default_counts=counts,
        received_usd=out.received_usd.sum(axis=0),
        circular_usd=(out.received_from_usd * circular_mask[None, :, :]).sum(axis=(0, 1)),
        sums={
            "writedown": out.writedown_usd.sum(axis=0),
            "shortfall": out.funding_shortfall_usd.sum(axis=0),
            "equity": out.equity_raised_usd.sum(axis=0),
            "debt": out.debt_raised_usd.sum(axis=0),
            "sales": out.asset_sales_usd.sum(axis=0),
            "cut": out.cut_usd.sum(axis=0),
            "dilution": dilution(model, out.equity_raised_usd).sum(axis=0),
        },
        default_year=out.default_year.astype(np.int16),
        loss_usd=out.loss_usd,
        unpaid_usd=out.unpaid_usd,
        stranded_gw=out.stranded_gw,
        total_loss_usd=out.total_loss_usd,
        equity_raised_usd=out.equity_raised_usd,
        debt_raised_usd=out.debt_raised_usd,
    )


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
    """What the parent keeps while chunks come in (in chunk order)."""

    n: int
    T: int
    default_counts: NDArray[np.int64] = field(init=False)
    received: NDArray[np.float64] = field(init=False)
    circular: NDArray[np.float64] = field(init=False)
    sums: dict[str, NDArray[np.float64]] = field(init=False)
    loss: list[NDArray[np.float64]] = field(default_factory=list)
    unpaid: list[NDArray[np.float64]] = field(default_factory=list)
    stranded: list[NDArray[np.float64]] = field(default_factory=list)
    total_loss: list[NDArray[np.float64]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.default_counts = np.zeros((self.n, self.T), np.int64)
        self.received = np.zeros(self.n)
        self.circular = np.zeros(self.n)
        self.sums = {key: np.zeros(self.n) for key in SUMMED}

    def add(self, chunk: ChunkResult) -> None:
        self.default_counts += chunk.default_counts
        self.received += chunk.received_usd
        self.circular += chunk.circular_usd
        for key in SUMMED:
            self.sums[key] += chunk.sums[key]
        self.loss.append(chunk.loss_usd)
        self.unpaid.append(chunk.unpaid_usd)
        self.stranded.append(chunk.stranded_gw)
        self.total_loss.append(chunk.total_loss_usd)


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
        }


def _summarise(
    model: Model, name: str, seed: int, totals: _Totals, scenarios: int,
    reference: dict[str, int | None],
) -> StressResult:  # fmt: skip
    loss = np.concatenate(totals.loss)
    q_loss = np.quantile(loss, QUANTILES, axis=0)
    in_year = totals.default_counts / scenarios
    five = five_year(model)
    sums = {key: value / scenarios for key, value in totals.sums.items()}
    entities = pd.DataFrame({
        "entity": model.nodes,
        "p_default": in_year.sum(axis=1),
        "p_default_5y": in_year[:, : five - model.years[0] + 1].sum(axis=1),
        "loss_mean_usd": loss.mean(axis=0),
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
    rows = []
    for quantity, values in (
        ("stranded_gw", np.concatenate(totals.stranded)),
        ("unpaid_usd", np.concatenate(totals.unpaid)),
        ("total_loss_usd", np.concatenate(totals.total_loss)),
    ):
        q = np.quantile(values, QUANTILES)
        rows.append({"quantity": quantity, "mean": values.mean(), "p5": q[0], "p50": q[1],
                     "p95": q[2]})  # fmt: skip
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

        S = len(chunk.unpaid_usd)
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


@contextmanager
def _backend(
    backend: str, workers: int, cluster: str | None
) -> Iterator[Callable[[Model, NDArray[np.bool_], list[Any], list[int]], Iterator[ChunkResult]]]:
    """Yield ``submit(model, mask, seeds, sizes)`` -> chunk results in chunk order."""
    if backend == "local":

        def local(model: Model, mask: Any, seeds: list[Any], sizes: list[int]) -> Iterator[Any]:
            for k, (seed, size) in enumerate(zip(seeds, sizes, strict=True)):
                yield run_chunk(model, mask, seed, size, k)

        yield local
    elif backend == "processes":
        with ProcessPoolExecutor(max_workers=workers) as pool:

            def processes(
                model: Model, mask: Any, seeds: list[Any], sizes: list[int]
            ) -> Iterator[Any]:
                n = len(sizes)
                yield from pool.map(run_chunk, [model] * n, [mask] * n, seeds, sizes, range(n))

            yield processes
    elif backend == "dask":
        from distributed import Client, LocalCluster

        local_cluster = None
        if cluster is None:
            local_cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address="127.0.0.1:0",  # any free port: 8787 may be taken
            )  # fmt: skip
        client = Client(cluster if cluster is not None else local_cluster)
        try:

            def dask(model: Model, mask: Any, seeds: list[Any], sizes: list[int]) -> Iterator[Any]:
                shared_model, shared_mask = client.scatter([model, mask], broadcast=True)
                futures = client.map(
                    run_chunk, [shared_model] * len(sizes), [shared_mask] * len(sizes), seeds,
                    sizes, range(len(sizes)), pure=False,
                )  # fmt: skip
                for future in futures:
                    yield future.result()
                    future.release()

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
) -> StressResult:
    """Run ``scenarios`` scenarios in chunks on a backend and return the tidy summaries.

    ``progress`` is called with the number of scenarios each finished chunk adds.
    """
    if scenarios < 1:
        raise ValueError("scenarios must be at least 1")
    if chunk < 1:
        raise ValueError("chunk must be at least 1")
    sizes = chunk_sizes(scenarios, chunk)
    seeds = [seed] * len(sizes)
    mask = circular_mask(model, agreements)
    totals = _Totals(model.n, len(model.years))
    sink = _ParquetSink(out, model)
    try:
        with _backend(backend, workers, cluster) as submit:
            for result in submit(model, mask, seeds, sizes):
                totals.add(result)
                sink.write(result)
                if progress is not None:
                    progress(len(result.unpaid_usd))
    finally:
        sink.close()
    return _summarise(model, name, seed, totals, scenarios, reference_run(model))
