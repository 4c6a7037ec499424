"""Clearing benchmark: the engine against references measured in the same run, and the floor.

Case A: n = 32 nodes, S = 100,000 scenarios of random shocks to outside assets on one fixed
network, float64, exact greatest Eisenberg–Noe vector with every output (payments, equity,
defaults, default waves). Measured side by side, interleaved, medians of ``--repeats`` runs:

- the engine, ``eisenberg_noe(net)`` (compiled kernels, steady state: compiled code loaded);
- a compiled exact reference written here: a plain numba fictitious-default kernel (full
  ``r @ L`` product every round, Gaussian elimination on the default set, one thread per block of
  scenarios), writing the same outputs into fresh arrays;
- the numpy reference engine (``backend="numpy"``), and the one-by-one loop of single scenarios;
- the floor for the whole job: the map evaluations the exact algorithm needs (its rounds + 1 per
  scenario: the last one confirms the set), each at least ``2 n²`` flops and ``3·n·8`` bytes,
  plus reading the shocked assets once and writing the outputs once (5 float64 arrays, a bool
  and an int64 per node, the rounds per scenario), at this machine's measured memory bandwidth
  (numpy add over 256 MiB arrays) and matrix-multiply rate (2048³ GEMM).

Case C: case A with float32 inputs. Case S: one scenario (n = 32) through the public API against
a plain numpy fictitious-default loop. Case B: one scenario on a sparse network of 100,000 nodes
and 1,000,000 obligations against a plain scipy.sparse fictitious-default loop. Compile: import
and first call in a fresh process with an empty numba cache (compiling) and with the cache
filled (loading), reported apart from the steady-state figures.

Prints a table, then one JSON line with ratio_to_floor, ratio_to_compiled_reference,
single_scenario_ratio_to_numpy, speedup_vs_loop, sparse_ratio_to_scipy and the details.
Usage: python benchmarks/clearing.py [--scenarios S] [--loop K] [--repeats R]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numba
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from stargate.finance.clearing import eisenberg_noe
from stargate.finance.network import network


def timed(run: Callable[[], Any]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def best_of(repeats: int, run: Callable[[], Any]) -> float:
    return min(timed(run) for _ in range(repeats))


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


# -- references written here -------------------------------------------------------------------


@numba.njit(cache=True, nogil=True)
def _gauss(A: Any, b: Any, k: int) -> None:  # pragma: no cover - compiled
    for col in range(k):
        pivot = col
        for row in range(col + 1, k):
            if abs(A[row, col]) > abs(A[pivot, col]):
                pivot = row
        for j in range(k):
            A[col, j], A[pivot, j] = A[pivot, j], A[col, j]
        b[col], b[pivot] = b[pivot], b[col]
        for row in range(col + 1, k):
            f = A[row, col] / A[col, col]
            for j in range(col, k):
                A[row, j] -= f * A[col, j]
            b[row] -= f * b[col]
    for col in range(k - 1, -1, -1):
        acc = b[col]
        for j in range(col + 1, k):
            acc -= A[col, j] * b[j]
        b[col] = acc / A[col, col]


@numba.njit(cache=True, nogil=True, parallel=True)
def _reference_kernel(
    L: Any, e: Any, el: Any, out: Any, defaulted: Any, wave: Any, rounds: Any, blocks: int
) -> None:  # pragma: no cover - compiled
    """Plain compiled EN fictitious default algorithm (pari passu, e >= 0): full product each
    round, Gaussian elimination on the default set; writes payments, interbank and outside
    payments, equity, recovery, defaults, waves (the FDA round) and rounds."""
    S, n = e.shape
    owed = np.zeros(n)
    for i in range(n):
        for j in range(n):
            owed[i] += L[i, j]
    pbar = owed + el
    tol = 1e-12 * max(pbar.max(), np.abs(e).max())
    for t in numba.prange(blocks):
        r, inflow, b = np.empty(n), np.empty(n), np.empty(n)
        A = np.empty((n, n))
        D = np.empty(n, np.int64)
        for k in range(t * S // blocks, (t + 1) * S // blocks):
            r[:] = 1.0
            defaulted[k] = False
            wave[k] = 0
            m = 0
            rounds[k] = 0
            for rnd in range(1, n + 2):
                inflow[:] = 0.0
                for i in range(n):
                    for j in range(n):
                        inflow[j] += r[i] * L[i, j]
                grew = False
                for i in range(n):
                    if not defaulted[k, i] and pbar[i] > 0 and e[k, i] + inflow[i] < pbar[i] - tol:
                        defaulted[k, i] = True
                        wave[k, i] = rnd
                        D[m] = i
                        m += 1
                        grew = True
                if not grew:
                    break
                rounds[k] = rnd
                for a in range(m):
                    i = D[a]
                    acc = e[k, i]
                    for j in range(n):
                        if not defaulted[k, j]:
                            acc += L[j, i]
                    b[a] = acc
                    for q in range(m):
                        A[a, q] = -L[D[q], i]
                    A[a, a] += pbar[i]
                _gauss(A, b, m)
                for a in range(m):
                    r[D[a]] = min(max(b[a], 0.0), 1.0)
            for j in range(n):
                out[0, k, j] = r[j] * pbar[j]
                out[1, k, j] = r[j] * owed[j]
                out[2, k, j] = r[j] * el[j]
                out[3, k, j] = inflow[j] + e[k, j] - el[j] - owed[j]
                out[4, k, j] = r[j]


def compiled_reference(L: np.ndarray, e: np.ndarray, el: np.ndarray) -> tuple[np.ndarray, ...]:
    S, n = e.shape
    out = np.empty((5, S, n))
    defaulted = np.empty((S, n), np.bool_)
    wave = np.empty((S, n), np.int64)
    rounds = np.empty(S, np.int64)
    _reference_kernel(L, e, el, out, defaulted, wave, rounds, numba.get_num_threads())
    return out, defaulted, wave, rounds


def numpy_fda(L: np.ndarray, e: np.ndarray, el: np.ndarray) -> np.ndarray:
    """Plain numpy EN fictitious default algorithm for one scenario (pari passu, e >= 0)."""
    owed = L.sum(axis=1)
    pbar = owed + el
    r = np.ones_like(e)
    defaulted = np.zeros(e.shape, bool)
    for _ in range(e.size + 1):
        new = (e + r @ L < pbar) & ~defaulted
        if not new.any():
            break
        defaulted |= new
        d, f = np.flatnonzero(defaulted), np.flatnonzero(~defaulted)
        A = np.diag(pbar[d]) - L[np.ix_(d, d)].T
        r[d] = np.clip(np.linalg.solve(A, e[d] + L[np.ix_(f, d)].sum(axis=0)), 0, 1)
    return r * pbar


def scipy_fda(L: sp.csr_array, e: np.ndarray, el: np.ndarray) -> np.ndarray:
    """Plain scipy.sparse EN fictitious default algorithm for one scenario (pari passu)."""
    owed = np.asarray(L.sum(axis=1)).ravel()
    pbar = owed + el
    LT = L.T.tocsr()
    r = np.ones_like(e)
    defaulted = np.zeros(e.shape, bool)
    for _ in range(e.size + 1):
        new = (e + LT @ r < pbar) & ~defaulted
        if not new.any():
            break
        defaulted |= new
        d, f = np.flatnonzero(defaulted), np.flatnonzero(~defaulted)
        A = sp.diags(pbar[d]) - LT[d][:, d]
        rhs = e[d] + LT[d][:, f] @ np.ones(f.size)
        r[d] = np.clip(spla.spsolve(A.tocsc(), rhs), 0, 1)
    return r * pbar


# -- cases ---------------------------------------------------------------------------------------


def case_a(args: argparse.Namespace, floor: dict[str, float], dtype: Any) -> dict[str, Any]:
    n, scenarios = 32, args.scenarios
    L, e, el = case_a_network(n, scenarios)
    net = network(L, e, el, dtype=dtype)
    eisenberg_noe(network(L, e[:5000], el, dtype=dtype))  # load compiled code, warm caches
    compiled_reference(L, e[:5000], el)
    engine_s, reference_s = [], []
    for _ in range(args.repeats):  # interleaved: both see the same load
        engine_s.append(timed(lambda: eisenberg_noe(net)))
        reference_s.append(timed(lambda: compiled_reference(L, e, el)))
    result = eisenberg_noe(net)
    out, _, _, ref_rounds = compiled_reference(L, e, el)
    wall, reference = float(np.median(engine_s)), float(np.median(reference_s))
    numpy_s = timed(lambda: eisenberg_noe(net, backend="numpy")) if dtype == np.float64 else 0.0
    # the floor: map evaluations the exact algorithm needs, inputs read and outputs written once
    evaluations = int(result.rounds.sum()) + scenarios
    width = np.dtype(dtype).itemsize
    gemm = floor["dgemm_gflop_s" if width == 8 else "sgemm_gflop_s"] * 1e9
    bandwidth = floor["bandwidth_gb_s"] * 1e9
    per_evaluation = max(3 * n * width / bandwidth, 2 * n * n / gemm)
    io_bytes = scenarios * n * width + scenarios * (n * (5 * 8 + 1 + 8) + 8)
    floor_s = evaluations * per_evaluation + io_bytes / bandwidth
    out_a: dict[str, Any] = {
        "n": n,
        "scenarios": scenarios,
        "dtype": np.dtype(dtype).name,
        "wall_s": wall,
        "wall_s_runs": engine_s,
        "compiled_reference_s": reference,
        "compiled_reference_s_runs": reference_s,
        "ratio_to_compiled_reference": wall / reference,
        "numpy_backend_s": numpy_s,
        "evaluations_per_scenario": evaluations / scenarios,
        "p_any_default": float(result.defaulted.any(axis=1).mean()),
        "floor_s": floor_s,
        "ratio_to_floor": wall / floor_s,
        "max_diff_vs_compiled_reference": float(np.max(np.abs(out[0] - result.payments))),
        "rounds_agree_with_reference": bool(np.array_equal(ref_rounds, result.rounds)),
    }
    if args.loop and dtype == np.float64:
        eisenberg_noe(network(L, e[0], el))  # load the one-scenario kernels too: steady state
        loop_s = timed(lambda: [eisenberg_noe(network(L, e[k], el)) for k in range(args.loop)])
        one = [eisenberg_noe(network(L, e[k], el)).payments for k in range(args.loop)]
        out_a |= {
            "loop_scenarios_timed": args.loop,
            "loop_s_extrapolated": loop_s / args.loop * scenarios,
            "speedup_vs_loop": loop_s / args.loop * scenarios / wall,
            "max_diff_vs_loop": float(np.max(np.abs(np.array(one) - result.payments[: args.loop]))),
        }
    return out_a


def case_single(count: int, repeats: int) -> dict[str, Any]:
    """Scenarios one at a time (n = 32): the public API against a plain numpy FDA loop."""
    L, e, el = case_a_network(32, count, seed=5)
    eisenberg_noe(network(L, e[0], el))
    engine, plain = [], []
    for _ in range(repeats):
        engine.append(timed(lambda: [eisenberg_noe(network(L, x, el)) for x in e]) / count)
        plain.append(timed(lambda: [numpy_fda(L, x, el) for x in e]) / count)
    diff = max(
        float(np.max(np.abs(eisenberg_noe(network(L, x, el)).payments - numpy_fda(L, x, el))))
        for x in e[:200]
    )
    engine_s, numpy_s = float(np.median(engine)), float(np.median(plain))
    return {
        "scenarios": count,
        "engine_s_per_scenario": engine_s,
        "numpy_fda_s_per_scenario": numpy_s,
        "engine_scenarios_per_s": 1 / engine_s,
        "numpy_fda_scenarios_per_s": 1 / numpy_s,
        "single_scenario_ratio_to_numpy": engine_s / numpy_s,
        "max_diff_vs_numpy_fda": diff,
    }


def case_b(repeats: int, seed: int = 7) -> dict[str, Any]:
    n, edges = 100_000, 1_000_000
    rng = np.random.default_rng(seed)
    rows, cols = rng.integers(0, n, edges), rng.integers(0, n, edges)
    keep = rows != cols
    L = sp.csr_array((rng.lognormal(0, 1, keep.sum()), (rows[keep], cols[keep])), shape=(n, n))
    L.sum_duplicates()
    owed, owed_to = L.sum(axis=1), L.sum(axis=0)
    el = rng.uniform(1, 5, n)
    e = (owed + el - owed_to + rng.uniform(0.5, 2, n)) * (1 - rng.beta(0.5, 8, n))
    e = np.maximum(e, 0)
    net = network(L, e, el)
    eisenberg_noe(net)
    engine, reference = [], []
    for _ in range(repeats):
        engine.append(timed(lambda: eisenberg_noe(net)))
        reference.append(timed(lambda: scipy_fda(L, e, el)))
    result = eisenberg_noe(net)
    p = result.payments
    pbar = owed + el
    fixed = np.minimum(pbar, np.maximum(0, e + L.T @ np.where(pbar > 0, p / pbar, 1)))
    wall, scipy_s = float(np.median(engine)), float(np.median(reference))
    return {
        "nodes": n,
        "edges": int(L.nnz),
        "wall_s": wall,
        "scipy_fda_s": scipy_s,
        "numpy_backend_s": timed(lambda: eisenberg_noe(net, backend="numpy")),
        "sparse_ratio_to_scipy": wall / scipy_s,
        "rounds": int(result.rounds[0]),
        "defaults": int(result.defaulted.sum()),
        "fixed_point_residual": float(np.max(np.abs(fixed - p))),
        "max_diff_vs_scipy_fda": float(np.max(np.abs(scipy_fda(L, e, el) - p))),
    }


FIRST_CALL = """
import time
started = time.perf_counter()
from stargate.finance.clearing import eisenberg_noe
from stargate.finance.network import network
imported = time.perf_counter()
eisenberg_noe(network([[0, 4, 0], [0, 0, 3], [2, 0, 0]], [[18, 18, 9]] * 5000, [17, 18, 8]))
eisenberg_noe(network([[0, 4, 0], [0, 0, 3], [2, 0, 0]], [18, 18, 9], [17, 18, 8]))
print(imported - started, time.perf_counter() - imported)
"""


def compile_times() -> dict[str, float]:
    """Import and first calls in fresh processes: empty numba cache, then the filled cache."""
    with tempfile.TemporaryDirectory() as cache:
        env = os.environ | {"NUMBA_CACHE_DIR": cache, "OPENBLAS_NUM_THREADS": "1"}
        figures = {}
        for label in ("compile", "cached"):
            line = subprocess.run(
                [sys.executable, "-c", FIRST_CALL], env=env, check=True, capture_output=True,
                text=True,
            ).stdout.split()  # fmt: skip
            figures[f"import_s_{label}"], figures[f"first_call_s_{label}"] = map(float, line)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=100_000)
    parser.add_argument("--loop", type=int, default=2000, help="scenarios timed one by one")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--single", type=int, default=2000, help="scenarios in case S")
    args = parser.parse_args()
    floor = machine_floor()
    a = case_a(args, floor, np.float64)
    c = case_a(args, floor, np.float32)
    s = case_single(args.single, args.repeats)
    b = case_b(args.repeats)
    first = compile_times()
    print(
        f"machine: {floor['bandwidth_gb_s']:.1f} GB/s add bandwidth, "
        f"DGEMM {floor['dgemm_gflop_s']:.1f} GFLOP/s, SGEMM {floor['sgemm_gflop_s']:.1f} GFLOP/s, "
        f"{numba.get_num_threads()} numba threads"
    )
    rows = [
        ("A engine (n=32, S=1e5, f64)", f"{a['wall_s']:.4f} s median of {args.repeats}, "
         f"{a['evaluations_per_scenario']:.2f} map evaluations per scenario, "
         f"P(any default) {a['p_any_default']:.3f}"),
        ("A compiled exact reference", f"{a['compiled_reference_s']:.4f} s -> ratio "
         f"{a['ratio_to_compiled_reference']:.2f}x, max diff "
         f"{a['max_diff_vs_compiled_reference']:.1e}"),
        ("A floor (whole job)", f"{a['floor_s']:.4f} s -> ratio {a['ratio_to_floor']:.2f}x"),
        ("A numpy backend", f"{a['numpy_backend_s']:.3f} s"),
        ("A loop (one by one)", f"{a['loop_s_extrapolated']:.1f} s extrapolated from "
         f"{a['loop_scenarios_timed']} -> speedup {a['speedup_vs_loop']:.0f}x, "
         f"max diff {a['max_diff_vs_loop']:.1e}"),
        ("C float32 inputs", f"{c['wall_s']:.4f} s, ratio to floor {c['ratio_to_floor']:.2f}x"),
        ("S one scenario (n=32)", f"{s['engine_scenarios_per_s']:.0f}/s vs numpy FDA "
         f"{s['numpy_fda_scenarios_per_s']:.0f}/s -> ratio "
         f"{s['single_scenario_ratio_to_numpy']:.2f}x, max diff {s['max_diff_vs_numpy_fda']:.1e}"),
        ("B sparse 1e5 nodes, 1e6 edges", f"{b['wall_s']:.3f} s vs scipy.sparse FDA "
         f"{b['scipy_fda_s']:.3f} s -> ratio {b['sparse_ratio_to_scipy']:.2f}x; "
         f"{b['rounds']} rounds, {b['defaults']} defaults, "
         f"residual {b['fixed_point_residual']:.1e}"),
        ("first call (fresh process)", f"compiling {first['first_call_s_compile']:.1f} s, "
         f"from the cache {first['first_call_s_cached']:.2f} s "
         f"(import {first['import_s_cached']:.2f} s)"),
    ]  # fmt: skip
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    summary = {
        "ratio_to_floor": round(a["ratio_to_floor"], 3),
        "ratio_to_compiled_reference": round(a["ratio_to_compiled_reference"], 3),
        "single_scenario_ratio_to_numpy": round(s["single_scenario_ratio_to_numpy"], 3),
        "speedup_vs_loop": round(a["speedup_vs_loop"], 1),
        "sparse_ratio_to_scipy": round(b["sparse_ratio_to_scipy"], 3),
        "case_a": a,
        "case_b": b,
        "case_c": c,
        "case_single": s,
        "first_call": first,
        "machine": floor,
    }
    print(json.dumps(summary, default=float))


if __name__ == "__main__":
    main()
