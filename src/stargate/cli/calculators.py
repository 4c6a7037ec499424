"""Calculators: ``stargate capacity`` (GW to accelerators, energy, capex) and ``stargate compute
train`` (6ND, GPU-hours, cost)."""

from __future__ import annotations

import click

from stargate.cli.common import emit_json, json_option, out


@click.group()
def compute() -> None:
    """Training compute, GPU-hours and cost."""


@compute.command("train")
@click.option("--active-params", type=float, help="Parameters active per token (MoE: activated).")
@click.option("--tokens", type=float, help="Training tokens.")
@click.option("--chip", "chip_name", help="Accelerator, from the chips table (default H100).")
@click.option(
    "--precision", type=click.Choice(["bf16", "fp8"]), help="Peak precision (default bf16)."
)
@click.option(
    "--mfu",
    type=click.FloatRange(min=0, min_open=True, max=1),
    help="Model FLOP utilisation (default 0.375, Epoch AI's median).",
)
@click.option(
    "--gpu-hours", type=click.FloatRange(min=0, min_open=True), help="GPU-hours, if known."
)
@click.option(
    "--price-per-gpu-hour", type=click.FloatRange(min=0), help="Rental price in USD (default 2)."
)
@json_option
def compute_train(
    active_params: float | None,
    tokens: float | None,
    chip_name: str | None,
    precision: str | None,
    mfu: float | None,
    gpu_hours: float | None,
    price_per_gpu_hour: float | None,
    as_json_: bool,
) -> None:
    """A training run's compute (6ND), GPU-hours and cost, with every assumption listed."""
    from stargate.compute import train

    run = train(
        active_params=active_params, tokens=tokens, chip_name=chip_name,
        precision=precision, mfu=mfu, hours=gpu_hours,
        price_per_gpu_hour=price_per_gpu_hour,
    )  # fmt: skip
    data = {"flop": run.flop, "gpu_hours": run.gpu_hours, "cost_usd": run.cost_usd,
            "assumptions": list(run.assumptions)}  # fmt: skip
    if as_json_:
        emit_json(data)
        return
    if run.flop is not None:
        out.print(f"compute    {run.flop:.4g} FLOP")
    out.print(f"GPU-hours  {run.gpu_hours:,.0f}")
    out.print(f"cost       ${run.cost_usd:,.0f}")
    for assumption in run.assumptions:
        out.print(f"  - {assumption}", markup=False)


@click.command("capacity")
@click.option(
    "--power-gw",
    type=click.FloatRange(min=0, min_open=True),
    required=True,
    help="Power in gigawatts.",
)
@click.option("--chip", "chip_name", required=True, help="Accelerator, from the chips table.")
@click.option(
    "--basis",
    type=click.Choice(["it", "facility"]),
    default="it",
    show_default=True,
    help="Whether the power is IT power or the facility's draw.",
)
@click.option("--pue", type=click.FloatRange(min=1, max=3), help="PUE (default: a 1.1-1.4 prior).")
@json_option
def capacity_command(power_gw: float, chip_name: str, basis: str, pue: float | None,
                     as_json_: bool) -> None:  # fmt: skip
    """Accelerators, H100-equivalents, power, energy and capex of a given power."""
    from rich.table import Table

    from stargate.capacity import capacity

    result = capacity(power_gw, chip_name, basis=basis, pue=pue)
    data = {
        "chip": result.chip,
        "basis": str(result.basis),
        "pue": result.pue,
        "accelerators": result.accelerators,
        "h100e": result.h100e,
        "it_power_w": result.it_power_w,
        "facility_power_w": result.facility_power_w,
        "energy_twh_per_year": result.energy_twh_per_year,
        "capex_usd": result.capex_usd.quantiles(),
        "capex_shell_power_usd": result.capex_shell_power_usd.quantiles(),
        "assumptions": list(result.assumptions),
    }
    if as_json_:
        emit_json(data)
        return
    table = Table(title=f"{power_gw:g} GW ({basis}) of {result.chip}")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_row("accelerators", f"{result.accelerators:,.0f}")
    table.add_row("H100-equivalents", f"{result.h100e:,.0f}")
    table.add_row("IT power", f"{result.it_power_w / 1e9:.3f} GW")
    table.add_row(
        "facility power", f"{result.facility_power_w / 1e9:.3f} GW (PUE {result.pue:.3g})"
    )
    table.add_row("energy", f"{result.energy_twh_per_year:.2f} TWh/yr")
    c = result.capex_usd
    table.add_row(
        "capex all-in (p5 / p50 / p95)",
        f"${c.p5 / 1e9:.1f}B / ${c.p50 / 1e9:.1f}B / ${c.p95 / 1e9:.1f}B",
    )
    out.print(table)
    for assumption in result.assumptions:
        out.print(f"  - {assumption}", markup=False)


COMMANDS = (compute, capacity_command)
