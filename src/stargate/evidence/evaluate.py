"""Score extracted claims against hand-made gold (``tests/fixtures/devcorpus/README.md``).

Two levels, both one-to-one within a document:

- amount level: same unit and amount within 1.5% of the gold amount;
- claim level: amount level plus the same set of subjects (gold names are resolved through the
  gazetteer, parenthesised qualifiers ignored; two empty subjects agree).

Kind accuracy is measured on amount-level matches.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOLERANCE = 0.015


@dataclass(frozen=True, slots=True)
class Scores:
    predicted: int
    gold: int
    amount_matches: int
    claim_matches: int
    kind_correct: int

    def _prf(self, matches: int) -> dict[str, float]:
        precision = matches / self.predicted if self.predicted else 0.0
        recall = matches / self.gold if self.gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}

    def report(self) -> dict[str, Any]:
        return {
            "predicted": self.predicted,
            "gold": self.gold,
            "amount": self._prf(self.amount_matches),
            "claim": self._prf(self.claim_matches),
            "kind_accuracy": round(self.kind_correct / self.amount_matches, 4)
            if self.amount_matches
            else 0.0,
        }

    def __add__(self, other: Scores) -> Scores:
        return Scores(
            self.predicted + other.predicted,
            self.gold + other.gold,
            self.amount_matches + other.amount_matches,
            self.claim_matches + other.claim_matches,
            self.kind_correct + other.kind_correct,
        )


def load_gold(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError(f"{path}: gold must be a JSON list of claims")
    return data


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE * max(abs(b), 1e-12)


def _pairs(
    predicted: Sequence[dict[str, Any]],
    gold: Sequence[dict[str, Any]],
    agree: Callable[[dict[str, Any], dict[str, Any]], bool],
) -> list[tuple[int, int]]:
    """Greedy one-to-one matching, closest amounts first."""
    options = [
        (abs(float(p["amount"]) - float(g["amount"])) / max(abs(float(g["amount"])), 1e-12), i, j)
        for i, p in enumerate(predicted)
        for j, g in enumerate(gold)
        if p["unit"] == g["unit"] and _close(float(p["amount"]), float(g["amount"])) and agree(p, g)
    ]
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs = []
    for _, i, j in sorted(options):
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((i, j))
    return pairs


def score(
    predicted: Sequence[dict[str, Any]],
    gold: Sequence[dict[str, Any]],
    resolve: Callable[[str], str | None],
) -> Scores:
    """Scores of one document's predictions against its gold claims."""

    def subjects(value: Any) -> frozenset[str]:
        if not value:
            return frozenset()
        names = [part.strip() for part in str(value).split(",") if part.strip()]
        return frozenset(resolve(name) or name.casefold() for name in names)

    amount = _pairs(predicted, gold, lambda p, g: True)
    claim = _pairs(
        predicted, gold, lambda p, g: subjects(p.get("subject")) == subjects(g.get("subject"))
    )
    kinds = sum(predicted[i]["kind"] == gold[j]["kind"] for i, j in amount)
    return Scores(len(predicted), len(gold), len(amount), len(claim), kinds)


def evaluate(
    documents: Iterable[tuple[str, Sequence[dict[str, Any]]]],
    gold_dir: Path,
    resolve: Callable[[str], str | None],
) -> tuple[Scores, dict[str, Scores]]:
    """Total and per-document scores; a document without a gold file is an error."""
    total = Scores(0, 0, 0, 0, 0)
    per_document: dict[str, Scores] = {}
    for path, predicted in documents:
        gold_path = gold_dir / (Path(path).stem + ".json")
        if not gold_path.is_file():
            raise FileNotFoundError(f"no gold file {gold_path} for {path}")
        result = score(predicted, load_gold(gold_path), resolve)
        per_document[path] = result
        total = total + result
    return total, per_document
