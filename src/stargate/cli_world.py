"""Commands over the model: compute, capacity, explain, world, circularity, gap, exposures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from stargate.cli import _emit_json, _fail, _open, app, json_option, out
from stargate.ledger.database import DatabaseError
from stargate.ledger.store import StoreError


@app.group()
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
    from stargate.capacity import CapacityError
    from stargate.compute import train

    try:
        run = train(
            active_params=active_params, tokens=tokens, chip_name=chip_name,
            precision=precision, mfu=mfu, hours=gpu_hours,
            price_per_gpu_hour=price_per_gpu_hour,
        )  # fmt: skip
    except CapacityError as error:
        _fail(str(error))
    data = {"flop": run.flop, "gpu_hours": run.gpu_hours, "cost_usd": run.cost_usd,
            "assumptions": list(run.assumptions)}  # fmt: skip
    if as_json_:
        _emit_json(data)
        return
    if run.flop is not None:
        out.print(f"compute    {run.flop:.4g} FLOP")
    out.print(f"GPU-hours  {run.gpu_hours:,.0f}")
    out.print(f"cost       ${run.cost_usd:,.0f}")
    for assumption in run.assumptions:
        out.print(f"  - {assumption}", markup=False)


@app.command("capacity")
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
    from stargate.capacity import CapacityError, capacity

    try:
        result = capacity(power_gw, chip_name, basis=basis, pue=pue)
    except CapacityError as error:
        _fail(str(error))
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
        _emit_json(data)
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


@app.command("explain")
@click.argument("query", metavar="ENTITY_OR_AGREEMENT")
@json_option
def explain_command(query: str, as_json_: bool) -> None:
    """Every resolved number about an entity ("SoftBank") or a pair ("Oracle-OpenAI"): its
    state (single, consistent, range, disputed as a weighted mixture, denied), and the claims
    behind it with source, speaker, status and the exact quote."""
    from stargate.world.explain import explain, explanation_json

    with _open() as store:
        try:
            data = explanation_json(explain(store, query), store)
        except StoreError as error:
            _fail(str(error))
    if as_json_:
        _emit_json(data)
        return
    if not data["propositions"]:
        out.print(f"no claims about {query}")
    for p in data["propositions"]:
        who = ", ".join(p["subjects"]) or "(no subject)"
        target = f" -> {p['object']}" if p["object"] else ""
        what = f"{p['kind']} · {p['unit']} · {p['period'] or ''}"
        out.print(f"\n[bold]{escape(who + target)}[/bold] · {what}")
        value = "-" if p["value"] is None else f"{p['value']:,}"
        out.print(f"  state [bold]{p['state']}[/bold], value {value} ({p['rule_version']})")
        if p["state"] == "disputed":
            for c in p["components"]:
                span = (
                    "denied (no value)"
                    if c["denial"]
                    else f"[{_num(c['low'])} .. {_num(c['high'])}]"
                )
                count = len(c["claims"])
                out.print(f"    component {escape(span)} weight {c['weight']:.2f} ({count} claims)")
        for side in ("supporting", "dissenting"):
            for c in p[side]:
                who_said = f" — {c['speaker']}" if c["speaker"] else ""
                title = c["source"]["title"] or c["source"]["id"][:12]
                out.print(f"  {'+' if side == 'supporting' else '-'} {c['quantity']} {c['status']}"
                          f"{escape(who_said)} [{escape(title)}]", highlight=False)  # fmt: skip
                out.print(f"      « {escape(' '.join(c['quote'].split()))} »", highlight=False)


@app.group()
def world() -> None:
    """The resolved model: entities, agreements, payments, sites, finances, priors."""


def _world() -> Any:
    from stargate.world.world import load

    try:
        return load(click.get_current_context().find_root().obj)
    except DatabaseError as error:
        _fail(str(error))


@world.command("show")
@json_option
def world_show(as_json_: bool) -> None:
    """Summarise the World: table sizes, agreements and sites."""
    w = _world()
    if as_json_:
        from stargate.world.export import to_json

        _emit_json(to_json(w))
        return
    sizes = Table(title="World tables")
    sizes.add_column("table")
    sizes.add_column("rows", justify="right")
    for name, count in w.summary().items():
        sizes.add_row(name, str(count))
    out.print(sizes)
    deals = Table(title="Agreements")
    for column in ("id", "kind", "payers", "payee", "amount", "GW", "latest status"):
        deals.add_column(column, no_wrap=column != "id")
    for row in w.agreements.sort_values("amount_usd", ascending=False).itertuples():
        gw = (
            ""
            if row.capacity_gw != row.capacity_gw or row.capacity_gw is None
            else f"{row.capacity_gw:g}"
        )
        deals.add_row(row.id, row.kind, row.payers, row.payee or "-",
                      f"${row.amount_usd / 1e9:,.1f}B", gw, row.latest_status or "")  # fmt: skip
    out.print(deals)


@world.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv", "graphml", "ftm"]),
    required=True,
    help="json (one file), csv (a folder), graphml (money graph), ftm (entity JSON lines).",
)
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path),
    required=True,
    help="File to write (a folder for csv).",
)
def world_export(fmt: str, out_path: Path) -> None:
    """Export the World."""
    from stargate.world.export import export

    for path in export(_world(), fmt, out_path):
        out.print(f"wrote {path}", markup=False)


@app.command()
@json_option
def circularity(as_json_: bool) -> None:
    """Money cycles (with their bottleneck) and each vendor's circular share of revenue."""
    from stargate.analysis.circularity import circular_shares, cycles

    w = _world()
    loops = cycles(w.agreements)
    shares = circular_shares(w.agreements)
    data = {
        "cycles": [
            {
                "nodes": list(c.nodes),
                "bottleneck_usd": c.bottleneck_usd,
                "edges": [{"from": a, "to": b, "amount_usd": v} for a, b, v in c.edges],
            }
            for c in loops
        ],
        "vendors": shares,
    }
    if as_json_:
        _emit_json(data)
        return
    for loop in loops:
        path = " -> ".join((*loop.nodes, loop.nodes[0]))
        out.print(f"{path}: up to ${loop.bottleneck_usd / 1e9:,.1f}B")
    table = Table(title="Circular share of contracted revenue")
    for column in ("vendor", "revenue", "circular", "share", "funded customers"):
        table.add_column(column)
    for vendor, s in shares.items():
        revenue, circular = s["revenue_usd"] / 1e9, s["circular_usd"] / 1e9
        customers = ", ".join(s["funded_customers"])
        table.add_row(
            vendor, f"${revenue:,.1f}B", f"${circular:,.1f}B", f"{s['share']:.0%}", customers
        )
    out.print(table)


@app.command()
@click.argument("name", required=False)
@json_option
def gap(name: str | None, as_json_: bool) -> None:
    """Funding gap of Stargate and each site: announced, committed by party, secured, and the
    capex its gigawatts require (p5/p50/p95)."""
    from stargate.analysis.gap import gaps

    found = gaps(_world(), name)
    if name is not None and not found:
        _fail(f"no project or site called {name!r}")
    if as_json_:
        _emit_json(found[0] if name is not None and len(found) == 1 else found)
        return
    table = Table(title="Funding gap (USD)")
    for column in ("name", "GW", "announced", "committed", "required p5-p95", "gap p50"):
        table.add_column(column, no_wrap=True)
    for g in found:
        required, gap_q = g["required_capex_usd"], g["gap_usd"]
        announced = g.get("announced_usd")
        table.add_row(
            g["name"], f"{g['gw']:g}", "-" if announced is None else f"${announced / 1e9:,.0f}B",
            f"${g['committed_usd'] / 1e9:,.1f}B",
            f"${required['p5'] / 1e9:,.0f}B-${required['p95'] / 1e9:,.0f}B",
            f"${gap_q['p50'] / 1e9:,.0f}B",
        )  # fmt: skip
    out.print(table)


@app.command()
@click.option("--entity", help="Only what this entity owes or is owed.")
@json_option
def exposures(entity: str | None, as_json_: bool) -> None:
    """Who is owed what by whom, by year, from the agreements' payment schedules."""
    from stargate.analysis.exposures import exposures as table_of

    w = _world()
    key = entity
    if entity is not None:
        with _open() as store:
            key = store.find_entity(entity) or entity
    frame = table_of(w, key)
    if as_json_:
        _emit_json(frame.to_dict("records"))
        return
    table = Table(title=f"Exposures{f' of {key}' if key else ''}")
    for column in ("creditor", "debtor", "kind", "year", "amount"):
        table.add_column(column)
    for row in frame.to_dict("records"):
        amount = float(row["amount_usd"]) / 1e9
        table.add_row(
            row["creditor"], row["debtor"], row["kind"], str(row["year"]), f"${amount:,.2f}B"
        )
    out.print(table)


def _num(value: float | None) -> str:
    return "open" if value is None else f"{value:,}"
