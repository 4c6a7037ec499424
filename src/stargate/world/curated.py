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
import itertools
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


PRIOR_PARAMS: dict[str, str] = {
    "revenue_target_usd": "USD/yr",
    "margin_long_run": "ratio",
    "funding_access_usd": "USD/yr",
    "sellable_assets_usd": "USD",
}
"""The uncertain figures of an entity's economics (see ``docs/methods.md``, stress simulation):
outside revenue in its target year, the long-run cash margin on it, new money it can raise a year
in a neutral funding climate, and listed holdings it could sell."""


class Prior(_Strict):
    """A 90% interval with where it comes from: source keys and the figure taken from them, or a
    basis that starts with ``assumption``."""

    p5: float
    p95: float
    dist: Literal["normal", "lognormal"] = "normal"
    sources: list[str] = []
    basis: str

    @model_validator(mode="after")
    def _checked(self) -> Prior:
        if self.p5 > self.p95:
            raise ValueError(f"p5 ({self.p5}) is above p95 ({self.p95})")
        if self.dist == "lognormal" and self.p5 <= 0:
            raise ValueError("a lognormal prior needs p5 > 0")
        if not self.sources and not self.basis.lower().startswith("assumption"):
            raise ValueError("give sources, or a basis that starts with 'assumption'")
        return self

    @property
    def p50(self) -> float:
        if self.dist == "lognormal":
            return float((self.p5 * self.p95) ** 0.5)
        return (self.p5 + self.p95) / 2


class DebtTranche(_Strict):
    """Debt outstanding at the opening (``drawn`` empty) or drawn in a later year: interest on
    what is outstanding, principal at maturity (bullet) or in equal yearly parts up to it."""

    name: str
    amount_usd: float = Field(gt=0)
    rate: float = Field(ge=0, le=0.5)
    drawn: int | None = Field(default=None, ge=2000, le=2100)
    matures: int = Field(ge=2000, le=2150)
    amortising: bool = False
    sources: list[str] = []
    basis: str = ""

    @model_validator(mode="after")
    def _dated(self) -> DebtTranche:
        if self.drawn is not None and self.matures < self.drawn:
            raise ValueError(f"matures ({self.matures}) before it is drawn ({self.drawn})")
        return self


class Finance(_Strict):
    """An entity's opening balance sheet (``as_of``) and the economics the stress model runs on.

    ``revenue_usd`` is outside revenue (what the World's agreements do not already pay it) in
    ``revenue_year``; its path heads, with time constant ``approach_years``, to a long-run level
    set by the drawn revenue in ``revenue_target_year`` (prior ``revenue_target_usd``).
    ``margin`` is today's cash margin on it, excluding what the model pays explicitly (agreements,
    capex, debt); it heads to ``margin_long_run``. ``fixed_costs_usd`` are cash costs committed
    ahead of revenue (staff, research). ``demand_beta`` is how much of the long-run revenue moves
    with the common AI-demand factor; ``contract_margin`` the share of contracted revenue left
    after the costs of delivering it that the model does not pay explicitly (power, operations).
    A capacity seller commits ``capex_per_revenue`` of capex for each dollar a year its planned
    outside revenue grows (ahead of demand: on the plan, not on what it earns), borrowing
    ``capex_debt_share`` of it over ``capex_debt_years``.
    """

    entity: str
    as_of: str
    cash_usd: float = Field(ge=0)
    revenue_usd: float = Field(ge=0)
    revenue_year: int = Field(default=2025, ge=2000, le=2100)
    revenue_target_year: int = Field(default=2030, ge=2000, le=2100)
    approach_years: float = Field(default=4.0, gt=0, le=50)
    margin: float = Field(default=0.0, ge=0, le=1)
    fixed_costs_usd: float = Field(default=0.0, ge=0)
    fixed_costs_long_run_usd: float | None = Field(default=None, ge=0)
    demand_beta: float = Field(default=0.0, ge=0, le=1)
    contract_margin: float = Field(default=1.0, ge=0, le=1)
    new_debt_share: float = Field(default=0.5, ge=0, le=1)
    credit_spread: float = Field(default=0.02, ge=0, le=0.3)
    asset_sale_rate: float = Field(default=0.25, ge=0, le=1)
    capex_per_revenue: float = Field(default=0.0, ge=0, le=20)
    capex_debt_share: float = Field(default=0.0, ge=0, le=1)
    capex_debt_years: int = Field(default=5, ge=1, le=40)
    equity_value_usd: float | None = Field(default=None, gt=0)
    debt: list[DebtTranche] = []
    priors: dict[str, Prior] = {}
    sources: list[str] = Field(min_length=1)
    assumptions: list[str] = []

    @field_validator("priors")
    @classmethod
    def _known_priors(cls, value: dict[str, Prior]) -> dict[str, Prior]:
        unknown = set(value) - set(PRIOR_PARAMS)
        if unknown:
            raise ValueError(
                f"unknown prior {sorted(unknown)[0]!r}; choose from {', '.join(PRIOR_PARAMS)}"
            )
        return value

    def debt_usd(self, opening: int) -> float:
        """Debt outstanding at the start of year ``opening``."""
        return sum(tranche_schedule(d, opening, opening)[0][0] for d in self.debt)

    def debt_service_usd(self, opening: int) -> float:
        """Interest and principal due on the tranches in year ``opening``."""
        return sum(sum(part[0] for part in tranche_schedule(d, opening, opening)[1:])
                   for d in self.debt)  # fmt: skip


def tranche_schedule(
    d: DebtTranche, opening: int, last: int
) -> tuple[list[float], list[float], list[float]]:
    """(outstanding at the start of each year, interest, principal) for years ``opening`` to
    ``last`` (inclusive).

    A tranche outstanding at the opening is serviced from the opening year; one drawn in a later
    year from the year after. Interest is ``rate`` on what is outstanding at the start of the
    year; principal is paid at maturity (bullet) or in equal parts from the first year of service
    to maturity (at least one part). Outstanding counts a tranche from the year it is drawn."""
    years = range(opening, last + 1)
    first = opening if d.drawn is None else d.drawn + 1
    parts = max(d.matures - first + 1, 1) if d.amortising else 1
    due = {first + k: d.amount_usd / parts for k in range(parts)} if d.amortising else {
        max(d.matures, first): d.amount_usd}  # fmt: skip
    outstanding, interest, principal = [], [], []
    for year in years:
        start = d.drawn if d.drawn is not None else opening
        if year < start:
            outstanding.append(0.0)
            interest.append(0.0)
            principal.append(0.0)
            continue
        left = d.amount_usd - sum(v for y, v in due.items() if y < year)
        outstanding.append(max(left, 0.0))
        interest.append(d.rate * max(left, 0.0) if year >= first else 0.0)
        principal.append(due.get(year, 0.0))
    return outstanding, interest, principal


class Delivery(_Strict):
    """Planned capacity online under an agreement: by year, the share of its capacity running on
    average (for an agreement without GW, the share of its full yearly rate it runs at). Its
    contract and lease payments follow this share; purchases are paid as it grows."""

    agreement: str
    path: dict[int, float]
    sources: list[str] = []
    basis: str

    @field_validator("path")
    @classmethod
    def _path(cls, value: dict[int, float]) -> dict[int, float]:
        shares = [value[y] for y in sorted(value)]
        if not shares or any(not 0 <= v <= 1 for v in shares):
            raise ValueError("give shares between 0 and 1 by year")
        if any(b < a for a, b in itertools.pairwise(shares)):
            raise ValueError("shares must not fall from one year to the next")
        return value


class Build(_Strict):
    """Capacity a builder pays for so that it can sell it under an agreement, and how it finances
    it: ``capex_usd_per_gw`` for each GW delivered (or, when empty, the builder's own payments
    under the agreement, a purchase it makes), ``debt_share`` of it borrowed as project debt over
    ``debt_years`` at the base rate plus ``spread``; ``lease_usd_per_gw_year`` for the sites it
    rents. A tenant's failure leaves the builder with the capacity, the debt and the rent."""

    agreement: str
    builder: str
    gw: float | None = Field(default=None, gt=0)
    capex_usd_per_gw: Prior | None = None
    lease_usd_per_gw_year: float = Field(default=0.0, ge=0)
    debt_share: float = Field(ge=0, le=1)
    debt_years: int = Field(ge=1, le=40)
    spread: float = Field(ge=0, le=0.3)
    sources: list[str] = Field(min_length=1)
    basis: str


class Estimate(_Strict):
    """An agreement whose amount is an estimate or a range: drawn within ``low``–``high``
    (uniform), its payments scaled alike."""

    agreement: str
    low_usd: float = Field(gt=0)
    high_usd: float = Field(gt=0)
    sources: list[str] = Field(min_length=1)
    basis: str

    @model_validator(mode="after")
    def _ordered(self) -> Estimate:
        if self.low_usd > self.high_usd:
            raise ValueError(f"low_usd ({self.low_usd}) is above high_usd ({self.high_usd})")
        return self


class Economics(_Strict):
    deliveries: tuple[Delivery, ...] = ()
    builds: tuple[Build, ...] = ()
    estimates: tuple[Estimate, ...] = ()


class Anchor(_Strict):
    """A figure to hold the baseline against: a market-implied probability of default from a
    CDS spread (``pd_5y``: λ = s / (1 − R), PD = 1 − exp(−5λ)), or a company's reported plan
    (``burn_usd``, ``revenue_usd`` in ``year``). The model is within tolerance when
    ``ratio_low <= model / anchor <= ratio_high``; ``reason`` says why a gap beyond it is
    expected."""

    id: str
    entity: str
    measure: Literal["pd_5y", "burn_usd", "revenue_usd"]
    date: str
    year: int | None = None
    value: float | None = None
    spread_bp: float | None = Field(default=None, gt=0)
    recovery: float = Field(default=0.4, ge=0, lt=1)
    ratio_low: float = Field(gt=0)
    ratio_high: float = Field(gt=0)
    reason: str = ""
    sources: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _complete(self) -> Anchor:
        if self.measure == "pd_5y" and self.spread_bp is None:
            raise ValueError("a pd_5y anchor needs spread_bp")
        if self.measure != "pd_5y" and (self.year is None or self.value is None):
            raise ValueError(f"a {self.measure} anchor needs year and value")
        if self.ratio_low > self.ratio_high:
            raise ValueError("ratio_low is above ratio_high")
        return self

    @property
    def anchor_value(self) -> float:
        """The anchor as a number: the plan's figure, or PD(5y) from the spread."""
        if self.measure == "pd_5y":
            import math

            hazard = (self.spread_bp or 0.0) / 1e4 / (1 - self.recovery)
            return 1 - math.exp(-5 * hazard)
        return float(self.value or 0.0)


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
    economics: Economics = Economics()
    anchors: tuple[Anchor, ...] = ()


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
                row.get("id") or row.get("entity") or row.get("key") or row.get("agreement")
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


def _cited(row: BaseModel) -> list[str]:
    """Every source key a row cites, its priors' and debt tranches' included."""
    keys = list(getattr(row, "sources", []))
    for prior in getattr(row, "priors", {}).values():
        keys += prior.sources
    for tranche in getattr(row, "debt", []):
        keys += tranche.sources
    capex = getattr(row, "capex_usd_per_gw", None)
    if capex is not None:
        keys += capex.sources
    return keys


def load_curated(folder: Path | None = None, known_entities: set[str] | None = None) -> Curated:
    """Load and cross-check the curated files; every cited source key must exist.

    ``deliveries``, ``builds``, ``estimates``, ``anchors`` and ``finance-sources`` (the stress
    model's economics, its calibration anchors and their sources) are optional files."""
    folder = folder or curated_dir()

    def optional(name: str, model: type[M]) -> list[M]:
        path = folder / f"{name}.yaml"
        return _rows(path, model) if path.is_file() else []

    sources = {s.key: s for s in _rows(folder / "sources.yaml", SourceEntry)}
    for extra in optional("finance-sources", SourceEntry):
        if extra.key in sources:
            raise CuratedError(f"{folder / 'finance-sources.yaml'}: key {extra.key!r} is "
                               "already in sources.yaml")  # fmt: skip
        sources[extra.key] = extra
    agreements = _rows(folder / "agreements.yaml", Agreement)
    sites = _rows(folder / "sites.yaml", Site)
    finances = _rows(folder / "finances.yaml", Finance)
    deliveries = optional("deliveries", Delivery)
    builds = optional("builds", Build)
    estimates = optional("estimates", Estimate)
    anchors = optional("anchors", Anchor)
    files: tuple[tuple[str, list[Any]], ...] = (
        ("agreements", agreements), ("sites", sites), ("finances", finances),
        ("deliveries", deliveries), ("builds", builds), ("estimates", estimates),
        ("anchors", anchors),
    )  # fmt: skip
    for file, rows in files:
        for index, row in enumerate(rows, start=1):
            for key in _cited(row):
                if key not in sources:
                    where = f"{folder / (file + '.yaml')}: row {index}"
                    raise CuratedError(f"{where}: field 'sources': unknown key {key!r}")
    ids = {a.id for a in agreements}
    for file, rows in files[3:6]:
        for index, row in enumerate(rows, start=1):
            if row.agreement not in ids:
                where = f"{folder / (file + '.yaml')}: row {index}"
                raise CuratedError(f"{where}: field 'agreement': unknown agreement "
                                   f"{row.agreement!r}")  # fmt: skip
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
        economics=Economics(deliveries=tuple(deliveries), builds=tuple(builds),
                            estimates=tuple(estimates)),
        anchors=tuple(anchors),
    )  # fmt: skip


@functools.cache
def bundled() -> Curated:
    return load_curated()


def opening_year(as_of: str) -> int:
    """The year a balance sheet dated ``as_of`` (``YYYY`` or ``YYYY-MM...``) opens: its own
    year, or the next one from July on."""
    year = int(as_of[:4])
    month = int(as_of[5:7]) if len(as_of) >= 7 and as_of[5:7].isdigit() else 1
    return year + (1 if month >= 7 else 0)


def finance_rows(curated: Curated) -> dict[str, list[dict[str, Any]]]:
    """The World's rows for the stress model: finances, their priors, debt tranches, and the
    deliveries, builds, estimates and calibration anchors (one table each)."""
    keys = ",".join
    finances, priors, debts = [], [], []
    for f in curated.finances:
        opening = opening_year(f.as_of)
        finances.append({
            "entity": f.entity, "as_of": f.as_of, "cash_usd": f.cash_usd,
            "revenue_usd": f.revenue_usd, "debt_usd": f.debt_usd(opening),
            "debt_service_usd": f.debt_service_usd(opening), "sources": list(f.sources),
            "assumptions": list(f.assumptions), "revenue_year": f.revenue_year,
            "revenue_target_year": f.revenue_target_year, "approach_years": f.approach_years,
            "margin": f.margin, "fixed_costs_usd": f.fixed_costs_usd,
            "fixed_costs_long_run_usd": f.fixed_costs_usd if f.fixed_costs_long_run_usd is None
            else f.fixed_costs_long_run_usd,
            "demand_beta": f.demand_beta, "contract_margin": f.contract_margin,
            "new_debt_share": f.new_debt_share, "credit_spread": f.credit_spread,
            "asset_sale_rate": f.asset_sale_rate, "capex_per_revenue": f.capex_per_revenue,
            "capex_debt_share": f.capex_debt_share, "capex_debt_years": f.capex_debt_years,
            "equity_value_usd": f.equity_value_usd,
        })  # fmt: skip
        for param, prior in f.priors.items():
            priors.append({
                "param": param, "entity": f.entity, "dist": prior.dist, "p5": prior.p5,
                "p50": prior.p50, "p95": prior.p95, "units": PRIOR_PARAMS[param],
                "source": keys(prior.sources), "basis": prior.basis,
            })  # fmt: skip
        for d in f.debt:
            debts.append({
                "entity": f.entity, "name": d.name, "amount_usd": d.amount_usd, "rate": d.rate,
                "drawn": d.drawn, "matures": d.matures, "amortising": d.amortising,
                "sources": list(d.sources), "basis": d.basis,
            })  # fmt: skip
    economics = curated.economics
    deliveries = [
        {"agreement_id": d.agreement, "year": year, "share": share, "sources": list(d.sources),
         "basis": d.basis}
        for d in economics.deliveries for year, share in sorted(d.path.items())
    ]  # fmt: skip
    builds = [
        {"agreement_id": b.agreement, "builder": b.builder, "gw": b.gw,
         "capex_per_gw_p5": None if b.capex_usd_per_gw is None else b.capex_usd_per_gw.p5,
         "capex_per_gw_p95": None if b.capex_usd_per_gw is None else b.capex_usd_per_gw.p95,
         "lease_usd_per_gw_year": b.lease_usd_per_gw_year, "debt_share": b.debt_share,
         "debt_years": b.debt_years, "spread": b.spread,
         "sources": [*b.sources, *(b.capex_usd_per_gw.sources if b.capex_usd_per_gw else [])],
         "basis": b.basis}
        for b in economics.builds
    ]  # fmt: skip
    estimates = [
        {"agreement_id": e.agreement, "low_usd": e.low_usd, "high_usd": e.high_usd,
         "sources": list(e.sources), "basis": e.basis}
        for e in economics.estimates
    ]  # fmt: skip
    anchors = [
        {"id": a.id, "entity": a.entity, "measure": a.measure, "date": a.date, "year": a.year,
         "value": a.anchor_value, "spread_bp": a.spread_bp, "recovery": a.recovery,
         "ratio_low": a.ratio_low, "ratio_high": a.ratio_high, "reason": a.reason,
         "sources": list(a.sources)}
        for a in curated.anchors
    ]  # fmt: skip
    return {"finances": finances, "priors": priors, "debts": debts, "deliveries": deliveries,
            "builds": builds, "estimates": estimates, "anchors": anchors}  # fmt: skip


def as_records(models: tuple[BaseModel, ...]) -> list[dict[str, Any]]:
    return [m.model_dump() for m in models]
