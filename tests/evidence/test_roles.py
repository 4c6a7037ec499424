"""Roles that follow from what a figure is (``stargate.evidence.roles``): debt instruments
belong to their lender with the borrower as object, unit costs have no subject, and money
received from a named source is that source's. Sentences are made up."""

from __future__ import annotations

import pytest

from stargate.evidence import pipeline
from stargate.evidence.documents import parse_document
from stargate.evidence.entities import load_gazetteer
from stargate.ledger.records import Claim, ClaimKind

ENTITIES = load_gazetteer()


def extract(text: str, language: str) -> list[Claim]:
    source = parse_document(
        f"Language: {language}\n---\n{text}".encode(), suffix=".txt", name="t.txt"
    ).source
    return list(pipeline.extract_source(source, ENTITIES).claims)


def claim_of(claims: list[Claim], amount: float, unit: str) -> Claim:
    found = [c for c in claims if c.quantity and float(c.quantity.amount) == amount
             and c.quantity.unit == unit]  # fmt: skip
    assert len(found) == 1, [(c.quantity, c.subjects) for c in claims]
    return found[0]


@pytest.mark.parametrize(
    ("text", "language", "amount", "borrower"),
    [
        ("Meta has secured a $6 billion loan to build two more campuses.", "en", 6e9, "meta"),
        ("Last month Oracle sold $14 billion of high-grade bonds.", "en", 14e9, "oracle"),
        ("CoreWeave's $4 billion debt offering drew strong demand.", "en", 4e9, "coreweave"),
        ("Anthropic launched a $3 billion debt sale on Tuesday.", "en", 3e9, "anthropic"),
        ("Nebius croule sous 9 milliards de dollars de dettes.", "fr", 9e9, "nebius"),
        ("Le financement d'Anthropic comprend 4 milliards de dollars de dettes.", "fr", 4e9,
         "anthropic"),
    ],
)  # fmt: skip
def test_a_debt_instrument_is_the_lenders_with_the_borrower_as_object(
    text: str, language: str, amount: float, borrower: str
) -> None:
    claim = claim_of(extract(text, language), amount, "USD")
    assert claim.kind is ClaimKind.LOAN
    assert claim.subjects == ()
    assert claim.object_id == borrower


@pytest.mark.parametrize(
    ("text", "language", "amount", "subject"),
    [
        ("Meta obtained a $6 billion loan from JPMorgan Chase.", "en", 6e9, "jpmorgan"),
        ("Oracle a obtenu un prêt de 5 milliards de dollars auprès de JPMorgan Chase.", "fr",
         5e9, "jpmorgan"),
    ],
)  # fmt: skip
def test_a_named_lender_is_the_subject(
    text: str, language: str, amount: float, subject: str
) -> None:
    claim = claim_of(extract(text, language), amount, "USD")
    assert claim.subjects[0].startswith(subject)


@pytest.mark.parametrize(
    ("text", "language", "amount", "subject"),
    [
        ("JPMorgan Chase provided $5 billion of debt for the new campus.", "en", 5e9, "jpmorgan"),
        ("Nebius borrowed $2 billion in loans last year.", "en", 2e9, "nebius"),
        ("CoreWeave raised $3 billion in debt from several banks.", "en", 3e9, "coreweave"),
        ("Oracle a emprunté 7 milliards de dollars pour ses centres de données.", "fr", 7e9,
         "oracle"),
    ],
)  # fmt: skip
def test_the_actor_of_lending_or_borrowing_keeps_the_subject(
    text: str, language: str, amount: float, subject: str
) -> None:
    claim = claim_of(extract(text, language), amount, "USD")
    assert claim.subjects
    assert claim.subjects[0].startswith(subject)


@pytest.mark.parametrize(
    ("text", "language", "amount", "unit"),
    [
        ("Microsoft estimates that a gigawatt of capacity costs $45 billion to build.", "en",
         4.5e10, "USD/GW"),
        ("Pour Nvidia, chaque gigawatt coûte 40 milliards de dollars par gigawatt.", "fr", 4e10,
         "USD/GW"),
    ],
)  # fmt: skip
def test_a_unit_cost_has_no_subject(text: str, language: str, amount: float, unit: str) -> None:
    claim = claim_of(extract(text, language), amount, unit)
    assert claim.kind is ClaimKind.UNIT_COST
    assert claim.subjects == ()


@pytest.mark.parametrize(
    ("text", "language", "amount", "payer", "receiver"),
    [
        ("Nebius vient de recevoir 3 milliards de dollars de la part de Microsoft.", "fr", 3e9,
         "microsoft", "nebius"),
        ("Nscale a annoncé 400 millions de dollars de nouveaux capitaux provenant d'AMD.", "fr",
         4e8, "amd", "nscale"),
    ],
)  # fmt: skip
def test_money_from_a_named_source_is_the_sources(
    text: str, language: str, amount: float, payer: str, receiver: str
) -> None:
    claim = claim_of(extract(text, language), amount, "USD")
    assert claim.subjects == (payer,)
    assert claim.object_id == receiver


@pytest.mark.parametrize(
    ("text", "language", "subject"),
    [
        ("Amazon and Acme Power have agreed to develop 400 megawatts of new reactors.", "en",
         "amazon"),
        ("Microsoft et Acme Énergie vont développer 300 mégawatts de capacité.", "fr",
         "microsoft"),
    ],
)  # fmt: skip
def test_a_cloud_is_the_offtaker_of_a_utility_or_builder(
    text: str, language: str, subject: str
) -> None:
    (claim,) = [c for c in extract(text, language) if c.kind is ClaimKind.CAPACITY]
    assert claim.subjects == (subject,)


@pytest.mark.parametrize(
    ("text", "language", "amount"),
    [
        ("Goldman Sachs expects large cloud providers to spend about $2 trillion on chips.",
         "en", 2e12),
        ("UBS expects data centre operators to invest $400 billion by 2028.", "en", 4e11),
    ],
)  # fmt: skip
def test_a_class_of_agents_as_subject_of_an_expected_act_is_no_one(
    text: str, language: str, amount: float
) -> None:
    assert claim_of(extract(text, language), amount, "USD").subjects == ()


def test_an_organisation_expected_to_lift_a_bare_measure_owns_the_figure() -> None:
    text = (
        "Meta spent $20 billion, with analysts expecting Microsoft to lift spending to $90 billion."
    )
    assert claim_of(extract(text, "en"), 9e10, "USD").subjects == ("microsoft",)


@pytest.mark.parametrize(
    ("text", "language", "amount", "unit"),
    [
        ("Oracle was valued at $30 billion ($40 billion minus $10 billion in debt).", "en", 4e10,
         "USD"),
        ("L'action d'Oracle a grimpé à 31 dollars environ (26,30 euros).", "fr", 26.3,
         "EUR/share"),
    ],
)  # fmt: skip
def test_a_parenthesis_in_another_currency_is_a_conversion_and_only_then(
    text: str, language: str, amount: float, unit: str
) -> None:
    found = [
        c for c in extract(text, language) if c.quantity and float(c.quantity.amount) == amount
    ]
    assert bool(found) is (unit == "USD"), [(c.quantity, c.kind) for c in found]


@pytest.mark.parametrize(
    ("text", "language", "unit", "payer", "supplier"),
    [
        ("Acme Power (NYSE:ACP) signed a 15-year power purchase agreement with Microsoft.", "en",
         "years", "microsoft", "cand:acme-power"),
        ("Acme Power et Amazon ont signé un contrat de 2 milliards de dollars.", "fr", "USD",
         "amazon", "cand:acme-power"),
    ],
)  # fmt: skip
def test_a_cloud_pays_its_utility_or_builder(
    text: str, language: str, unit: str, payer: str, supplier: str
) -> None:
    (claim,) = [c for c in extract(text, language) if c.quantity and c.quantity.unit == unit]
    assert claim.subjects == (payer,)
    assert claim.object_id == supplier


def test_a_ticker_in_parentheses_is_no_organisation() -> None:
    claims = extract("Acme Power (NASDAQ:ACP) +5.2% in early trading on Friday.", "en")
    assert claim_of(claims, 5.2, "percent").subjects == ("cand:acme-power",)


@pytest.mark.parametrize(
    ("text", "language", "amount", "owner"),
    [
        ("AMD vaut 300 milliards de dollars, contre 4 000 milliards de dollars (environ 3 400 "
         "milliards d'euros) pour Nvidia.", "fr", 4e12, "nvidia"),
        ("Oracle spent $20 billion, compared with $40 billion for Meta.", "en", 4e10, "meta"),
    ],
)  # fmt: skip
def test_a_compared_figure_belongs_to_the_organisation_named_after_it(
    text: str, language: str, amount: float, owner: str
) -> None:
    assert claim_of(extract(text, language), amount, "USD").subjects == (owner,)
