"""Quantities in French and English: tricky forms, round trips, non-amounts, hostile unicode."""

from __future__ import annotations

import re
import warnings
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stargate import units
from stargate.evidence.quantities import Mention, clean, find_quantities, words_to_number
from stargate.units import AmountDomainWarning, Bound

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


ALL = ("money", "power", "energy", "count", "duration", "ratio", "shares", "unit_price")
KNOWN_UNITS = {"USD", "EUR", "GBP", "JPY", "CNY", "GW", "MW", "kW", "TW", "TWh", "GWh", "MWh",
               "GPU", "years", "months", "percent", "shares"}  # fmt: skip


def scan(text: str, **kwargs: object) -> list[Mention]:
    """The parser as extraction runs it: figures outside their unit's domain (stargate.units
    DOMAINS: "10001 GW", a 4,500-digit number) are dropped with a warning, never raised."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AmountDomainWarning)
        return units.in_domain(find_quantities, text, **kwargs)  # type: ignore[arg-type]


def in_domain(mention: Mention, text: str) -> None:
    """The parser's documented domain: spans inside the text, known units (or a currency per
    share, GW, MW, GPU or unit), ranges in order, and no negative figure but a signed percent."""
    q = mention.quantity
    assert 0 <= mention.start < mention.end <= len(text)
    assert q.unit in KNOWN_UNITS or re.fullmatch(r"[A-Z]{3}/(?:share|GW|MW|GPU|unit)", q.unit)
    assert q.amount_max is None or q.amount_max >= q.amount
    if q.amount < 0:
        assert mention.category == "ratio"
        assert "-" in clean(text[mention.start : mention.end]).text


@given(st.text(max_size=300))
def test_any_text_gives_mentions_in_the_domain(text: str) -> None:
    for mention in scan(text, include=ALL):
        in_domain(mention, text)


NEWS_ALPHABET = st.sampled_from(
    [*"0123456789 ,.-+%$€()", "GW", " gigawatts", " par action", " a share", " per chip",
    "-year", " ans", " years", " et demi", " millions d'actions", " million shares", " milliards",
    " billion", " dollars", " chacun", " each", " un ", " a ", "une centaine de ", "from ",
    " to ", " à ", "Nvidia ", "chips", " de ", "\u00a0", "\u202f"]
)  # fmt: skip


@given(st.lists(NEWS_ALPHABET, max_size=40).map("".join))
def test_news_like_fragments_never_crash_and_stay_in_the_domain(text: str) -> None:
    for mention in scan(text, language="fr", include=ALL):
        in_domain(mention, text)
    for mention in scan(text, language="en", include=ALL):
        in_domain(mention, text)


def _fr(value: Decimal) -> str:
    return f"{value:f}".replace(".", ",").removesuffix(",0")


def _en(value: Decimal) -> str:
    return f"{value:f}".removesuffix(".0")


tenths = st.builds(lambda w, t: D(w) + D(t) / 10, st.integers(0, 999), st.integers(0, 9))


@given(tenths, st.sampled_from(["fr", "fr-words", "en", "en-words"]), st.sampled_from([1, -1]))
def test_percentages_round_trip(value: Decimal, style: str, sign: int) -> None:
    written = _fr(value) if style.startswith("fr") else _en(value)
    mark = {"fr": " %", "fr-words": " pour cent", "en": "%", "en-words": " per cent"}[style]
    prefix = "-" if sign < 0 else ""
    text = f"l'action a varié de {prefix}{written}{mark} lundi"
    (mention,) = find_quantities(text, language=style[:2], include=("ratio",))
    assert mention.quantity.amount == sign * value
    assert mention.quantity.unit == "percent"


@given(st.integers(1, 99_999), st.integers(0, 99), st.sampled_from(["fr", "en"]))
def test_share_prices_round_trip(whole: int, cents: int, language: str) -> None:
    value = D(whole) + D(cents) / 100
    text = (
        f"des bons à {_fr(value)} dollars par action"
        if language == "fr"
        else f"warrants at ${_en(value)} a share"
    )
    (mention,) = find_quantities(text, language=language, include=ALL)
    assert (mention.quantity.amount, mention.quantity.unit) == (value, "USD/share")


@given(tenths.filter(lambda v: v > 0), st.sampled_from(["fr", "en"]), st.sampled_from(["GW", "MW"]))
def test_unit_costs_round_trip(value: Decimal, language: str, per: str) -> None:
    word = {"GW": "gigawatt", "MW": "mégawatt" if language == "fr" else "megawatt"}[per]
    text = (
        f"environ {_fr(value)} milliards de dollars par {word}"
        if language == "fr"
        else f"about ${_en(value)} billion per {word}"
    )
    (mention,) = find_quantities(text, language=language, include=ALL)
    assert mention.quantity.amount == value * D(10) ** 9
    assert mention.quantity.unit == f"USD/{per}"


@given(st.integers(1, 99), st.booleans(), st.sampled_from(["fr", "en", "en-hyphen"]))
def test_durations_round_trip(years: int, half: bool, style: str) -> None:
    text = {
        "fr": f"un bail de {years} ans{' et demi' if half else ''}",
        "en": f"a lease of {years} years{' and a half' if half else ''}",
        "en-hyphen": f"a {years}-year lease",
    }[style]
    (mention,) = find_quantities(text, language=style[:2], include=("duration",))
    expected = D(years) + (D("0.5") if half and style != "en-hyphen" else 0)
    assert (mention.quantity.amount, mention.quantity.unit) == (expected, "years")


@given(tenths.filter(lambda v: v >= 1), st.sampled_from(["fr", "en", "en-brand"]))
def test_share_counts_round_trip(value: Decimal, style: str) -> None:
    text = {
        "fr": f"jusqu'à {_fr(value)} millions d'actions",
        "en": f"warrants for up to {_en(value)} million shares",
        "en-brand": f"it sold {_en(value)} million Nvidia shares",
    }[style]
    (mention,) = find_quantities(text, language=style[:2], include=ALL)
    assert (mention.quantity.amount, mention.quantity.unit) == (value * D(10) ** 6, "shares")


@given(st.integers(1, 999), st.integers(0, 999), st.sampled_from(["Acme X1 ", "Nvidia GB200 ", ""]))
def test_counts_with_a_brand_round_trip(thousands: int, units: int, brand: str) -> None:
    value = thousands * 1000 + units
    text = f"it will buy {value:,} {brand}chips"
    (mention,) = find_quantities(text, language="en")
    assert (mention.quantity.amount, mention.quantity.unit) == (D(value), "GPU")


@pytest.mark.parametrize(
    ("text", "amount", "unit", "bound"),
    [
        ("un déploiement d'un gigawatt en 2026", D(1), "GW", Bound.EXACT),
        ("more than a gigawatt of capacity", D(1), "GW", Bound.AT_LEAST),
        ("the first gigawatt of the campus", D(1), "GW", Bound.EXACT),
        ("une centaine de milliards de dollars", D("1e11"), "USD", Bound.APPROX),
        ("a 10-gigawatt campus", D(10), "GW", Bound.EXACT),
        ("$40B per gigawatt", D("4e10"), "USD/GW", Bound.EXACT),
        ("$1B each", D("1e9"), "USD/unit", Bound.EXACT),
        ("a $40,000 GPU", D(40000), "USD/GPU", Bound.EXACT),
        ("plusieurs gigawatts", D(1), "GW", Bound.APPROX),
        ("27 billion US dollars", D("2.7e10"), "USD", Bound.EXACT),
    ],
)
def test_new_number_forms(text: str, amount: Decimal, unit: str, bound: Bound) -> None:
    (mention,) = find_quantities(text, include=ALL)
    assert (mention.quantity.amount, mention.quantity.unit, mention.quantity.bound) == (
        amount, unit, bound,
    )  # fmt: skip


def test_duration_ellipses() -> None:
    text = "Amazon moved depreciation from three years to four in 2020, then to six by 2023."
    found = [m.quantity.amount for m in find_quantities(text, include=("duration",))]
    assert found == [3, 4, 6]


@pytest.mark.parametrize(
    ("text", "language", "found"),
    [
        # a vague scale before a noun that is no money or count is no amount
        ("enough electricity to run millions of homes", "en", []),
        ("de quoi alimenter des millions de foyers", "fr", []),
        ("des milliards de plus pour l'upgrader", "fr", [(D("1e9"), "USD")]),
        ("tech companies spend hundreds of billions of dollars", "en", [(D("1e11"), "USD")]),
        # a brand and a model between a vague count and its noun
        (
            "hundreds of thousands of Nvidia Corp. graphics processing units",
            "en",
            [(D("1e5"), "GPU")],
        ),
        ('400,000 Nvidia GB200 "Superchips"', "en", [(D("400000"), "GPU")]),
    ],
)
def test_vague_scales_and_counts(text: str, language: str, found: list) -> None:
    mentions = find_quantities(text, language=language)
    assert [(m.quantity.amount, m.quantity.unit) for m in mentions] == found
