"""A read model of the store for the web app: the World, claims and sources, rebuilt only when
the ledger changes (a cheap version query of row counts and stamps decides)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from stargate.jsonable import jsonable
from stargate.ledger.records import Source, StoredClaim
from stargate.ledger.store import Store
from stargate.world.curated import bundled
from stargate.world.world import Evidence, World, build_world, with_bundled_curation

CONTEXT_CHARS = 240
MEMO_LIMIT = 2048  # rendered responses kept per snapshot


@dataclass(frozen=True)
class Snapshot:
    version: tuple[int, ...]
    world: World
    claims: dict[str, StoredClaim]
    sources: dict[str, Source]
    canonical: dict[str, str]
    names: dict[str, str]  # entity id -> name
    evidence: Evidence = field(compare=False, repr=False)  # what the World is built from
    memo: dict[tuple[str, ...], bytes] = field(default_factory=dict, compare=False, repr=False)

    def remember(self, key: tuple[str, ...], body: bytes) -> bytes:
        """Keep a rendered response of this snapshot (pages are pure functions of it)."""
        if len(self.memo) >= MEMO_LIMIT:
            self.memo.clear()
        self.memo[key] = body
        return body

    def name(self, entity_id: str | None) -> str | None:
        return None if entity_id is None else self.names.get(entity_id, entity_id)

    def claim_json(self, stored: StoredClaim, *, context: bool = False) -> dict[str, Any]:
        """A claim with its source's metadata; ``context`` adds the text around the quote."""
        c = stored.claim
        source = self.sources.get(c.source_id)
        row: dict[str, Any] = {
            "id": stored.id, "kind": str(c.kind),
            "amount": jsonable(c.quantity.amount) if c.quantity else None,
            "amount_max": jsonable(c.quantity.amount_max) if c.quantity else None,
            "unit": c.quantity.unit if c.quantity else None, "value": c.value,
            "bound": str(c.quantity.bound) if c.quantity else None, "period": c.period,
            "status": str(c.status), "stated_at": c.stated_at,
            "polarity": str(c.polarity), "subjects": list(c.subjects),
            "subject_names": [self.name(s) for s in c.subjects], "object": c.object_id,
            "object_name": self.name(c.object_id), "speaker": c.speaker, "quote": c.quote,
            "start": c.start, "end": c.end, "origin": c.origin, "confidence": c.confidence,
            "rank": str(stored.effective_rank), "rank_reason": stored.rank_reason,
            "source_id": c.source_id,
            "source_title": source.title if source else None,
            "publisher": source.publisher if source else None,
            "published_at": source.published_at if source else None,
            "url": source.url if source else None,
        }  # fmt: skip
        if context and source is not None:
            row["context_before"] = source.text[max(0, c.start - CONTEXT_CHARS) : c.start]
            row["context_after"] = source.text[c.end : c.end + CONTEXT_CHARS]
        return row


def build(store: Store, at: tuple[int, ...], as_of: date | None = None) -> Snapshot:
    sources = {s.id: s for s in store.sources()}
    stored = store.claims()
    canonical = store.canonical_ids()
    evidence = Evidence(
        entities=store.entities(), sources=sources, claims=stored, links=store.claim_links(),
        canonical=canonical, deals=store.deals.all(), deal_links=store.deals.links(),
    )  # fmt: skip
    evidence = with_bundled_curation(evidence)
    world = build_world(evidence, bundled(), as_of=as_of)
    names = dict(zip(world.entities["id"], world.entities["name"], strict=True))
    return Snapshot(at, world, {c.id: c for c in evidence.claims}, dict(evidence.sources),
                    canonical, names, evidence)  # fmt: skip


class Snapshots:
    """The latest snapshot of one store. The ledger's version is read at most every ``ttl``
    seconds (other processes' writes show within that), and this process's own writes call
    :meth:`invalidate` so they show at once."""

    def __init__(self, store: Store, ttl: float = 1.0, as_of: date | None = None) -> None:
        self.store = store
        self.as_of = as_of
        self.ttl = ttl
        self._lock = threading.Lock()
        self._current: Snapshot | None = None
        self._checked = 0.0

    def invalidate(self) -> None:
        self._checked = 0.0

    def get(self) -> Snapshot:
        current = self._current
        if current is not None and time.monotonic() - self._checked < self.ttl:
            return current
        with self._lock:
            at = self.store.version()
            if self._current is None or self._current.version != at:
                self._current = build(self.store, at, self.as_of)
            self._checked = time.monotonic()
            return self._current
