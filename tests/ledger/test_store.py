"""The ledger's repository API, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from stargate.evidence.documents import parse_document
from stargate.evidence.entities import load_gazetteer
from stargate.ledger import database
from stargate.ledger.errors import DatabaseError, StoreError
from stargate.ledger.records import (
    Claim,
    ClaimKind,
    ClaimLink,
    ClaimReview,
    ClaimStatus,
    Entity,
    Judgement,
    Polarity,
    Rank,
    Relation,
    Source,
    Verdict,
)
from stargate.ledger.store import Store
from stargate.units import Bound, Quantity

TEXT = (
    "OpenAI will pay Oracle $30 billion a year for 4.5 GW. "
    "SoftBank has secured less than $10 billion, Musk said. "
    "Altman replied that this was false."
)


def make_source(text: str = TEXT) -> Source:
    return parse_document(text.encode(), suffix=".txt", name="deal.txt").source


def claim_on(source: Source, fragment: str, **fields: object) -> Claim:
    start = source.text.index(fragment)
    defaults: dict[str, object] = {
        "source_id": source.id,
        "kind": ClaimKind.CONTRACT,
        "quantity": Quantity(Decimal("30000000000"), "USD"),
        "quote": fragment,
        "start": start,
        "end": start + len(fragment),
        "origin": "test-extractor 1.0",
    }
    return Claim(**(defaults | fields))  # type: ignore[arg-type]


@pytest.fixture
def ledger(store: Store) -> Store:
    store.add_entities(load_gazetteer())
    return store


def test_migration_reaches_head_and_is_idempotent(store: Store) -> None:
    assert database.current_revision(store.engine) == database.head_revision()
    assert database.migrate(store.engine) is False


def test_same_text_is_added_once(store: Store) -> None:
    source = make_source()
    first = store.add_document(source)
    again = store.add_document(replace(source, path="elsewhere.txt"))
    assert first.added
    assert not again.added
    assert again.existing_path == "deal.txt"
    assert [s.id for s in store.sources()] == [source.id]


def test_amounts_round_trip_exactly(ledger: Store) -> None:
    source = make_source()
    exact = Decimal("1400000000000.123456789")
    claim = claim_on(
        source,
        "OpenAI will pay Oracle $30 billion a year for 4.5 GW.",
        quantity=Quantity(exact, "USD", Bound.APPROX, Decimal("1500000000000")),
        subject_id="openai",
        object_id="oracle",
        period="per_year",
    )
    ledger.add_document(source, [claim])
    (stored,) = ledger.claims()
    assert stored.claim.quantity.amount == exact
    assert stored.claim.quantity.amount_max == Decimal("1500000000000")
    assert stored.claim.quantity.bound is Bound.APPROX
    assert stored.id == claim.id


def test_bad_claim_leaves_no_trace_of_the_document(ledger: Store) -> None:
    source = make_source()
    before = ledger.table_counts()
    good = claim_on(source, "OpenAI will pay Oracle $30 billion a year for 4.5 GW.")
    unknown_entity = claim_on(
        source, "SoftBank has secured less than $10 billion, Musk said.", subject_id="nobody"
    )
    with pytest.raises(StoreError):
        ledger.add_document(source, [good, unknown_entity])
    assert ledger.table_counts() == before


def test_quote_must_be_the_source_text(ledger: Store) -> None:
    source = make_source()
    wrong = replace(claim_on(source, "OpenAI will pay Oracle"), quote="OpenAI will pay Google")
    before = ledger.table_counts()
    with pytest.raises(StoreError, match="quote"):
        ledger.add_document(source, [wrong])
    assert ledger.table_counts() == before


def test_a_newer_extractor_adds_a_generation(ledger: Store) -> None:
    source = make_source()
    old = claim_on(source, "OpenAI will pay Oracle $30 billion a year for 4.5 GW.")
    ledger.add_document(source, [old])
    assert ledger.add_claims([old]) == 0
    assert ledger.add_claims([replace(old, origin="test-extractor 2.0")]) == 1
    assert sorted(c.claim.origin for c in ledger.claims()) == [
        "test-extractor 1.0",
        "test-extractor 2.0",
    ]


def test_reviews_rank_claims_without_editing_them(ledger: Store) -> None:
    source = make_source()
    claim = claim_on(source, "OpenAI will pay Oracle $30 billion a year for 4.5 GW.")
    ledger.add_document(source, [claim])
    ledger.review_claim(ClaimReview(claim.id, Rank.DEPRECATED, "alice", "superseded by filing"))
    ledger.review_claim(ClaimReview(claim.id, Rank.PREFERRED, "bob", "filing confirms it"))
    (stored,) = ledger.claims()
    assert stored.effective_rank is Rank.PREFERRED
    assert stored.rank_reason == "filing confirms it"
    assert stored.claim.rank is Rank.NORMAL
    assert ledger.table_counts()["claim_reviews"] == 2


def test_retraction_is_a_soft_delete(ledger: Store) -> None:
    source = make_source()
    claim = claim_on(source, "OpenAI will pay Oracle $30 billion a year for 4.5 GW.")
    ledger.add_document(source, [claim])
    ledger.retract_claim(claim.id)
    assert ledger.claims() == []
    (kept,) = ledger.claims(include_retracted=True)
    assert kept.claim.retracted_at is not None


def test_denial_linked_to_the_claim_it_denies(ledger: Store) -> None:
    source = make_source()
    musk = claim_on(
        source,
        "SoftBank has secured less than $10 billion, Musk said.",
        kind=ClaimKind.FUNDING_SECURED,
        quantity=Quantity(Decimal("10e9"), "USD", Bound.AT_MOST),
        subject_id="softbank",
        speaker="Elon Musk",
        status=ClaimStatus.DISPUTED,
    )
    altman = claim_on(
        source,
        "Altman replied that this was false.",
        kind=ClaimKind.FUNDING_SECURED,
        quantity=Quantity(Decimal("10e9"), "USD", Bound.AT_MOST),
        subject_id="softbank",
        speaker="Sam Altman",
        polarity=Polarity.DENIES,
        status=ClaimStatus.DENIED,
    )
    ledger.add_document(source, [musk, altman])
    link_id = ledger.link_claims(ClaimLink(altman.id, musk.id, Relation.DENIES, "extractor"))
    assert [link.relation for link in ledger.claim_links()] == [Relation.DENIES]
    ledger.withdraw("claim_links", link_id)
    assert ledger.claim_links() == []
    assert len(ledger.claim_links(include_deleted=True)) == 1
    with pytest.raises(StoreError):
        ledger.link_claims(ClaimLink(musk.id, musk.id, Relation.CONTRADICTS, "x"))


def test_merges_resolve_names_and_can_be_withdrawn(ledger: Store) -> None:
    ledger.add_entities([Entity("open-ai-inc", "Open A.I. Incorporated", origin="ner:test")])
    source = make_source()
    claim = claim_on(
        source, "OpenAI will pay Oracle $30 billion a year for 4.5 GW.", subject_id="open-ai-inc"
    )
    ledger.add_document(source, [claim])
    assert ledger.claims(entity="OpenAI") == []
    judgement = ledger.judge(Judgement("openai", "open-ai-inc", Verdict.POSITIVE, "alice"))
    assert ledger.find_entity("Open A.I. Incorporated") == "openai"
    assert ledger.canonical_ids() == {"openai": "openai", "open-ai-inc": "openai"}
    assert [c.id for c in ledger.claims(entity="openai")] == [claim.id]
    ledger.withdraw("judgements", judgement)
    assert ledger.claims(entity="OpenAI") == []
    with pytest.raises(StoreError, match="unknown entity"):
        ledger.judge(Judgement("openai", "nobody", Verdict.POSITIVE, "alice"))


def test_aliases_match_across_case_and_apostrophes(ledger: Store) -> None:
    assert ledger.find_entity("fonds vision d’investissement") == "softbank-vision-fund"
    assert ledger.find_entity("AWS") == "aws"
    assert ledger.find_entity("Sam Altman") == "person:sam-altman"
    assert ledger.find_entity("Nobody Inc") is None


def test_filters_and_summary(ledger: Store) -> None:
    source = make_source()
    contract = claim_on(
        source, "OpenAI will pay Oracle $30 billion a year for 4.5 GW.", subject_id="openai"
    )
    capacity = replace(
        contract, kind=ClaimKind.CAPACITY, quantity=Quantity(Decimal("4.5"), "GW"), period=None
    )
    ledger.add_document(source, [contract, capacity])
    assert len(ledger.claims(kind="capacity")) == 1
    assert len(ledger.claims(source=source.id[:8])) == 2
    assert ledger.claims(source="ffffffff") == []
    summary = ledger.summary()
    assert summary.sources == 1
    assert summary.claims == 2
    assert summary.claims_by_kind == {"capacity": 1, "contract": 1}
    assert summary.entities == len(load_gazetteer())


def test_adding_the_gazetteer_twice_adds_nothing(ledger: Store) -> None:
    before = ledger.table_counts()
    assert ledger.add_entities(load_gazetteer()) == 0
    assert ledger.table_counts() == before


def test_bad_url_is_a_clear_error() -> None:
    with pytest.raises(DatabaseError, match="cannot open the store"):
        Store.open("postgresql+psycopg://nobody@127.0.0.1:1/none")
