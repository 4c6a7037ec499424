"""Kinds of figures (``stargate.evidence.classify`` and the quantity forms they read): signed
changes after a ticker, prices reached by a change, prices "pièce" of shares, unit costs stated
as "the cost per X at $N" or "$N ... per GW" and the parts that itemise them. Sentences are
made up."""

from __future__ import annotations

import pytest
from tests.evidence.test_roles import claim_of, extract

from stargate.evidence import classify
from stargate.evidence.quantities import find_quantities
from stargate.ledger.records import ClaimKind

_ALL = ("money", "power", "count", "ratio", "duration", "shares", "unit_price")


@pytest.mark.parametrize(
    ("text", "language", "amount"),
    [
        ("Acme Corp ACME+2.45% is buying a data centre operator for $3 billion.", "en", 2.45),
        ("Acme Power (NYSE:ACP) -4.1% after it lost a large contract.", "en", -4.1),
        ("Le titre d'Oracle prenait 2,7 % à 181,5 dollars vers midi.", "fr", 2.7),
    ],
)  # fmt: skip
def test_a_signed_percentage_is_a_change(text: str, language: str, amount: float) -> None:
    claim = claim_of(extract(text, language), amount, "percent")
    assert claim.kind is ClaimKind.CHANGE


@pytest.mark.parametrize(
    ("text", "language", "amount", "unit"),
    [
        ("Vers midi, elle prenait 2,7 % à 181,5 dollars.", "fr", 181.5, "USD/share"),
        ("By noon it was up 3% at $95.10.", "en", 95.1, "USD/share"),
        ("Nvidia a acheté des actions de classe A à 61,30 dollars pièce.", "fr", 61.3,
         "USD/share"),
    ],
)  # fmt: skip
def test_prices_of_shares(text: str, language: str, amount: float, unit: str) -> None:
    claim = claim_of(extract(text, language), amount, unit)
    assert claim.kind is ClaimKind.SHARE_PRICE


def test_a_currency_sign_belongs_to_the_amount_after_it() -> None:
    text = "It cost about $4.2 million $1.1 million of it for cooling."
    found = [m.quantity for m in find_quantities(text, language="en", include=_ALL)]
    assert [float(q.amount) for q in found] == [4.2e6, 1.1e6]


@pytest.mark.parametrize(
    ("text", "language", "amounts", "unit"),
    [
        ("The report puts the cost per server rack at about $3.1 million—$2 million for chips "
         "and $1.1 million for cooling.", "en", [3.1e6, 2e6, 1.1e6], "USD/unit"),
        ("Analysts see about $12 billion in networking revenue per GW of new capacity.", "en",
         [1.2e10], "USD/GW"),
        ("Le coût par mégawatt est de 11 millions de dollars.", "fr", [1.1e7], "USD/MW"),
        ("The price per accelerator is $28,000 this year.", "en", [28000], "USD/GPU"),
    ],
)  # fmt: skip
def test_unit_costs_stated_around_the_amount(
    text: str, language: str, amounts: list[float], unit: str
) -> None:
    claims = extract(text, language)
    for amount in amounts:
        claim = claim_of(claims, amount, unit)
        assert claim.kind is ClaimKind.UNIT_COST
        assert claim.subjects == ()


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        ("Acme spent $5 billion on chips and $2 billion per year on power.", None),
        ("a $3 billion deal for each of the two sites", None),
        ("the cost per gigawatt at $40 billion", "GW"),
    ],
)
def test_cost_per_reads_only_prices(clause: str, expected: str | None) -> None:
    start = clause.index("$")
    end = clause.index("billion") + len("billion")
    assert classify.cost_per(clause, start, end) == expected


def test_a_figure_compared_with_a_unit_cost_is_a_unit_cost() -> None:
    text = (
        "Building one gigawatt of capacity costs around $30 billion, according to the broker, "
        "a figure well below Acme's own $45 billion figure."
    )
    claims = extract(text, "en")
    assert claim_of(claims, 4.5e10, "USD/GW").kind is ClaimKind.UNIT_COST


def test_a_percentage_of_their_revenue_is_a_share_of() -> None:
    text = "Nvidia et AMD ont accepté de verser à l'État 12 % de leurs revenus en Chine."
    claim = claim_of(extract(text, "fr"), 12, "percent")
    assert claim.kind is ClaimKind.SHARE_OF
