"""``stargate stress``: Monte Carlo stress runs of the World under a scenario."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from stargate.cli.common import (
    as_of_option,
    emit_json,
    err,
    fail,
    json_option,
    load_world,
    out,
    stderr_console,
)

MAX_SCENARIOS = 10_000_000  # stargate.finance.scenarios.MAX_SCENARIOS (a test holds them equal)


def _list_scenarios(as_json_: bool) -> None:
    from rich.table import Table

    from stargate.finance.scenarios import builtin_scenarios, load_scenario

    rows = [load_scenario(name) for name in builtin_scenarios()]
    if as_json_:
        emit_json([
            {"name": s.name, "description": s.description, "horizon": list(s.horizon),
             "scenarios": s.scenarios, "seed": s.seed}
            for s in rows
        ])  # fmt: skip
        return
    table = Table(title="Built-in scenarios")
    for column in ("name", "horizon", "scenarios", "description"):
        table.add_column(column)
    for s in rows:
        table.add_row(s.name, f"{s.horizon[0]}–{s.horizon[1]}", f"{s.scenarios:,}", s.description)
    out.print(table)


def _show(report: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(title=f"{report['scenario']}: {report['scenarios']:,} scenarios, seed "
                  f"{report['seed']}, {report['horizon'][0]}–{report['horizon'][1]}")  # fmt: skip
    for column in ("entity", "P(default)", "loss p50 $B", "loss p95 $B", "reference default"):
        table.add_column(column, justify="left" if column == "entity" else "right")
    rows = sorted(
        report["entities"].items(), key=lambda kv: (-kv[1]["p_default"], -kv[1]["loss_p95_usd"])
    )
    for name, row in rows:
        if row["p_default"] == 0 and row["loss_p95_usd"] == 0:
            continue
        table.add_row(
            name, f"{row['p_default']:.3f}", f"{row['loss_p50_usd'] / 1e9:,.1f}",
            f"{row['loss_p95_usd'] / 1e9:,.1f}", str(report["reference"][name] or "—"),
        )  # fmt: skip
    out.print(table)
    gw, unpaid = report["stranded_gw"], report["unpaid_usd"]
    out.print(f"stranded GW p5/p50/p95: {gw['p5']:.2f} / {gw['p50']:.2f} / {gw['p95']:.2f}")
    out.print(
        "unpaid obligations $B p5/p50/p95: "
        + " / ".join(f"{unpaid[k] / 1e9:,.1f}" for k in ("p5", "p50", "p95"))
    )
    shares = ", ".join(f"{v} {s:.0%}" for v, s in report["circular_share"].items() if s > 0)
    out.print(f"circular share of contracted revenue received: {shares or 'none'}")
    total = report["total_loss_usd"]
    out.print(f"as of {report['as_of']}; total losses $B mean/p50/p95 (lenders' included): "
              + " / ".join(f"{total[k] / 1e9:,.1f}" for k in ("mean", "p50", "p95")))  # fmt: skip


def _explain(scenario: str, entity: str, as_of: datetime | None, as_json_: bool) -> None:
    from rich.table import Table

    from stargate.finance.explain import waterfall
    from stargate.finance.model import build_model
    from stargate.finance.scenarios import load_scenario

    model = build_model(load_world(as_of), load_scenario(scenario))
    report = waterfall(model, entity)
    if as_json_:
        emit_json(report)
        return
    years = list(report["years"])
    table = Table(title=f"{entity} in the reference run of {scenario} (as of {report['as_of']}), "
                  "$B")  # fmt: skip
    table.add_column("", no_wrap=True)
    for year in years:
        table.add_column(year, justify="right")
    for side, label in (("cash_in", "in"), ("cash_out", "out")):
        keys = sorted({k for y in years for k in report["years"][y][side]})
        for key in keys:
            table.add_row(
                f"{label}: {key}",
                *(f"{report['years'][y][side].get(key, 0.0) / 1e9:,.1f}" for y in years),
            )
    table.add_row("shortfall", *(f"{report['years'][y]['shortfall'] / 1e9:,.1f}" for y in years))
    out.print(table)
    out.print(f"defaulted in: {report['defaulted_in'] or 'never'}")


@click.command()
@click.argument("scenario", required=False, default="baseline", metavar="[SCENARIO_NAME_OR_FILE]")
@click.option(
    "--scenarios", "count", type=click.IntRange(min=1, max=MAX_SCENARIOS),
    help="Scenarios to draw (at most 10,000,000: each keeps its losses by entity in memory).",
)  # fmt: skip
@click.option("--seed", type=click.IntRange(min=0), help="Seed of the run (default: the file's).")
@click.option(
    "--workers", type=click.IntRange(min=1), help="Start a local Dask cluster of N processes."
)
@click.option("--cluster", metavar="ADDR", help="Connect to a Dask scheduler (tcp://HOST:PORT).")
@click.option("--processes", type=click.IntRange(min=1), help="Run on a local pool of N processes.")
@click.option(
    "--chunk", type=click.IntRange(min=1), default=5_000, show_default=True,
    help="Scenarios per chunk (fixed whatever the backend, so results do not depend on it).",
)  # fmt: skip
@click.option(
    "--out", "out_path", type=click.Path(dir_okay=False, path_type=Path),
    help="Write one row per scenario to this Parquet file.",
)  # fmt: skip
@click.option(
    "--sensitivity", is_flag=True,
    help="Add a tornado table: which inputs move the default probability of OpenAI, Oracle, "
    "CoreWeave and SoftBank the most (one at a time, p5 vs p95, same random numbers), with "
    "Sobol first-order and total indices beside it (a Saltelli design of 16-512 × (inputs + 2) "
    "scenarios, from the scenario count / 8).",
)  # fmt: skip
@click.option(
    "--explain", "entity", metavar="ENTITY",
    help="Show the reference run's cash waterfall for one entity, year by year (cash in, cash "
    "out, shortfall, the year it defaulted) instead of running the Monte Carlo.",
)  # fmt: skip
@click.option("--list", "list_", is_flag=True, help="List the built-in scenarios.")
@as_of_option
@json_option
def stress(
    scenario: str, count: int | None, seed: int | None, workers: int | None,
    cluster: str | None, processes: int | None, chunk: int, out_path: Path | None,
    sensitivity: bool, entity: str | None, list_: bool, as_of: datetime | None,
    as_json_: bool,
) -> None:  # fmt: skip
    """Simulate the money under a scenario: defaults, losses, unpaid, stranded GW."""
    if list_:
        _list_scenarios(as_json_)
        return
    if entity is not None:
        _explain(scenario, entity, as_of, as_json_)
        return
    if sum(x is not None for x in (workers, cluster, processes)) > 1:
        fail("choose one of --workers, --cluster and --processes")
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
    from rich.table import Table

    from stargate.finance.model import build_model, not_simulated
    from stargate.finance.montecarlo import run
    from stargate.finance.scenarios import load_scenario

    world = load_world(as_of)
    chosen = load_scenario(scenario)
    model = build_model(world, chosen)
    backend, n = "local", 1
    if workers is not None or cluster is not None:
        backend, n = "dask", workers or 1
    elif processes is not None:
        backend, n = "processes", processes
    total = count or chosen.scenarios
    run_seed = chosen.seed if seed is None else seed
    columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn(),
               TimeRemainingColumn())  # fmt: skip
    with Progress(*columns, console=stderr_console(), transient=True) as progress:
        task = progress.add_task(f"stress {chosen.name}", total=total)
        try:
            result = run(
                model, world.agreements, name=chosen.name, scenarios=total, seed=run_seed,
                backend=backend, workers=n, cluster=cluster, chunk=chunk, out=out_path,
                progress=lambda done: progress.advance(task, done),
            )  # fmt: skip
        except OSError as error:
            fail(f"cannot run: {error}")
    report = result.to_json()
    report["not_simulated"] = not_simulated(chosen)
    if report["not_simulated"]:
        err.print(
            "[yellow]warning:[/yellow] not simulated yet (validated only): "
            + ", ".join(report["not_simulated"])
        )
    if sensitivity:
        import numpy as np

        from stargate.finance.sensitivity import sobol, tornado

        with err.status("sensitivity: one input at a time"):
            table = tornado(model, total, run_seed)
        report["sensitivity"] = {
            target: rows[rows["swing"] > 0].drop(columns="target").head(10).to_dict("records")
            for target, rows in table.groupby("target", sort=True)
        }
        base = 2 ** int(np.clip(np.log2(max(total / 8, 1)), 4, 9))  # 16 to 512
        with err.status(f"sensitivity: Sobol indices ({base} × (inputs + 2) scenarios)"):
            indices = sobol(model, base=base, seed=run_seed)
        report["sobol"] = {
            target: rows.drop(columns="target").head(10).to_dict("records")
            for target, rows in indices.groupby("target", sort=True)
        }
    if as_json_:
        emit_json(report)
        return
    _show(report)
    for target, rows in report.get("sensitivity", {}).items():
        if not rows:
            p = report["entities"].get(target, {}).get("p_default", 0.0)
            out.print(f"No single input moves P(default) of {target} (stays {p:.3f}).")
            continue
        sobol_rows = {r["input"]: r for r in report.get("sobol", {}).get(target, [])}
        tornado_table = Table(title=f"What moves P(default) of {target} (p5 → p95; Sobol S1, ST)")
        for column in ("input", "P at p5", "P at p95", "swing", "S1", "ST"):
            tornado_table.add_column(column, justify="left" if column == "input" else "right")
        for row in rows[:5]:
            index = sobol_rows.get(row["input"])
            tornado_table.add_row(
                row["input"], f"{row['p_low']:.3f}", f"{row['p_high']:.3f}",
                f"{row['swing']:.3f}", f"{index['S1']:.2f}" if index else "—",
                f"{index['ST']:.2f}" if index else "—",
            )  # fmt: skip
        out.print(tornado_table)


COMMANDS = (stress,)
