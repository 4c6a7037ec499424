"""Stress scenarios: YAML files validated with clear errors, and the built-in scenarios.

A scenario sets the horizon and period, how many Monte Carlo scenarios to draw and from which
seed, and overrides the World's priors: demand (revenue growth by entity or group, and named
shocks such as "-50% from 2027"), funding (which backers keep paying, under which conditions),
the resolution of disputed claims, capex per GW, delivery of GW, interest rates, and the clearing
method with its conventions. ``extends`` builds on another scenario: mappings merge key by key,
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
    growth: dict[str, Interval] = {}
    shocks: tuple[Shock, ...] = ()


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
    funding: tuple[FundingRule, ...] = ()
    capex_per_gw_usd: Interval | None = None
    delivery: Delivery = Delivery()
    interest_rate: Interval = Interval(p5=0.05, p95=0.09)
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


def _raw(name_or_path: str | Path, seen: tuple[str, ...] = ()) -> tuple[dict[str, Any], str]:
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
    if parents is not None:
        merged: dict[str, Any] = {}
        for parent in [parents] if isinstance(parents, str) else list(parents):
            if parent in seen:
                raise ScenarioError(f"{where}: field 'extends': {parent!r} extends itself")
            base, _ = _raw(parent, (*seen, str(parent)))
            for own in ("name", "description", "notes"):
                base.pop(own, None)
            merged = _merge(merged, base)
        data = _merge(merged, data)
    return data, where


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

    for key in scenario.demand.growth:
        if not known(key):
            raise ScenarioError(
                f"{scenario.name}: field 'demand.growth.{key}': unknown entity or group"
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
