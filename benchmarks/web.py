"""Web load check: latency and throughput of the dashboard's main read endpoints.

Starts ``stargate serve`` on a fresh demo store (loopback, a free port, one uvicorn process),
then keeps 50 concurrent keep-alive connections busy for 30 s, cycling over the endpoints below,
and then each endpoint alone for a few seconds. The load comes from ``wrk`` (Debian's package, a
C client that costs the shared 2 cores little) when it is installed, else from 50 asyncio httpx
clients in this process (whose own CPU cost then inflates the latencies). Only loopback is ever
addressed; every loop is bounded in time.

Reports p50/p99 latency per endpoint and overall, and requests per second, against the target
p99 < 100 ms for reads. Prints a table, then one JSON line.
Usage: python benchmarks/web.py [--clients 50] [--seconds 30] [--client wrk|python]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

TARGET_P99_MS = 100.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stargate(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "stargate", *args], check=True,
                          capture_output=True, text=True)  # fmt: skip
    return done.stdout


def endpoints(base: str) -> list[str]:
    claims = httpx.get(f"{base}/api/claims", params={"size": 1}).json()["items"]
    source = claims[0]["source_id"]
    return [
        "/api/overview", "/api/entities/openai", "/api/agreements", "/api/claims?size=50",
        f"/api/sources/{source}", "/", "/entities/openai", f"/sources/{source}",
    ]  # fmt: skip


async def client(base: str, paths: list[str], until: float, out: dict[str, list[float]],
                 errors: list[str], offset: int) -> None:  # fmt: skip
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        i = offset
        while time.perf_counter() < until:
            path = paths[i % len(paths)]
            i += 1
            started = time.perf_counter()
            response = await http.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                errors.append(f"{path}: {response.status_code}")
            out[path].append(elapsed)


def quantile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1]


WRK_SCRIPT = """
paths = {%s}
i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%f %%f %%d\\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
"""


def wrk(base: str, paths: list[str], clients: int, seconds: float) -> dict[str, float]:
    """One wrk run cycling over ``paths``: requests, seconds, p50/p99 ms, errors."""
    script = WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as handle:
        handle.write(script)
        handle.flush()
        done = subprocess.run(
            ["wrk", "-t2", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
             "-s", handle.name, base],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT"))
    requests, micros, p50, p99, errors = line.split()[1:]
    return {"requests": int(requests), "seconds": int(micros) / 1e6, "p50_ms": float(p50),
            "p99_ms": float(p99), "errors": int(errors)}  # fmt: skip


def python_load(base: str, paths: list[str], clients: int, seconds: float) -> dict[str, Any]:
    latencies: dict[str, list[float]] = {p: [] for p in paths}
    errors: list[str] = []
    started = time.perf_counter()
    until = started + seconds

    async def load() -> None:
        await asyncio.gather(*(client(base, paths, until, latencies, errors, i)
                               for i in range(clients)))  # fmt: skip

    asyncio.run(load())
    every = [v for values in latencies.values() for v in values]
    return {"requests": len(every), "seconds": time.perf_counter() - started,
            "p50_ms": quantile(every, 0.50), "p99_ms": quantile(every, 0.99),
            "errors": len(errors)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0, help="the mixed run")
    parser.add_argument("--each", type=float, default=5.0, help="each endpoint alone")
    parser.add_argument(
        "--client", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stargate-web-bench-") as tmp:
        db = str(Path(tmp) / "demo.sqlite")
        stargate("--db", db, "init")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "stargate", "--db", db, "serve", "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{base}/api/overview").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not start")
                time.sleep(0.2)
            paths = endpoints(base)
            for path in paths:  # warm: the first request builds the read model
                httpx.get(base + path).raise_for_status()
            load = wrk if args.client == "wrk" else python_load
            mixed = load(base, paths, args.clients, args.seconds)
            alone = {p: load(base, [p], args.clients, args.each) for p in paths}
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"client: {args.client}, {args.clients} connections")
    print(f"{'endpoint':32} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8}")
    rows = []
    for path, r in [(f"all (mixed, {round(mixed['seconds'])} s)", mixed), *alone.items()]:
        name = path if "/sources/" not in path else path.rsplit("/", 1)[0] + "/{id}"
        rps = r["requests"] / r["seconds"]
        rows.append({"endpoint": name, "requests_per_s": round(rps),
                     "p50_ms": round(r["p50_ms"], 1), "p99_ms": round(r["p99_ms"], 1),
                     "errors": r["errors"]})  # fmt: skip
        print(f"{name:32} {rps:11,.0f} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f}")
    p99 = mixed["p99_ms"]
    print(f"mixed p99 {p99:.1f} ms vs target {TARGET_P99_MS:.0f} ms ({p99 / TARGET_P99_MS:.2f}x)")
    print(json.dumps({"client": args.client, "clients": args.clients, "rows": rows,
                      "target_p99_ms": TARGET_P99_MS, "cpus": os.cpu_count()}))  # fmt: skip
    errors = sum(r["errors"] for r in rows)
    if errors:
        raise SystemExit(f"{errors} failed requests")


if __name__ == "__main__":
    main()
