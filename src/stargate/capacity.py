"""Gigawatts, accelerators, H100-equivalents, energy and capex, with the power basis explicit.

Formulas (chip power and FLOP/s from Epoch AI's "Machine learning hardware" database,
https://epoch.ai/data/machine-learning-hardware; PUE from Uptime Institute's Global Data Center
Survey 2024; documented in ``docs/methods.md``):

- IT power per accelerator comes from the chips table (Epoch AI's IT-power-per-GPU figures:
  server power per GPU × IT overhead), so ``accelerators = P_IT / it_power_w``;
- ``H100e = accelerators × h100e`` where a chip's H100e is its dense 8-bit FLOP/s ÷ 1.979e15;
- ``P_facility = P_IT × PUE``; energy per year = ``P_facility × 8,766 h × load factor``;
- capex is lognormal with the 90% intervals below (all-in per GW of IT, and shell + power alone),
  combined analytically, so no random draw is needed: a product of independent lognormals is
  lognormal with the log-means added and the log-variances added.
"""

from __future__ import annotations

import csv
import enum
import functools
import math
from dataclasses import dataclass
from importlib import resources
from typing import Final

from stargate.errors import StargateError
from stargate.units import Z90

H100_FP8_FLOPS: Final = 1.979e15
HOURS_PER_YEAR: Final = 8766.0


class PowerBasis(enum.StrEnum):
    IT = "it"  # power delivered to IT equipment (servers, network)
    FACILITY = "facility"  # IT × PUE: what the site draws


class CapacityError(StargateError, ValueError):
    """An unknown chip or an impossible input."""


@dataclass(frozen=True, slots=True)
class Chip:
    name: str
    vendor: str
    tdp_w: float
    tdp_w_high: float
    bf16_flops: float
    fp8_flops: float
    h100e: float
    it_power_w: float
    it_power_w_p5: float
    it_power_w_p95: float
    source: str

    def peak_flops(self, precision: str) -> float:
        if precision == "bf16":
            return self.bf16_flops
        if precision == "fp8":
            return self.fp8_flops
        raise CapacityError(f"precision must be bf16 or fp8, not {precision!r}")


@dataclass(frozen=True, slots=True)
class Lognormal:
    """A positive quantity with a 90% interval ``[p5, p95]`` (lognormal)."""

    p5: float
    p95: float
    source: str = ""

    @property
    def mu(self) -> float:
        return (math.log(self.p5) + math.log(self.p95)) / 2

    @property
    def sigma(self) -> float:
        return (math.log(self.p95) - math.log(self.p5)) / (2 * Z90)

    @property
    def p50(self) -> float:
        return math.exp(self.mu)

    def scaled(self, factor: float) -> Lognormal:
        return Lognormal(self.p5 * factor, self.p95 * factor, self.source)

    def times(self, other: Lognormal) -> Lognormal:
        mu = self.mu + other.mu
        sigma = math.hypot(self.sigma, other.sigma)
        return Lognormal(math.exp(mu - Z90 * sigma), math.exp(mu + Z90 * sigma))

    def quantiles(self) -> dict[str, float]:
        return {"p5": self.p5, "p50": self.p50, "p95": self.p95}


# Priors with their sources (figures only; see docs/methods.md).
CAPEX_ALL_IN_PER_W_IT: Final = Lognormal(
    29.0, 50.0,
    "all-in capex per W of IT: Epoch AI ~$29B/GW (2025-11) and $38B/GW IT (2026-05), "
    "Bernstein $35B/GW (2025-10), Nvidia $50-60B/GW forward view (2025-08)",
)  # fmt: skip
CAPEX_SHELL_POWER_PER_W_IT: Final = Lognormal(
    9.3, 15.0,
    "shell, power and construction per W of critical IT: Cushman & Wakefield Data Center "
    "Development Cost Guide 2025 ($9.3M-$15.0M per MW across 19 US markets)",
)  # fmt: skip
PUE: Final = Lognormal(
    1.1, 1.4,
    "PUE of AI facilities: Epoch AI 1.10 hyperscalers / 1.25 others; LBNL 2024: 1.14 for "
    "specialised AI facilities in 2023",
)  # fmt: skip


@functools.cache
def chips() -> dict[str, Chip]:
    """The chips table (``stargate/data/chips.csv``) keyed by upper-case name."""
    path = resources.files("stargate") / "data" / "chips.csv"
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    table = {}
    for row in rows:
        numbers = {k: float(v) for k, v in row.items() if k not in {"chip", "vendor", "source"}}
        table[row["chip"].upper()] = Chip(
            row["chip"], row["vendor"], source=row["source"], **numbers
        )
    return table


def chip(name: str) -> Chip:
    try:
        return chips()[name.strip().upper()]
    except KeyError:
        known = ", ".join(c.name for c in chips().values())
        raise CapacityError(f"unknown chip {name!r}; known chips: {known}") from None


@dataclass(frozen=True, slots=True)
class Capacity:
    chip: str
    basis: PowerBasis
    pue: float
    accelerators: float
    h100e: float
    it_power_w: float
    facility_power_w: float
    energy_twh_per_year: float
    capex_usd: Lognormal
    capex_shell_power_usd: Lognormal
    assumptions: tuple[str, ...]


def capacity(
    power_gw: float,
    chip_name: str,
    *,
    basis: PowerBasis | str = PowerBasis.IT,
    pue: float | None = None,
    load_factor: float = 1.0,
) -> Capacity:
    """What ``power_gw`` of the given basis holds and costs, for one chip generation."""
    basis = PowerBasis(basis)
    if not (power_gw > 0 and math.isfinite(power_gw)):
        raise CapacityError(f"power must be a positive number of GW, got {power_gw!r}")
    if pue is not None and not (1.0 <= pue <= 3.0):
        raise CapacityError(f"PUE must be between 1 and 3, got {pue!r}")
    if not 0 < load_factor <= 1:
        raise CapacityError(f"load factor must be in (0, 1], got {load_factor!r}")
    spec = chip(chip_name)
    used_pue = pue if pue is not None else PUE.p50
    watts = power_gw * 1e9
    it_w = watts if basis is PowerBasis.IT else watts / used_pue
    facility_w = it_w * used_pue
    accelerators = it_w / spec.it_power_w
    # capex is per W of IT; when the basis is facility and the PUE is a prior, IT is uncertain too
    it_gw = Lognormal(it_w / 1e9, it_w / 1e9)
    if basis is PowerBasis.FACILITY and pue is None:
        it_gw = Lognormal(power_gw / PUE.p95, power_gw / PUE.p5)
    capex = _product(CAPEX_ALL_IN_PER_W_IT, it_gw)
    shell = _product(CAPEX_SHELL_POWER_PER_W_IT, it_gw)
    assumptions = (
        f"{spec.name}: {spec.it_power_w:.0f} W of IT power per accelerator ({spec.source})",
        f"PUE {used_pue:.3g}"
        + (" (given)" if pue is not None else f" (median of the prior: {PUE.source})"),
        f"energy at a load factor of {load_factor:g} over {HOURS_PER_YEAR:g} h/yr",
        f"capex all-in ${CAPEX_ALL_IN_PER_W_IT.p5:g}-{CAPEX_ALL_IN_PER_W_IT.p95:g}B per GW of IT "
        f"(90% interval, lognormal): {CAPEX_ALL_IN_PER_W_IT.source}",
        f"shell and power ${CAPEX_SHELL_POWER_PER_W_IT.p5:g}-{CAPEX_SHELL_POWER_PER_W_IT.p95:g}B "
        f"per GW of IT: {CAPEX_SHELL_POWER_PER_W_IT.source}",
    )
    return Capacity(
        chip=spec.name,
        basis=basis,
        pue=used_pue,
        accelerators=accelerators,
        h100e=accelerators * spec.h100e,
        it_power_w=it_w,
        facility_power_w=facility_w,
        energy_twh_per_year=facility_w * HOURS_PER_YEAR * load_factor / 1e12,
        capex_usd=capex,
        capex_shell_power_usd=shell,
        assumptions=assumptions,
    )


def _product(per_w_billions_per_gw: Lognormal, it_gw: Lognormal) -> Lognormal:
    """Dollars = ($B per GW) × GW × 1e9, both lognormal (a point is a zero-width interval)."""
    if it_gw.p5 == it_gw.p95:
        return per_w_billions_per_gw.scaled(it_gw.p5 * 1e9)
    return per_w_billions_per_gw.times(it_gw).scaled(1e9)


def power_for(
    accelerators: float, chip_name: str, *, pue: float | None = None
) -> tuple[float, float]:
    """IT and facility power (W) that ``accelerators`` of a chip draw."""
    spec = chip(chip_name)
    it_w = accelerators * spec.it_power_w
    return it_w, it_w * (pue if pue is not None else PUE.p50)
