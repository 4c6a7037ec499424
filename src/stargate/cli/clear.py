"""``stargate clear``: clear an obligation network from a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from stargate.cli.common import emit_json, json_option, out
from stargate.finance.methods import METHOD_NAMES


@click.command()
@click.argument(
    "network_file",
    required=False,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="NETWORK.json",
)
@click.option(
    "--method",
    required=True,
    type=click.Choice(METHOD_NAMES),
    help="Clearing or contagion model.",
)
@click.option(
    "--vector",
    type=click.Choice(["greatest", "least"]),
    default="greatest",
    show_default=True,
    help="Which Eisenberg–Noe clearing vector.",
)
@click.option(
    "--nodes",
    "nodes_csv",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Nodes CSV (name, external_assets, ...), with --edges instead of NETWORK.json.",
)
@click.option(
    "--edges",
    "edges_csv",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Edges CSV (from, to, amount): 'from' owes 'to'.",
)
@click.option(
    "--external-seniority",
    type=click.Choice(["pari_passu", "senior"]),
    help="Outside debt pari passu with network debt, or senior to it.",
)
@click.option("--alpha", type=float, help="Rogers–Veraart: share of outside assets recovered.")
@click.option("--beta", type=float, help="Rogers–Veraart: share of interbank assets recovered.")
@click.option(
    "--recovery-rate", type=float, help="Furfine: share of a defaulter's debts recovered."
)
@click.option(
    "--default-at-zero",
    is_flag=True,
    default=None,
    help="Count a net worth of exactly zero as default.",
)
@click.option(
    "--linear",
    is_flag=True,
    default=None,
    help="DebtRank: pass on every increment (Bardoscia 2015), not a single hit.",
)
@click.option(
    "--uncapped", is_flag=True, default=None, help="DebtRank: impact A/E without the cap at 1."
)
@json_option
def clear(
    network_file: Path | None,
    method: str,
    vector: str,
    nodes_csv: Path | None,
    edges_csv: Path | None,
    as_json_: bool,
    **overrides: Any,
) -> None:
    """Clear an obligation network: payments, defaults, equity and default waves per node."""
    from rich.table import Table

    from stargate.finance import problem as clearing  # numerical stack, loaded on demand

    problem = clearing.load_problem(network_file, nodes_csv, edges_csv, overrides)
    result = clearing.solve(problem, method, vector)
    report = clearing.report(problem, result, vector)
    if as_json_:
        emit_json(report)
        return
    table = Table(title=f"{method} ({report['rounds']} rounds)")
    columns = ["node", "payments", "equity", "recovery_rate", "defaulted", "default_wave"]
    if method == "debtrank":
        columns.insert(3, "h")
    for column in columns:
        table.add_column(column, justify="left" if column == "node" else "right")
    for i, name in enumerate(report["nodes"]):
        cells = [name]
        for column in columns[1:]:
            value = report[column][i]
            cells.append(f"{value:,.6g}" if isinstance(value, float) else str(value))
        table.add_row(*cells)
    out.print(table)
    if method == "debtrank":
        out.print(f"DebtRank: {report['debtrank']:.6g}")


COMMANDS = (clear,)
