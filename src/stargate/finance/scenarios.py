"""Stress scenarios: YAML files validated with clear errors, and the built-in scenarios.

A scenario sets the horizon and period, how many Monte Carlo scenarios to draw and from which
seed, and how the World's economics are stressed: demand (the common AI-demand level, and named
shocks such as "-50% from 2027"), the capital market (the funding climate, access by entity),
contracts (how an agreement's status binds it, deferral and renegotiation, loss given default),
funding (which backers keep paying, under which conditions), the resolution of disputed claims,
capex per GW, delivery of GW, interest rates, and the clearing method with its conventions.
``extends`` builds on another scenario: mappings merge key by key,
``shocks`` and ``funding`` lists add up, everything else is replaced.

Groups name entities by their gazetteer role: ``labs`` (lab), ``clouds`` (cloud), ``chips``,
``builders`` (builder), ``investors`` (investor).
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from stargate.errors import StargateError
from stargate.finance.methods import CLEARING_METHODS
from stargate.world.curated import Interval
from stargate.yamlfile import read_yaml

GROUPS = {"labs": "lab", "clouds": "cloud", "chips": "chips", "builders": "builder",
          "investors": "investor"}  # fmt: skip


class ScenarioError(StargateError, ValueError):
    """A scenario that does not validate; the message names the file and the field."""


def _clearing_method(name: str) -> str:
    if name not in CLEARING_METHODS:
        raise ValueError(f"choose one of {', '.join(CLEARING_METHODS)}")
    return name


ClearingMethod = Annotated[
    str,
    AfterValidator(_clearing_method),
    WithJsonSchema({"type": "string", "enum": list(CLEARING_METHODS)}),
]
"""A method of the registry that clears payments (DebtRank only measures contagion)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Shock(_Strict):
    """Multiply the revenue of ``applies_to`` (an entity or a group) by ``factor`` from a year."""

    name: str
    applies_to: str
    from_year: int = Field(alias="from", ge=2000, le=2100)
    factor: float = Field(ge=0)
    until_year: int | None = Field(default=None, alias="until", ge=2000, le=2100)


class Demand(_Strict):
    """``level``: the common AI-demand factor, a multiplier on the long-run revenue of every
    entity in proportion to its ``demand_beta`` (90% interval of a lognormal; 1 = the plans)."""

    level: Interval = Interval(p5=1.0, p95=1.0)
    shocks: tuple[Shock, ...] = ()

    @model_validator(mode="after")
    def _positive(self) -> Demand:
        if self.level.p5 <= 0:
            raise ValueError("level must be positive (a multiplier)")
        return self


class Capital(_Strict):
    """The funding market. Each period's climate is ``shift + ρ z + sqrt(1 − ρ²) η_t``, with
    ``z`` the demand level in units of its spread, ``ρ`` ``demand_correlation`` and ``η`` an
    AR(1) with yearly ``persistence``; access to new money and the value of sellable holdings
    are multiplied by ``exp(sensitivity × climate)``. ``access`` and ``assets`` multiply an
    entity's (or a group's) access and sellable holdings; new debt amortises over
    ``new_debt_years``. ``rollover``: the share of principal falling due on debt tranches that
    lenders refinance in a neutral climate (times the climate's multiplier, at most all)."""

    sensitivity: float = Field(default=0.6, ge=0, le=5)
    persistence: float = Field(default=0.6, ge=0, lt=1)
    demand_correlation: float = Field(default=0.5, ge=-1, le=1)
    shift: float = Field(default=0.0, ge=-5, le=5)
    new_debt_years: int = Field(default=5, ge=1, le=30)
    rollover: float = Field(default=0.9, ge=0, le=1)
    access: dict[str, float] = {}
    assets: dict[str, float] = {}

    @field_validator("access", "assets")
    @classmethod
    def _multipliers(cls, value: dict[str, float]) -> dict[str, float]:
        for key, factor in value.items():
            if factor < 0:
                raise ValueError(f"{key}: a multiplier cannot be negative")
        return value


STATUS_BINDING = {
    "signed": 1.0, "building": 1.0, "operational": 1.0, "completed": 1.0, "announced": 0.7,
    "letter_of_intent": 0.35, "in_talks": 0.2, "on_ice": 0.0, "cancelled": 0.0, "denied": 0.0,
    "unknown": 1.0,
}  # fmt: skip


class Deferral(_Strict):
    """A tenant that cannot meet a period's obligations first defers up to ``max_share`` of its
    contract, lease and purchase payments (pro rata); ``cancel_share`` of what it defers is cut
    for good (the vendor's loss), the rest falls due the next period."""

    max_share: float = Field(default=0.5, ge=0, le=1)
    cancel_share: float = Field(default=0.3, ge=0, le=1)


class Contracts(_Strict):
    """``binding``: the probability an agreement goes ahead, by its latest status in the World
    (``unknown`` for an agreement without one); a funding rule's ``probability`` overrides it.
    ``loss_given_default``: the share of a defaulter's remaining contract value its creditors
    lose (and of its outstanding debt, its lenders)."""

    binding: dict[str, float] = STATUS_BINDING
    deferral: Deferral = Deferral()
    loss_given_default: float = Field(default=0.6, ge=0, le=1)

    @field_validator("binding")
    @classmethod
    def _statuses(cls, value: dict[str, float]) -> dict[str, float]:
        known = set(STATUS_BINDING)
        for key, probability in value.items():
            if key not in known:
                raise ValueError(f"unknown status {key!r}; choose from {', '.join(known)}")
            if not 0 <= probability <= 1:
                raise ValueError(f"{key}: a probability is between 0 and 1")
        return {**STATUS_BINDING, **value}


class FundingRule(_Strict):
    """How one agreement or backer behaves: stop after a cumulative amount, pay with a
    probability, or draw an entity's secured funding from its resolved (disputed) claims
    (``default``: with the scenario's ``disputed`` policy; for one entity the last rule wins)."""

    agreement: str | None = None
    entity: str | None = None
    stop_after_usd: float | None = Field(default=None, ge=0)
    probability: float | None = Field(default=None, ge=0, le=1)
    secured_from_claims: Literal["default", "mixture", "low", "high", "display"] | None = None

    @model_validator(mode="after")
    def _one_target(self) -> FundingRule:
        if (self.agreement is None) == (self.entity is None):
            raise ValueError("give exactly one of 'agreement' or 'entity'")
        if (
            self.stop_after_usd is None
            and self.probability is None
            and self.secured_from_claims is None
        ):
            raise ValueError("give stop_after_usd, probability or secured_from_claims")
        return self


class Delivery(_Strict):
    """Gigawatts come online late: a delay in years, and a cap on GW added per year."""

    delay_years: Interval = Interval(p5=0, p95=0)
    gw_per_year_cap: float | None = Field(default=None, gt=0)


class Clearing(_Strict):
    method: ClearingMethod = "eisenberg_noe"
    external_seniority: Literal["pari_passu", "senior"] = "pari_passu"
    alpha: float = Field(default=1.0, ge=0, le=1)
    beta: float = Field(default=1.0, ge=0, le=1)
    recovery_rate: float = Field(default=0.0, ge=0, le=1)


class Scenario(_Strict):
    name: str
    description: str
    horizon: tuple[int, int]
    period: Literal["year", "quarter"] = "year"
    scenarios: int = Field(default=10_000, ge=1, le=100_000_000)
    seed: int = Field(default=42, ge=0)
    demand: Demand = Demand()
    capital: Capital = Capital()
    contracts: Contracts = Contracts()
    funding: tuple[FundingRule, ...] = ()
    capex_per_gw_usd: Interval | None = None
    delivery: Delivery = Delivery()
    interest_rate: Interval = Interval(p5=0.03, p95=0.06)  # the base rate; spreads by entity
    disputed: Literal["mixture", "low", "high", "display"] = "mixture"
    clearing: Clearing = Clearing()
    notes: tuple[str, ...] = ()  # where each number comes from, or that it is an assumption

    @model_validator(mode="after")
    def _horizon(self) -> Scenario:
        first, last = self.horizon
        if not 2000 <= first <= last <= 2100:
            raise ValueError(
                f"horizon must be [first, last] years with first <= last, got {list(self.horizon)}"
            )
        return self

    @property
    def years(self) -> list[int]:
        return list(range(self.horizon[0], self.horizon[1] + 1))


def scenario_dir() -> Path:
    return Path(str(resources.files("stargate") / "data" / "scenarios"))


def builtin_scenarios() -> list[str]:
    return sorted(p.stem for p in scenario_dir().glob("*.yaml"))


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """A parent's fields with a child's: mappings merge, ``shocks`` and ``funding`` add up (an
    item inherited twice through two parents counts once), anything else is replaced."""
    merged = dict(base)
    for key, value in extra.items():
        if key in {"shocks", "funding"} and isinstance(value, list):
            have = merged.get(key, [])
            merged[key] = [*have, *(item for item in value if item not in have)]
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _chain(
    name_or_path: str | Path, seen: tuple[str, ...] = ()
) -> tuple[list[tuple[str, dict[str, Any]]], str]:
    """Every scenario file behind this one, ancestors first, each once, with its own fields
    (what it states itself, ``extends`` removed)."""
    path = Path(name_or_path)
    if not path.suffix and str(name_or_path) in builtin_scenarios():
        path = scenario_dir() / f"{name_or_path}.yaml"
    where = str(path)
    if not path.is_file():
        known = ", ".join(builtin_scenarios())
        raise ScenarioError(f"no scenario {str(name_or_path)!r}: not a file nor one of {known}")
    data = read_yaml(path, ScenarioError)
    if not isinstance(data, dict):
        raise ScenarioError(f"{where}: a scenario is a mapping of fields")
    parents = data.pop("extends", None)
    chain: list[tuple[str, dict[str, Any]]] = []
    for parent in [] if parents is None else [parents] if isinstance(parents, str) else parents:
        if parent in seen:
            raise ScenarioError(f"{where}: field 'extends': {parent!r} extends itself")
        inherited, _ = _chain(parent, (*seen, str(parent)))
        chain += [item for item in inherited if item[0] not in {name for name, _ in chain}]
    return [*chain, (str(path.resolve()), data)], where


def _raw(name_or_path: str | Path) -> tuple[dict[str, Any], str]:
    """The scenario's fields: its ancestors' own fields merged in order (each ancestor once,
    so a change one parent makes is not undone by another parent's copy of their common
    base), then its own; ancestors' names, descriptions and notes are not inherited."""
    chain, where = _chain(name_or_path)
    merged: dict[str, Any] = {}
    for k, (_, own) in enumerate(chain):
        fields = dict(own)
        if k < len(chain) - 1:
            for key in ("name", "description", "notes"):
                fields.pop(key, None)
        merged = _merge(merged, fields)
    return merged, where


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A built-in scenario by name, or a scenario file; errors name the file and the field."""
    data, where = _raw(name_or_path)
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(scenario)"
        raise ScenarioError(f"{where}: field {field!r}: {first['msg']}") from None


def check_against(
    scenario: Scenario, entities: dict[str, str | None], agreements: set[str]
) -> None:
    """Every entity, group and agreement a scenario names must exist in the World.

    ``entities`` maps entity ids to their roles.
    """

    def known(target: str) -> bool:
        return target in entities or target in GROUPS

    for section in ("access", "assets"):
        for key in getattr(scenario.capital, section):
            if not known(key):
                raise ScenarioError(
                    f"{scenario.name}: field 'capital.{section}.{key}': unknown entity or group"
                )
    for index, shock in enumerate(scenario.demand.shocks):
        if not known(shock.applies_to):
            field = f"demand.shocks.{index}.applies_to"
            raise ScenarioError(
                f"{scenario.name}: field {field!r}: unknown entity or group {shock.applies_to!r}"
            )
    for index, rule in enumerate(scenario.funding):
        if rule.agreement is not None and rule.agreement not in agreements:
            field = f"funding.{index}.agreement"
            raise ScenarioError(
                f"{scenario.name}: field {field!r}: unknown agreement {rule.agreement!r}"
            )
        if rule.entity is not None and rule.entity not in entities:
            raise ScenarioError(
                f"{scenario.name}: field 'funding.{index}.entity': unknown entity {rule.entity!r}"
            )


def members(target: str, entities: dict[str, str | None]) -> list[str]:
    """The entity ids a target names: itself, or every entity of a group's role."""
    if target in GROUPS:
        role = GROUPS[target]
        return sorted(e for e, r in entities.items() if r == role)
    return [target]


@functools.cache
def builtin(name: str) -> Scenario:
    return load_scenario(name)
