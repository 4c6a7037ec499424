"""Clearing benchmark: batched Eisenberg–Noe against this machine's floor and a per-scenario loop.

Case A: n = 32 nodes, S = 100,000 scenarios of random shocks to outside assets on one fixed
network, float64, Picard to 1e-9 then the exact polish. The floor is measured here: memory
bandwidth (numpy add over 256 MB arrays) and matrix-multiply FLOP/s (2048³ GEMM); one
scenario-iteration needs at least 3·n·8 bytes of traffic and 2·n² flops, so
floor = scenario-iterations × max(bytes / bandwidth, flops / GEMM rate) + writing the outputs once.
Case B: one scenario on a sparse network of 100,000 nodes and 1,000,000 obligations, exact EN.
Case C: case A in float32 (the polish is float64), with its error against float64.

Prints a table, then one JSON line with ratio_to_floor, speedup_vs_loop and cases B and C.
Usage: python benchmarks/clearing.py [--scenarios S] [--loop K]
"""

from __future__ import annotations

import argparse
import json
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp

from stargate.finance.clearing import _picard, _polish, _system, eisenberg_noe
from stargate.finance.network import Conventions, network


def best_of(repeats: int, run: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def _bandwidth() -> float:
    size = 1 << 25  # 32 Mi doubles = 256 MiB per array
    a, b, c = np.ones(size), np.ones(size), np.empty(size)
    return 3 * 8 * size / best_of(5, lambda: np.add(a, b, out=c)) / 1e9


def machine_floor() -> dict[str, float]:
    m64 = np.random.default_rng(0).standard_normal((2048, 2048))
    m32 = m64.astype(np.float32)
    return {
        "bandwidth_gb_s": _bandwidth(),
        "dgemm_gflop_s": 2 * 2048**3 / best_of(3, lambda: m64 @ m64) / 1e9,
        "sgemm_gflop_s": 2 * 2048**3 / best_of(3, lambda: m32 @ m32) / 1e9,
    }


def case_a_network(n: int, scenarios: int, seed: int = 42) -> tuple[np.ndarray, ...]:
    """A dense-ish random network whose base case is solvent; shocks default about half."""
    rng = np.random.default_rng(seed)
    L = rng.lognormal(0.0, 1.0, (n, n)) * (rng.uniform(size=(n, n)) < 0.5)
    np.fill_diagonal(L, 0)
    el = rng.uniform(5, 15, n)
    owed, owed_to = L.sum(axis=1), L.sum(axis=0)
    e0 = owed + el - owed_to + rng.uniform(1, 4, n)  # book equity 1–4 per node
    shocks = rng.beta(0.5, 24, (scenarios, n))  # mostly small losses, a heavy tail
    return L, e0 * (1 - shocks), el


def peak_mib(run: Callable[[], Any]) -> float:
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def case_a(scenarios: int, loop: int, floor: dict[str, float], dtype: Any) -> dict[str, Any]:
    n = 32
    L, e, el = case_a_network(n, scenarios)
    conventions = Conventions(tol=1e-9)
    net = network(L, e, el, dtype=dtype)
    eisenberg_noe(network(L, e[:1000], el, dtype=dtype), conventions)  # warm up BLAS, imports
    started = time.perf_counter()
    result = eisenberg_noe(net, conventions)
    cold = time.perf_counter() - started  # includes first-touch page faults of fresh memory
    wall = best_of(3, lambda: eisenberg_noe(net, conventions))  # steady state, as in a sweep
    # the two phases, timed on their own
    system = _system(net, conventions)
    started = time.perf_counter()
    ratios, iterations = _picard(system, "greatest", conventions)
    picard_s = time.perf_counter() - started
    started = time.perf_counter()
    _polish(system, ratios.copy(), "greatest")
    polish_s = time.perf_counter() - started
    steps = int(iterations.sum())
    width = np.dtype(dtype).itemsize
    gemm = floor["dgemm_gflop_s" if width == 8 else "sgemm_gflop_s"] * 1e9
    per_step = max(3 * n * width / (floor["bandwidth_gb_s"] * 1e9), 2 * n * n / gemm)
    # the job must also write its outputs once: 5 float arrays, a bool and an int64 per node
    output_bytes = scenarios * n * (5 * 8 + 1 + 8)
    picard_floor_s = steps * per_step
    floor_s = picard_floor_s + output_bytes / (floor["bandwidth_gb_s"] * 1e9)
    out = {
        "n": n,
        "scenarios": scenarios,
        "dtype": np.dtype(dtype).name,
        "wall_s": wall,
        "cold_wall_s": cold,
        "picard_s": picard_s,
        "polish_s": polish_s,
        "scenario_iterations": steps,
        "scenario_iterations_per_s": steps / wall,
        "mean_iterations": steps / scenarios,
        "p_any_default": float(result.defaulted.any(axis=1).mean()),
        "floor_s": floor_s,
        "ratio_to_floor": wall / floor_s,
        "picard_ratio_to_floor": picard_s / picard_floor_s,
        "peak_mib": peak_mib(lambda: eisenberg_noe(net, conventions)),
    }
    if loop:
        one_by_one = [eisenberg_noe(network(L, e[k], el), solver="fda") for k in range(loop)]
        loop_s = best_of(1, lambda: [eisenberg_noe(network(L, e[k], el), solver="fda")
                                     for k in range(loop)])  # fmt: skip
        agreement = max(
            float(np.max(np.abs(one.payments - result.payments[k])))
            for k, one in enumerate(one_by_one)
        )
        out |= {
            "loop_scenarios_timed": loop,
            "loop_s_extrapolated": loop_s / loop * scenarios,
            "speedup_vs_loop": loop_s / loop * scenarios / wall,
            "max_diff_vs_loop": agreement,
        }
    return out | {"payments": result.payments}


def case_b(seed: int = 7) -> dict[str, Any]:
    n, edges = 100_000, 1_000_000
    rng = np.random.default_rng(seed)
    rows, cols = rng.integers(0, n, edges), rng.integers(0, n, edges)
    keep = rows != cols
    L = sp.csr_array((rng.lognormal(0, 1, keep.sum()), (rows[keep], cols[keep])), shape=(n, n))
    L.sum_duplicates()
    owed, owed_to = L.sum(axis=1), L.sum(axis=0)
    el = rng.uniform(1, 5, n)
    e = (owed + el - owed_to + rng.uniform(0.5, 2, n)) * (1 - rng.beta(0.5, 8, n))
    net = network(L, np.maximum(e, 0), el)
    started = time.perf_counter()
    result = eisenberg_noe(net)
    wall = time.perf_counter() - started
    p = result.payments
    pbar = owed + el
    ratios = np.where(pbar > 0, p / pbar, 1)
    fixed = np.minimum(pbar, np.maximum(0, np.maximum(e, 0) + L.T @ ratios))
    return {
        "nodes": n,
        "edges": int(L.nnz),
        "wall_s": wall,
        "rounds": int(result.rounds[0]),
        "defaults": int(result.defaulted.sum()),
        "fixed_point_residual": float(np.max(np.abs(fixed - p))),
        "peak_mib": peak_mib(lambda: eisenberg_noe(net)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=100_000)
    parser.add_argument("--loop", type=int, default=2000, help="scenarios timed one by one")
    args = parser.parse_args()
    floor = machine_floor()
    a = case_a(args.scenarios, args.loop, floor, np.float64)
    c = case_a(args.scenarios, 0, floor, np.float32)
    c_error = float(np.max(np.abs(c.pop("payments") - a.pop("payments"))))
    b = case_b()
    print(
        f"machine: {floor['bandwidth_gb_s']:.1f} GB/s add bandwidth, "
        f"DGEMM {floor['dgemm_gflop_s']:.1f} GFLOP/s, SGEMM {floor['sgemm_gflop_s']:.1f} GFLOP/s"
    )
    rows = [
        ("A float64: wall", f"{a['wall_s']:.3f} s warm, {a['cold_wall_s']:.3f} s cold "
         f"(Picard {a['picard_s']:.3f} s, polish {a['polish_s']:.3f} s)"),
        ("A scenario-iterations/s", f"{a['scenario_iterations_per_s']:.3e} "
         f"({a['mean_iterations']:.1f} iterations per scenario)"),
        ("A P(any default)", f"{a['p_any_default']:.3f}"),
        ("A floor / ratio", f"{a['floor_s']:.3f} s / {a['ratio_to_floor']:.2f}x "
         f"(Picard alone {a['picard_ratio_to_floor']:.2f}x its iteration floor)"),
        ("A loop (FDA one by one)", f"{a['loop_s_extrapolated']:.1f} s extrapolated from "
         f"{a['loop_scenarios_timed']} -> speedup {a['speedup_vs_loop']:.0f}x, "
         f"max diff {a['max_diff_vs_loop']:.1e}"),
        ("A peak memory", f"{a['peak_mib']:.0f} MiB"),
        ("B sparse 1e5 nodes, 1e6 edges", f"{b['wall_s']:.2f} s, {b['rounds']} rounds, "
         f"{b['defaults']} defaults, residual {b['fixed_point_residual']:.1e}, "
         f"peak {b['peak_mib']:.0f} MiB"),
        ("C float32: wall", f"{c['wall_s']:.3f} s warm (Picard {c['picard_s']:.3f} s), "
         f"ratio {c['ratio_to_floor']:.2f}x, max error vs float64 {c_error:.1e}, "
         f"peak {c['peak_mib']:.0f} MiB"),
    ]  # fmt: skip
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    summary = {
        "ratio_to_floor": round(a["ratio_to_floor"], 3),
        "speedup_vs_loop": round(a["speedup_vs_loop"], 1),
        "case_a": {k: (round(v, 6) if isinstance(v, float) else v) for k, v in a.items()},
        "case_b": b,
        "case_c": c | {"max_abs_error_vs_float64": c_error},
        "machine": floor,
    }
    print(json.dumps(summary, default=float))


if __name__ == "__main__":
    main()
