"""Hostile inputs within the limits take time linear in their size (issue 15, item 4).

For each input shape that was once quadratic or exponential, times three sizes, each four times
the last, and reports the seconds per unit of size; a ratio of the largest size's cost per unit
to the smallest's near 1 is linear (4 would be quadratic). Shapes: a header line with a run of
spaces in its value (once 26 s at 60 KB), HTML full of scripts, a NETWORK.json matrix, and a
diamond of scenario files extending each other (once exponential in its levels: 122 s at 16).
Prints a table and one JSON line.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from stargate.evidence.documents import parse_document
from stargate.finance.problem import load_json
from stargate.finance.scenarios import load_scenario

SENTENCE = "OpenAI signed a 4.5 GW deal with Oracle worth 30 billion dollars a year. "


def best(run: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def header(size: int) -> Callable[[], object]:
    data = ("Title: a" + " " * size + "x\n---\n" + SENTENCE).encode()
    return lambda: parse_document(data, suffix=".txt", name="h.txt")


def html(size: int) -> Callable[[], object]:
    chunk = f"<p>{SENTENCE}</p><script>var x = '{'y' * 60}';</script><style>p{{}}</style>"
    data = ("<html><body>" + chunk * (size // len(chunk)) + "</body></html>").encode()
    return lambda: parse_document(data, suffix=".html", name="h.html")


def network(size: int, folder: Path) -> Callable[[], object]:
    n = max(2, int((size / 4) ** 0.5))  # about four characters a cell
    rows = [[0 if i == j else 1 for j in range(n)] for i in range(n)]
    path = folder / f"net{size}.json"
    path.write_text(json.dumps({"nodes": [f"n{i}" for i in range(n)], "liabilities": rows,
                                "external_assets": [1] * n}))  # fmt: skip
    return lambda: load_json(path)


def diamond(levels: int, folder: Path) -> Callable[[], object]:
    """``levels`` levels of two files, each extending both files below: 2**levels paths."""
    root = folder / f"diamond{levels}"
    root.mkdir()
    for level in range(levels):
        for side in "ab":
            parents = "baseline" if level == 0 else f"[l{level - 1}a.yaml, l{level - 1}b.yaml]"
            (root / f"l{level}{side}.yaml").write_text(
                f"name: l{level}{side}\ndescription: d\nextends: {parents}\n"
            )
    return lambda: load_scenario(root / f"l{levels - 1}a.yaml")


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shapes: list[tuple[str, str, list[int], Callable[[int], Callable[[], object]]]] = [
            ("header line", "MB", [250_000, 1_000_000, 4_000_000], header),
            ("HTML with scripts", "MB", [250_000, 1_000_000, 4_000_000], html),
            ("NETWORK.json matrix", "MB", [250_000, 1_000_000, 4_000_000],
             lambda s: network(s, folder)),
            ("extends diamond", "level", [4, 8, 16], lambda s: diamond(s, folder)),
        ]  # fmt: skip
        for name, unit, sizes, make in shapes:
            costs = []
            for size in sizes:
                seconds = best(make(size))
                per = seconds / (size / 1e6 if unit == "MB" else size)
                costs.append(per)
                rows.append({"input": name, "size": size, "seconds": round(seconds, 4),
                             f"s_per_{unit}": round(per, 4)})  # fmt: skip
            rows[-1]["ratio_largest_to_smallest_per_unit"] = round(costs[-1] / costs[0], 2)
    for row in rows:
        print("  ".join(f"{k}={v}" for k, v in row.items()))
    ratios = {r["input"]: r["ratio_largest_to_smallest_per_unit"] for r in rows
              if "ratio_largest_to_smallest_per_unit" in r}  # fmt: skip
    print(json.dumps({"benchmark": "hostile", "ratios": ratios, "rows": rows}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
