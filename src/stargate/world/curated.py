"""The curated dataset (``world/curated/*.yaml``): agreements, sites, finances and their sources,
validated with pydantic. Errors name the file, the row and the field."""

from __future__ import annotations

import functools
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
"""An agreement's state: talks and letters of intent bind no one yet; announced deals bind with
a probability; signed, building, operational and completed ones bind; deals on ice, cancelled or
denied do not (how the stress model reads them is a scenario setting)."""


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
    rule: str
    text: str
    usd_per_gw: float | None = None
    due: str | None = None


class Agreement(_Strict):
    id: str
    name: str
    kind: AgreementKind
    payer: list[str] = Field(min_length=1)
    payee: str | None
    amount_usd: float = Field(gt=0)
    parts: dict[str, float] | None = None
    schedule: list[Payment] | None = None
    annual_usd: float | None = Field(default=None, gt=0)
    start: str | None = None
    years: int | None = Field(default=None, ge=1, le=40)
    capacity_gw: float | None = Field(default=None, gt=0)
    site: str | None = None
    conditions: list[Condition] = []
    status: list[StatusChange] = []
    sources: list[str] = Field(min_length=1)
    claims: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _schedule_or_rate(self) -> Agreement:
        if self.annual_usd is not None and (self.start is None or self.years is None):
            raise ValueError("annual_usd needs start and years")
        if self.parts is not None and set(self.parts) != set(self.payer):
            raise ValueError("parts must name exactly the payers")
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
    id: str
    name: str
    owner: str
    tenant: str
    offtaker: str
    power_basis: Literal["it", "facility", "unknown"]
    timeline: list[SitePoint] = Field(min_length=1)
    sources: list[str] = Field(min_length=1)
    note: str | None = None


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
    if known_entities is not None:
        for index, a in enumerate(agreements, start=1):
            for party in [*a.payer, *([a.payee] if a.payee else [])]:
                if party not in known_entities:
                    where = f"{folder / 'agreements.yaml'}: row {index} ({a.id})"
                    raise CuratedError(f"{where}: unknown entity {party!r}")
    return Curated(
        agreements=tuple(agreements), sites=tuple(sites), finances=tuple(finances), sources=sources
    )


@functools.cache
def bundled() -> Curated:
    return load_curated()


def as_records(models: tuple[BaseModel, ...]) -> list[dict[str, Any]]:
    return [m.model_dump() for m in models]
