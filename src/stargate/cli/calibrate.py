"""``stargate calibrate``: the baseline against market prices and the companies' own plans."""

from __future__ import annotations

from datetime import datetime

import click

from stargate.cli.common import as_of_option, emit_json, err, json_option, load_world, out


@click.command()
@click.option("--scenario", default="baseline", show_default=True,
              help="Scenario to hold against the anchors.")  # fmt: skip
@click.option("--scenarios", "count", type=click.IntRange(min=1), default=10_000,
              show_default=True, help="Scenarios to draw.")  # fmt: skip
@click.option("--seed", type=click.IntRange(min=0), default=42, show_default=True)
@click.option("--processes", type=click.IntRange(min=1), help="Run on a local pool of N processes.")
@as_of_option
@json_option
def calibrate(
    scenario: str, count: int, seed: int, processes: int | None, as_of: datetime | None,
    as_json_: bool,
) -> None:  # fmt: skip
    """Set each calibration anchor (CDS-implied default probabilities, reported plans) beside
    the model: anchor, model, ratio, within tolerance, and the reason for each gap beyond it."""
    from rich.table import Table

    from stargate.finance.calibrate import calibrate as run_calibration

    world = load_world(as_of)
    backend, workers = ("processes", processes) if processes else ("local", 1)
    with err.status(f"calibrate: {count:,} scenarios of {scenario}"):
        rows, result = run_calibration(world, scenario, count, seed, backend, workers)
    if as_json_:
        emit_json(rows)
        return
    table = Table(
        title=f"{scenario} against the anchors: {count:,} scenarios, seed {seed}, as of "
        f"{result.as_of}; PD within five years = to the end of {result.five_year}"
    )
    for column in ("anchor", "entity", "measure", "market / plan", "model", "ratio", "ok"):
        table.add_column(column, justify="left" if column in ("anchor", "entity", "measure")
                         else "right", no_wrap=column == "anchor")  # fmt: skip
    for r in rows:
        money = r["measure"] != "pd_5y"

        def shown(value: float, money: bool = money) -> str:
            return f"{value / 1e9:,.1f}B" if money else f"{value:.3f}"

        table.add_row(r["id"], r["entity"], r["measure"], shown(r["anchor"]), shown(r["model"]),
                      f"{r['ratio']:.2f}", "yes" if r["within_tolerance"] else "no")  # fmt: skip
    out.print(table)
    out.print(
        "PD from a 5-year CDS spread s and recovery R: PD = 1 − exp(−5 s / (1 − R)), "
        "R = 40%: risk-neutral, so above a real-world probability (docs/calibration.md)."
    )
    for r in rows:
        if r["reason"]:
            out.print(f"[bold]{r['id']}[/bold] ({r['ratio']:.2f}): {r['reason']}")


COMMANDS = (calibrate,)
