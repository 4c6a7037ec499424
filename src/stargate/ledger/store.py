"""The repository API of the ledger: every public method is one transaction.

Writes only add rows (or stamp ``retracted_at`` / ``deleted_at``); nothing is overwritten or
hard-deleted. Reads return frozen records from :mod:`.records`.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, Row, func, select
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from stargate.ledger import database, tables
from stargate.ledger.access import Tokens
from stargate.ledger.clock import now
from stargate.ledger.deals import Deals
from stargate.ledger.errors import DatabaseError, StoreError
from stargate.ledger.records import (
    CODED_KINDS,
    Claim,
    ClaimKind,
    ClaimLink,
    ClaimReview,
    ClaimStatus,
    ConditionRule,
    DealStatus,
    Entity,
    EntityType,
    Judgement,
    Polarity,
    Rank,
    Relation,
    SiteStatus,
    Source,
    SourceKind,
    SourceType,
    StoredClaim,
    Verdict,
    content_id,
)
from stargate.ledger.runs import StressRuns
from stargate.units import Bound, Quantity


@dataclass(frozen=True, slots=True)
class AddedDocument:
    """What :meth:`Store.add_document` did: ``added`` is False when the text was already there."""

    source_id: str
    added: bool
    claims_added: int
    existing_path: str | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    sources: int
    sources_by_language: dict[str, int]
    entities: int
    entities_by_type: dict[str, int]
    claims: int
    claims_by_kind: dict[str, int]
    claims_by_status: dict[str, int]
    origins: dict[str, int]


def normalise_alias(alias: str) -> str:
    """Aliases match case-insensitively and across Unicode forms and apostrophe styles."""
    text = unicodedata.normalize("NFKC", alias).replace("’", "'").casefold()
    return " ".join(text.split())


class Store:
    """The ledger at one database URL. Open with :meth:`open`, which migrates when needed."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = database.writer(engine)
        self.tokens = Tokens(self)
        self.runs = StressRuns(self)
        self.deals = Deals(self)

    @classmethod
    def open(cls, db: str | None = None, *, migrate: bool = True) -> Store:
        url = database.resolve_url(db)
        engine = database.connect(url)
        try:
            if migrate:
                _migrate_with_retries(engine)
        except SQLAlchemyError as error:
            engine.dispose()
            raise DatabaseError(
                f"cannot open the store at {database.describe(url)}: {error.__class__.__name__}: "
                f"{error.orig if hasattr(error, 'orig') else error}"
            ) from error
        return cls(engine)

    @property
    def url(self) -> str:
        return database.describe(self.engine.url.render_as_string(hide_password=False))

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction that takes the write lock up front (SQLite: BEGIN IMMEDIATE);
        a constraint violation becomes a :class:`StoreError`."""
        try:
            with self._writer.begin() as connection:
                yield connection
        except IntegrityError as error:
            raise StoreError(f"refused by the ledger's constraints: {error.orig}") from error

    # -- writes ---------------------------------------------------------------------------

    def add_document(
        self,
        source: Source,
        claims: Sequence[Claim] = (),
        *,
        entities: Sequence[Entity] = (),
        links: Sequence[ClaimLink] = (),
    ) -> AddedDocument:
        """Add a source with its claims, the new entities they use and the links between them,
        in one transaction; a text already in the store adds nothing."""
        for claim in claims:
            _check_claim(claim, source)
        with self.transaction() as connection:
            existing = connection.execute(
                select(tables.sources.c.path).where(tables.sources.c.id == source.id)
            ).first()
            if existing is not None:
                return AddedDocument(source.id, False, 0, existing_path=existing.path)
            connection.execute(tables.sources.insert().values(**_source_row(source)))
            _insert_entities(connection, entities)
            added = _insert_claims(connection, claims)
            for link in links:
                _insert_link(connection, link)
        return AddedDocument(source.id, True, added)

    def add_claims(
        self,
        claims: Sequence[Claim],
        *,
        entities: Sequence[Entity] = (),
        links: Sequence[ClaimLink] = (),
    ) -> int:
        """Add claims (with the new entities they use and their links) to sources already in
        the store, in one transaction; claims already there are skipped, links always added."""
        with self.transaction() as connection:
            _insert_entities(connection, entities)
            for claim in claims:
                text = connection.execute(
                    select(tables.sources.c.text).where(tables.sources.c.id == claim.source_id)
                ).scalar_one_or_none()
                if text is None:
                    raise StoreError(f"claim refers to unknown source {claim.source_id}")
                _check_quote(claim, text)
                _check_value(claim)
            added = _insert_claims(connection, claims)
            if added:
                for link in links:
                    _insert_link(connection, link)
            return added

    def add_entities(self, entities: Iterable[Entity]) -> int:
        """Add entities and their aliases; known ids only gain the aliases they lacked."""
        with self.transaction() as connection:
            return _insert_entities(connection, entities)

    def review_claim(self, review: ClaimReview) -> int:
        """Record a person's re-ranking of a claim; the latest review sets its rank."""
        with self.transaction() as connection:
            self._require_claims(connection, review.claim_id)
            result = connection.execute(
                tables.claim_reviews.insert().values(
                    claim_id=review.claim_id,
                    rank=str(review.rank),
                    reason=review.reason,
                    user=review.user,
                    created_at=now(),
                )
            )
            return _new_id(result)

    def retract_claim(self, claim_id: str) -> None:
        """Soft-delete a claim (it stays in the store, stamped ``retracted_at``)."""
        with self.transaction() as connection:
            self._require_claims(connection, claim_id)
            connection.execute(
                tables.claims.update()
                .where(tables.claims.c.id == claim_id, tables.claims.c.retracted_at.is_(None))
                .values(retracted_at=now())
            )

    def link_claims(self, link: ClaimLink) -> int:
        if link.left_claim == link.right_claim:
            raise StoreError("a claim cannot be linked to itself")
        with self.transaction() as connection:
            self._require_claims(connection, link.left_claim, link.right_claim)
            return _insert_link(connection, link)

    def judge(self, judgement: Judgement) -> int:
        """Record an entity-identity judgement (a positive one merges the two entities)."""
        if judgement.left_id == judgement.right_id:
            raise StoreError("an entity cannot be judged against itself")
        with self.transaction() as connection:
            for entity_id in (judgement.left_id, judgement.right_id):
                if not connection.execute(
                    select(tables.entities.c.id).where(tables.entities.c.id == entity_id)
                ).first():
                    raise StoreError(f"unknown entity {entity_id!r}")
            result = connection.execute(
                tables.judgements.insert().values(
                    left_id=judgement.left_id,
                    right_id=judgement.right_id,
                    verdict=str(judgement.verdict),
                    score=judgement.score,
                    user=judgement.user,
                    created_at=now(),
                )
            )
            return _new_id(result)

    def withdraw(self, table: str, record_id: int) -> None:
        """Soft-delete a judgement or claim link by stamping ``deleted_at``."""
        target = {"judgements": tables.judgements, "claim_links": tables.claim_links}.get(table)
        if target is None:
            raise StoreError(f"only judgements and claim_links can be withdrawn, not {table!r}")
        with self.transaction() as connection:
            done = connection.execute(
                target.update()
                .where(target.c.id == record_id, target.c.deleted_at.is_(None))
                .values(deleted_at=now())
            )
            if done.rowcount != 1:
                raise StoreError(f"no live record {record_id} in {table}")

    @staticmethod
    def _require_claims(connection: Connection, *claim_ids: str) -> None:
        for claim_id in claim_ids:
            if not connection.execute(
                select(tables.claims.c.id).where(tables.claims.c.id == claim_id)
            ).first():
                raise StoreError(f"unknown claim {claim_id!r}")

    # -- reads ----------------------------------------------------------------------------

    def sources(self) -> list[Source]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(tables.sources).order_by(tables.sources.c.ingested_at, tables.sources.c.id)
            )
            return [_source_record(row) for row in rows]

    def source(self, source_id: str) -> Source | None:
        """A source by id, or by a unique id prefix of at least 6 characters."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(tables.sources).where(tables.sources.c.id.startswith(source_id)).limit(2)
            ).all()
        if len(rows) != 1 or (len(source_id) < 6 and rows[0].id != source_id):
            return None
        return _source_record(rows[0])

    def entities(self) -> list[Entity]:
        with self.engine.connect() as connection:
            alias_rows = connection.execute(
                select(tables.aliases.c.entity_id, tables.aliases.c.alias).order_by(
                    tables.aliases.c.id
                )
            ).all()
            by_entity: dict[str, list[str]] = {}
            for row in alias_rows:
                by_entity.setdefault(row.entity_id, []).append(row.alias)
            rows = connection.execute(select(tables.entities).order_by(tables.entities.c.id))
            return [
                Entity(
                    id=row.id,
                    name=row.name,
                    type=EntityType(row.type),
                    aliases=tuple(a for a in by_entity.get(row.id, []) if a != row.name),
                    parent_id=row.parent_id,
                    origin=row.origin,
                    role=row.role,
                )
                for row in rows
            ]

    def find_entity(self, name: str) -> str | None:
        """The canonical id of the entity called ``name`` (an id, a name or an alias)."""
        key = normalise_alias(name)
        with self.engine.connect() as connection:
            direct = connection.execute(
                select(tables.entities.c.id).where(tables.entities.c.id == name)
            ).scalar_one_or_none()
            found = (
                direct
                or connection.execute(
                    select(tables.aliases.c.entity_id)
                    .where(tables.aliases.c.normalised == key)
                    .order_by(tables.aliases.c.id)
                    .limit(1)
                ).scalar_one_or_none()
            )
        return None if found is None else self.canonical_ids().get(found, found)

    def canonical_ids(self) -> dict[str, str]:
        """Entity id -> canonical id through live positive judgements.

        In a merged group the canonical id is a gazetteer entity's over a minted one (NER, a
        person's entry), then the smallest id, so the answer does not depend on judgement order.
        """
        with self.engine.connect() as connection:
            pairs = connection.execute(
                select(tables.judgements.c.left_id, tables.judgements.c.right_id).where(
                    tables.judgements.c.verdict == Verdict.POSITIVE.value,
                    tables.judgements.c.deleted_at.is_(None),
                )
            ).all()
            curated = set(
                connection.execute(
                    select(tables.entities.c.id).where(tables.entities.c.origin == "gazetteer")
                ).scalars()
            )
        parent: dict[str, str] = {}

        def root(node: str) -> str:
            while parent.setdefault(node, node) != node:
                node = parent[node]
            return node

        def priority(node: str) -> tuple[bool, str]:
            return (node not in curated, node)

        for left, right in pairs:
            a, b = sorted((root(left), root(right)), key=priority)
            if a != b:
                parent[b] = a
        return {node: root(node) for node in parent}

    def claims(
        self,
        *,
        entity: str | None = None,
        kind: str | None = None,
        source: str | None = None,
        include_retracted: bool = False,
    ) -> list[StoredClaim]:
        """Claims, optionally about an entity (as subject or object, merges included)."""
        c = tables.claims.c
        conditions: list[Any] = []
        members: set[str] | None = None
        if entity is not None:
            canonical = self.find_entity(entity)
            if canonical is None:
                raise StoreError(f"no entity called {entity!r}")
            members = {canonical} | {k for k, v in self.canonical_ids().items() if v == canonical}
        if kind is not None:
            conditions.append(c.kind == str(ClaimKind(kind)))
        if source is not None:
            conditions.append(c.source_id.startswith(source))
        if not include_retracted:
            conditions.append(c.retracted_at.is_(None))
        with self.engine.connect() as connection:
            reviews = _latest_reviews(connection)
            rows = connection.execute(
                select(tables.claims).where(*conditions).order_by(c.source_id, c.start, c.id)
            )
            found = [_stored_claim(row, reviews.get(row.id)) for row in rows]
        if members is None:
            return found
        # subject, co-subjects (a JSON list, not portable to filter in SQL) or object
        return [
            s for s in found
            if members & {*s.claim.subjects, s.claim.object_id}
        ]  # fmt: skip

    def claim_links(self, *, include_deleted: bool = False) -> list[ClaimLink]:
        t = tables.claim_links
        query = select(t).order_by(t.c.id)
        if not include_deleted:
            query = query.where(t.c.deleted_at.is_(None))
        with self.engine.connect() as connection:
            return [
                ClaimLink(
                    left_claim=row.left_claim,
                    right_claim=row.right_claim,
                    relation=Relation(row.relation),
                    user=row.user,
                    note=row.note,
                    id=row.id,
                    created_at=row.created_at,
                    deleted_at=row.deleted_at,
                )
                for row in connection.execute(query)
            ]

    def judgements(self, *, include_deleted: bool = False) -> list[Judgement]:
        t = tables.judgements
        query = select(t).order_by(t.c.id)
        if not include_deleted:
            query = query.where(t.c.deleted_at.is_(None))
        with self.engine.connect() as connection:
            return [
                Judgement(
                    left_id=row.left_id,
                    right_id=row.right_id,
                    verdict=Verdict(row.verdict),
                    user=row.user,
                    score=row.score,
                    id=row.id,
                    created_at=row.created_at,
                    deleted_at=row.deleted_at,
                )
                for row in connection.execute(query)
            ]

    def summary(self) -> Summary:
        with self.engine.connect() as connection:

            def count_by(column: Any, *where: Any) -> dict[str, int]:
                query = select(column, func.count()).group_by(column).where(*where)
                return {str(k): int(n) for k, n in connection.execute(query)}

            live = tables.claims.c.retracted_at.is_(None)
            by_language = count_by(tables.sources.c.language)
            by_type = count_by(tables.entities.c.type)
            by_kind = count_by(tables.claims.c.kind, live)
            by_status = count_by(tables.claims.c.status, live)
            origins = count_by(tables.claims.c.origin, live)
        return Summary(
            sources=sum(by_language.values()),
            sources_by_language=_sorted(by_language),
            entities=sum(by_type.values()),
            entities_by_type=_sorted(by_type),
            claims=sum(by_kind.values()),
            claims_by_kind=_sorted(by_kind),
            claims_by_status=_sorted(by_status),
            origins=_sorted(origins),
        )

    def version(self) -> tuple[int, ...]:
        """A value that changes whenever a row is added, retracted or withdrawn anywhere in the
        ledger (row counts and stamps): a read model compares it to know when to rebuild."""
        t = tables
        counts = [select(func.count()).select_from(table).scalar_subquery()
                  for table in (t.sources, t.claims, t.claim_reviews, t.claim_links,
                                t.judgements, t.entities, t.aliases, t.deals, t.deal_claims,
                                t.review_decisions)]  # fmt: skip
        stamps = [
            select(func.count()).where(t.claims.c.retracted_at.is_not(None)).scalar_subquery(),
            select(func.count()).where(t.claim_links.c.deleted_at.is_not(None)).scalar_subquery(),
            select(func.count()).where(t.judgements.c.deleted_at.is_not(None)).scalar_subquery(),
            select(func.count()).where(t.deal_claims.c.deleted_at.is_not(None)).scalar_subquery(),
        ]
        with self.engine.connect() as connection:
            row = connection.execute(select(*counts, *stamps)).one()
        return tuple(int(v) for v in row)

    def table_counts(self) -> dict[str, int]:
        """Row count of every ledger table (used to prove a failed write changed nothing)."""
        with self.engine.connect() as connection:
            return {
                name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
                for name, table in tables.metadata.tables.items()
            }


def _migrate_with_retries(engine: Engine, attempts: int = 5) -> None:
    """Migrate; a SQLite file another process is creating at the same moment can report
    "database is locked" once before its busy timeout applies, so that error is retried."""
    for attempt in range(attempts):
        try:
            database.migrate(engine)
            return
        except OperationalError as error:
            if "locked" not in str(error.orig) or attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def _new_id(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    if key is None:  # pragma: no cover - every ledger table has an integer key
        raise StoreError("the database returned no key for the new row")
    return int(key[0])


def _sorted(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _check_quote(claim: Claim, text: str) -> None:
    if not 0 <= claim.start <= claim.end <= len(text):
        raise StoreError(f"quote span {claim.start}:{claim.end} lies outside the source text")
    if text[claim.start : claim.end] != claim.quote:
        raise StoreError(f"quote is not the source text at {claim.start}:{claim.end}")


def _check_claim(claim: Claim, source: Source) -> None:
    if claim.source_id != source.id:
        raise StoreError(f"claim belongs to source {claim.source_id}, not {source.id}")
    _check_quote(claim, source.text)
    _check_value(claim)


def _check_value(claim: Claim) -> None:
    """A claim carries a quantity, or a coded value for the coded kinds (a status, a site, a
    condition), from their closed lists."""
    if not 0.0 <= claim.confidence <= 1.0:
        raise StoreError(f"confidence {claim.confidence} is outside [0, 1]")
    coded: dict[ClaimKind, set[str]] = {
        ClaimKind.STATUS: {*DealStatus, *SiteStatus},
        ClaimKind.CONDITION: set(ConditionRule),
    }
    if claim.kind in CODED_KINDS:
        if not claim.value:
            raise StoreError(f"a {claim.kind} claim needs a value")
        allowed = coded.get(claim.kind)
        if allowed is not None and claim.value not in allowed:
            known = ", ".join(sorted(allowed))
            raise StoreError(f"unknown {claim.kind} {claim.value!r}; known: {known}")
    elif claim.quantity is None:
        raise StoreError(f"a {claim.kind} claim needs an amount")


def _insert_entities(connection: Connection, entities: Iterable[Entity]) -> int:
    added = 0
    for entity in sorted(entities, key=lambda e: e.parent_id is not None):
        known = connection.execute(
            select(tables.entities.c.id).where(tables.entities.c.id == entity.id)
        ).first()
        if known is None:
            connection.execute(
                tables.entities.insert().values(
                    id=entity.id,
                    name=entity.name,
                    type=str(entity.type),
                    parent_id=entity.parent_id,
                    origin=entity.origin,
                    role=entity.role,
                    created_at=now(),
                )
            )
            added += 1
        _insert_aliases(connection, entity.id, (entity.name, *entity.aliases))
    return added


def _insert_link(connection: Connection, link: ClaimLink) -> int:
    result = connection.execute(
        tables.claim_links.insert().values(
            left_claim=link.left_claim,
            right_claim=link.right_claim,
            relation=str(link.relation),
            user=link.user,
            note=link.note,
            created_at=now(),
        )
    )
    return _new_id(result)


def _insert_aliases(connection: Connection, entity_id: str, names: Iterable[str]) -> None:
    known = set(
        connection.execute(
            select(tables.aliases.c.normalised).where(tables.aliases.c.entity_id == entity_id)
        ).scalars()
    )
    for alias in names:
        key = normalise_alias(alias)
        if key and key not in known:
            known.add(key)
            connection.execute(
                tables.aliases.insert().values(
                    entity_id=entity_id, alias=alias, normalised=key, created_at=now()
                )
            )


def _insert_claims(connection: Connection, claims: Sequence[Claim]) -> int:
    added = 0
    for claim in claims:
        claim_id = claim.id
        if connection.execute(
            select(tables.claims.c.id).where(tables.claims.c.id == claim_id)
        ).first():
            continue
        excerpt_id = content_id(claim.source_id, claim.start, claim.end, claim.speaker)
        if not connection.execute(
            select(tables.excerpts.c.id).where(tables.excerpts.c.id == excerpt_id)
        ).first():
            connection.execute(
                tables.excerpts.insert().values(
                    id=excerpt_id,
                    source_id=claim.source_id,
                    start=claim.start,
                    end=claim.end,
                    text=claim.quote,
                    speaker=claim.speaker,
                )
            )
        q = claim.quantity
        connection.execute(
            tables.claims.insert().values(
                id=claim_id,
                source_id=claim.source_id,
                excerpt_id=excerpt_id,
                subject_id=claim.subject_id,
                object_id=claim.object_id,
                co_subject_ids=list(claim.co_subject_ids) or None,
                kind=str(claim.kind),
                amount=q.amount if q else None,
                amount_max=q.amount_max if q else None,
                bound=str(q.bound) if q else None,
                unit=q.unit if q else None,
                value=claim.value,
                stated_at=claim.stated_at,
                period=claim.period,
                valid_from=claim.valid_from,
                valid_to=claim.valid_to,
                status=str(claim.status),
                polarity=str(claim.polarity),
                speaker=claim.speaker,
                quote=claim.quote,
                start=claim.start,
                end=claim.end,
                original_value=claim.original_value,
                origin=claim.origin,
                confidence=claim.confidence,
                rank=str(claim.rank),
                rank_reason=claim.rank_reason,
                created_at=now(),
            )
        )
        added += 1
    return added


def _source_row(source: Source) -> dict[str, Any]:
    return {
        "id": source.id,
        "title": source.title,
        "url": source.url,
        "publisher": source.publisher,
        "published_at": source.published_at,
        "published_text": source.published_text,
        "language": source.language,
        "kind": str(source.kind),
        "source_type": str(source.source_type),
        "path": source.path,
        "license": source.license,
        "metadata": dict(source.metadata),
        "text": source.text,
        "retrieved_at": source.retrieved_at,
        "ingested_at": now(),
    }


def _source_record(row: Row[Any]) -> Source:
    return Source(
        id=row.id,
        text=row.text,
        title=row.title,
        url=row.url,
        publisher=row.publisher,
        published_at=row.published_at,
        published_text=row.published_text,
        language=row.language,
        kind=SourceKind(row.kind),
        source_type=SourceType(row.source_type),
        path=row.path,
        license=row.license,
        metadata=dict(row.metadata or {}),
        retrieved_at=row.retrieved_at,
        ingested_at=row.ingested_at,
    )


def _latest_reviews(connection: Connection) -> dict[str, tuple[str, str | None]]:
    rows = connection.execute(
        select(
            tables.claim_reviews.c.claim_id,
            tables.claim_reviews.c.rank,
            tables.claim_reviews.c.reason,
        ).order_by(tables.claim_reviews.c.id)
    )
    return {row.claim_id: (row.rank, row.reason) for row in rows}


def _stored_claim(row: Row[Any], review: tuple[str, str | None] | None) -> StoredClaim:
    quantity = (
        None
        if row.amount is None
        else Quantity(
            amount=Decimal(row.amount),
            unit=row.unit,
            bound=Bound(row.bound),
            amount_max=row.amount_max,
        )
    )
    claim = Claim(
        source_id=row.source_id,
        kind=ClaimKind(row.kind),
        quantity=quantity,
        value=row.value,
        stated_at=row.stated_at,
        quote=row.quote,
        start=row.start,
        end=row.end,
        origin=row.origin,
        subject_id=row.subject_id,
        object_id=row.object_id,
        co_subject_ids=tuple(row.co_subject_ids or ()),
        period=row.period,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        status=ClaimStatus(row.status),
        polarity=Polarity(row.polarity),
        speaker=row.speaker,
        confidence=row.confidence,
        rank=Rank(row.rank),
        rank_reason=row.rank_reason,
        original_value=row.original_value,
        created_at=row.created_at,
        retracted_at=row.retracted_at,
    )
    rank, reason = (row.rank, row.rank_reason) if review is None else review
    return StoredClaim(id=row.id, claim=claim, effective_rank=Rank(rank), rank_reason=reason,
                       reviewed=review is not None)  # fmt: skip
