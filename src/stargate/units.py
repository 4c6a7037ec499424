"""Quantities: an exact amount with its unit, bound and optional upper end.

Money is kept as :class:`decimal.Decimal` with an ISO 4217 code and is never a float in the
ledger (provenance model §2.3). Physical units come from a small controlled table: each unit has
a dimension and a factor to its base unit, and units of different dimensions (power and energy,
say) never convert into each other.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

from stargate.errors import StargateError


class Bound(enum.StrEnum):
    """How the stated figure bounds the true value."""

    EXACT = "exact"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    APPROX = "approx"


class Dimension(enum.StrEnum):
    MONEY = "money"
    POWER = "power"
    ENERGY = "energy"
    COUNT = "count"
    DURATION = "duration"
    RATIO = "ratio"
    UNIT_PRICE = "unit_price"


@dataclass(frozen=True, slots=True)
class UnitInfo:
    """One entry of the controlled unit list: ``value_in_base = amount * factor``."""

    code: str
    dimension: Dimension
    base: str
    factor: Decimal
    description: str


Z90: Final = 1.6448536269514722  # the standard normal's 95th percentile: p5/p95 = mean ∓ Z90·sd

CURRENCIES: Final = frozenset({"USD", "EUR", "GBP", "JPY", "CNY", "AED", "SAR", "CHF", "CAD"})

_PHYSICAL: Final[tuple[UnitInfo, ...]] = (
    UnitInfo("W", Dimension.POWER, "W", Decimal(1), "watt"),
    UnitInfo("kW", Dimension.POWER, "W", Decimal(10) ** 3, "kilowatt"),
    UnitInfo("MW", Dimension.POWER, "W", Decimal(10) ** 6, "megawatt"),
    UnitInfo("GW", Dimension.POWER, "W", Decimal(10) ** 9, "gigawatt"),
    UnitInfo("Wh", Dimension.ENERGY, "Wh", Decimal(1), "watt-hour"),
    UnitInfo("kWh", Dimension.ENERGY, "Wh", Decimal(10) ** 3, "kilowatt-hour"),
    UnitInfo("MWh", Dimension.ENERGY, "Wh", Decimal(10) ** 6, "megawatt-hour"),
    UnitInfo("GWh", Dimension.ENERGY, "Wh", Decimal(10) ** 9, "gigawatt-hour"),
    UnitInfo("TWh", Dimension.ENERGY, "Wh", Decimal(10) ** 12, "terawatt-hour"),
    UnitInfo("GPU", Dimension.COUNT, "GPU", Decimal(1), "accelerators (GPUs or other chips)"),
    UnitInfo("chips", Dimension.COUNT, "GPU", Decimal(1), "accelerators, alias of GPU"),
    UnitInfo("count", Dimension.COUNT, "count", Decimal(1), "a plain count"),
    UnitInfo("shares", Dimension.COUNT, "shares", Decimal(1), "shares, or warrants for shares"),
    UnitInfo("days", Dimension.DURATION, "years", Decimal(1) / Decimal(365), "days"),
    UnitInfo("months", Dimension.DURATION, "years", Decimal(1) / Decimal(12), "months"),
    UnitInfo("years", Dimension.DURATION, "years", Decimal(1), "years"),
    UnitInfo("percent", Dimension.RATIO, "ratio", Decimal("0.01"), "percent"),
    UnitInfo("ratio", Dimension.RATIO, "ratio", Decimal(1), "a plain ratio"),
)

_PER: Final = (  # what a unit price is per: (code, base, factor to the base, description)
    ("share", "share", Decimal(1), "per share"),
    ("GW", "W", Decimal(10) ** 9, "per gigawatt"),
    ("MW", "W", Decimal(10) ** 6, "per megawatt"),
    ("GPU", "GPU", Decimal(1), "per accelerator"),
    ("unit", "unit", Decimal(1), "per unit of what the text counts"),
)

UNITS: Final[dict[str, UnitInfo]] = (
    {u.code: u for u in _PHYSICAL}
    | {
        code: UnitInfo(code, Dimension.MONEY, code, Decimal(1), f"money in {code} (ISO 4217)")
        for code in CURRENCIES
    }
    | {
        f"{code}/{per}": UnitInfo(
            f"{code}/{per}", Dimension.UNIT_PRICE, f"{code}/{base}", Decimal(1) / factor,
            f"{code} {text}",
        )
        for code in CURRENCIES
        for per, base, factor, text in _PER
    }
)  # fmt: skip


class UnitError(StargateError, ValueError):
    """A unit or amount that the controlled list does not allow."""


def unit_info(code: str) -> UnitInfo:
    """The controlled-list entry for ``code``; raises :class:`UnitError` for unknown codes."""
    try:
        return UNITS[code]
    except KeyError:
        known = ", ".join(sorted(UNITS))
        raise UnitError(f"unknown unit {code!r}; known units: {known}") from None


def to_decimal(value: Decimal | int | str | float) -> Decimal:
    """Convert to an exact Decimal; floats go through ``repr`` so 0.1 stays 0.1."""
    if isinstance(value, Decimal):
        result = value
    else:
        try:
            result = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:
            raise UnitError(f"not a number: {value!r}") from None
    if not result.is_finite():
        raise UnitError(f"amount must be finite, got {value!r}")
    return result


@dataclass(frozen=True, slots=True)
class Quantity:
    """An amount with unit and bound; ``amount_max`` is the upper end of a range, if any.

    For a range, ``amount`` is the lower end. ``at_most`` and ``at_least`` keep the stated figure
    as ``amount`` (the bound says which side is open).
    """

    amount: Decimal
    unit: str
    bound: Bound = Bound.EXACT
    amount_max: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", to_decimal(self.amount))
        if self.amount_max is not None:
            object.__setattr__(self, "amount_max", to_decimal(self.amount_max))
            if self.amount_max < self.amount:
                raise UnitError(f"range upper end {self.amount_max} is below {self.amount}")
        object.__setattr__(self, "bound", Bound(self.bound))
        unit_info(self.unit)

    @property
    def dimension(self) -> Dimension:
        return unit_info(self.unit).dimension

    @property
    def interval(self) -> tuple[Decimal | None, Decimal | None]:
        """The closed interval ``[low, high]`` the quantity allows; ``None`` is unbounded.

        ``approx`` without a stated range is the degenerate interval at the figure: widening
        it is a modelling choice, made where it is used, not here.
        """
        high = self.amount_max if self.amount_max is not None else self.amount
        if self.bound is Bound.AT_LEAST:
            return self.amount, None
        if self.bound is Bound.AT_MOST:
            return None, high
        return self.amount, high

    def to(self, code: str) -> Quantity:
        """The same quantity in another unit of the same dimension (never money to money)."""
        source, target = unit_info(self.unit), unit_info(code)
        if source.dimension is not target.dimension or source.base != target.base:
            raise UnitError(f"cannot convert {self.unit} to {code}")
        ratio = source.factor / target.factor
        high = None if self.amount_max is None else self.amount_max * ratio
        return Quantity(self.amount * ratio, code, self.bound, high)

    def __str__(self) -> str:
        prefix = {Bound.AT_LEAST: ">= ", Bound.AT_MOST: "<= ", Bound.APPROX: "~"}.get(
            self.bound, ""
        )
        text = f"{prefix}{format_amount(self.amount)}"
        if self.amount_max is not None and self.amount_max != self.amount:
            text += f"–{format_amount(self.amount_max)}"
        return f"{text} {self.unit}"


_SCALES: Final = ((Decimal(10) ** 12, "T"), (Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"))


def format_amount(amount: Decimal) -> str:
    """A short human form: 30000000000 -> '30B', 4.5 -> '4.5'."""
    for scale, suffix in _SCALES:
        if abs(amount) >= scale:
            return f"{(amount / scale).normalize():f}{suffix}"
    return f"{amount.normalize():f}"
