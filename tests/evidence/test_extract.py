"""Claim extraction: the seed gold and the held-out paragraphs as measured targets, the pieces of a
claim (subjects, denials, speakers), the JSONL contract, and bad input."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from stargate.cli import app
from stargate.evidence import pipeline
from stargate.evidence.documents import parse_document
from stargate.evidence.entities import load_gazetteer
from stargate.evidence.extract import ORIGIN
from stargate.evidence.ingest import bundled_corpus, ingest
from stargate.ledger.records import ClaimKind, ClaimStatus, Polarity, Relation, Source
from stargate.ledger.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "extraction"
SEED_GOLD = Path(__file__).resolve().parents[3] / "shared" / "seeds-gold"
CONTRACT_KEYS = {
    "doc", "subject", "object", "kind", "amount", "unit", "bound", "amount_max", "period",
    "status", "polarity", "speaker", "quote", "start", "end", "confidence",
}  # fmt: skip
ENTITIES = load_gazetteer()


def evaluate(paths: list[Path], gold: Path) -> dict:
    documents = [(str(p), pipeline.extract_file(p, ENTITIES)) for p in paths]
    return pipeline.evaluate_rows(documents, gold, ENTITIES)


def extract(text: str, language: str | None = None) -> list:
    header = f"Language: {language}\n---\n" if language else ""
    source = parse_document((header + text).encode(), suffix=".txt", name="t.txt").source
    return list(pipeline.extract_source(source, ENTITIES).claims)


@pytest.mark.skipif(not SEED_GOLD.is_dir(), reason="shared/seeds-gold not beside the checkout")
def test_seed_targets() -> None:
    report = evaluate(bundled_corpus(), SEED_GOLD)
    assert report["amount"]["precision"] >= 0.95
    assert report["amount"]["recall"] >= 0.95
    assert report["claim"]["f1"] >= 0.85


@pytest.mark.parametrize("language", ["fr", "en"])
def test_held_out_paragraphs(language: str) -> None:
    report = evaluate(sorted(FIXTURES.glob(f"{language}*.txt")), FIXTURES / "gold")
    assert report["documents"] == 10
    assert report["amount"]["precision"] >= 0.9
    assert report["amount"]["recall"] >= 0.9
    assert report["claim"]["f1"] >= 0.85


def test_distributive_and_joint_subjects() -> None:
    claims = extract(
        "Selon The Information, OpenAI et Softbank mettraient chacune 19 milliards sur la table, "
        "tandis qu'Oracle et le fond MGX débourseraient 7 milliards à eux deux.",
        "fr",
    )
    by_amount = {}
    for claim in claims:
        by_amount.setdefault(int(claim.quantity.amount), []).append(claim)
    assert sorted(c.subject_id for c in by_amount[19_000_000_000]) == ["openai", "softbank"]
    (joint,) = by_amount[7_000_000_000]
    assert joint.subjects == ("oracle", "mgx")
    assert all(c.status is ClaimStatus.REPORTED and c.speaker == "The Information" for c in claims)


def test_denial_copies_the_proposition_and_links_to_it() -> None:
    text = (
        "Elon Musk émet des doutes : « SoftBank a sécurisé bien moins de 10 milliards de "
        "dollars », assène-t-il.\n"
        "Sam Altman a répondu sur X : « C'est faux », rétorque-t-il à propos du financement "
        "de SoftBank."
    )
    source = parse_document(f"Language: fr\n---\n{text}".encode(), suffix=".txt", name="t").source
    extraction = pipeline.extract_source(source, ENTITIES)
    claim, denial = extraction.claims
    assert claim.subject_id == denial.subject_id == "softbank"
    assert claim.status is ClaimStatus.DISPUTED
    assert claim.speaker == "Elon Musk"
    assert denial.polarity is Polarity.DENIES
    assert denial.speaker == "Sam Altman"
    assert denial.quantity == claim.quantity
    assert extraction.denials == ((1, 0),)


def test_contract_capacity_and_orientation_in_english() -> None:
    claims = extract(
        "Oracle will provide OpenAI with 4.5 gigawatts of capacity. OpenAI will pay Oracle "
        "about $30 billion a year under the agreement, according to Bloomberg.",
        "en",
    )
    capacity = next(c for c in claims if c.kind is ClaimKind.CAPACITY)
    contract = next(c for c in claims if c.kind is ClaimKind.CONTRACT)
    assert (capacity.subject_id, capacity.object_id) == ("openai", "oracle")
    assert (contract.subject_id, contract.object_id, contract.period) == (
        "openai",
        "oracle",
        "per_year",
    )
    assert contract.speaker == "Bloomberg"
    assert contract.status is ClaimStatus.REPORTED


def test_extract_prints_the_contract_and_leaves_no_store(tmp_path: Path) -> None:
    db = tmp_path / "never.sqlite"
    path = FIXTURES / "fr01.txt"
    result = CliRunner().invoke(app, ["--db", str(db), "extract", str(path), "--format", "jsonl"])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows
    body = parse_document(path.read_bytes(), suffix=".txt", name="x").text
    for row in rows:
        assert set(row) >= CONTRACT_KEYS  # the contract's keys stay; new fields may be added
        assert row["doc"] == str(path)
        assert body[row["start"] : row["end"]] == row["quote"]
        assert 0 <= row["confidence"] <= 1
    assert rows[0]["amount"] == 9_700_000_000
    assert not db.exists()


def test_extract_eval_prints_scores() -> None:
    paths = [str(p) for p in sorted(FIXTURES.glob("en*.txt"))]
    result = CliRunner().invoke(app, ["extract", "--eval", str(FIXTURES / "gold"), *paths])
    assert result.exit_code == 0
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(report["amount"]) == {"precision", "recall", "f1"}
    assert report["claim"]["f1"] >= 0.85


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Il ne s'est rien passé de notable cette semaine dans le secteur.", 0),
        ("12 34 56 78 90 2025 2026 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", 0),
        ("Microsoft will spend $80 billion. Microsoft dépensera 80 milliards de dollars.", 1),
        ("Micro\u200bsoft investit 8\u202f000\u00a0millions de dollars\u200f dans OpenAI.", 1),
    ],
)
def test_awkward_texts(text: str, expected: int) -> None:
    claims = extract(text)
    assert len(claims) == expected
    for claim in claims:
        assert claim.quote.strip()


def test_empty_file_is_an_error_line(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    result = CliRunner().invoke(app, ["extract", str(tmp_path / "empty.txt")])
    assert result.exit_code == 1
    assert "empty file" in result.stderr
    assert result.stdout == ""


@pytest.mark.slow
def test_five_megabyte_text() -> None:
    paragraph = (
        "OpenAI signed a $38 billion contract with Amazon Web Services over seven years. "
        "Analysts said the figure was large; shares rose 4% and nothing else happened.\n"
    )
    text = paragraph * (5_000_000 // len(paragraph))
    source = Source(id="big", text=text, language="en")
    started = time.perf_counter()
    claims = pipeline.extract_source(source, ENTITIES).claims
    assert time.perf_counter() - started < 120
    assert len(claims) == 1  # the same fact, restated, is one claim
    assert claims[0].quantity.amount == 38_000_000_000


def test_ingest_stores_claims_candidates_and_denial_links(store: Store) -> None:
    store.add_entities(ENTITIES)
    results = ingest(store, bundled_corpus(), extractor=pipeline.ledger_extractor(store.entities()))
    assert sum(r.claims for r in results) >= 35
    claims = store.claims()
    assert {c.claim.origin for c in claims} == {ORIGIN}
    links = store.claim_links()
    assert any(link.relation is Relation.DENIES for link in links)
    denial = next(c for c in claims if c.claim.polarity is Polarity.DENIES)
    assert denial.claim.subject_id == "softbank"
    # a newer extractor adds a generation; the old claims and the links stay
    newer = [
        c.claim.__class__(
            **{**{f: getattr(c.claim, f) for f in c.claim.__slots__}, "origin": "next 2.0"}
        )  # type: ignore[attr-defined]
        for c in claims[:3]
    ]
    assert store.add_claims(newer) == 3
    assert len(store.claims()) == len(claims) + 3
    assert len(store.claim_links()) == len(links)
