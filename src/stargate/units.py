"""Quantities: an exact amount with its unit, bound and optional upper end.

Money is kept as :class:`decimal.Decimal` with an ISO 4217 code and is never a float in the
ledger (provenance model §2.3). Physical units come from a small controlled table: each unit has
a dimension and a factor to its base unit, and units of different dimensions (power and energy,
say) never convert into each other.
"""

from __future__ import annotations

import enum
import functools
import warnings
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext
from typing import Final, ParamSpec, Protocol, TypeVar

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


class AmountDomainError(UnitError, StargateError):
    """An amount outside the documented domain of its unit (:data:`DOMAINS`)."""


class AmountDomainWarning(UserWarning):
    """An amount outside its domain that a scan (:func:`in_domain`) skipped."""


# -- the domain of every amount ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Domain:
    """The amounts one dimension allows: ``low <= amount <= high`` in the dimension's base unit
    (money and unit prices: in the stated currency, per the stated unit), with its reason."""

    low: Decimal
    high: Decimal
    text: str
    reason: str


MAX_DECIMALS: Final = 9
"""Digits after the decimal point an amount may have: the store keeps NUMERIC(38, 9)."""

DOMAINS: Final[dict[Dimension, Domain]] = {
    Dimension.MONEY: Domain(
        Decimal("-1e15"), Decimal("1e15"), "within ±1e15 in its currency",
        "assumption: a thousand times the largest figure in the corpus (Stargate's $500B), and "
        "within what a float64 holds to the cent (2^53 ≈ 9e15)",
    ),
    Dimension.UNIT_PRICE: Domain(
        Decimal(0), Decimal("1e15"), "0 to 1e15 in its currency per unit",
        "assumption: the money domain, per share, GW, MW, accelerator or unit",
    ),
    Dimension.POWER: Domain(
        Decimal(0), Decimal("1e13"), "0 to 10,000 GW",
        "assumption: about three times the world's installed generating capacity (~9,000 GW in "
        "2023, https://www.iea.org/reports/world-energy-outlook-2024)",
    ),
    Dimension.ENERGY: Domain(
        Decimal(0), Decimal("1e17"), "0 to 100,000 TWh",
        "assumption: about three times the world's yearly electricity use (~30,000 TWh, "
        "https://www.iea.org/reports/electricity-2024)",
    ),
    Dimension.COUNT: Domain(
        Decimal(0), Decimal("1e12"), "0 to 1e12 (accelerators, shares, units)",
        "assumption: far above any company's share count (~2.4e10 for Nvidia in 2025) or any "
        "fleet of accelerators",
    ),
    Dimension.DURATION: Domain(
        Decimal(0), Decimal(1000), "0 to 1,000 years",
        "assumption: no contract or asset life in the corpus comes near a century",
    ),
    Dimension.RATIO: Domain(
        Decimal(-100), Decimal(100), "within ±10,000 percent",
        "assumption: stakes lie in 0–100 %, stated changes (growth) rarely beyond a few "
        "thousand percent",
    ),
}  # fmt: skip


def _places(value: Decimal) -> Decimal:
    """``value`` rounded (half even) to :data:`MAX_DECIMALS` places, for conversions."""
    with localcontext() as context:
        context.prec = 60
        return value.quantize(Decimal(1).scaleb(-MAX_DECIMALS)).normalize(context)


@functools.cache
def unit_bounds(code: str) -> tuple[Decimal, Decimal]:
    """The closed interval of amounts ``code`` allows, in that unit (see :data:`DOMAINS`)."""
    info = unit_info(code)
    domain = DOMAINS[info.dimension]
    if info.dimension in (Dimension.MONEY, Dimension.UNIT_PRICE):
        return domain.low, domain.high
    with localcontext() as context:
        context.prec = 60
        low, high = domain.low / info.factor, domain.high / info.factor
    return _places(low), _places(high)


def decimals(value: Decimal) -> int:
    """Digits after the decimal point, trailing zeros not counted (exact, any exponent)."""
    _sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        return 0
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + trailing)) if any(digits) else 0


def short(value: Decimal) -> str:
    """A bounded-length form of any finite amount: in full up to 30 digits, else scientific
    (a message never carries thousands of digits)."""
    if len(value.as_tuple().digits) <= 30 and -12 <= value.adjusted() <= 16:
        return f"{value:f}"
    return f"{value:.6e}"


def domain_error(amount: Decimal, unit: str, what: str = "amount") -> str | None:
    """Why ``amount`` (in ``unit``) lies outside its domain, or None when it is inside."""
    low, high = unit_bounds(unit)
    if not low <= amount <= high:
        domain = DOMAINS[unit_info(unit).dimension]
        dimension = unit_info(unit).dimension.value.replace("_", " ")
        return f"{what} {short(amount)} {unit} is outside the domain of {dimension} ({domain.text})"
    if (places := decimals(amount)) > MAX_DECIMALS:
        return f"{what} {short(amount)} {unit} has {places} decimal places; at most {MAX_DECIMALS}"
    return None


_SCANNING: ContextVar[bool] = ContextVar("stargate_units_scanning", default=False)


class _HasQuantity(Protocol):
    @property
    def quantity(self) -> Quantity: ...


P = ParamSpec("P")
T = TypeVar("T", bound=_HasQuantity)


def in_domain(find: Callable[P, Sequence[T]], *args: P.args, **kwargs: P.kwargs) -> list[T]:
    """``find(*args, **kwargs)`` without the items whose quantity lies outside its domain.

    A text scanner builds a quantity for every figure it meets; one out-of-domain figure (a
    4,500-digit number, say) must not end the scan of the document. While ``find`` runs, such
    quantities are built; each is then dropped with an :class:`AmountDomainWarning` naming it
    (and its characters, when the item has ``start`` and ``end``). Everywhere else building one
    raises :class:`AmountDomainError`.
    """
    token = _SCANNING.set(True)
    try:
        found = find(*args, **kwargs)
    finally:
        _SCANNING.reset(token)
    kept: list[T] = []
    for item in found:
        q = item.quantity
        reason = domain_error(q.amount, q.unit) or (
            None if q.amount_max is None else domain_error(q.amount_max, q.unit, "upper end")
        )
        if reason is None:
            kept.append(item)
            continue
        where = ""
        if isinstance(start := getattr(item, "start", None), int):
            where = f" at characters {start}-{getattr(item, 'end', start)}"
        warnings.warn(f"skipped a figure{where}: {reason}", AmountDomainWarning, stacklevel=2)
    return kept


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
        unit_info(self.unit)
        reason = domain_error(self.amount, self.unit)
        if self.amount_max is not None:
            object.__setattr__(self, "amount_max", to_decimal(self.amount_max))
            reason = reason or domain_error(self.amount_max, self.unit, "upper end")
            if reason is None and self.amount_max < self.amount:
                raise UnitError(f"range upper end {self.amount_max} is below {self.amount}")
        object.__setattr__(self, "bound", Bound(self.bound))
        if reason is not None and not _SCANNING.get():
            raise AmountDomainError(reason)

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
        high = None if self.amount_max is None else _places(self.amount_max * ratio)
        return Quantity(_places(self.amount * ratio), code, self.bound, high)

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
