"""Score extracted claims against hand-made gold (``tests/fixtures/devcorpus/README.md``).

Two levels, both one-to-one within a document (greedy, closest amounts first):

- amount level: same unit and amount within 1.5% of the gold amount;
- claim level: amount level plus the same set of subjects (gold names are resolved through the
  gazetteer, parenthesised qualifiers ignored; two empty subjects agree).

On amount-level matches: kind accuracy, status accuracy, denial recall (gold ``denied`` claims
found with status ``denied``) and speaker recall (gold claims with a speaker found with the same
speaker: equal after gazetteer resolution, or one name's words contained in the other's, so
"Bloomberg News" agrees with "Bloomberg" and "Huang" with "Jensen Huang"). Per kind, a matched
pair counts for kind K when both sides say K: precision over the predictions of kind K, recall
over the gold claims of kind K.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TOLERANCE = 0.015
Resolve = Callable[[str], str | None]


def _prf(matches: int, predicted: int, gold: int) -> dict[str, float]:
    precision = matches / predicted if predicted else 0.0
    recall = matches / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def _ratio(found: int, total: int) -> float | None:
    return round(found / total, 4) if total else None


@dataclass(frozen=True, slots=True)
class Scores:
    """Counts behind the figures; scores add up across documents."""

    predicted: int = 0
    gold: int = 0
    amount_matches: int = 0
    claim_matches: int = 0
    kind_correct: int = 0
    status_correct: int = 0
    denials: int = 0  # gold claims with status denied
    denials_found: int = 0
    speakers: int = 0  # gold claims with a speaker
    speakers_found: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)  # "pred:K", "gold:K", "amount:K", …

    def report(self) -> dict[str, Any]:
        kinds = sorted({key.split(":", 1)[1] for key in self.by_kind})
        return {
            "predicted": self.predicted,
            "gold": self.gold,
            "amount": _prf(self.amount_matches, self.predicted, self.gold),
            "claim": _prf(self.claim_matches, self.predicted, self.gold),
            "kind_accuracy": _ratio(self.kind_correct, self.amount_matches) or 0.0,
            "status_accuracy": _ratio(self.status_correct, self.amount_matches) or 0.0,
            "denial_recall": _ratio(self.denials_found, self.denials),
            "denials": self.denials,
            "speaker_recall": _ratio(self.speakers_found, self.speakers),
            "speakers": self.speakers,
            "per_kind": {kind: self._kind_report(kind) for kind in kinds},
        }

    def _kind_report(self, kind: str) -> dict[str, Any]:
        predicted, gold = self.by_kind[f"pred:{kind}"], self.by_kind[f"gold:{kind}"]
        return {
            "predicted": predicted,
            "gold": gold,
            "amount": _prf(self.by_kind[f"amount:{kind}"], predicted, gold),
            "claim": _prf(self.by_kind[f"claim:{kind}"], predicted, gold),
        }

    def __add__(self, other: Scores) -> Scores:
        return Scores(
            self.predicted + other.predicted,
            self.gold + other.gold,
            self.amount_matches + other.amount_matches,
            self.claim_matches + other.claim_matches,
            self.kind_correct + other.kind_correct,
            self.status_correct + other.status_correct,
            self.denials + other.denials,
            self.denials_found + other.denials_found,
            self.speakers + other.speakers,
            self.speakers_found + other.speakers_found,
            self.by_kind + other.by_kind,
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


def _names(value: Any) -> list[str]:
    if not value:
        return []
    return [re.sub(r"\s*\([^)]*\)", "", part).strip() for part in str(value).split(",")]


def same_speaker(predicted: Any, gold: Any, resolve: Resolve) -> bool:
    """Whether a predicted speaker names one of the gold speakers (see the module docstring)."""
    for p in _names(predicted):
        for g in _names(gold):
            if not p or not g:
                continue
            rp, rg = resolve(p), resolve(g)
            if (rp or p.casefold()) == (rg or g.casefold()):
                return True
            wp = set(re.findall(r"\w+", p.casefold())) - {"the", "le", "la", "les"}
            wg = set(re.findall(r"\w+", g.casefold())) - {"the", "le", "la", "les"}
            if wp and wg and (wp <= wg or wg <= wp):
                return True
    return False


def claim_level_matches(
    predicted: Sequence[dict[str, Any]], gold: Sequence[dict[str, Any]], resolve: Resolve
) -> set[int]:
    """Indexes of the predictions that match a gold claim at the claim level."""

    def subjects(value: Any) -> frozenset[str]:
        return frozenset(resolve(name) or name.casefold() for name in _names(value) if name)

    pairs = _pairs(
        predicted, gold, lambda p, g: subjects(p.get("subject")) == subjects(g.get("subject"))
    )
    return {i for i, _ in pairs}


def score(
    predicted: Sequence[dict[str, Any]],
    gold: Sequence[dict[str, Any]],
    resolve: Resolve,
) -> Scores:
    """Scores of one document's predictions against its gold claims."""

    def subjects(value: Any) -> frozenset[str]:
        return frozenset(resolve(name) or name.casefold() for name in _names(value) if name)

    amount = _pairs(predicted, gold, lambda p, g: True)
    claim = _pairs(
        predicted, gold, lambda p, g: subjects(p.get("subject")) == subjects(g.get("subject"))
    )
    by_kind: Counter[str] = Counter()
    by_kind.update(f"pred:{p['kind']}" for p in predicted)
    by_kind.update(f"gold:{g['kind']}" for g in gold)
    for level, pairs in (("amount", amount), ("claim", claim)):
        same = [gold[j]["kind"] for i, j in pairs if predicted[i]["kind"] == gold[j]["kind"]]
        by_kind.update(f"{level}:{kind}" for kind in same)
    denied = [j for j, g in enumerate(gold) if g.get("status") == "denied"]
    spoken = [j for j, g in enumerate(gold) if g.get("speaker")]
    matched = {j: predicted[i] for i, j in amount}
    return Scores(
        predicted=len(predicted),
        gold=len(gold),
        amount_matches=len(amount),
        claim_matches=len(claim),
        kind_correct=sum(predicted[i]["kind"] == gold[j]["kind"] for i, j in amount),
        status_correct=sum(predicted[i]["status"] == gold[j]["status"] for i, j in amount),
        denials=len(denied),
        denials_found=sum(j in matched and matched[j]["status"] == "denied" for j in denied),
        speakers=len(spoken),
        speakers_found=sum(
            j in matched and same_speaker(matched[j].get("speaker"), gold[j]["speaker"], resolve)
            for j in spoken
        ),
        by_kind=by_kind,
    )


def evaluate(
    documents: Iterable[tuple[str, Sequence[dict[str, Any]]]],
    gold_dir: Path,
    resolve: Resolve,
) -> tuple[Scores, dict[str, Scores]]:
    """Total and per-document scores; a document without a gold file is an error."""
    total = Scores()
    per_document: dict[str, Scores] = {}
    for path, predicted in documents:
        gold_path = gold_dir / (Path(path).stem + ".json")
        if not gold_path.is_file():
            raise FileNotFoundError(f"no gold file {gold_path} for {path}")
        result = score(predicted, load_gold(gold_path), resolve)
        per_document[path] = result
        total = total + result
    return total, per_document


def by_language(
    per_document: Mapping[str, Scores], languages: Mapping[str, str | None]
) -> dict[str, Scores]:
    """Scores summed per document language (``unknown`` when a document has none)."""
    groups: dict[str, Scores] = {}
    for path, scores in per_document.items():
        language = languages.get(path) or "unknown"
        groups[language] = groups.get(language, Scores()) + scores
    return dict(sorted(groups.items()))
