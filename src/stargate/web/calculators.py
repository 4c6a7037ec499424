"""The calculators page: capacity (GW -> accelerators -> energy -> capex) and a training run's
compute and cost, from :mod:`stargate.capacity` and :mod:`stargate.compute` (formulas and sources
in docs/methods.md). Bad inputs come back as an ``errors`` list, never as a server error."""

from __future__ import annotations

from typing import Any

from stargate.capacity import CapacityError, capacity, chips
from stargate.compute import train


def calculate(
    *, power_gw: float | None, basis: str, chip: str, pue: float | None,
    active_params: float | None, tokens: float | None, precision: str, mfu: float,
    price_per_gpu_hour: float,
) -> dict[str, Any]:  # fmt: skip
    inputs = {
        "power_gw": power_gw, "basis": basis, "chip": chip, "pue": pue,
        "active_params": active_params, "tokens": tokens, "precision": precision, "mfu": mfu,
        "price_per_gpu_hour": price_per_gpu_hour,
    }  # fmt: skip
    errors: list[str] = []
    result: dict[str, Any] = {"inputs": inputs, "chips": [c.name for c in chips().values()],
                              "capacity": None, "training": None, "errors": errors}  # fmt: skip
    if power_gw is not None:
        try:
            c = capacity(power_gw, chip, basis=basis, pue=pue)
            result["capacity"] = {
                "chip": c.chip, "basis": str(c.basis), "pue": c.pue,
                "accelerators": c.accelerators, "h100e": c.h100e,
                "it_power_gw": c.it_power_w / 1e9, "facility_power_gw": c.facility_power_w / 1e9,
                "energy_twh_per_year": c.energy_twh_per_year,
                "capex_usd": c.capex_usd.quantiles(),
                "capex_shell_power_usd": c.capex_shell_power_usd.quantiles(),
                "assumptions": list(c.assumptions),
            }  # fmt: skip
        except CapacityError as error:
            errors.append(str(error))
    if active_params is not None or tokens is not None:
        try:
            run = train(
                active_params=active_params,
                tokens=tokens,
                chip_name=chip,
                precision=precision,
                mfu=mfu,
                price_per_gpu_hour=price_per_gpu_hour,
            )
            result["training"] = {
                "flop": run.flop,
                "gpu_hours": run.gpu_hours,
                "cost_usd": run.cost_usd,
                "assumptions": list(run.assumptions),
            }
        except CapacityError as error:
            errors.append(str(error).replace("--", ""))
    return result
