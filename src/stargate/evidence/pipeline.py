"""The extraction pipeline end to end: a file or a source in, claims (and their entities) out."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from stargate.evidence.documents import MAX_BYTES, read_document
from stargate.evidence.evaluate import evaluate
from stargate.evidence.extract import Extraction, Extractor, claim_rows
from stargate.evidence.mentions import FRENCH_MODEL, Gazetteer
from stargate.ledger.records import ClaimLink, Entity, EntityType, Relation, Source


@functools.lru_cache(maxsize=4)
def _gazetteer(entities: tuple[Entity, ...]) -> Gazetteer:
    return Gazetteer(entities)


def extractor(entities: Iterable[Entity]) -> Extractor:
    return Extractor(_gazetteer(tuple(entities)))


def extract_source(source: Source, entities: Iterable[Entity]) -> Extraction:
    return extractor(entities).extract(source)


def extract_file(
    path: Path, entities: Sequence[Entity], *, max_bytes: int = MAX_BYTES
) -> list[dict[str, Any]]:
    """The JSONL records of one file (raises DocumentError for unreadable input)."""
    document = read_document(path, max_bytes=max_bytes, display=str(path))
    engine = extractor(entities)
    return claim_rows(str(path), engine.extract(document.source), engine.gazetteer)


def evaluate_rows(
    documents: Sequence[tuple[str, list[dict[str, Any]]]],
    gold_dir: Path,
    entities: Sequence[Entity],
) -> dict[str, Any]:
    gazetteer = _gazetteer(tuple(entities))

    def resolve(name: str) -> str | None:
        entity_id = gazetteer.lookup(name)
        return gazetteer.organisation_of(entity_id) if entity_id else None

    total, per_document = evaluate(documents, gold_dir, resolve)
    report = total.report() | {"documents": len(documents)}
    report["per_document"] = {path: scores.report() for path, scores in per_document.items()}
    return report


def ledger_records(extraction: Extraction) -> tuple[list[Any], list[Entity], list[ClaimLink]]:
    """What the ledger stores for one extraction: its claims, the candidate organisations they
    name (origin ``ner:<model>``), and a ``denies`` link from each denial to what it denies."""
    claims = list(extraction.claims)
    entities = [
        Entity(
            id=m.entity_id,
            name=m.name,
            type=EntityType.PERSON if m.is_person else EntityType.ORGANIZATION,
            origin=f"ner:{FRENCH_MODEL}",
        )
        for m in extraction.candidates
    ]
    links = [
        ClaimLink(claims[i].id, claims[j].id, Relation.DENIES, user=claims[i].origin)
        for i, j in extraction.denials
    ]
    return claims, entities, links


def ledger_extractor(entities: Iterable[Entity]) -> Any:
    """A callable for :func:`stargate.evidence.ingest.ingest`: source in, ledger records out."""
    engine = extractor(entities)
    return lambda source: ledger_records(engine.extract(source))
