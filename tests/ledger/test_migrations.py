"""Schema migrations on SQLite and on a real PostgreSQL server: a store with data at an older
revision upgrades to the newest one, keeping every row and every foreign key."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from alembic import command
from sqlalchemy import Engine, text

from stargate.evidence.documents import parse_document
from stargate.evidence.entities import load_gazetteer
from stargate.ledger import database
from stargate.ledger.records import (
    Claim,
    ClaimKind,
    ClaimLink,
    ClaimReview,
    Rank,
    Relation,
    Source,
)
from stargate.ledger.store import Store
from stargate.units import Quantity

TEXT = "OpenAI will pay Oracle $30 billion a year. Oracle said it holds 10% of the venture."
OLD_TABLES = {"sources", "excerpts", "claims", "claim_reviews", "claim_links", "entities",
              "aliases", "judgements", "api_tokens", "stress_runs"}  # fmt: skip


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in sorted(OLD_TABLES)}  # fmt: skip


def _insert_at_0003(engine: Engine, source: Source, claims: list[Claim]) -> None:
    """Rows as the schema of revision 0003 holds them (the current Store writes newer columns)."""
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO sources (id, title, kind, source_type, metadata, text, "
                 "ingested_at) VALUES (:id, 'a', 'news', 'thirdParty', '{}', :text, :at)"),
            {"id": source.id, "text": source.text, "at": datetime.now(UTC)},
        )  # fmt: skip
        for claim in claims:
            excerpt = f"x{claim.id[:20]}"
            connection.execute(
                text('INSERT INTO excerpts (id, source_id, start, "end", text) '
                     "VALUES (:id, :source, :start, :end, :text)"),
                {"id": excerpt, "source": source.id, "start": claim.start, "end": claim.end,
                 "text": claim.quote},
            )  # fmt: skip
            assert claim.quantity is not None
            connection.execute(
                text('INSERT INTO claims (id, source_id, excerpt_id, subject_id, object_id, kind, '
                     'amount, bound, unit, status, polarity, quote, start, "end", origin, '
                     "confidence, rank, created_at) VALUES (:id, :source, :excerpt, :subject, "
                     ":object, :kind, :amount, 'exact', :unit, 'announced', 'asserts', :quote, "
                     ":start, :end, :origin, 1.0, 'normal', :at)"),
                {"id": claim.id, "source": source.id, "excerpt": excerpt,
                 "subject": claim.subject_id, "object": claim.object_id, "kind": str(claim.kind),
                 "amount": format(claim.quantity.amount, "f"), "unit": claim.quantity.unit,
                 "quote": claim.quote, "start": claim.start, "end": claim.end,
                 "origin": claim.origin, "at": datetime.now(UTC)},
            )  # fmt: skip


def test_the_constant_revision_is_alembic_head() -> None:
    assert database.head_revision() == database.SCHEMA_REVISION


def test_a_populated_store_upgrades_from_0003_to_head(store_url: str) -> None:
    engine = database.connect(store_url)
    with database.writer(engine).begin() as connection:
        command.upgrade(database._alembic_config(connection), "0003")
    assert database.current_revision(engine) == "0003"
    old = Store(engine)
    source = parse_document(TEXT.encode(), suffix=".txt", name="a.txt").source
    old.add_entities(load_gazetteer())
    quote = "OpenAI will pay Oracle $30 billion a year."
    claim = Claim(source.id, ClaimKind.CONTRACT, Quantity(Decimal("3e10"), "USD"), quote, 0,
                  len(quote), "test 1.0", subject_id="openai", object_id="oracle")  # fmt: skip
    other = Claim(source.id, ClaimKind.CONTRACT, Quantity(Decimal("2e10"), "USD"), quote, 0,
                  len(quote), "test 1.0", subject_id="openai", object_id="oracle")  # fmt: skip
    _insert_at_0003(engine, source, [claim, other])
    old.review_claim(ClaimReview(claim.id, Rank.PREFERRED, "tester"))
    old.link_claims(ClaimLink(claim.id, other.id, Relation.SUPERSEDES, "tester"))
    before = _counts(engine)
    assert database.migrate(engine) is True
    assert database.current_revision(engine) == database.SCHEMA_REVISION
    upgraded = Store(engine)
    assert _counts(engine) == before
    stake_quote = "Oracle said it holds 10% of the venture."
    start = TEXT.index(stake_quote)
    stake = Claim(source.id, ClaimKind.STAKE, Quantity(Decimal(10), "percent"), stake_quote,
                  start, start + len(stake_quote), "test 1.0", subject_id="oracle")  # fmt: skip
    assert upgraded.add_claims([stake]) == 1
    assert {c.id for c in upgraded.claims()} == {claim.id, other.id, stake.id}
    assert [link.relation for link in upgraded.claim_links()] == [Relation.SUPERSEDES]
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    engine.dispose()
