"""Claim extraction: the seed gold and the held-out paragraphs as measured targets, the pieces of a
claim (subjects, denials, speakers), the JSONL contract, and bad input."""

from __future__ import annotations

import csv
import json
import random
import re
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
DEVCORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "devcorpus"
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


def _prose(size: int) -> str:
    """Varied English news prose: the development articles' sentences recombined, digits redrawn."""
    sentences = []
    for path in sorted(DEVCORPUS.glob("en-*.txt")):
        body = parse_document(path.read_bytes(), suffix=".txt", name=path.name).text
        sentences += [x for x in re.split(r"(?<=[.!?])\s+", body) if len(x) > 40]
    rng = random.Random(3)
    parts, total = [], 0
    while total < size:
        sentence = re.sub(r"\d", lambda _: str(rng.randint(1, 9)), rng.choice(sentences))
        parts.append(sentence + ("\n\n" if rng.random() < 0.2 else " "))
        total += len(parts[-1])
    return "".join(parts)


@pytest.mark.slow
def test_five_megabyte_article() -> None:
    """A 5 MiB article is read end to end (benchmarks/large_document.py measures its time and
    memory); its claims quote the text exactly."""
    text = _prose(5 * 1024 * 1024)
    source = Source(id="big", text=text, language="en")
    claims = pipeline.extract_source(source, ENTITIES).claims
    assert len(claims) > 1000
    assert all(text[c.start : c.end] == c.quote for c in claims)


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


def _split(name: str, language: str) -> list[Path]:
    with (DEVCORPUS / "split.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [DEVCORPUS / r["file"] for r in rows if r["split"] == name and r["file"][:2] == language]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_development_corpus_floors(language: str) -> None:
    """Floors under the figures docs/extraction.md reports for the development split (targets:
    amount F1 0.90, claim F1 0.80); a rule change that lowers them fails here."""
    report = evaluate(_split("dev", language), DEVCORPUS / "gold")
    assert report["documents"] == 20
    assert report["amount"]["f1"] >= 0.90
    assert report["claim"]["f1"] >= 0.80
    assert report["status_accuracy"] >= 0.78
    assert report["speaker_recall"] >= 0.45
    assert report["per_language"][language]["documents"] == 20


HELDOUT = Path(__file__).resolve().parents[1] / "fixtures" / "heldout"


@pytest.mark.parametrize(
    ("language", "claim_f1"), [("fr", 0.60), ("en", 0.66)]
)  # fmt: skip
def test_second_held_out_set_floors(language: str, claim_f1: float) -> None:
    """Floors a little under the round-3 figures on the 24-article set (docs/extraction.md,
    "Round 3"), development material since it was scored blind in round 2."""
    report = evaluate(sorted(HELDOUT.glob(f"{language}-*.txt")), HELDOUT / "gold")
    assert report["documents"] == 12
    assert report["amount"]["f1"] >= 0.90
    assert report["claim"]["f1"] >= claim_f1
    assert report["status_accuracy"] >= 0.48


HELDOUT3 = Path(__file__).resolve().parents[1] / "fixtures" / "heldout3"


@pytest.mark.parametrize(
    ("language", "claim_f1", "amount_f1", "status"),
    [("fr", 0.64, 0.85, 0.60), ("en", 0.49, 0.92, 0.60)],
)  # fmt: skip
def test_third_held_out_set_floors(
    language: str, claim_f1: float, amount_f1: float, status: float
) -> None:
    """Floors a little under the round-4 figures on the 16-article set (docs/extraction.md,
    "Round 4"), development material since it was scored blind in round 3."""
    report = evaluate(sorted(HELDOUT3.glob(f"{language}-*.txt")), HELDOUT3 / "gold")
    assert report["documents"] == 8
    assert report["amount"]["f1"] >= amount_f1
    assert report["claim"]["f1"] >= claim_f1
    assert report["status_accuracy"] >= status


@pytest.mark.parametrize(
    ("text", "language", "kind", "amount", "unit", "subject"),
    [
        ("Nikkei Asia reported that SoftBank now holds about 11% of OpenAI.", "en",
         ClaimKind.STAKE, 11, "percent", "softbank"),
        ("Oracle shares fell 6.5% on Friday, hitting a low of $185.98.", "en",
         ClaimKind.CHANGE, -6.5, "percent", "oracle"),
        ("Oracle shares fell 6.5% on Friday, hitting a low of $185.98.", "en",
         ClaimKind.SHARE_PRICE, 185.98, "USD/share", "oracle"),
        ("Le cours d'Amazon a chuté de 12 % après l'annonce.", "fr",
         ClaimKind.CHANGE, -12, "percent", "amazon"),
        ("Selon UBS, un gigawatt de capacité coûte environ 50 milliards de dollars.", "fr",
         ClaimKind.UNIT_COST, 5e10, "USD/GW", None),
        ("Oracle has signed a 15-year lease for the Abilene campus.", "en",
         ClaimKind.TERM, 15, "years", "oracle"),
        ("AMD a émis à OpenAI un bon de souscription portant sur 160 millions d'actions.", "fr",
         ClaimKind.SHARES, 1.6e8, "shares", None),
        ("Microsoft, which owns 27.5% of OpenAI, declined to comment.", "en",
         ClaimKind.STAKE, 27.5, "percent", "microsoft"),
    ],
)  # fmt: skip
def test_extended_kinds(
    text: str, language: str, kind: ClaimKind, amount: float, unit: str, subject: str | None
) -> None:
    claims = [c for c in extract(text, language) if c.kind is kind]
    assert len(claims) == 1, [(c.kind, c.quantity) for c in extract(text, language)]
    (claim,) = claims
    assert float(claim.quantity.amount) == pytest.approx(amount)
    assert claim.quantity.unit == unit
    if subject is not None:
        assert claim.subject_id == subject
    assert not [c for c in extract(text, language) if c.kind is ClaimKind.CAPACITY]


@pytest.mark.parametrize(
    ("text", "language", "speaker"),
    [
        ("Oracle Corp (ORCL.N) will spend $25 billion on new data centres, said CFO Jane Doe.",
         "en", "Jane Doe"),
        ("Oracle said it would spend $25 billion on new data centres this year.", "en", "Oracle"),
        ("AMD a indiqué que l'accord pourrait rapporter 10 milliards de dollars.", "fr", "AMD"),
        ("« Nous investirons 20 milliards d'euros », a déclaré Bruno Dupont.", "fr",
         "Bruno Dupont"),
        ("According to reports, SoftBank has finalised a $40 billion investment.", "en", None),
    ],
)  # fmt: skip
def test_speakers(text: str, language: str, speaker: str | None) -> None:
    (claim,) = extract(text, language)
    assert claim.speaker == speaker
    assert claim.quote == text  # a ticker's dot does not end the sentence


@pytest.mark.parametrize(
    "text",
    [
        "Nous n'avons jamais dit que nous investirions 100 milliards de dollars, a affirmé Nvidia.",
        "The $100 billion investment by Nvidia is not believed to be final.",
        "SoftBank se retire du projet de 30 milliards de dollars.",
        "Amazon denied it would invest $10 billion in the venture.",
    ],
)
def test_denials(text: str) -> None:
    (claim,) = extract(text)
    assert claim.status is ClaimStatus.DENIED
    assert claim.polarity is Polarity.DENIES


def test_distinct_facts_with_the_same_figure_stay_apart() -> None:
    claims = extract(
        "Microsoft will invest $10 billion in OpenAI. Separately, Amazon will invest $10 billion "
        "in Anthropic.",
        "en",
    )
    assert sorted(c.subject_id or "" for c in claims) == ["amazon", "microsoft"]


def test_confidence_is_calibrated_and_below_the_threshold_goes_to_review() -> None:
    from stargate.evidence.confidence import REVIEW_THRESHOLD, needs_review, score

    assert 0 < REVIEW_THRESHOLD < 1
    sure = score({"explicit_unit": True, "subject_parse": True, "kind_cue": True})
    unsure = score({"vague": True, "headline": True})
    assert sure >= REVIEW_THRESHOLD > unsure
    assert needs_review(unsure)
    assert not needs_review(sure)
