"""Extraction throughput against spaCy's own pipeline on the same texts, both cores.

The texts are the 50 articles of the development corpus (``tests/fixtures/devcorpus``, French and
English), repeated to ARTICLES. Two measurements, each with WORKERS processes (one BLAS thread
each) that load the models first (timed apart): the reference runs spaCy's pipeline (the same
models and components the extractor loads) over every whole article; the extractor reads the
same articles end to end (quantities, the spaCy analysis of the sentences that hold figures,
rules, claims). Prints both throughputs and their ratio (the target is at least 0.8), then one
JSON line. Usage: python benchmarks/extraction.py [ARTICLES] [WORKERS]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import json
import re
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from stargate.evidence import nlp, pipeline
from stargate.evidence.documents import read_document
from stargate.evidence.entities import load_gazetteer
from stargate.ledger.records import Source

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "devcorpus"
TOKEN = re.compile(r"\w+|[^\w\s]")


def corpus(count: int) -> list[tuple[str, str]]:
    """(language, text) of the development articles, repeated to ``count``."""
    articles = []
    for path in sorted(CORPUS.glob("*.txt")):
        source = read_document(path).source
        articles.append((source.language or "fr", source.text))
    return [articles[i % len(articles)] for i in range(count)]


def _warm() -> float:
    started = time.perf_counter()
    nlp.french_pipeline()
    nlp.english_pipeline()
    load_gazetteer()
    return time.perf_counter() - started


def _reference(texts: list[tuple[str, str]]) -> int:
    tokens = 0
    for language, text in texts:
        tokens += len(nlp.pipeline_for(language)(text))
    return tokens


def _extract(texts: list[tuple[str, str]]) -> int:
    entities = load_gazetteer()
    claims = 0
    for i, (language, text) in enumerate(texts):
        source = Source(id=f"bench-{i}", text=text, language=language)
        claims += len(pipeline.extract_source(source, entities).claims)
    return claims


def _timed(
    pool: ProcessPoolExecutor, work: object, shares: list[list[tuple[str, str]]]
) -> tuple[float, int]:
    started = time.perf_counter()
    results = list(pool.map(work, shares))  # type: ignore[call-overload]
    return time.perf_counter() - started, sum(results)


def main(count: int = 200, workers: int = 2) -> None:
    articles = corpus(count)
    tokens = sum(len(TOKEN.findall(text)) for _, text in articles)
    chars = sum(len(text) for _, text in articles)
    shares = [articles[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        load_s = max(f.result() for f in [pool.submit(_warm) for _ in range(workers)])
        _timed(pool, _extract, [s[:2] for s in shares])  # warm caches in every worker
        spacy_s, spacy_tokens = _timed(pool, _reference, shares)
        ours_s, claims = _timed(pool, _extract, shares)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures = {
        "benchmark": "extraction",
        "articles": count,
        "workers": workers,
        "chars_per_article": round(chars / count),
        "spacy_tokens": spacy_tokens,
        "claims": claims,
        "model_load_s": round(load_s, 2),
        "spacy_pipeline_s": round(spacy_s, 2),
        "spacy_articles_per_s": round(count / spacy_s, 1),
        "extractor_s": round(ours_s, 2),
        "extractor_articles_per_s": round(count / ours_s, 1),
        "extractor_tokens_per_s": round(tokens / ours_s),
        "ratio_to_spacy": round(spacy_s / ours_s, 3),
        "target_ratio": 0.8,
        "peak_rss_mb_per_worker": round(peak, 1),
    }
    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
