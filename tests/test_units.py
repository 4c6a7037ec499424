"""Quantities: exact amounts, bounds as intervals, conversions within one dimension only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stargate.units import Bound, Quantity, UnitError, format_amount, to_decimal


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
