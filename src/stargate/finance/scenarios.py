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

``extends`` names built-in scenarios, or ``.yaml`` files in the scenario's own folder (relative
to it; never a file elsewhere, so a scenario cannot make stargate read, or echo, another file).
Limits (``docs/limits.md``): files of at most :data:`MAX_FILE_BYTES`, at most
:data:`MAX_EXTENDS_DEPTH` levels and :data:`MAX_EXTENDS_FILES` files of ``extends`` (each file
read once, however many paths lead to it), at most :data:`MAX_VALUES` values per file, numbers
finite, and at most :data:`MAX_SCENARIOS` Monte Carlo scenarios.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Final, Literal

import yaml
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

GROUPS = {"labs": "lab", "clouds": "cloud", "chips": "chips", "builders": "builder",
          "investors": "investor"}  # fmt: skip


MAX_FILE_BYTES: Final = 1024 * 1024
"""The largest scenario file read (1 MiB)."""
MAX_EXTENDS_DEPTH: Final = 16
"""The longest chain of ``extends`` (built-in scenarios use 2)."""
MAX_EXTENDS_FILES: Final = 64
"""The most distinct files one scenario may extend, directly or not."""
MAX_VALUES: Final = 100_000
"""The most values (mappings, lists, scalars, aliases counted each time) in one file."""
MAX_SCENARIOS: Final = 10_000_000
"""The most Monte Carlo scenarios one run may draw: a run keeps each scenario's losses by entity
(8 bytes × entities, about 0.5 kB with the bundled World), so about 5 GB at the cap."""


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
    scenarios: int = Field(default=10_000, ge=1, le=MAX_SCENARIOS)
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

    @model_validator(mode="before")
    @classmethod
    def _finite(cls, data: Any) -> Any:
        """NaN and infinities are no scenario's numbers (from a file, a form or the API)."""
        if (where := non_finite(data)) is not None:
            raise ValueError(f"field {where!r}: NaN and infinite numbers are not allowed")
        return data

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


def _walk(data: Any) -> Iterator[tuple[str, Any]]:
    """Every value of a loaded document with its dotted field path (iterative: any depth)."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        yield path, value
        if isinstance(value, dict):
            stack.extend((f"{path}.{k}" if path else str(k), v) for k, v in value.items())
        elif isinstance(value, list | tuple):
            stack.extend((f"{path}.{i}" if path else str(i), v) for i, v in enumerate(value))


def non_finite(data: Any) -> str | None:
    """The dotted path of the first NaN or infinite number in ``data`` (at most
    :data:`MAX_VALUES` values are looked at), or None."""
    for count, (path, value) in enumerate(_walk(data)):
        if count > MAX_VALUES:
            return None  # the size check reports it
        if isinstance(value, float) and not math.isfinite(value):
            return path or "(scenario)"
    return None


def _read(path: Path, where: str) -> dict[str, Any]:
    """One scenario file's mapping: at most :data:`MAX_FILE_BYTES`, valid YAML (errors give the
    line and column, never the file's text), at most :data:`MAX_VALUES` values, finite."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise ScenarioError(f"{where}: cannot read: {error.strerror or error}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(f"{where}: over the {MAX_FILE_BYTES // 1024} KiB limit")
    try:
        data = yaml.safe_load(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ScenarioError(f"{where}: not UTF-8 (byte {error.start})") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ScenarioError(f"{where}: not valid YAML{at}: {error.problem}") from None
    except yaml.YAMLError:
        raise ScenarioError(f"{where}: not valid YAML") from None
    except RecursionError:
        raise ScenarioError(f"{where}: not valid YAML: nested too deeply") from None
    except ValueError as error:  # a date or number PyYAML cannot build
        raise ScenarioError(f"{where}: not valid YAML: {str(error)[:100]}") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{where}: a scenario is a mapping of fields")
    for count, _ in enumerate(_walk(data)):
        if count >= MAX_VALUES:
            raise ScenarioError(f"{where}: over {MAX_VALUES:,} values (aliases counted each time)")
    if (field := non_finite(data)) is not None:
        raise ScenarioError(f"{where}: field {field!r}: NaN and infinite numbers are not allowed")
    return data


def _locate(name_or_path: str | Path) -> Path:
    """A built-in scenario's file, or the scenario file given."""
    path = Path(name_or_path)
    if not path.suffix and str(name_or_path) in builtin_scenarios():
        return scenario_dir() / f"{name_or_path}.yaml"
    if not path.is_file():
        known = ", ".join(builtin_scenarios())
        raise ScenarioError(f"no scenario {str(name_or_path)!r}: not a file nor one of {known}")
    return path


def _parent(parent: Any, child: Path, where: str) -> Path:
    """The file an ``extends`` entry names: a built-in scenario, or a ``.yaml`` file in the
    child's folder (relative to it); anything else is refused without being read."""
    if not isinstance(parent, str) or not parent.strip():
        got = "an empty name" if isinstance(parent, str) else type(parent).__name__
        raise ScenarioError(
            f"{where}: field 'extends': give a scenario name or file name, or a list of them "
            f"(got {got})"
        )
    if parent in builtin_scenarios():
        return scenario_dir() / f"{parent}.yaml"
    folder = child.resolve().parent
    target = (folder / parent).resolve()
    shown = parent if len(parent) <= 80 else f"{parent[:77]}..."
    if not target.is_relative_to(folder) or target.suffix.lower() not in {".yaml", ".yml"}:
        raise ScenarioError(
            f"{where}: field 'extends': {shown!r} is neither a built-in scenario "
            f"({', '.join(builtin_scenarios())}) nor a .yaml file in the scenario's folder"
        )
    if not target.is_file():
        raise ScenarioError(f"{where}: field 'extends': no scenario file {shown!r} in {folder}")
    return target


class _Chain:
    """The scenario files behind one scenario, ancestors first, each once, with its own fields
    (what it states itself, ``extends`` removed). Each file is read once and each file's chain
    computed once, so a diamond of parents costs what its files do, not what its paths do."""

    def __init__(self) -> None:
        self.files: dict[Path, dict[str, Any]] = {}
        self.chains: dict[Path, list[tuple[Path, dict[str, Any]]]] = {}

    def of(
        self, path: Path, where: str, seen: tuple[Path, ...] = ()
    ) -> list[tuple[Path, dict[str, Any]]]:
        key = path.resolve()
        if key in seen:
            raise ScenarioError(f"{where}: field 'extends': {path.name!r} extends itself")
        if key in self.chains:
            return self.chains[key]
        if len(seen) > MAX_EXTENDS_DEPTH:
            raise ScenarioError(
                f"{where}: field 'extends': more than {MAX_EXTENDS_DEPTH} levels of extends"
            )
        if key not in self.files:
            if len(self.files) >= MAX_EXTENDS_FILES:
                raise ScenarioError(
                    f"{where}: field 'extends': more than {MAX_EXTENDS_FILES} files"
                )
            self.files[key] = _read(path, str(path))
        own = dict(self.files[key])
        parents = own.pop("extends", None)
        chain: list[tuple[Path, dict[str, Any]]] = []
        listed = [] if parents is None else [parents] if isinstance(parents, str) else (
            _as_list(parents, path)
        )  # fmt: skip
        for parent in listed:
            file = _parent(parent, path, str(path))
            inherited = self.of(file, str(path), (*seen, key))
            chain += [item for item in inherited if item[0] not in {p for p, _ in chain}]
        self.chains[key] = [*chain, (key, own)]
        return self.chains[key]


def _raw(path: Path) -> dict[str, Any]:
    """The scenario's fields: its ancestors' own fields merged in order (each ancestor once,
    so a change one parent makes is not undone by another parent's copy of their common
    base), then its own; ancestors' names, descriptions and notes are not inherited."""
    chain = _Chain().of(path, str(path))
    merged: dict[str, Any] = {}
    for k, (_, own) in enumerate(chain):
        fields = dict(own)
        if k < len(chain) - 1:
            for name in ("name", "description", "notes"):
                fields.pop(name, None)
        merged = _merge(merged, fields)
    return merged


def _as_list(parents: Any, path: Path) -> list[Any]:
    if not isinstance(parents, list):
        raise ScenarioError(
            f"{path}: field 'extends': give a scenario name or file name, or a list of them "
            f"(got {type(parents).__name__})"
        )
    return parents


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A built-in scenario by name, or a scenario file; errors name the file and the field."""
    path = _locate(name_or_path)
    where = str(path)
    data = _raw(path)
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
