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
        # a clause that looks ahead plans, by aspect and mood rather than by word lists,
        # even when a named, non-media source gives it (a forecast is still a plan)
        ("The first 200 MW hall is likely to open in 2027.", "en", "planned"),
        ("A further 150 MW of capacity is under construction.", "en", "planned"),
        ("Un deuxième bâtiment de 150 MW est en construction.", "fr", "planned"),
        ("Acme is developing a 2-gigawatt campus in Ohio.", "en", "planned"),
        ("The campus is designed to reach 1 gigawatt, according to the company.", "en", "planned"),
        (
            "Power demand is expected to climb 30% by 2030, according to Grid Analytics.",
            "en",
            "planned",
        ),
        (
            "Les analystes estiment que Nvidia vendra 2 millions de puces à la Chine en 2026.",
            "fr",
            "planned",
        ),
        ("Zeta cherche à lever 5 milliards de dollars en dette.", "fr", "planned"),
        # an impersonal reporting verb: someone else's account, whatever the tense below it
        ("It was reported in June that Zeta launched a $5 billion debt sale.", "en", "reported"),
        ("Il a été rapporté que Zeta a levé 2 milliards de dollars.", "fr", "reported"),
        # ... but a rumour, a medium or a report stays a third party's account
        (
            "According to Bloomberg, Acme is expected to spend $5 billion on chips.",
            "en",
            "reported",
        ),
        ("Sources said Acme will buy $4 billion of chips.", "en", "reported"),
        ("Zeta prévoit d'investir 20 milliards de dollars, indique le rapport.", "fr", "reported"),
        # a past-time adverbial dates the event: it has taken place, also for an agreement;
        # money raised in a round that was announced in the past is completed
        ("Acme previously signed a 10-year, $4 billion hosting deal with Zeta.", "en", "completed"),
        (
            "Zeta a signé en mars dernier un contrat de 3 milliards de dollars avec Acme.",
            "fr",
            "completed",
        ),
        ("Zeta vient de recevoir 2 milliards de dollars de la part de Nvidia.", "fr", "completed"),
        ("Zeta announced a $1.5 billion funding round.", "en", "completed"),
        ("Zeta a annoncé une levée de fonds de 155 millions de dollars.", "fr", "completed"),
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


@pytest.mark.parametrize(
    "text",
    [
        "The company has voided leases amounting to 300 megawatts of capacity.",
        "Meta allowed over two gigawatts of site agreements to expire.",
        # a quotation the sentence opens ("Sept." is no sentence end) and closes later
        "Asked about a report that Anthropic was raising $5 billion, Acme's chief said on "
        "Friday (Sept. 19): “Fake news. We are not raising any capital right now.”",
    ],
)
def test_leases_voided_or_let_expire_and_quoted_denials_are_denied(text: str) -> None:
    assert statuses(text, "en") == [ClaimStatus.DENIED]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Microsoft and Oracle met. The company walked away from deals of 100 megawatts each.",
         1),
        ("Microsoft and Oracle will lease 100 megawatts each in Texas.", 2),
    ],
)  # fmt: skip
def test_each_after_the_amount_counts_things_unless_the_clause_names_the_subjects(
    text: str, count: int
) -> None:
    source = parse_document(
        f"Language: en\n---\n{text}".encode(), suffix=".txt", name="t.txt"
    ).source
    claims = [c for c in pipeline.extract_source(source, ENTITIES).claims if c.quantity]
    assert len(claims) == count
