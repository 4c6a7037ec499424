"""Command-line start-up: wall time of ``stargate --help``, ``--version`` and ``summary`` on the
demo store, against the bare interpreter and ``import click`` measured in the same run.

Targets (issue "The house"): ``--help`` and ``--version`` <= 0.3 s, ``summary`` <= 1 s. Each
command runs ``REPEATS`` times in a fresh process; the median is reported, with its ratio to the
bare interpreter start (the floor no command can beat). The last line is one JSON object.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEATS = 9
TARGETS = {"--help": 0.3, "--version": 0.3, "summary": 1.0}


def timed(argv: list[str], env: dict[str, str]) -> float:
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, env=env)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        env = os.environ | {"STARGATE_DATABASE_URL": f"sqlite:///{Path(folder) / 'demo.sqlite'}"}
        stargate = [sys.executable, "-m", "stargate"]
        subprocess.run([*stargate, "init"], check=True, capture_output=True, env=env)
        floor = timed([sys.executable, "-c", "pass"], env)
        click = timed([sys.executable, "-c", "import click"], env)
        results = {args: timed([*stargate, args], env) for args in TARGETS}
    print(f"{'command':<22}{'median s':>10}{'target s':>10}{'x python':>10}")
    print(f"{'python -c pass':<22}{floor:>10.3f}{'':>10}{1:>10.1f}")
    print(f"{'python -c import click':<22}{click:>10.3f}{'':>10}{click / floor:>10.1f}")
    for args, seconds in results.items():
        print(f"{'stargate ' + args:<22}{seconds:>10.3f}{TARGETS[args]:>10.1f}"
              f"{seconds / floor:>10.1f}")  # fmt: skip
    summary = {
        "python_s": round(floor, 4),
        "import_click_s": round(click, 4),
        **{f"stargate {a}_s": round(s, 4) for a, s in results.items()},
        "within_targets": all(results[a] <= t for a, t in TARGETS.items()),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
