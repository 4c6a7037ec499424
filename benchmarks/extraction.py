"""Extraction throughput: articles and tokens per second on 2 cores, and peak memory.

The corpus recombines the seed articles' sentences into articles of about 4,000 characters
(seeded, so every run reads the same text). Each worker process loads spaCy's French model once
and extracts claims from its share of the articles; the model load is timed separately.
Prints a table and, last, one JSON line. Usage: python benchmarks/extraction.py [ARTICLES] [WORKERS]
"""

from __future__ import annotations

import json
import random
import re
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor

from stargate.evidence import pipeline
from stargate.evidence.documents import read_document
from stargate.evidence.entities import load_gazetteer
from stargate.evidence.ingest import bundled_corpus
from stargate.evidence.mentions import french_pipeline
from stargate.ledger.records import Source

TOKEN = re.compile(r"\w+|[^\w\s]")


def corpus(count: int, seed: int = 42) -> list[str]:
    sentences = [
        s.strip()
        for path in bundled_corpus()
        for s in re.split(r"(?<=[.!?»])\s+", read_document(path).text)
        if len(s.strip()) > 30
    ]
    rng = random.Random(seed)
    articles = []
    for _ in range(count):
        text = ""
        while len(text) < 4000:
            text += rng.choice(sentences) + ("\n" if rng.random() < 0.25 else " ")
        articles.append(text)
    return articles


def _warm() -> float:
    started = time.perf_counter()
    french_pipeline()
    return time.perf_counter() - started


def _work(texts: list[str]) -> tuple[int, int]:
    entities = load_gazetteer()
    claims = 0
    for i, text in enumerate(texts):
        source = Source(id=f"bench-{i}", text=text, language="fr")
        claims += len(pipeline.extract_source(source, entities).claims)
    return len(texts), claims


def main(count: int = 240, workers: int = 2) -> None:
    articles = corpus(count)
    tokens = sum(len(TOKEN.findall(a)) for a in articles)
    chars = sum(len(a) for a in articles)
    shares = [articles[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        load_s = max(f.result() for f in [pool.submit(_warm) for _ in range(workers)])
        started = time.perf_counter()
        results = list(pool.map(_work, shares))
        elapsed = time.perf_counter() - started
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures = {
        "benchmark": "extraction",
        "articles": count,
        "workers": workers,
        "chars_per_article": round(chars / count),
        "claims": sum(c for _, c in results),
        "model_load_s": round(load_s, 2),
        "seconds": round(elapsed, 2),
        "articles_per_s": round(count / elapsed, 1),
        "tokens_per_s": round(tokens / elapsed),
        "target_articles_per_s": 10,
        "peak_rss_mb_per_worker": round(peak_children, 1),
    }
    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
