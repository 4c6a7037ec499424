"""Who a figure is about when the text states it about a deal, a project, a site or a class of
agents, and the parse repairs that let names be read as names (rules in
``stargate.evidence.parties`` and ``stargate.evidence.subjects``)."""

from __future__ import annotations

import pytest

from stargate.evidence import pipeline
from stargate.evidence.documents import parse_document
from stargate.evidence.entities import load_gazetteer
from stargate.evidence.extract import _Document
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
    ("text", "language"),
    [
        (
            "OpenAI has signed a new five-year contract worth $20 billion with Nscale, the British "
            "data-centre company said on Wednesday.",
            "en",
        ),
        ("Acme Labs signed a contract worth $3 billion with Oracle.", "en"),
        (
            "OpenAI a signé avec Nscale un nouveau contrat d'une valeur de 20 milliards de "
            "dollars.",
            "fr",
        ),
        ("Meta a conclu un contrat d'une valeur de 4 milliards d'euros avec CoreWeave.", "fr"),
    ],
)
def test_a_contract_worth_an_amount_is_a_contract(text: str, language: str) -> None:
    (claim,) = [c for c in extract(text, language) if c.quantity and c.quantity.unit != "years"]
    assert claim.kind is ClaimKind.CONTRACT
    assert claim.subject_id is not None


def test_the_regression_sentence_reads_whole() -> None:
    (claim,) = extract(
        "OpenAI has signed a new five-year contract worth $20 billion with Nscale, the British "
        "data-centre company said on Wednesday.",
        "en",
    )
    assert (claim.subject_id, claim.object_id, claim.period) == ("openai", "nscale", "over_5_years")
    assert claim.speaker == "Nscale"  # the apposition that speaks stands for the company


@pytest.mark.parametrize(
    ("text", "language", "amount", "unit", "subject", "object_id"),
    [
        # "the contract" refers to the deal reported before: its parties, the lab paying
        (
            "Under the deal, Microsoft will lease computing power from Nebius. Nebius said the "
            "contract was worth $17.4bn over five years.",
            "en",
            17.4e9,
            "USD",
            "microsoft",
            "nebius",
        ),
        (
            "Nvidia and OpenAI have signed a letter of intent for a large partnership. The deal "
            "will unlock at least 10 gigawatts of AI capacity.",
            "en",
            10,
            "GW",
            "openai",
            "nvidia",
        ),
        # a deal phrase that names its parties ("son contrat ... avec X")
        (
            "Oracle a levé 18 milliards de dollars. Cet argent servira à l'exécution de son "
            "contrat de 300 milliards de dollars avec OpenAI.",
            "fr",
            3e11,
            "USD",
            "openai",
            "oracle",
        ),
        (
            "Une analyse a démonté les affirmations d'un partenariat de 38 milliards de dollars "
            "entre OpenAI et Amazon Web Services.",
            "fr",
            3.8e10,
            "USD",
            "openai",
            "aws",
        ),
        # the organisation that enters the deal earlier in the clause
        (
            "OpenAI investit massivement avec un contrat estimé à 10 milliards de dollars auprès "
            "de Broadcom.",
            "fr",
            1e10,
            "USD",
            "openai",
            "broadcom",
        ),
    ],
)
def test_figures_of_a_deal_belong_to_its_parties(
    text: str, language: str, amount: float, unit: str, subject: str, object_id: str
) -> None:
    claim = claim_of(extract(text, language), amount, unit)
    assert (claim.subject_id, claim.object_id) == (subject, object_id)


def test_a_project_invests_and_its_capacity_is_the_labs() -> None:
    claims = extract(
        "OpenAI launched the Stargate project with Oracle and SoftBank. This project could "
        "involve up to $500 billion and 10 gigawatts of infrastructure investment.",
        "en",
    )
    assert claim_of(claims, 5e11, "USD").subjects == ("stargate",)
    capacity = claim_of(claims, 10, "GW")
    assert (capacity.subject_id, capacity.object_id) == ("openai", "stargate")


@pytest.mark.parametrize(
    ("text", "language", "amount", "unit"),
    [
        (
            "Les dépenses en infrastructures d'IA devraient dépasser 400 milliards de dollars en "
            "2025.",
            "fr",
            4e11,
            "USD",
        ),
        (
            "Microsoft is the largest customer of CoreWeave. Hyperscalers spent $200 billion on "
            "servers last year.",
            "en",
            2e11,
            "USD",
        ),
        (
            "Oracle a publié ses résultats. Trois entreprises avaient déjà signé quatre "
            "contrats de 5 milliards de dollars.",
            "fr",
            5e9,
            "USD",
        ),
        (
            "Amazon shortened the life of its servers. A $40,000 GPU depreciated over three years "
            "costs twice as much per year.",
            "en",
            40000,
            "USD/GPU",
        ),
    ],
)
def test_a_class_of_agents_is_no_subject(
    text: str, language: str, amount: float, unit: str
) -> None:
    """Generic statements stay without subject; no organisation from elsewhere is attached."""
    assert claim_of(extract(text, language), amount, unit).subjects == ()


def test_a_companys_own_measure_stays_the_companys() -> None:
    claims = extract(
        "Oracle a publié ses résultats trimestriels. Au premier trimestre, les dépenses "
        "d'investissement ont totalisé 8,5 milliards de dollars.",
        "fr",
    )
    assert claim_of(claims, 8.5e9, "USD").subjects == ("oracle",)


def test_worked_examples_for_the_reader_are_no_claims() -> None:
    claims = extract(
        "Amazon changed its depreciation schedule. Take a $40,000 GPU. Depreciate it over three "
        "years and you book roughly $13,333 a year in expense.",
        "en",
    )
    assert not [c for c in claims if c.quantity and c.quantity.unit == "USD"]
    assert all(c.subjects == () for c in claims)


@pytest.mark.parametrize(
    ("text", "amount", "subjects"),
    [
        # the French model reads an unfamiliar name at the start as a verb; names are parsed
        # through placeholders and a detached first conjunct is taken back
        (
            "OpenAI et Oracle ont conclu un contrat de 300 milliards de dollars sur cinq ans.",
            3e11,
            ("openai",),
        ),
        (
            "SoftBank est en discussions pour investir jusqu'à 25 milliards de dollars dans "
            "OpenAI.",
            2.5e10,
            ("softbank",),
        ),
        (
            "Le fonds Vision et le japonais SoftBank, qui se sont engagés à hauteur de 100 "
            "milliards de dollars, soutiennent le projet.",
            1e11,
            ("softbank-vision-fund", "softbank"),
        ),
    ],
)
def test_french_subjects_read_through_names(
    text: str, amount: float, subjects: tuple[str, ...]
) -> None:
    assert claim_of(extract(text, "fr"), amount, "USD").subjects == subjects


def test_each_their_own() -> None:
    claims = extract(
        "Les hyperscalers ont allongé la durée d'amortissement de leurs serveurs. Alphabet et "
        "Microsoft ont étendu la leur à six ans.",
        "fr",
    )
    six = [c for c in claims if c.quantity and c.quantity.unit == "years"]
    assert sorted(c.subject_id or "" for c in six) == ["google", "microsoft"]


@pytest.mark.parametrize(
    ("text", "language", "amount", "unit", "subject"),
    [
        # a possessive "s" written without its apostrophe
        (
            "In 2024 Microsoft accounted for 62% of CoreWeaves revenue, which reached $1.9 "
            "billion.",
            "en",
            1.9e9,
            "USD",
            "coreweave",
        ),
        # a name that opens a hyphenated compound
        (
            "Oracle gave no date for the OpenAI-dedicated cloud, a $300bn contract concluded in "
            "September.",
            "en",
            3e11,
            "USD",
            "openai",
        ),
        # a periphrasis the gazetteer knows, and a gerund after a preposition
        (
            "The world's biggest asset manager stumped up $3 billion in bonds for Meta.",
            "en",
            3e9,
            "USD",
            "blackrock",
        ),
        (
            "Sources told CNBC that SoftBank completed the transaction by transferring $22.5 "
            "billion to OpenAI.",
            "en",
            2.25e10,
            "USD",
            "softbank",
        ),
        # "brings X to N": the figure is X's
        (
            "The five new sites bring Stargate to over $400 billion in investment.",
            "en",
            4e11,
            "USD",
            "stargate",
        ),
    ],
)
def test_names_and_structures(
    text: str, language: str, amount: float, unit: str, subject: str
) -> None:
    assert claim_of(extract(text, language), amount, unit).subject_id == subject


def test_equal_figures_with_different_subjects_stay_two_facts() -> None:
    claims = extract(
        "Oracle is purchasing 400,000 Nvidia GB200 chips. Oracle will lease the computing power "
        "of the 400,000 chips to OpenAI.",
        "en",
    )
    gpus = [c for c in claims if c.quantity and c.quantity.unit == "GPU"]
    assert sorted(c.subject_id or "" for c in gpus) == ["openai", "oracle"]


@pytest.mark.parametrize("amount", [6e10, 9e10])
def test_a_figure_a_verb_brings_a_possessed_measure_to_is_the_possessors(amount: float) -> None:
    text = (
        "xAI a démenti. Par exemple, Anthropic a récemment levé 2 milliards de dollars, portant "
        "sa propre valorisation à 60 milliards de dollars, avec des rapports suggérant une "
        "introduction en bourse qui pourrait faire grimper sa valorisation à 90 milliards de "
        "dollars."
    )
    assert claim_of(extract(text, "fr"), amount, "USD").subjects == ("anthropic",)


@pytest.mark.parametrize(("amount", "unit"), [(2e9, "USD"), (250, "MW")])
def test_a_deal_with_one_named_party_is_the_antecedents(amount: float, unit: str) -> None:
    text = (
        "Les dépenses d'investissement de CoreWeave ont atteint 3 milliards de dollars. Cette "
        "frénésie de dépenses comprend un accord important de 15 ans avec Acme Digital, évalué "
        "à 2 milliards de dollars, pour sécuriser 250 mégawatts de capacité."
    )
    claim = claim_of(extract(text, "fr"), amount, unit)
    assert claim.subjects == ("coreweave",)
    assert claim.object_id == "cand:acme-digital"


def test_the_passive_subject_of_a_raising_verb_acts() -> None:
    text = (
        "OpenAI raised money. Tech companies' spending on AI is forecast to top $500 billion, "
        "according to UBS."
    )
    assert claim_of(extract(text, "en"), 5e11, "USD").subjects == ()


def test_a_capitalised_function_word_is_no_organisation() -> None:
    text = (
        "Via ce nouveau plan baptisé InvestAI, l'institution accompagne les promesses formulées "
        "par une alliance de grandes entreprises, pour former un investissement susceptible "
        "d'atteindre 200 milliards d'euros."
    )
    assert claim_of(extract(text, "fr"), 2e11, "EUR").subjects == ()


def test_a_name_the_ner_reads_once_is_that_name_everywhere() -> None:
    text = (
        "Northwind Compute invested $2 billion in Nscale on Monday.\n\n"
        "The weather was fine.\n\nAnalysts at Northwind Compute declined to comment."
    )
    source = parse_document(
        f"Language: en\n---\n{text}".encode(), suffix=".txt", name="t.txt"
    ).source
    document = _Document(source, pipeline.extractor(ENTITIES).gazetteer)
    document.extract()
    names = [m for m in document.entities if m.name == "Northwind Compute"]
    assert len(names) == 2


@pytest.mark.parametrize(
    ("text", "language", "amount", "subject"),
    [
        ("OpenAI a annoncé un nouveau centre de données en Finlande, avec un engagement de "
         "Nscale de 2 milliards de dollars.", "fr", 2e9, "nscale"),
        ("OpenAI announced a new campus in Finland, backed by Nscale's commitment of $2 "
         "billion.", "en", 2e9, "nscale"),
    ],
)  # fmt: skip
def test_the_agent_a_noun_of_paying_names_pays(
    text: str, language: str, amount: float, subject: str
) -> None:
    assert claim_of(extract(text, language), amount, "USD").subjects == (subject,)


@pytest.mark.parametrize(
    ("text", "language", "amount", "unit", "subject"),
    [
        ("Shares of Quillmark (QMK) surged 13% after the announcement.", "en", 13, "percent",
         "cand:quillmark"),
        ("L'action de Quillmark (NASDAQ:QMK) a bondi de 13 % après l'annonce.", "fr", 13,
         "percent", "cand:quillmark"),
    ],
)  # fmt: skip
def test_a_name_before_a_ticker_is_a_listed_company(
    text: str, language: str, amount: float, unit: str, subject: str
) -> None:
    assert claim_of(extract(text, language), amount, unit).subjects == (subject,)


def test_a_company_named_by_its_first_word_alone_is_that_company() -> None:
    text = (
        "Quillmark Mining signed a $5.5 billion lease with Zeta Corp.\n\n"
        "Quillmark is developing a 1-gigawatt site in West Texas."
    )
    assert claim_of(extract(text, "en"), 1, "GW").subjects == ("cand:quillmark-mining",)


def test_an_article_level_lab_is_no_offtaker_where_the_sentence_names_companies() -> None:
    text = (
        "OpenAI buys chips from Nvidia.\n\n"
        "The 10-year hosting deal between Quillmark (QMK) and Zetastack will add a data center "
        "providing 160 MW of IT load."
    )
    assert "openai" not in claim_of(extract(text, "en"), 160, "MW").subjects


def test_a_legal_form_is_no_part_of_a_company_name() -> None:
    text = "Quillmark Corp. shares were up as much as 16% on Friday in New York."
    assert claim_of(extract(text, "en"), 16, "percent").subjects == ("cand:quillmark",)
