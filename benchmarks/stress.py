"""Stress benchmark: the demo World, yearly periods 2025–2032, Monte Carlo on each backend.

Each case runs in its own child process so that its peak memory (the largest resident set of the
child and the processes it started, from ``wait4``) is its own. Cases: 100,000 scenarios in one
process, on a pool of 2 processes, and on a local Dask cluster of 2 workers (the overhead of Dask
is reported against the pool); then 1,000,000 scenarios on the pool, which must stay under 4 GB.

Prints a table, then one JSON line.
Usage: python benchmarks/stress.py [--scenarios N] [--million N] [--scenario NAME]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

CHILD = """
import json, sys, time
from stargate.finance.montecarlo import run
from stargate.finance.scenarios import load_scenario
from stargate.finance.model import build_model
from stargate.world.world import curated_world

if __name__ == "__main__":
    name, scenarios, backend, workers = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    world = curated_world()
    model = build_model(world, load_scenario(name))
    started = time.perf_counter()
    result = run(model, world.agreements, name=name, scenarios=scenarios, seed=1,
                 backend=backend, workers=workers)
    wall = time.perf_counter() - started
    p_openai = result.to_json()["entities"]["openai"]["p_default"]
    print(json.dumps({"wall_s": wall, "entities": len(model.nodes), "p_default_openai": p_openai}))
"""


def case(name: str, scenarios: int, backend: str, workers: int) -> dict[str, float | str | int]:
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, name, str(scenarios), backend, str(workers)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{backend} run failed ({process.returncode})")
    figures = json.loads(output.strip().splitlines()[-1])
    return {
        "backend": backend if backend == "local" else f"{backend} ×{workers}",
        "scenarios": scenarios,
        "wall_s": round(figures["wall_s"], 2),
        "scenarios_per_s": round(scenarios / figures["wall_s"]),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "entities": figures["entities"],
        "p_default_openai": figures["p_default_openai"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=100_000)
    parser.add_argument("--million", type=int, default=1_000_000)
    parser.add_argument("--scenario", default="bubble-bursts")
    args = parser.parse_args()
    started = time.perf_counter()
    rows = [
        case(args.scenario, args.scenarios, "local", 1),
        case(args.scenario, args.scenarios, "processes", 2),
        case(args.scenario, args.scenarios, "dask", 2),
        case(args.scenario, args.million, "processes", 2),
    ]
    print(f"{'backend':<14}{'scenarios':>11}{'wall s':>9}{'scen/s':>9}{'peak MB':>9}")
    for row in rows:
        print(
            f"{row['backend']:<14}{row['scenarios']:>11,}{row['wall_s']:>9}"
            f"{row['scenarios_per_s']:>9,}{row['peak_rss_mb']:>9,}"
        )
    summary = {
        "scenario": args.scenario,
        "entities": rows[0]["entities"],
        "cases": rows,
        "dask_overhead_vs_pool": round(float(rows[2]["wall_s"]) / float(rows[1]["wall_s"]), 3),
        "pool_speedup_vs_local": round(float(rows[0]["wall_s"]) / float(rows[1]["wall_s"]), 3),
        "target_100k_s": 60,
        "million_under_4gb": int(rows[3]["peak_rss_mb"]) < 4096,
        "total_s": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
