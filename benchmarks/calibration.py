"""Calibration of the extractor's confidence on the development corpus.

Runs the extractor over ``tests/fixtures/devcorpus`` (the split in ``split.csv``), labels each
predicted claim right when it matches a gold claim at the claim level (amount, unit, subjects),
fits the logistic weights of :mod:`stargate.evidence.confidence` on the development split
(Newton's method with a small ridge, Cox 1958), and prints the reliability table (confidence
bins against observed precision, Brier score) of the weights in the code for both splits, then
the fitted weights, and, last, one JSON line. With matplotlib installed, ``--plot FILE`` saves a
reliability diagram. Usage: python benchmarks/calibration.py [--fit] [--plot FILE]
"""

from __future__ import annotations

import csv
import itertools
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from stargate.evidence import confidence, pipeline
from stargate.evidence.documents import read_document
from stargate.evidence.entities import load_gazetteer
from stargate.evidence.evaluate import claim_level_matches, load_gold
from stargate.evidence.extract import claim_rows

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "devcorpus"
BINS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)


def labelled(split: str) -> list[tuple[dict[str, bool], float, bool]]:
    """(signals, confidence, right) for every predicted claim of a split."""
    entities = load_gazetteer()
    engine = pipeline.extractor(entities)
    gazetteer = engine.gazetteer

    resolve = pipeline.resolver(gazetteer)
    with (CORPUS / "split.csv").open(encoding="utf-8") as handle:
        files = [row["file"] for row in csv.DictReader(handle) if row["split"] == split]
    out = []
    for name in files:
        extraction = engine.extract(read_document(CORPUS / name).source)
        rows = claim_rows(name, extraction, gazetteer)
        right = claim_level_matches(rows, load_gold(CORPUS / "gold" / f"{Path(name).stem}.json"),
                                    resolve)  # fmt: skip
        for i, row in enumerate(rows):
            out.append((extraction.signals[i], float(row["confidence"]), i in right))
    return out


def reliability(items: list[tuple[dict[str, bool], float, bool]]) -> dict[str, Any]:
    table = []
    for low, high in itertools.pairwise(BINS):
        chosen = [right for _, p, right in items if low <= p < high]
        if chosen:
            mean = float(np.mean([p for _, p, _ in items if low <= p < high]))
            table.append({"bin": f"[{low:.1f}, {min(high, 1.0):.1f})", "claims": len(chosen),
                          "mean_confidence": round(mean, 3),
                          "precision": round(sum(chosen) / len(chosen), 3)})  # fmt: skip
    brier = float(np.mean([(p - right) ** 2 for _, p, right in items])) if items else 0.0
    above = [right for _, p, right in items if p >= confidence.REVIEW_THRESHOLD]
    return {
        "claims": len(items),
        "precision": round(sum(r for *_, r in items) / len(items), 3) if items else 0.0,
        "brier": round(brier, 4),
        "bins": table,
        "at_or_above_threshold": len(above),
        "precision_at_or_above_threshold": round(sum(above) / len(above), 3) if above else None,
        "below_threshold_share": round(1 - len(above) / len(items), 3) if items else 0.0,
    }


def fit(items: list[tuple[dict[str, bool], float, bool]], ridge: float = 1.0) -> dict[str, float]:
    names = list(confidence.SIGNALS)
    x = np.array([[1.0] + [float(s.get(n, False)) for n in names] for s, _, _ in items])
    y = np.array([float(right) for *_, right in items])
    w = np.zeros(x.shape[1])
    penalty = np.eye(x.shape[1]) * ridge
    penalty[0, 0] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ w))
        gradient = x.T @ (p - y) + penalty @ w
        hessian = x.T @ (x * (p * (1 - p))[:, None]) + penalty
        w -= np.linalg.solve(hessian, gradient)
    return {"intercept": round(float(w[0]), 2)} | {
        n: round(float(v), 2) for n, v in zip(names, w[1:], strict=True)
    }


def plot(path: str, reports: dict[str, dict[str, Any]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(5, 5))
    axis.plot([0, 1], [0, 1], linestyle=":", color="grey", label="perfect calibration")
    for name, report in reports.items():
        xs = [b["mean_confidence"] for b in report["bins"]]
        ys = [b["precision"] for b in report["bins"]]
        axis.plot(xs, ys, marker="o", label=f"{name} ({report['claims']} claims)")
    axis.axvline(confidence.REVIEW_THRESHOLD, color="red", linewidth=0.8, label="review threshold")
    axis.set_xlabel("confidence")
    axis.set_ylabel("share of claims right (claim level)")
    axis.set_title("Reliability of extraction confidence")
    axis.legend(loc="upper left", fontsize=8)
    figure.savefig(path, dpi=120, bbox_inches="tight")


def main(argv: list[str]) -> None:
    dev, held = labelled("dev"), labelled("heldout")
    reports = {"dev": reliability(dev), "heldout": reliability(held)}
    for name, report in reports.items():
        print(f"== {name}: {report['claims']} claims, precision {report['precision']}, "
              f"Brier {report['brier']}")  # fmt: skip
        for row in report["bins"]:
            print(f"  {row['bin']:<12} {row['claims']:>4} claims  mean confidence "
                  f"{row['mean_confidence']:.3f}  right {row['precision']:.3f}")  # fmt: skip
        print(f"  at or above {confidence.REVIEW_THRESHOLD}: {report['at_or_above_threshold']} "
              f"claims, right {report['precision_at_or_above_threshold']}")  # fmt: skip
    figures: dict[str, Any] = {"benchmark": "calibration", **reports}
    if "--fit" in argv:
        figures["fitted_on_dev"] = fit(dev)
        print("fitted on dev:", figures["fitted_on_dev"])
    if "--plot" in argv:
        plot(argv[argv.index("--plot") + 1], reports)
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1:])
