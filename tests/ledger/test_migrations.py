"""Schema migrations on SQLite and on a real PostgreSQL server: a store with data at an older
revision upgrades to the newest one, keeping every row and every foreign key."""

from __future__ import annotations

from decimal import Decimal

from alembic import command

from stargate.evidence.documents import parse_document
from stargate.evidence.entities import load_gazetteer
from stargate.ledger import database
from stargate.ledger.records import Claim, ClaimKind, ClaimLink, ClaimReview, Rank, Relation
from stargate.ledger.store import Store
from stargate.units import Quantity

TEXT = "OpenAI will pay Oracle $30 billion a year. Oracle said it holds 10% of the venture."


def test_the_constant_revision_is_alembic_head() -> None:
    assert database.head_revision() == database.SCHEMA_REVISION


def test_a_populated_store_upgrades_from_0003(store_url: str) -> None:
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
    old.add_document(source, [claim, other])
    old.review_claim(ClaimReview(claim.id, Rank.PREFERRED, "tester"))
    old.link_claims(ClaimLink(claim.id, other.id, Relation.SUPERSEDES, "tester"))
    before = old.table_counts()
    assert database.migrate(engine) is True
    assert database.current_revision(engine) == database.SCHEMA_REVISION
    upgraded = Store(engine)
    assert upgraded.table_counts() == before
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
