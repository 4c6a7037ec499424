"""How the text presents a figure: denied, disputed, reported, planned, completed, announced
(rules in ``stargate.evidence.status``)."""

from __future__ import annotations

import pytest

from stargate.evidence import pipeline
from stargate.evidence.documents import parse_document
from stargate.evidence.entities import load_gazetteer
from stargate.ledger.records import ClaimStatus, Polarity

ENTITIES = load_gazetteer()


def statuses(text: str, language: str) -> list[ClaimStatus]:
    source = parse_document(
        f"Language: {language}\n---\n{text}".encode(), suffix=".txt", name="t.txt"
    ).source
    return [c.status for c in pipeline.extract_source(source, ENTITIES).claims]


@pytest.mark.parametrize(
    ("text", "language", "status"),
    [
        # denials: denying words, a negated verb over the figure, a deal withdrawn
        ("CNBC reports that OpenAI is not that mystery $10 billion buyer.", "en", "denied"),
        ("Nvidia says the $100 billion agreement was never finalised.", "en", "denied"),
        ("Microsoft pulled out of the $5 billion data-centre lease.", "en", "denied"),
        ("Le groupe dément avoir promis 10 milliards de dollars à OpenAI.", "fr", "denied"),
        ("Oracle se retire du projet de 2 milliards d'euros.", "fr", "denied"),
        ("OpenAI n'a jamais signé de contrat de 38 milliards de dollars avec AWS.", "fr", "denied"),
        # a stalled deal is disputed
        (
            "The $100 billion deal between Nvidia and OpenAI has effectively stalled.",
            "en",
            "disputed",
        ),
        # a third party's account
        (
            "According to people familiar with the matter, OpenAI will pay Oracle $30 billion a "
            "year.",
            "en",
            "reported",
        ),
        ("Sources said Oracle will be leasing 400,000 Nvidia chips to OpenAI.", "en", "reported"),
        ("SoftBank aurait investi 22,5 milliards de dollars dans OpenAI.", "fr", "reported"),
        (
            "Selon le Financial Times, SoftBank prévoit d'investir 25 milliards de dollars.",
            "fr",
            "reported",
        ),
        (
            "Une opération qui pourrait lever plus de 4 milliards de dollars pour CoreWeave.",
            "fr",
            "reported",
        ),
        # plans, and a party's own announcement of what it will do
        ("SoftBank plans to invest $40 billion in OpenAI next year.", "en", "planned"),
        ("Meta prévoit d'investir 600 milliards de dollars d'ici 2028.", "fr", "planned"),
        ("Microsoft retains the option to add another 700 megawatts of capacity.", "en", "planned"),
        ("Nvidia said it will invest up to $100 billion in OpenAI.", "en", "announced"),
        (
            "Les deux sociétés ont annoncé qu'elles investiraient 100 milliards de dollars dans "
            "Stargate.",
            "fr",
            "announced",
        ),
        (
            "Dans le cadre de l'accord, Nvidia investira jusqu'à 10 milliards de dollars dans "
            "Anthropic.",
            "fr",
            "announced",
        ),
        (
            "Le partenariat prévoit la livraison de puces d'une puissance de 10 gigawatts.",
            "fr",
            "announced",
        ),
        # agreements announced, facts completed
        ("OpenAI signed a $38 billion deal with Amazon.", "en", "announced"),
        (
            "Anthropic s'est engagée à acheter pour 30 milliards de dollars de capacité à "
            "Microsoft.",
            "fr",
            "announced",
        ),
        ("SoftBank invested $22.5 billion in OpenAI last week.", "en", "completed"),
        ("Microsoft détient une participation de 27 % dans OpenAI.", "fr", "completed"),
        ("Les actions d'AMD ont augmenté de 30 % lundi.", "fr", "completed"),
        ("Nvidia, which holds 6%, backs CoreWeave.", "en", "completed"),
        (
            "Amazon va investir 200 milliards de dollars en 2026, contre 131 milliards en 2025.",
            "fr",
            "completed",
        ),
    ],
)
def test_status(text: str, language: str, status: str) -> None:
    found = statuses(text, language)
    assert found, text
    assert found[-1] is ClaimStatus(status), (text, found)


def test_a_denial_denies() -> None:
    source = parse_document(
        b"Language: en\n---\nNvidia says the $100 billion agreement was never finalised.",
        suffix=".txt",
        name="t.txt",
    ).source
    (claim,) = pipeline.extract_source(source, ENTITIES).claims
    assert claim.polarity is Polarity.DENIES
