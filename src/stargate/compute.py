"""Training compute, GPU-hours and run cost.

- ``C = 6 N D`` FLOP, N the parameters active per token (MoE: activated), D the training tokens
  (Kaplan et al. 2020, arXiv 2001.08361: ~2N FLOP forward + ~4N backward per token).
- ``GPU-h = C / (peak FLOP/s at the precision used × MFU × 3,600)``; MFU as defined in PaLM
  (Chowdhery et al. 2022, arXiv 2204.02311, Appendix B). Default MFU 0.375, Epoch AI's median of
  33 known values (training-cost-trends).
- Rental cost ``= GPU-h × $/GPU-h``; $2/GPU-h is the rental convention Epoch AI and the
  DeepSeek-V3 report use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from stargate.capacity import CapacityError, chip

DEFAULT_MFU: Final = 0.375
DEFAULT_PRICE: Final = 2.0
DEFAULT_CHIP: Final = "H100"
DEFAULT_PRECISION: Final = "bf16"


@dataclass(frozen=True, slots=True)
class TrainingRun:
    flop: float | None
    gpu_hours: float | None
    cost_usd: float | None
    assumptions: tuple[str, ...]


def training_flop(active_params: float, tokens: float) -> float:
    """``6 N D``: training compute in FLOP."""
    if active_params <= 0 or tokens <= 0:
        raise CapacityError("active parameters and tokens must be positive")
    return 6.0 * active_params * tokens


def gpu_hours(flop: float, chip_name: str, precision: str, mfu: float) -> float:
    if not 0 < mfu <= 1:
        raise CapacityError(f"MFU must be in (0, 1], got {mfu!r}")
    return flop / (chip(chip_name).peak_flops(precision) * mfu * 3600.0)


def train(
    *,
    active_params: float | None = None,
    tokens: float | None = None,
    chip_name: str | None = None,
    precision: str | None = None,
    mfu: float | None = None,
    hours: float | None = None,
    price_per_gpu_hour: float | None = None,
) -> TrainingRun:
    """A training run from what is known: compute from N and D, GPU-hours from compute (or as
    given), cost from GPU-hours; every default used is listed in ``assumptions``."""
    if (active_params is None) != (tokens is None):
        raise CapacityError("give both --active-params and --tokens, or neither")
    if active_params is None and hours is None:
        raise CapacityError("give --active-params and --tokens, or --gpu-hours")
    if hours is not None and hours <= 0:
        raise CapacityError("GPU-hours must be positive")
    if price_per_gpu_hour is not None and price_per_gpu_hour < 0:
        raise CapacityError("the price per GPU-hour cannot be negative")
    assumptions: list[str] = []
    name = chip_name or DEFAULT_CHIP
    prec = precision or DEFAULT_PRECISION
    used_mfu = mfu if mfu is not None else DEFAULT_MFU
    flop = training_flop(active_params, tokens) if active_params and tokens else None
    if flop is not None:
        assumptions.append("compute = 6 x active parameters x tokens (attention FLOPs omitted)")
    if hours is None:
        assert flop is not None
        for given, default, label in ((chip_name, DEFAULT_CHIP, "chip"),
                                      (precision, DEFAULT_PRECISION, "precision"),
                                      (mfu, DEFAULT_MFU, "MFU")):  # fmt: skip
            if given is None:
                assumptions.append(f"{label} {default} (default)")
        peak = chip(name).peak_flops(prec)
        assumptions.append(f"{chip(name).name} dense {prec.upper()} peak {peak:.4g} FLOP/s")
        hours = gpu_hours(flop, name, prec, used_mfu)
    elif flop is not None:
        implied = flop / (hours * 3600.0 * chip(name).peak_flops(prec))
        peak_name = f"{chip(name).name} {prec}"
        assumptions.append(
            f"GPU-hours as given; implied utilisation {implied:.3f} of {peak_name} peak"
        )
    price = price_per_gpu_hour if price_per_gpu_hour is not None else DEFAULT_PRICE
    if price_per_gpu_hour is None:
        assumptions.append(f"${DEFAULT_PRICE:g} per GPU-hour (rental convention)")
    return TrainingRun(flop, hours, hours * price, tuple(assumptions))
