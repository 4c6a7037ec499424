"""``stargate explain``: every resolved number about an entity or a pair, with claims and quotes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from stargate.jsonable import jsonable
from stargate.ledger.errors import StoreError
from stargate.ledger.records import StoredClaim
from stargate.ledger.store import Store
from stargate.world.resolve import RULE_VERSION, Resolved, resolve


@dataclass(frozen=True, slots=True)
class Explanation:
    query: str
    entities: tuple[str, ...]
    resolved: tuple[Resolved, ...]
    claims: dict[str, StoredClaim]


def explain(
    store: Store, query: str, *, as_of: date | None = None, rule: str = RULE_VERSION
) -> Explanation:
    """Resolve the store and keep the propositions about ``query``: one entity ("SoftBank") or
    two ("Oracle-OpenAI", "Oracle / OpenAI"), matched as subject, co-subject or object."""
    names = [n for n in re.split(r"\s*(?:[-–—/:|,]|\bet\b|\band\b)\s*", query.strip()) if n]
    entities = []
    for name in names or [query]:
        entity_id = store.find_entity(name)
        if entity_id is None:
            raise StoreError(f"no entity called {name!r}")
        entities.append(entity_id)
    from stargate.world.world import Evidence, counted_claims, with_bundled_curation

    canonical = store.canonical_ids()
    links = store.claim_links()
    sources = {s.id: s for s in store.sources()}
    evidence = with_bundled_curation(
        Evidence(store.entities(), sources, store.claims(), links, canonical)
    )
    claims = list(counted_claims(evidence, as_of or date.today()).values())
    sources = dict(evidence.sources)
    resolved = resolve(claims, links, canonical, sources, rule)
    wanted = set(entities)
    kept = tuple(
        r for r in resolved
        if wanted <= {*r.proposition.subjects, r.proposition.object_id}
    )  # fmt: skip
    return Explanation(query, tuple(entities), kept, {c.id: c for c in claims})


def explanation_json(explanation: Explanation, store: Store) -> dict[str, Any]:
    sources = {s.id: s for s in store.sources()}

    def claim_json(claim_id: str) -> dict[str, Any]:
        stored = explanation.claims[claim_id]
        c = stored.claim
        source = sources.get(c.source_id)
        return {
            "id": claim_id,
            "quantity": str(c.quantity),
            "status": c.status,
            "polarity": c.polarity,
            "speaker": c.speaker,
            "quote": c.quote,
            "start": c.start,
            "end": c.end,
            "source": {
                "id": c.source_id,
                "title": source.title if source else None,
                "url": source.url if source else None,
                "published_at": source.published_at if source else None,
            },
            "origin": c.origin,
            "rank": stored.effective_rank,
        }

    data: dict[str, Any] = jsonable({
        "query": explanation.query,
        "entities": list(explanation.entities),
        "propositions": [
            {
                "subjects": list(r.proposition.subjects),
                "object": r.proposition.object_id,
                "kind": r.proposition.kind,
                "unit": r.proposition.unit,
                "period": r.proposition.period,
                "state": r.state,
                "value": r.value,
                "low": r.low,
                "high": r.high,
                "rule_version": r.rule_version,
                "components": [
                    {"low": c.low, "high": c.high, "weight": c.weight, "denial": c.denial,
                     "claims": list(c.claims)}
                    for c in r.components
                ],
                "supporting": [claim_json(i) for i in r.supporting],
                "dissenting": [claim_json(i) for i in r.dissenting],
                "revised": [claim_json(i) for i in r.revised],
            }
            for r in explanation.resolved
        ],
    })  # fmt: skip
    return data
