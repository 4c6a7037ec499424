"""Document-level consolidation of claim drafts, and the JSONL rows of an extraction.

Claims repeated within a document merge when they state the same figure (amount, unit, upper
end, polarity) about overlapping parties (subjects or counterparty); the richest instance (body
text, stated period, counterparty, speaker) represents them. Two equal amounts of different
kinds in one sentence stay two facts, and so do figures marked as additional.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from stargate.evidence.mentions import EntityMention, Gazetteer, Sentence
from stargate.evidence.quantities import Mention
from stargate.ledger.records import Claim, ClaimKind, ClaimStatus, Polarity


@dataclass(slots=True)
class Draft:
    mention: Mention
    sentence: Sentence
    kind: ClaimKind
    subjects: list[str]
    object_id: str | None
    status: ClaimStatus
    polarity: Polarity
    speaker: str | None
    confidence: float
    period: str | None
    distributive: bool = False
    additional: bool = False  # "4,5 GW supplémentaires": a new fact, never merged
    denies: Draft | None = field(default=None)
    signals: dict[str, bool] = field(default_factory=dict)  # what the confidence weighed


@dataclass(frozen=True, slots=True)
class Extraction:
    """Claims of one document, the candidate entities they use, and denial links."""

    claims: tuple[Claim, ...]
    candidates: tuple[EntityMention, ...]
    denials: tuple[tuple[int, int], ...]  # (index of denying claim, index of denied claim)
    language: str | None = None
    signals: tuple[dict[str, bool], ...] = ()  # per claim, what its confidence weighed


def unique(values: list[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def _information(d: Draft) -> tuple[int, ...]:
    return (
        int(d.sentence.zone == "body"),
        int(d.period not in (None, "total")),
        int(d.polarity is Polarity.DENIES),
        int(d.object_id is not None),
        int(d.speaker is not None),
    )


# figures that recur as distinct facts (a 3-year schedule, a 5% rise): merged only within a sentence
_PER_SENTENCE = frozenset({ClaimKind.TERM, ClaimKind.CHANGE, ClaimKind.SHARE_PRICE})


def _parties(d: Draft, family: Callable[[str], str]) -> set[str]:
    return {family(p) for p in (*d.subjects, d.object_id) if p}


def _same_fact(a: Draft, b: Draft, family: Callable[[str], str]) -> bool:
    """Two drafts of one figure state one fact when they name the same subjects, the same two
    parties (either way round), or overlapping parties with the same kind where the subjects
    do not differ (one draft has none, or they share an organisation): "Oracle buys 400,000
    chips from Nvidia" and "OpenAI leases the 400,000 chips from Oracle" are two facts."""
    if sorted(a.subjects) == sorted(b.subjects):
        return True
    pa, pb = _parties(a, family), _parties(b, family)
    if not (pa and pb):
        return False
    if len(pa) == 2 and pa == pb:
        return True
    sa, sb = {family(s) for s in a.subjects}, {family(s) for s in b.subjects}
    return bool(pa & pb) and a.kind is b.kind and (not sa or not sb or bool(sa & sb))


def _overlapping(group: list[Draft], family: Callable[[str], str]) -> list[list[Draft]]:
    """Drafts of one figure split into facts (single-link clusters of :func:`_same_fact`)."""
    clusters: list[list[Draft]] = []
    for d in group:
        joined = [c for c in clusters if any(_same_fact(d, other, family) for other in c)]
        members = [d]
        for c in joined:
            members += c
            clusters.remove(c)
        clusters.append(sorted(members, key=lambda x: x.mention.start))
    return clusters


def merge(drafts: list[Draft], family: Callable[[str], str] = lambda entity: entity) -> list[Draft]:
    """One claim per stated figure (amount, unit, upper end, polarity) and overlapping parties
    in a document; the richest instance (body text, stated period, counterparty, speaker)
    represents it. ``family`` maps an organisation to its parent (AWS -> Amazon)."""
    keyed: dict[tuple[Any, ...], list[Draft]] = {}
    for d in drafts:
        q = d.mention.quantity
        key = (
            q.amount, q.unit, q.amount_max, d.polarity,
            d.kind if d.kind is ClaimKind.PURCHASE else None,
            d.mention.start if d.additional else None,
            d.sentence.start if d.kind in _PER_SENTENCE else None,
        )  # fmt: skip
        keyed.setdefault(key, []).append(d)
    groups = [part for group in keyed.values() for part in _overlapping(group, family)]
    clusters: list[list[Draft]] = []
    for group in groups:
        # two equal amounts of different kinds in one sentence are two facts
        # ("5 milliards de dette et 5 milliards en capital"); across sentences, one restated
        if len({d.sentence for d in group}) == 1 and len({d.kind for d in group}) > 1:
            kinds = sorted({d.kind for d in group})
            clusters += [[d for d in group if d.kind is kind] for kind in kinds]
        else:
            clusters.append(group)
    merged = []
    for group in clusters:
        best = max(group, key=lambda d: (_information(d), -d.mention.start))
        first = min(group, key=lambda d: d.mention.start)
        if best.status is not first.status and first.status in {
            ClaimStatus.DISPUTED,
            ClaimStatus.ANNOUNCED,
        }:
            best = replace(best, status=first.status)
        merged.append(best)
    merged.sort(key=lambda d: d.mention.start)
    return merged


def amount_as_float(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def claim_rows(doc: str, extraction: Extraction, gazetteer: Gazetteer) -> list[dict[str, Any]]:
    """The ``stargate extract --format jsonl`` records of one document (contract keys)."""
    names = {m.entity_id: m.name for m in extraction.candidates}

    def name(entity_id: str | None) -> str | None:
        if entity_id is None:
            return None
        entity = gazetteer.entities.get(entity_id)
        return entity.name if entity is not None else names.get(entity_id, entity_id)

    rows = []
    for claim in extraction.claims:
        q = claim.quantity
        assert q is not None, "the extractor emits quantities only"
        subjects = [n for n in (name(s) for s in claim.subjects) if n]
        rows.append(
            {
                "doc": doc,
                "subject": ", ".join(subjects) or None,
                "object": name(claim.object_id),
                "kind": str(claim.kind),
                "amount": amount_as_float(q.amount),
                "unit": q.unit,
                "bound": str(q.bound),
                "amount_max": amount_as_float(q.amount_max),
                "period": claim.period,
                "status": str(claim.status),
                "polarity": str(claim.polarity),
                "speaker": claim.speaker,
                "quote": claim.quote,
                "start": claim.start,
                "end": claim.end,
                "confidence": claim.confidence,
                "language": extraction.language,
            }
        )
    return rows
