"""Amounts outside their unit's domain never poison the store (issue 15, item 1), on SQLite and
on a real PostgreSQL server: the store refuses them with a reason, the database's CHECK refuses
them if Python is bypassed, and a store written before the domain existed is repaired by
migration 0006 (such claims retracted, with a reason) and stays readable."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from alembic import command
from click.testing import CliRunner
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from stargate.cli import app
from stargate.evidence.documents import parse_document
from stargate.evidence.entities import load_gazetteer
from stargate.ledger import database, tables
from stargate.ledger.errors import StoreError
from stargate.ledger.records import Claim, ClaimKind, Source
from stargate.ledger.store import Store
from stargate.units import Quantity

TEXT = "OpenAI will pay Oracle $30 billion a year for 4.5 GW, a 10% stake, said Altman."
MIGRATION = "src/stargate/ledger/migrations/versions/0006_amount_domains_and_sessions.py"


def forged(amount: str, unit: str = "USD", amount_max: str | None = None) -> Quantity:
    """A quantity with any amount: built in the domain, then overwritten (as a buggy or
    hostile writer could), so that the store's own checks are what is tested."""
    quantity = Quantity(Decimal(1), unit)
    object.__setattr__(quantity, "amount", Decimal(amount))
    if amount_max is not None:
        object.__setattr__(quantity, "amount_max", Decimal(amount_max))
    return quantity


def source() -> Source:
    return parse_document(TEXT.encode(), suffix=".txt", name="deal.txt").source


def claim(quantity: Quantity, kind: ClaimKind = ClaimKind.CONTRACT) -> Claim:
    quote = "OpenAI will pay Oracle $30 billion a year"
    return Claim(source().id, kind, quantity, quote, 0, len(quote), "test 1.0",
                 subject_id="openai", object_id="oracle")  # fmt: skip


@pytest.fixture
def ledger(store: Store) -> Store:
    store.add_entities(load_gazetteer())
    return store


@pytest.mark.parametrize(
    ("quantity", "reason"),
    [
        (forged("1e999999"), "amount 1.000000e+999999 USD is outside the domain of money"),
        (forged("9" * 4500), "is outside the domain of money (within ±1e15 in its currency)"),
        (forged("1e29"), "amount 1.000000e+29 USD is outside the domain of money"),
        (forged("-1000000000000001"), "outside the domain of money"),
        (forged("1.0000000001"), "has 10 decimal places; at most 9"),
        (forged("10000.5", "GW"), "outside the domain of power (0 to 10,000 GW)"),
        (forged("-1", "MW"), "outside the domain of power"),
        (forged("20000", "percent"), "outside the domain of ratio (within ±10,000 percent)"),
        (forged("1e13", "GPU"), "outside the domain of count"),
        (forged("1001", "years"), "outside the domain of duration (0 to 1,000 years)"),
        (forged("5", "USD", "1e16"), "upper end 10000000000000000 USD is outside the domain"),
    ],
)
def test_the_store_refuses_amounts_outside_their_domain(
    ledger: Store, quantity: Quantity, reason: str
) -> None:
    before = ledger.table_counts()
    with pytest.raises(StoreError, match="claim at 0:41") as caught:
        ledger.add_document(source(), [claim(quantity)])
    assert reason in str(caught.value)
    assert len(str(caught.value)) < 300  # never thousands of digits
    assert ledger.table_counts() == before
    ledger.add_document(source())
    with pytest.raises(StoreError):
        ledger.add_claims([claim(quantity)])


def test_amounts_at_the_edges_of_the_domain_round_trip(ledger: Store) -> None:
    edges = [
        Quantity(Decimal("1e15"), "USD"), Quantity(Decimal("-1e15"), "EUR"),
        Quantity(Decimal("999999999999999.123456789"), "USD"), Quantity(Decimal(10000), "GW"),
        Quantity(Decimal("0.000000001"), "percent"), Quantity(Decimal("1e12"), "shares"),
    ]  # fmt: skip
    claims = [replace(claim(q), period=str(i)) for i, q in enumerate(edges)]
    ledger.add_document(source(), claims)
    stored = {c.claim.period: c.claim.quantity.amount for c in ledger.claims() if c.claim.quantity}
    assert [stored[str(i)] for i in range(len(edges))] == [q.amount for q in edges]


def _raw_claim(engine: Engine, claim_id: str, amount: str, unit: str = "USD", *,
               retracted: bool = False) -> None:  # fmt: skip
    """A claim row written straight in SQL, bypassing every Python check."""
    quote = "OpenAI will pay Oracle $30 billion a year"
    stamp = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            text('INSERT INTO excerpts (id, source_id, start, "end", text) VALUES '
                 "(:id, :source, 0, :end, :quote)"),
            {"id": f"x{claim_id}", "source": source().id, "end": len(quote), "quote": quote},
        )  # fmt: skip
        connection.execute(
            text('INSERT INTO claims (id, source_id, excerpt_id, kind, amount, bound, unit, '
                 'status, polarity, quote, start, "end", origin, confidence, rank, created_at, '
                 "retracted_at) VALUES (:id, :source, :excerpt, 'contract', :amount, 'exact', "
                 ":unit, 'announced', 'asserts', :quote, 0, :end, 'sql', 1.0, 'normal', :at, "
                 ":retracted)"),
            {"id": claim_id, "source": source().id, "excerpt": f"x{claim_id}", "amount": amount,
             "unit": unit, "quote": quote, "end": len(quote), "at": stamp,
             "retracted": stamp if retracted else None},
        )  # fmt: skip


def test_the_database_refuses_live_claims_outside_the_domain(ledger: Store) -> None:
    """The CHECK constraint is the backstop when Python is bypassed."""
    ledger.add_document(source())
    big = "1" + "0" * 20  # 1e20: fits PostgreSQL's NUMERIC(38, 9), far beyond the domain
    for claim_id, amount, unit in (("a", big, "USD"), ("b", "20000", "GW"), ("c", "-5", "GPU")):
        with pytest.raises(IntegrityError, match="amount_domain"):
            _raw_claim(ledger.engine, claim_id, amount, unit)
    _raw_claim(ledger.engine, "d", "5", "GW")
    _raw_claim(ledger.engine, "e", big, "USD", retracted=True)  # retracted rows are exempt
    assert [c.id for c in ledger.claims()] == ["d"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("text", "OpenAI pays.\x00 Oracle builds.", "NUL character"),
        ("title", "a\x00b", "NUL character"),
        ("path", "caf\udce9.txt", "not valid Unicode"),
        ("metadata", {"Author": "x\x00"}, "NUL character"),
    ],
)
def test_text_no_backend_can_hold_is_refused(
    ledger: Store, field: str, value: object, message: str
) -> None:
    before = ledger.table_counts()
    with pytest.raises(StoreError, match=message):
        ledger.add_document(replace(source(), **{field: value}))
    assert ledger.table_counts() == before


def test_the_migration_holds_the_current_domain() -> None:
    """Changing a domain needs a new migration: 0006 keeps the CHECK as it wrote it."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[2] / MIGRATION
    spec = importlib.util.spec_from_file_location("m0006", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert tables.amount_domain_sql() == module.AMOUNT_DOMAIN


def test_migration_0006_retracts_poisoned_claims_and_the_store_stays_readable(
    store_url: str,
) -> None:
    engine = database.connect(store_url)
    with database.writer(engine).begin() as connection:
        command.upgrade(database._alembic_config(connection), "0005")
    old = Store(engine)
    old.add_entities(load_gazetteer())
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO sources (id, title, kind, source_type, metadata, text, "
                 "ingested_at) VALUES (:id, 'a', 'news', 'thirdParty', '{}', :text, :at)"),
            {"id": source().id, "text": source().text, "at": datetime.now(UTC)},
        )  # fmt: skip
    poisoned = {"huge": "1" + "0" * 20, "tiny": "5"}
    if engine.dialect.name == "sqlite":  # text: any length, any scale
        poisoned |= {"digits": "9" * 4500, "scale": "0.0000000001"}
    for claim_id, amount in poisoned.items():
        _raw_claim(engine, claim_id, amount)
    _raw_claim(engine, "power", "20000", "GW")
    assert database.migrate(engine) is True
    store = Store(engine)
    bad = sorted(set(poisoned) - {"tiny"} | {"power"})
    assert [c.id for c in store.claims()] == ["tiny"]
    assert [c.id for c in store.claims(include_retracted=True)] == ["tiny"]  # never a crash
    flagged = store.flagged_claims()
    assert [f.id for f in flagged] == bad
    assert all(f.retracted for f in flagged)
    assert all(len(f.amount) < 40 for f in flagged)
    with engine.connect() as connection:
        reviews = dict(connection.execute(text(
            'SELECT claim_id, reason FROM claim_reviews WHERE "user" = \'migration 0006\''
        )).all())  # fmt: skip
    assert sorted(reviews) == bad
    assert "outside the domain of money" in reviews["huge"]
    assert "outside the domain of power" in reviews["power"]
    if "scale" in reviews:
        assert "decimal places" in reviews["scale"]
    with pytest.raises(IntegrityError, match="amount_domain"):
        _raw_claim(engine, "later", "1" + "0" * 20)
    result = CliRunner().invoke(app, ["--db", store_url, "claims", "--json"])
    assert result.exit_code == 0, result.output
    assert [c["id"] for c in json.loads(result.stdout)] == ["tiny"]
    engine.dispose()
