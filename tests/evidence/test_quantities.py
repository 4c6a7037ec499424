"""Quantities in French and English: tricky forms, round trips, non-amounts, hostile unicode."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stargate.evidence.quantities import find_quantities, words_to_number
from stargate.units import Bound

D = Decimal


@pytest.mark.parametrize(
    ("text", "amount", "unit", "bound", "amount_max", "period"),
    [
        ("100 milliards de dollars", D("1e11"), "USD", Bound.EXACT, None, None),
        ("4, 5 GW", D("4.5"), "GW", Bound.EXACT, None, None),
        ("11, 9 milliards de dollars", D("11.9e9"), "USD", Bound.EXACT, None, None),
        ("1 400 milliards de dollars", D("1.4e12"), "USD", Bound.EXACT, None, None),
        ("4 600 milliards", D("4.6e12"), "USD", Bound.EXACT, None, None),
        ("1.000 milliards d'euros", D("1e12"), "EUR", Bound.EXACT, None, None),
        ("30 Mds€", D("30e9"), "EUR", Bound.EXACT, None, None),
        ("4,5 Md$", D("4.5e9"), "USD", Bound.EXACT, None, None),
        ("$38 billion over seven years", D("38e9"), "USD", Bound.EXACT, None, "over_7_years"),
        ("$6bn", D("6e9"), "USD", Bound.EXACT, None, None),
        ("$10B", D("10e9"), "USD", Bound.EXACT, None, None),
        ("1.4 trillion dollars", D("1.4e12"), "USD", Bound.EXACT, None, None),
        ("half a trillion dollars", D("5e11"), "USD", Bound.EXACT, None, None),
        ("30 milliards par an", D("30e9"), "USD", Bound.EXACT, None, "per_year"),
        ("paiements annuels de 30 milliards", D("30e9"), "USD", Bound.EXACT, None, "per_year"),
        ("up to $100 billion", D("1e11"), "USD", Bound.AT_MOST, None, None),
        ("jusqu'à 100 milliards de dollars", D("1e11"), "USD", Bound.AT_MOST, None, None),
        ("at least $10 billion", D("1e10"), "USD", Bound.AT_LEAST, None, None),
        ("au moins 500 milliards de dollars", D("5e11"), "USD", Bound.AT_LEAST, None, None),
        ("more than 5 GW", D("5"), "GW", Bound.AT_LEAST, None, None),
        ("plus de 100 milliards de dollars", D("1e11"), "USD", Bound.AT_LEAST, None, None),
        ("less than $10 billion", D("1e10"), "USD", Bound.AT_MOST, None, None),
        ("bien moins de 10 milliards de dollars", D("1e10"), "USD", Bound.AT_MOST, None, None),
        ("about $30 billion a year", D("30e9"), "USD", Bound.APPROX, None, "per_year"),
        ("environ 100 milliards de dollars", D("1e11"), "USD", Bound.APPROX, None, None),
        ("$50–60B", D("50e9"), "USD", Bound.EXACT, D("60e9"), None),
        ("$350 billion to $500 billion", D("350e9"), "USD", Bound.EXACT, D("500e9"), None),
        ("entre 50 et 60 milliards de dollars", D("50e9"), "USD", Bound.EXACT, D("60e9"), None),
        ("des milliards", D("1e9"), "USD", Bound.APPROX, D("1e10"), None),
        ("tens of billions of dollars", D("1e10"), "USD", Bound.APPROX, D("1e11"), None),
        ("des milliers de puces", D("1000"), "GPU", Bound.APPROX, D("10000"), None),
        ("cinq cents milliards de dollars", D("5e11"), "USD", Bound.EXACT, None, None),
        ("un milliard de dollars", D("1e9"), "USD", Bound.EXACT, None, None),
        ("2 milliards de livres sterling", D("2e9"), "GBP", Bound.EXACT, None, None),
        ("1,200 MW", D("1200"), "MW", Bound.EXACT, None, None),
        ("100 000 GPU", D("100000"), "GPU", Bound.EXACT, None, None),
        ("plus de 100 milliards de dollars sur les quatre prochaines années", D("1e11"), "USD",
         Bound.AT_LEAST, None, "over_4_years"),
    ],
)  # fmt: skip
def test_tricky_forms(
    text: str,
    amount: Decimal,
    unit: str,
    bound: Bound,
    amount_max: Decimal | None,
    period: str | None,
) -> None:
    (mention,) = [m for m in find_quantities(text) if m.category in {"money", "power", "count"}]
    q = mention.quantity
    assert (q.amount, q.unit, q.bound, q.amount_max, mention.period) == (
        amount,
        unit,
        bound,
        amount_max,
        period,
    )


def test_spans_are_exact_and_the_ellipsis_inherits_its_scale() -> None:
    text = "D'abord, le financement des premiers 100 milliards de dollars et des 400 suivants."
    first, second = find_quantities(text)
    assert text[first.start : first.end] == "100 milliards de dollars"
    assert text[second.start : second.end] == "des 400 suivants"
    assert second.quantity.amount == D("4e11")


@pytest.mark.parametrize(
    "text",
    [
        "le 21 janvier 2025",
        "En 2001, la bulle a éclaté.",
        "une hausse de 5 % de l'action",
        "shares rose 12% on Tuesday",
        "Sam Altman, âgé de 40 ans",
        "a 52-year-old executive",
        "le modèle V3 rivalise avec GPT-4o",
        "les Nvidia H100 et B200",
        "six mois plus tard",
        "160 millions d'actions",
        "Q3 2025",
    ],
)
def test_dates_shares_ages_and_years_are_not_amounts(text: str) -> None:
    assert find_quantities(text) == []


def test_durations_and_ratios_only_when_asked() -> None:
    text = "un contrat sur sept ans, soit 10 % du marché"
    assert find_quantities(text) == []
    kinds = {m.category for m in find_quantities(text, include=("duration", "ratio"))}
    assert kinds == {"duration", "ratio"}


@pytest.mark.parametrize(
    "text",
    [
        "4\u00a0600 milliards de dollars",  # no-break space
        "4\u202f600 milliards de dollars",  # narrow no-break space
        "4\u2009600 milliards de dollars",  # thin space
        "4\u200b600 milliards de dollars",  # zero-width space inside the number
        "\u200f4 600 milliards de dollars\u200e",  # direction marks around it
    ],
)
def test_hostile_unicode_inside_numbers(text: str) -> None:
    (mention,) = find_quantities(text)
    assert mention.quantity.amount == D("4.6e12")
    assert text[mention.start : mention.end].endswith("dollars")


@pytest.mark.parametrize(
    ("words", "value"),
    [("quatre", 4), ("sept", 7), ("vingt-cinq", 25), ("cinq cents", 500), ("seven", 7),
     ("twenty-five", 25), ("two hundred", 200), ("half a", D("0.5")), ("trois mille", 3000)],
)  # fmt: skip
def test_words_to_number(words: str, value: Decimal) -> None:
    assert words_to_number(words) == value


SCALES_FR = [("milliards", 9), ("millions", 6)]
SCALES_EN = [("billion", 9), ("million", 6), ("bn", 9), ("B", 9)]


@st.composite
def amounts(draw: st.DrawFn) -> tuple[Decimal, int]:
    whole = draw(st.integers(1, 999))
    tenths = draw(st.integers(0, 9))
    return D(whole) + D(tenths) / 10, draw(st.sampled_from([6, 9]))


@given(
    amounts(),
    st.sampled_from(["fr-word", "fr-abbr", "fr-split", "en-word", "en-abbr", "en-suffix"]),
)
def test_rendered_amounts_parse_back(value_scale: tuple[Decimal, int], style: str) -> None:
    value, exponent = value_scale
    number_fr = f"{value:f}".replace(".", ",").removesuffix(",0")
    number_en = f"{value:f}".removesuffix(".0")
    scale_fr = "milliards" if exponent == 9 else "millions"
    scale_en = "billion" if exponent == 9 else "million"
    text = {
        "fr-word": f"un contrat de {number_fr} {scale_fr} de dollars",
        "fr-abbr": f"un contrat de {number_fr} {'Md$' if exponent == 9 else 'M$'}",
        "fr-split": f"un contrat de {number_fr.replace(',', ', ')} {scale_fr} de dollars",
        "en-word": f"a deal worth ${number_en} {scale_en}",
        "en-abbr": f"a deal worth ${number_en}{'bn' if exponent == 9 else 'm'}",
        "en-suffix": f"a deal worth {number_en} {scale_en} dollars",
    }[style]
    (mention,) = find_quantities(text)
    assert mention.quantity.amount == value * D(10) ** exponent
    assert mention.quantity.unit == "USD"


@given(st.integers(1000, 999_999), st.sampled_from([" ", "\u00a0", "\u202f", "."]))
def test_french_thousands_round_trip(value: int, separator: str) -> None:
    grouped = f"{value:,}".replace(",", separator)
    (mention,) = find_quantities(f"{grouped} milliards d'euros", language="fr")
    assert mention.quantity.amount == D(value) * D(10) ** 9


@given(st.integers(1, 999), st.integers(0, 99))
def test_power_round_trip(whole: int, hundredths: int) -> None:
    value = D(whole) + D(hundredths) / 100
    text = f"une capacité de {str(value).replace('.', ',')} GW"
    (mention,) = find_quantities(text, language="fr")
    assert mention.quantity.amount == value
    assert mention.quantity.unit == "GW"


@given(st.text(max_size=300))
def test_any_text_gives_spans_inside_it(text: str) -> None:
    for mention in find_quantities(
        text, include=("money", "power", "energy", "count", "duration", "ratio")
    ):
        assert 0 <= mention.start < mention.end <= len(text)
        assert mention.quantity.amount >= 0
