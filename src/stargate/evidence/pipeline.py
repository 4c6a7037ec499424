"""The extraction pipeline end to end: a file or a source in, claims (and their entities) out."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from stargate.evidence.documents import MAX_BYTES, read_document
from stargate.evidence.evaluate import by_language, evaluate
from stargate.evidence.extract import Extraction, Extractor, claim_rows
from stargate.evidence.mentions import Gazetteer
from stargate.evidence.nlp import model_name
from stargate.ledger.records import ClaimLink, Entity, EntityType, Relation, Source


@functools.lru_cache(maxsize=4)
def _gazetteer(entities: tuple[Entity, ...]) -> Gazetteer:
    return Gazetteer(entities)


def extractor(entities: Iterable[Entity]) -> Extractor:
    return Extractor(_gazetteer(tuple(entities)))


def extract_source(source: Source, entities: Iterable[Entity]) -> Extraction:
    return extractor(entities).extract(source)


def extract_document(
    path: Path, entities: Sequence[Entity], *, max_bytes: int = MAX_BYTES
) -> tuple[str | None, list[dict[str, Any]]]:
    """The language and the JSONL records of one file (DocumentError for unreadable input)."""
    document = read_document(path, max_bytes=max_bytes, display=str(path))
    engine = extractor(entities)
    extraction = engine.extract(document.source)
    return extraction.language, claim_rows(str(path), extraction, engine.gazetteer)


def extract_file(
    path: Path, entities: Sequence[Entity], *, max_bytes: int = MAX_BYTES
) -> list[dict[str, Any]]:
    """The JSONL records of one file (raises DocumentError for unreadable input)."""
    return extract_document(path, entities, max_bytes=max_bytes)[1]


def resolver(gazetteer: Gazetteer) -> Any:
    """Name -> the organisation it stands for in scoring: a person stands for their
    organisation and a company's unit for its parent company (AWS -> Amazon), as the gold
    annotators write them; projects and sites stay themselves."""

    def resolve(name: str) -> str | None:
        entity_id = gazetteer.lookup(name)
        entity_id = gazetteer.organisation_of(entity_id) if entity_id else None
        for _ in range(3):
            entity = gazetteer.entities.get(entity_id or "")
            parent = gazetteer.entities.get(entity.parent_id or "") if entity else None
            if (
                entity is None
                or parent is None
                or EntityType.COMPANY not in {entity.type, parent.type}
                or {entity.type, parent.type} & {EntityType.PROJECT, EntityType.SITE}
            ):
                break
            entity_id = parent.id
        return entity_id

    return resolve


def evaluate_rows(
    documents: Sequence[tuple[str, list[dict[str, Any]]]],
    gold_dir: Path,
    entities: Sequence[Entity],
    languages: Mapping[str, str | None] | None = None,
) -> dict[str, Any]:
    """Scores of extracted rows against gold: totals, per language, per kind, per document.

    A document's language comes from ``languages`` (by path), else from its rows.
    """
    gazetteer = _gazetteer(tuple(entities))

    total, per_document = evaluate(documents, gold_dir, resolver(gazetteer))
    known = dict(languages or {})
    for path, rows in documents:
        if path not in known and rows:
            known[path] = rows[0].get("language")
    report = total.report() | {"documents": len(documents)}
    counts = Counter(known.get(path) or "unknown" for path in per_document)
    report["per_language"] = {
        language: scores.report() | {"documents": counts[language]}
        for language, scores in by_language(per_document, known).items()
    }
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
            origin=f"ner:{model_name(extraction.language)}",
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
