"""Stress benchmark: the curated World, one scenario (``bubble-bursts`` by default), Monte Carlo
from 1e4 to 1e6 scenarios (1e7 on request), against references measured in the same run.

Each case runs in its own child process, so that its wall time and CPU time (user + system of
the run, its worker processes included; start-up and building the World excluded) and its peak
memory (the largest resident set of any one of its processes, from ``wait4``) are its own. Cases:

- ``reference``: the per-scenario reference simulator (``tests/finance/reference_simulation``,
  plain Python and numpy, the one the tests hold the engine to) on a few hundred scenarios, and
  the engine on the same draws: the same default years and amounts to ``rtol 1e-9``;
- the engine in one process on 1e4 and 1e5 scenarios (exact quantiles);
- 1e6 scenarios on a pool of 2 processes (the default summaries: exact quantiles up to 1e6);
- 1e6 scenarios with streaming summaries on the pool and on a local Dask cluster of 2 worker
  processes of one thread each (BLAS and numba threads 1 in every worker): the same seed must
  give the same summaries (the JSON of the two runs is compared byte for byte); the time for
  1e7 on that cluster is extrapolated linearly from it unless ``--dask-scenarios`` asks for more.

Scenarios per second per core are scenarios over CPU seconds (load-independent on a shared
machine, where wall time is not). The floor is the job's least work at this machine's measured
rates: reading each scenario's draws and writing its outputs once at the memory bandwidth of a
numpy add over 256 MiB arrays, and an arithmetic count per scenario-period (an assumption, a lower
bound: 10 flops per leg for its obligation, 4 per payer–payee pair to sum it and clear it, 30 per
entity for its means, cash and funding, 10 per build) at the single-thread GEMM rate; the larger
of the two. ``ratio_to_floor`` is the 1e6 pool run's CPU time over the floor of 1e6 scenarios.

Prints a table, then one JSON line.
Usage: python benchmarks/stress.py [--scenario NAME] [--million N] [--dask-scenarios N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RUN = """
import hashlib, json, os, resource, sys, time
from stargate.finance.montecarlo import run
from stargate.finance.scenarios import load_scenario
from stargate.finance.model import build_model
from stargate.finance.plan import build_plan
from stargate.world.world import curated_world

if __name__ == "__main__":
    name, scenarios, backend, workers, mode = sys.argv[1:6]
    world = curated_world()
    model = build_model(world, load_scenario(name))
    def cpu():
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + children.ru_utime + children.ru_stime

    started, cpu_started = time.perf_counter(), cpu()
    result = run(model, world.agreements, name=name, scenarios=int(scenarios), seed=1,
                 backend=backend, workers=int(workers), summaries=mode)
    wall, cpu_s = time.perf_counter() - started, cpu() - cpu_started
    summary = json.dumps(result.to_json(), sort_keys=True)
    print(json.dumps({"wall_s": wall, "cpu_s": cpu_s, "entities": model.n,
                      "legs": len(model.leg_agreement),
                      "pairs": int(build_plan(model).pairs.shape[1]),
                      "builds": len(model.build_id), "periods": model.periods,
                      "p_default_openai": result.to_json()["entities"]["openai"]["p_default"],
                      "digest": hashlib.sha256(summary.encode()).hexdigest()[:16]}))
"""

REFERENCE = """
import json, sys, time
import numpy as np
sys.path.insert(0, sys.argv[3])
from tests.finance.reference_simulation import simulate_one
from stargate.finance.draws import draw
from stargate.finance.model import build_model
from stargate.finance.plan import build_plan
from stargate.finance.scenarios import load_scenario
from stargate.finance.simulate import simulate
from stargate.world.world import curated_world

FIELDS = ("loss_usd", "writedown_usd", "unpaid_usd", "stranded_gw", "received_usd",
          "funding_shortfall_usd", "equity_raised_usd", "debt_raised_usd", "asset_sales_usd",
          "cut_usd")
if __name__ == "__main__":
    name, count = sys.argv[1], int(sys.argv[2])
    world = curated_world()
    model = build_model(world, load_scenario(name))
    draws = draw(model, count, 1, 0)
    engine = simulate(model, draws, plan=build_plan(model))
    started = time.process_time()
    same = True
    for s in range(count):
        one = simulate_one(model, draws, s)
        same &= engine.default_year[s].tolist() == one.default_year[0].tolist()
        for field in FIELDS:
            same &= bool(np.allclose(getattr(engine, field)[s], getattr(one, field)[0],
                                     rtol=1e-9, atol=1e-3))
    cpu = time.process_time() - started
    print(json.dumps({"cpu_s_per_scenario": cpu / count, "scenarios": count, "same": same}))
"""

RATES = """
import json, time
import numpy as np
from threadpoolctl import threadpool_limits

if __name__ == "__main__":
    a = np.ones(2**25)
    b = np.ones(2**25)
    c = np.empty(2**25)
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        np.add(a, b, out=c)
        best = min(best, time.perf_counter() - started)
    bandwidth = 3 * a.nbytes / best
    with threadpool_limits(limits=1, user_api="blas"):
        m = np.random.default_rng(0).random((1024, 1024))
        m @ m
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            m @ m
            best = min(best, time.perf_counter() - started)
    print(json.dumps({"bandwidth_gb_s": bandwidth / 1e9, "gflop_s": 2 * 1024**3 / best / 1e9}))
"""


def child(code: str, *args: str) -> tuple[dict[str, object], float, float, float]:
    """Run ``code`` in a fresh interpreter: its last JSON line, wall, CPU seconds, peak MB."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"case {args} failed ({os.waitstatus_to_exitcode(status)})")
    figures = json.loads(output.strip().splitlines()[-1])
    return figures, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def case(name: str, scenarios: int, backend: str, workers: int, mode: str) -> dict[str, object]:
    figures, _, _, peak = child(RUN, name, str(scenarios), backend, str(workers), mode)
    wall, cpu = float(figures["wall_s"]), float(figures["cpu_s"])  # type: ignore[arg-type]
    return {
        "backend": backend if backend == "local" else f"{backend} x{workers}",
        "summaries": mode, "scenarios": scenarios, "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2), "scenarios_per_s": round(scenarios / wall),
        "scenarios_per_cpu_s": round(scenarios / cpu), "peak_rss_mb": round(peak),
        "p_default_openai": figures["p_default_openai"], "digest": figures["digest"],
        "shape": {k: figures[k] for k in ("entities", "legs", "pairs", "builds", "periods")},
    }  # fmt: skip


def floor_s(shape: dict[str, int], scenarios: int, rates: dict[str, float]) -> float:
    """The least time for ``scenarios`` scenarios on one core (see the module docstring)."""
    n, K, Q, B, P = (shape[k] for k in ("entities", "legs", "pairs", "builds", "periods"))
    flops = scenarios * P * (10 * K + 4 * Q + 30 * n + 10 * B)
    # draws in (8 bytes each: about 4 per entity, 2 per leg, a few per run) and outputs out
    # (about 10 float64 per entity and one per payer-payee pair)
    bytes_ = scenarios * 8 * ((4 * n + 2 * K + 8) + (10 * n + Q))
    return max(flops / (rates["gflop_s"] * 1e9), bytes_ / (rates["bandwidth_gb_s"] * 1e9))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="bubble-bursts")
    parser.add_argument("--million", type=int, default=1_000_000)
    parser.add_argument("--reference", type=int, default=200)
    parser.add_argument("--dask-scenarios", type=int, default=0, help="run this many on Dask")
    args = parser.parse_args()
    started = time.perf_counter()
    rates = child(RATES)[0]
    reference = child(REFERENCE, args.scenario, str(args.reference), str(ROOT))[0]
    name, million = args.scenario, args.million
    rows = [
        case(name, 10_000, "local", 1, "auto"),
        case(name, 100_000, "local", 1, "auto"),
        case(name, million, "processes", 2, "auto"),
        case(name, million, "processes", 2, "streaming"),
        case(name, million, "dask", 2, "streaming"),
    ]
    if args.dask_scenarios:
        rows.append(case(name, args.dask_scenarios, "dask", 2, "streaming"))
    print(f"{'backend':<14}{'summaries':>10}{'scenarios':>12}{'wall s':>9}{'CPU s':>9}"
          f"{'scen/CPU s':>11}{'peak MB':>9}")  # fmt: skip
    for row in rows:
        print(f"{row['backend']:<14}{row['summaries']:>10}{row['scenarios']:>12,}"
              f"{row['wall_s']:>9}{row['cpu_s']:>9}{row['scenarios_per_cpu_s']:>11,}"
              f"{row['peak_rss_mb']:>9,}")  # fmt: skip
    pool, pool_streaming, dask = rows[2], rows[3], rows[4]
    shape: dict[str, int] = pool["shape"]  # type: ignore[assignment]
    floor = floor_s(shape, million, rates)
    per_cpu_s = float(pool["scenarios_per_cpu_s"])  # type: ignore[arg-type]
    summary = {
        "scenario": name, "shape": shape, "rates": rates,
        "reference_cpu_ms_per_scenario": round(1e3 * float(reference["cpu_s_per_scenario"]), 3),  # type: ignore[arg-type]
        "engine_equals_reference": reference["same"],
        "speedup_vs_reference": round(float(reference["cpu_s_per_scenario"]) * per_cpu_s),  # type: ignore[arg-type]
        "floor_1e6_cpu_s": round(floor, 3),
        "ratio_to_floor": round(float(pool["cpu_s"]) / floor, 2),  # type: ignore[arg-type]
        "million_wall_s": pool["wall_s"], "million_cpu_s": pool["cpu_s"],
        "million_cpu_s_per_core": round(float(pool["cpu_s"]) / 2, 2),  # type: ignore[arg-type]
        "million_peak_gb": round(float(pool["peak_rss_mb"]) / 1024, 3),  # type: ignore[arg-type]
        "target_million_s": 30, "target_peak_gb": 1.0,
        "dask_same_summaries_as_pool": dask["digest"] == pool_streaming["digest"],
        "dask_overhead_vs_pool": round(float(dask["wall_s"]) / float(pool_streaming["wall_s"]), 3),  # type: ignore[arg-type]
        "dask_1e7_wall_s_extrapolated": round(10_000_000 / million * float(dask["wall_s"]), 1),  # type: ignore[arg-type]
        "load_average": os.getloadavg()[0],
        "cases": rows,
        "total_s": round(time.perf_counter() - started, 1),
    }  # fmt: skip
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
