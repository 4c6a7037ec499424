"""Ingest throughput: documents and characters per second into a fresh SQLite store.

Builds a corpus by recombining the sentences of the bundled seed articles (about 4,000 characters
a document), ingests it through the public API, and prints a table and one JSON line.
"""

from __future__ import annotations

import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from stargate.evidence.documents import read_document
from stargate.evidence.ingest import bundled_corpus, ingest
from stargate.ledger.store import Store


def make_corpus(folder: Path, count: int, seed: int = 42) -> int:
    sentences = [
        sentence.strip() + "."
        for path in bundled_corpus()
        for sentence in read_document(path).text.replace("\n", " ").split(". ")
        if len(sentence) > 40
    ]
    rng = random.Random(seed)
    chars = 0
    for n in range(count):
        text = ""
        while len(text) < 4000:
            text += rng.choice(sentences) + (" " if rng.random() < 0.8 else "\n")
        (folder / f"article{n:05d}.txt").write_text(text, encoding="utf-8")
        chars += len(text)
    return chars


def main(count: int = 300) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        folder.mkdir()
        chars = make_corpus(folder, count)
        with Store.open(f"sqlite:///{tmp}/bench.sqlite") as store:
            started = time.perf_counter()
            results = ingest(store, [folder])
            elapsed = time.perf_counter() - started
        added = sum(r.outcome == "added" for r in results)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {
        "benchmark": "ingest",
        "documents": count,
        "added": added,
        "seconds": round(elapsed, 3),
        "documents_per_s": round(count / elapsed, 1),
        "chars_per_s": round(chars / elapsed),
        "peak_rss_mb": round(peak_mb, 1),
    }
    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
