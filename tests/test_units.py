"""Quantities: exact amounts, bounds as intervals, conversions within one dimension only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stargate.units import (
    DOMAINS,
    MAX_DECIMALS,
    UNITS,
    AmountDomainError,
    AmountDomainWarning,
    Bound,
    Dimension,
    Quantity,
    UnitError,
    domain_error,
    format_amount,
    in_domain,
    to_decimal,
    unit_bounds,
)


def test_floats_become_the_decimal_they_print_as() -> None:
    assert to_decimal(0.1) == Decimal("0.1")
    assert Quantity(4.5, "GW").amount == Decimal("4.5")  # type: ignore[arg-type]


def test_bounds_give_intervals() -> None:
    assert Quantity(Decimal(10), "USD", Bound.AT_MOST).interval == (None, Decimal(10))
    assert Quantity(Decimal(10), "USD", Bound.AT_LEAST).interval == (Decimal(10), None)
    assert Quantity(Decimal(50), "USD", Bound.APPROX, Decimal(60)).interval == (50, 60)


def test_conversion_stays_within_a_dimension() -> None:
    assert Quantity(Decimal("4.5"), "GW").to("MW").amount == Decimal(4500)
    with pytest.raises(UnitError):
        Quantity(Decimal(1), "GW").to("GWh")
    with pytest.raises(UnitError):
        Quantity(Decimal(1), "USD").to("EUR")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((Decimal(1), "parsecs"), "unknown unit"),
        ((Decimal(5), "USD", Bound.EXACT, Decimal(4)), "below"),
        (("nan", "USD"), "finite"),
        (("abc", "USD"), "not a number"),
    ],
)
def test_bad_quantities_are_refused(args: tuple[object, ...], message: str) -> None:
    with pytest.raises(UnitError, match=message):
        Quantity(*args)  # type: ignore[arg-type]


def test_display() -> None:
    assert str(Quantity(Decimal("30e9"), "USD", Bound.AT_MOST)) == "<= 30B USD"
    assert str(Quantity(Decimal("50e9"), "USD", Bound.APPROX, Decimal("60e9"))) == "~50B–60B USD"
    assert format_amount(Decimal("4.5")) == "4.5"


@given(st.decimals(min_value=0, max_value=10**4, allow_nan=False, places=3))
def test_power_round_trips_exactly(amount: Decimal) -> None:
    q = Quantity(amount, "GW")
    assert q.to("W").to("MW").to("GW").amount == amount


# -- the domain of every amount (issue 15, item 1) ------------------------------------------------


def test_every_dimension_has_a_domain() -> None:
    assert set(DOMAINS) == set(Dimension)
    assert unit_bounds("USD") == (Decimal("-1e15"), Decimal("1e15"))
    assert unit_bounds("GW") == (0, Decimal(10_000))
    assert unit_bounds("MW") == (0, Decimal(10_000_000))
    assert unit_bounds("days") == (0, Decimal(365_000))
    assert unit_bounds("percent") == (Decimal(-10_000), Decimal(10_000))
    assert unit_bounds("USD/GW") == (0, Decimal("1e15"))


@pytest.mark.parametrize(
    ("amount", "unit", "message"),
    [
        ("1e999999", "USD", "amount 1.000000e+999999 USD is outside the domain of money"),
        ("9" * 4500, "USD", "amount 1.000000e+4500 USD is outside the domain of money"),
        ("1e400", "USD", "outside the domain of money"),
        ("123456789012345678901234567890", "USD", "amount 1.234568e+29 USD is outside"),
        ("10000.000000001", "GW", "outside the domain of power (0 to 10,000 GW)"),
        ("-0.5", "GW", "outside the domain of power"),
        ("1e18", "Wh", "outside the domain of energy"),
        ("1.5e12", "shares", "outside the domain of count"),
        ("365001", "days", "outside the domain of duration"),
        ("-10001", "percent", "outside the domain of ratio"),
        ("-1", "USD/share", "outside the domain of unit price"),
        ("0.0000000001", "USD", "has 10 decimal places; at most 9"),
    ],
)
def test_amounts_outside_their_domain_are_refused_with_a_reason(
    amount: str, unit: str, message: str
) -> None:
    with pytest.raises(AmountDomainError) as caught:
        Quantity(Decimal(amount), unit)
    assert message in str(caught.value)
    assert len(str(caught.value)) < 200
    low = Decimal(1) if unit == "USD/share" else Decimal(0)
    with pytest.raises(AmountDomainError, match="upper end"):
        Quantity(low, unit, amount_max=Decimal(amount))


@given(st.sampled_from(sorted(UNITS)), st.data())
def test_every_amount_in_the_domain_is_a_quantity(unit: str, data: st.DataObject) -> None:
    low, high = unit_bounds(unit)
    amount = data.draw(st.decimals(min_value=low, max_value=high, places=MAX_DECIMALS,
                                   allow_nan=False, allow_infinity=False))  # fmt: skip
    assert domain_error(amount, unit) is None
    assert Quantity(amount, unit).amount == amount
    step = Decimal(1).scaleb(-MAX_DECIMALS)
    for outside in (low - step, high + step):
        assert domain_error(outside, unit) is not None


def test_a_scan_skips_out_of_domain_items_with_a_warning() -> None:
    class Found:
        def __init__(self, amount: str, start: int) -> None:
            self.quantity = Quantity(Decimal(amount), "USD")
            self.start, self.end = start, start + 3

    def scan(amounts: list[str]) -> list[Found]:
        return [Found(a, i * 10) for i, a in enumerate(amounts)]

    with pytest.warns(AmountDomainWarning, match="skipped a figure at characters 10-13: amount"):
        kept = in_domain(scan, ["5", "1e400", "7"])
    assert [f.quantity.amount for f in kept] == [5, 7]
    with pytest.raises(AmountDomainError):  # outside a scan, building one raises again
        scan(["1e400"])
