"""The curated dataset (``world/curated/*.yaml``): agreements, sites, finances and their sources,
validated with pydantic. Errors name the file, the row and the field.

The YAML is the versioned input (``version.txt``); :mod:`stargate.world.curation` turns it into
ledger records (claims by a named curator, with their sources and quotes), so the ledger stays
the one store of record. An agreement row gives the curators' current reading of a deal in
compact fields (amount, annual payments, term, schedule, capacity, site, conditions, status),
each cited to the row's first source, and ``figures`` adds dated figures with their own source
and quote: the seed articles' exact sentences and earlier or later values of a field, which the
World reads as dated revisions."""

from __future__ import annotations

import functools
import re
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from stargate.errors import StargateError
from stargate.yamlfile import read_yaml

AgreementKind = Literal["equity", "contract", "lease", "loan", "purchase", "capex_programme"]
SiteStatus = Literal["announced", "planned", "under_construction", "operational"]
AgreementStatus = Literal[
    "in_talks", "letter_of_intent", "announced", "signed", "building", "operational",
    "completed", "on_ice", "cancelled", "denied",
]  # fmt: skip
"""An agreement's state (:class:`stargate.ledger.records.DealStatus`)."""
Rule = Literal[
    "pay_on_delivery", "per_gw_deployed", "binding_first_gw", "conditional_tranche",
    "funded_by_bridge_loan", "remainder_from_debt", "cancel_on_delivery_failure",
    "backstop_unsold_capacity", "guarantee", "residual_value_guarantee", "fixed_rate",
    "floating_rate", "prepayment", "due", "even_spread_assumed",
]  # fmt: skip
"""The closed set of conditions (:class:`stargate.ledger.records.ConditionRule`)."""
FigureField = Literal[
    "amount", "amount_added", "annual", "term", "payment", "part", "capacity", "capacity_added",
    "site", "condition", "status", "evidence",
]  # fmt: skip
BoundName = Literal["exact", "at_least", "at_most", "approx"]
TextStatus = Literal["announced", "reported", "planned", "completed", "disputed", "denied"]


class CuratedError(StargateError, ValueError):
    """A curated file that does not validate."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Interval(_Strict):
    """A 90% interval: 5th and 95th percentiles."""

    p5: float
    p95: float

    @model_validator(mode="after")
    def _ordered(self) -> Interval:
        if self.p5 > self.p95:
            raise ValueError(f"p5 ({self.p5}) is above p95 ({self.p95})")
        return self


class Payment(_Strict):
    year: int = Field(ge=2000, le=2100)
    amount_usd: float = Field(ge=0)


class StatusChange(_Strict):
    date: str
    status: AgreementStatus


class Condition(_Strict):
    rule: Rule
    text: str
    usd_per_gw: float | None = Field(default=None, gt=0)
    due: str | None = None


class Figure(_Strict):
    """One dated figure about a deal, with where it was said: a bundled seed article and its
    exact sentence (``seed`` + ``quote``), or a source key (and optionally the curators' own
    ``excerpt``; without one, a sentence is written from the figure)."""

    field: FigureField
    date: str
    usd: float | None = Field(default=None, gt=0)
    gw: float | None = Field(default=None, gt=0)
    years: float | None = Field(default=None, gt=0)
    value: str | None = None  # a status, a site id, or a condition rule
    payers: list[str] | None = None  # for a part: who puts it in (several: jointly)
    year: int | None = Field(default=None, ge=2000, le=2100)  # for a payment
    start: str | None = None  # for annual payments: first year
    bound: BoundName = "exact"
    status: TextStatus = "announced"
    kind: str | None = None  # for evidence: the claim kind (funding_secured, ...)
    polarity: Literal["asserts", "denies"] = "asserts"
    speaker: str | None = None
    seed: str | None = None
    quote: str | None = None
    source: str | None = None
    excerpt: str | None = None

    @model_validator(mode="after")
    def _where_and_what(self) -> Figure:
        if (self.seed is None) == (self.source is None):
            raise ValueError("give either seed (with quote) or source")
        if self.seed is not None and not self.quote:
            raise ValueError("a seed figure needs the exact quote")
        numbers = {
            "amount": "usd", "amount_added": "usd", "annual": "usd", "payment": "usd",
            "part": "usd", "capacity": "gw", "capacity_added": "gw", "term": "years",
        }  # fmt: skip
        needed = numbers.get(self.field)
        if needed is not None and getattr(self, needed) is None:
            raise ValueError(f"a {self.field} figure needs {needed}")
        if self.field in {"site", "condition", "status"} and not self.value:
            raise ValueError(f"a {self.field} figure needs value")
        if self.field == "payment" and self.year is None:
            raise ValueError("a payment figure needs year")
        if self.kind is not None and self.field != "evidence":
            raise ValueError("only an evidence figure names its own kind")
        return self


class Agreement(_Strict):
    id: str
    name: str
    kind: AgreementKind
    payer: list[str] = Field(min_length=1)
    payee: str | None
    amount_usd: float = Field(gt=0)
    bound: BoundName = "exact"
    parts: dict[str, float] | None = None  # payer (or "a+b" for a joint part) -> USD
    schedule: list[Payment] | None = None
    annual_usd: float | None = Field(default=None, gt=0)
    start: str | None = None
    years: int | None = Field(default=None, ge=1, le=40)
    capacity_gw: float | None = Field(default=None, gt=0)
    site: str | None = None
    conditions: list[Condition] = []
    status: list[StatusChange] = []
    sources: list[str] = Field(min_length=1)
    figures: list[Figure] = []
    note: str | None = None

    @model_validator(mode="after")
    def _schedule_or_rate(self) -> Agreement:
        if self.annual_usd is not None and (self.start is None or self.years is None):
            raise ValueError("annual_usd needs start and years")
        if self.parts is not None:
            named = {p for key in self.parts for p in key.split("+")}
            if named != set(self.payer):
                raise ValueError("parts must name exactly the payers (a+b for a joint part)")
        return self

    def payments(self) -> dict[int, float]:
        """Money due by year: the schedule, else annual_usd from start for years, else the
        amount spread evenly over the years from start, else the whole amount in the start year."""
        if self.schedule:
            due: dict[int, float] = {}
            for p in self.schedule:
                due[p.year] = due.get(p.year, 0.0) + p.amount_usd
            return due
        first = int((self.start or "2025")[:4])
        if self.annual_usd is not None and self.years is not None:
            return {first + i: self.annual_usd for i in range(self.years)}
        if self.years:
            return {first + i: self.amount_usd / self.years for i in range(self.years)}
        return {first: self.amount_usd}


class SitePoint(_Strict):
    date: str
    gw: float = Field(ge=0)
    status: SiteStatus


class Site(_Strict):
    """A data-centre site: its parties (None when no source names them), its power over time
    (each point cited to the first source), and dated ``figures`` with their own quotes
    (``status`` or ``capacity``)."""

    id: str
    name: str
    owner: str | None = None
    tenant: str | None = None
    offtaker: str | None = None
    power_basis: Literal["it", "facility", "unknown"]
    timeline: list[SitePoint] = []
    sources: list[str] = []
    figures: list[Figure] = []
    note: str | None = None

    @model_validator(mode="after")
    def _cited(self) -> Site:
        if not self.sources and not self.figures:
            raise ValueError("a site needs sources or figures")
        if self.timeline and not self.sources:
            raise ValueError("a timeline needs sources")
        if any(f.field not in {"status", "capacity"} for f in self.figures):
            raise ValueError("a site's figures give a status or a capacity")
        return self


class Finance(_Strict):
    entity: str
    as_of: str
    cash_usd: float = Field(ge=0)
    revenue_usd: float = Field(ge=0)
    revenue_growth: Interval
    operating_margin: Interval
    debt_usd: float = Field(ge=0)
    debt_service_usd: float = Field(ge=0)
    funding_access_usd: Interval
    sources: list[str] = Field(min_length=1)
    assumptions: list[str] = []


class SourceEntry(_Strict):
    key: str
    publisher: str
    title: str
    date: str
    address: str
    quality: str

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) address")
        return value


class Curated(_Strict):
    agreements: tuple[Agreement, ...]
    sites: tuple[Site, ...]
    finances: tuple[Finance, ...]
    sources: dict[str, SourceEntry]
    version: str = "0"


M = TypeVar("M", bound=BaseModel)


def _rows(path: Path, model: type[M]) -> list[M]:
    data = read_yaml(path, CuratedError)
    if not isinstance(data, list):
        raise CuratedError(f"{path}: expected a list of rows")
    rows = []
    for index, row in enumerate(data, start=1):
        try:
            rows.append(model.model_validate(row))
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "(row)"
            label = (
                row.get("id") or row.get("entity") or row.get("key")
                if isinstance(row, dict)
                else None
            )
            named = f" ({label})" if label else ""
            raise CuratedError(
                f"{path}: row {index}{named}: field {where!r}: {first['msg']}"
            ) from None
    return rows


def curated_dir() -> Path:
    return Path(str(resources.files("stargate") / "world" / "curated"))


def load_curated(folder: Path | None = None, known_entities: set[str] | None = None) -> Curated:
    """Load and cross-check the curated files; every cited source key must exist."""
    folder = folder or curated_dir()
    sources = {s.key: s for s in _rows(folder / "sources.yaml", SourceEntry)}
    agreements = _rows(folder / "agreements.yaml", Agreement)
    sites = _rows(folder / "sites.yaml", Site)
    finances = _rows(folder / "finances.yaml", Finance)
    for file, rows in (("agreements", agreements), ("sites", sites), ("finances", finances)):
        for index, row in enumerate(rows, start=1):
            for key in getattr(row, "sources", []):
                if key not in sources:
                    where = f"{folder / (file + '.yaml')}: row {index}"
                    raise CuratedError(f"{where}: field 'sources': unknown key {key!r}")
    for file, rows in (("agreements", agreements), ("sites", sites)):
        for index, row in enumerate(rows, start=1):
            for number, figure in enumerate(getattr(row, "figures", []), start=1):
                if figure.source is not None and figure.source not in sources:
                    where = f"{folder / (file + '.yaml')}: row {index} ({getattr(row, 'id', '')})"
                    raise CuratedError(
                        f"{where}: field 'figures.{number}.source': unknown key {figure.source!r}"
                    )
    if known_entities is not None:
        for index, a in enumerate(agreements, start=1):
            for party in [*a.payer, *([a.payee] if a.payee else [])]:
                if party not in known_entities:
                    where = f"{folder / 'agreements.yaml'}: row {index} ({a.id})"
                    raise CuratedError(f"{where}: unknown entity {party!r}")
        for index, site in enumerate(sites, start=1):
            for role in ("owner", "tenant", "offtaker"):
                party = getattr(site, role)
                if party is not None and party not in known_entities:
                    where = f"{folder / 'sites.yaml'}: row {index} ({site.id})"
                    raise CuratedError(f"{where}: field {role!r}: unknown entity {party!r}")
    version_file = folder / "version.txt"
    try:
        version = version_file.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise CuratedError(f"{version_file}: cannot read the curated version: {error}") from None
    if not re.fullmatch(r"[A-Za-z0-9.-]{1,32}", version):
        raise CuratedError(f"{version_file}: a version is 1 to 32 letters, digits, dots or dashes")
    return Curated(
        agreements=tuple(agreements), sites=tuple(sites), finances=tuple(finances),
        sources=sources, version=version,
    )  # fmt: skip


@functools.cache
def bundled() -> Curated:
    return load_curated()


def as_records(models: tuple[BaseModel, ...]) -> list[dict[str, Any]]:
    return [m.model_dump() for m in models]
