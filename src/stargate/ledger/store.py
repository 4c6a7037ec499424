"""The repository API of the ledger: every public method is one transaction.

Writes only add rows (or stamp ``retracted_at`` / ``deleted_at``); nothing is overwritten or
hard-deleted. Reads return frozen records from :mod:`.records`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final, TypeVar

from sqlalchemy import Engine, Row, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, SQLAlchemyError

from stargate.ledger import database, rows, tables
from stargate.ledger.access import Sessions, Tokens
from stargate.ledger.clock import now
from stargate.ledger.deals import Deals
from stargate.ledger.errors import DatabaseError, StoreError
from stargate.ledger.records import (
    Claim,
    ClaimKind,
    ClaimLink,
    ClaimReview,
    ClaimStatus,
    Entity,
    EntityType,
    Judgement,
    Polarity,
    Rank,
    Relation,
    Source,
    SourceKind,
    SourceType,
    StoredClaim,
    Verdict,
)
from stargate.ledger.rows import normalise_alias
from stargate.ledger.runs import StressRuns
from stargate.units import Bound, Quantity, UnitError, domain_error, short

R = TypeVar("R")

WRITE_ATTEMPTS: Final = 5
"""Tries of one write that PostgreSQL aborted as a deadlock or a serialisation failure."""
_RETRIED_STATES: Final = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure


@dataclass(frozen=True, slots=True)
class AddedDocument:
    """What :meth:`Store.add_document` did: ``added`` is False when the text was already there."""

    source_id: str
    added: bool
    claims_added: int
    existing_path: str | None = None


@dataclass(frozen=True, slots=True)
class FlaggedClaim:
    """A stored claim whose amount cannot be read as a quantity (outside its unit's domain,
    written before the domain existed); reads leave it out and list it here instead."""

    id: str
    source_id: str
    unit: str
    amount: str  # abbreviated: never thousands of digits
    reason: str
    retracted: bool

    def to_dict(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.__dataclass_fields__}


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


class Store:
    """The ledger at one database URL. Open with :meth:`open`, which migrates when needed."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = database.writer(engine)
        self.tokens = Tokens(self)
        self.sessions = Sessions(self)
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
        a constraint violation or a value the database cannot hold becomes a
        :class:`StoreError`."""
        try:
            with self._writer.begin() as connection:
                yield connection
        except IntegrityError as error:
            raise StoreError(f"refused by the ledger's constraints: {error.orig}") from error
        except DataError as error:
            raise StoreError(f"refused by the database: {error.orig}") from error
        except OperationalError as error:
            raise DatabaseError(
                f"the store at {self.url} failed: {error.__class__.__name__}: {error.orig}"
            ) from error

    def _write(self, write: Callable[[Connection], R]) -> R:
        """Run ``write`` in one transaction; PostgreSQL's deadlock and serialisation aborts
        (concurrent writers) are retried, up to :data:`WRITE_ATTEMPTS` times."""
        for attempt in range(WRITE_ATTEMPTS):
            try:
                with self.transaction() as connection:
                    return write(connection)
            except DatabaseError as error:
                cause = error.__cause__
                state = getattr(getattr(cause, "orig", None), "sqlstate", None)
                if state not in _RETRIED_STATES or attempt == WRITE_ATTEMPTS - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

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
        in one transaction; a text already in the store adds nothing.

        Safe under concurrent writers on PostgreSQL: rows are inserted or ignored (ON CONFLICT
        DO NOTHING), so a second process adding the same text or the same new entity waits for
        the first, then finds them there."""
        rows.check_source(source)
        for claim in claims:
            rows.check_claim(claim, source)
        for entity in entities:
            rows.check_strings(f"entity {entity.id!r}", entity.id, entity.name, *entity.aliases)

        def write(connection: Connection) -> AddedDocument:
            if not rows.insert_ignoring(connection, tables.sources, rows.source_row(source)):
                existing = connection.execute(
                    select(tables.sources.c.path).where(tables.sources.c.id == source.id)
                ).first()
                path = None if existing is None else existing.path
                return AddedDocument(source.id, False, 0, existing_path=path)
            rows.insert_entities(connection, entities)
            added = rows.insert_claims(connection, claims)
            for link in links:
                rows.insert_link(connection, link)
            return AddedDocument(source.id, True, added)

        return self._write(write)

    def add_claims(
        self,
        claims: Sequence[Claim],
        *,
        entities: Sequence[Entity] = (),
        links: Sequence[ClaimLink] = (),
    ) -> int:
        """Add claims (with the new entities they use and their links) to sources already in
        the store, in one transaction; claims already there are skipped, links always added."""
        for claim in claims:
            rows.check_amounts(claim)
        for entity in entities:
            rows.check_strings(f"entity {entity.id!r}", entity.id, entity.name, *entity.aliases)

        def write(connection: Connection) -> int:
            rows.insert_entities(connection, entities)
            for claim in claims:
                text = connection.execute(
                    select(tables.sources.c.text).where(tables.sources.c.id == claim.source_id)
                ).scalar_one_or_none()
                if text is None:
                    raise StoreError(f"claim refers to unknown source {claim.source_id}")
                rows.check_quote(claim, text)
                rows.check_value(claim)
            added = rows.insert_claims(connection, claims)
            if added:
                for link in links:
                    rows.insert_link(connection, link)
            return added

        return self._write(write)

    def add_entities(self, entities: Iterable[Entity]) -> int:
        """Add entities and their aliases; known ids only gain the aliases they lacked."""
        chosen = list(entities)
        for entity in chosen:
            rows.check_strings(f"entity {entity.id!r}", entity.id, entity.name, *entity.aliases)
        return self._write(lambda connection: rows.insert_entities(connection, chosen))

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
            return rows.new_id(result)

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
            return rows.insert_link(connection, link)

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
            return rows.new_id(result)

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
                select(tables.sources)
                .where(tables.sources.c.id.startswith(source_id, autoescape=True))
                .limit(2)
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
            conditions.append(c.source_id.startswith(source, autoescape=True))
        if not include_retracted:
            conditions.append(c.retracted_at.is_(None))
        with self.engine.connect() as connection:
            reviews = _latest_reviews(connection)
            result = connection.execute(
                select(tables.claims).where(*conditions).order_by(c.source_id, c.start, c.id)
            )
            # a row that is no quantity (outside its domain, from before the domain existed:
            # migration 0006 retracted those) is left out here and listed by flagged_claims()
            found = [s for row in result if (s := _readable_claim(row, reviews)) is not None]
        if members is None:
            return found
        # subject, co-subjects (a JSON list, not portable to filter in SQL) or object
        return [
            s for s in found
            if members & {*s.claim.subjects, s.claim.object_id}
        ]  # fmt: skip

    def flagged_claims(self) -> list[FlaggedClaim]:
        """Stored claims whose amount lies outside its unit's domain (see :class:`FlaggedClaim`):
        the tolerant read of a store written before the domain existed."""
        c = tables.claims.c
        flagged = []
        with self.engine.connect() as connection:
            result = connection.execute(
                select(c.id, c.source_id, c.unit, c.amount, c.amount_max, c.retracted_at)
                .where(c.amount.is_not(None))
                .order_by(c.id)
            )
            for row in result:
                reason = _amount_problem(row.amount, row.unit, "amount") or (
                    None if row.amount_max is None
                    else _amount_problem(row.amount_max, row.unit, "upper end")
                )  # fmt: skip
                if reason is not None:
                    flagged.append(FlaggedClaim(row.id, row.source_id, row.unit,
                                                _abbreviated(row.amount), reason,
                                                row.retracted_at is not None))  # fmt: skip
        return flagged

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
        """Row count of every ledger table the store has (used to prove a failed write changed
        nothing)."""
        from sqlalchemy import inspect

        with self.engine.connect() as connection:
            present = set(inspect(connection).get_table_names())
            return {
                name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
                for name, table in tables.metadata.tables.items()
                if name in present
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


def _sorted(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


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


def _amount_problem(value: Any, unit: str, what: str) -> str | None:
    """Why a stored amount is no quantity of ``unit``, or None."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return f"{what} is not a number"
    if not amount.is_finite():
        return f"{what} is not finite"
    try:
        return domain_error(amount, unit, what)
    except UnitError as error:
        return str(error)


def _abbreviated(value: Any) -> str:
    try:
        return short(value if isinstance(value, Decimal) else Decimal(str(value)))
    except (InvalidOperation, ValueError):
        text = str(value)
        return text if len(text) <= 40 else f"{text[:20]}…({len(text)} characters)"


def _readable_claim(
    row: Row[Any], reviews: dict[str, tuple[str, str | None]]
) -> StoredClaim | None:
    try:
        return _stored_claim(row, reviews.get(row.id))
    except (UnitError, InvalidOperation):  # the amount is no quantity of its unit
        return None


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
