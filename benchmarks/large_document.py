"""Time and memory of one very large article: linear in size, 5 MiB within 60 s and 1 GB.

Prose is generated from the development corpus's sentences, recombined with a seeded random
generator and with every digit redrawn, so no two paragraphs repeat (nothing is cached away).
Each size runs in a fresh process (its peak RSS is that process's). Prints one line per size
and, last, one JSON line. Usage: python benchmarks/large_document.py [MiB ...]
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "devcorpus"


def prose(size: int, language: str = "en", seed: int = 7) -> str:
    """About ``size`` characters of varied news prose in ``language``."""
    sentences = []
    for path in sorted(CORPUS.glob(f"{language}-*.txt")):
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
        sentences += [s for s in re.split(r"(?<=[.!?])\s+", body) if len(s) > 40]
    rng = random.Random(seed)
    parts: list[str] = []
    total = 0
    while total < size:
        sentence = re.sub(r"\d", lambda _: str(rng.randint(1, 9)), rng.choice(sentences))
        parts.append(sentence + ("\n\n" if rng.random() < 0.2 else " "))
        total += len(parts[-1])
    return "".join(parts)[:size]


def _one(mib: float) -> None:
    import resource

    from stargate.evidence import pipeline
    from stargate.evidence.entities import load_gazetteer
    from stargate.ledger.records import Source

    entities = load_gazetteer()
    pipeline.extractor(entities)
    text = prose(int(mib * 1024 * 1024))
    started = time.perf_counter()
    claims = pipeline.extract_source(Source(id="big", text=text, language="en"), entities).claims
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"mib": mib, "seconds": round(seconds, 1), "claims": len(claims),
                      "peak_rss_mb": round(peak)}))  # fmt: skip


def main(sizes: list[float]) -> None:
    rows = []
    for mib in sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(mib)], check=True,
                             capture_output=True, text=True).stdout  # fmt: skip
        row = json.loads(out.strip().splitlines()[-1])
        rows.append(row)
        print(f"{row['mib']:>5} MiB  {row['seconds']:>6} s  {row['claims']:>6} claims  "
              f"peak {row['peak_rss_mb']} MB")  # fmt: skip
    last = rows[-1]
    print(json.dumps({"benchmark": "large_document", "sizes": rows,
                      "seconds_per_mib": round(last["seconds"] / last["mib"], 1),
                      "target_5mib_s": 60, "target_peak_mb": 1024}))  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        _one(float(sys.argv[2]))
    else:
        main([float(a) for a in sys.argv[1:]] or [1.25, 2.5, 5.0])
