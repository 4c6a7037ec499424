"""Commands over the resolved model: explain, world show/export, circularity, gap, exposures."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from stargate.cli.common import (
    as_of_option,
    day,
    emit_json,
    fail,
    json_option,
    load_world,
    open_store,
    out,
    rule_option,
)


@click.command("explain")
@click.argument("query", metavar="ENTITY_OR_AGREEMENT")
@as_of_option
@rule_option
@json_option
def explain_command(query: str, as_of: datetime | None, rule: str, as_json_: bool) -> None:
    """Every resolved number about an entity ("SoftBank") or a pair ("Oracle-OpenAI"): its
    state (single, consistent, range, disputed as a weighted mixture, denied), and the claims
    behind it with source, speaker, status and the exact quote."""
    from rich.markup import escape

    from stargate.world.explain import explain, explanation_json

    with open_store() as store:
        data = explanation_json(explain(store, query, as_of=day(as_of), rule=rule), store)
    if as_json_:
        emit_json(data)
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


@click.group()
def world() -> None:
    """The resolved model: entities, agreements, payments, sites, finances, priors."""


@world.command("show")
@as_of_option
@rule_option
@json_option
def world_show(as_of: datetime | None, rule: str, as_json_: bool) -> None:
    """Summarise the World: table sizes, agreements and sites."""
    from rich import box
    from rich.table import Table

    from stargate.jsonable import jsonable

    w = load_world(as_of, rule)
    if as_json_:
        from stargate.publish.world import to_json

        emit_json(to_json(w))
        return
    sizes = Table(title="World tables")
    sizes.add_column("table")
    sizes.add_column("rows", justify="right")
    for name, count in w.summary().items():
        sizes.add_row(name, str(count))
    out.print(sizes)
    # Fits 80 columns: ids in full (they are what other commands take), the amount always.
    deals = Table(title="Agreements", box=box.SIMPLE_HEAD, pad_edge=False)
    rows: list[dict[str, Any]] = jsonable(
        w.agreements.sort_values("amount_usd", ascending=False).to_dict("records")
    )
    ids = max((len(r["id"]) for r in rows), default=2)
    rest = max(out.width - ids - 8 - 3 - 7 - 8 - 3 * 5 - 2, 6)  # three spaces between columns
    deals.add_column("id", no_wrap=True, width=ids)
    deals.add_column("amount", no_wrap=True, justify="right", width=8)
    deals.add_column("GW", no_wrap=True, justify="right", width=3)
    deals.add_column("kind", no_wrap=True, overflow="ellipsis", width=7)
    deals.add_column("payers -> payee", no_wrap=True, overflow="ellipsis", width=rest)
    deals.add_column("status", no_wrap=True, overflow="ellipsis", width=8)
    for row in rows:
        gw = "" if row["capacity_gw"] is None else f"{row['capacity_gw']:g}"
        amount = "" if row["amount_usd"] is None else f"${row['amount_usd'] / 1e9:,.1f}B"
        parties = f"{', '.join(row['payers'])} -> {row['payee'] or '(capex)'}"
        deals.add_row(row["id"], amount, gw, row["kind"], parties, row["latest_status"] or "")
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
@as_of_option
@rule_option
def world_export(fmt: str, out_path: Path, as_of: datetime | None, rule: str) -> None:
    """Export the World."""
    from stargate.publish.world import export

    for path in export(load_world(as_of, rule), fmt, out_path):
        out.print(f"wrote {path}", markup=False)


@click.command()
@json_option
def circularity(as_json_: bool) -> None:
    """Money cycles (with their bottleneck) and each vendor's circular share of revenue."""
    from rich.table import Table

    from stargate.analysis.circularity import circular_shares, cycles

    w = load_world()
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
        emit_json(data)
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


@click.command()
@click.argument("name", required=False)
@json_option
def gap(name: str | None, as_json_: bool) -> None:
    """Funding gap of Stargate and each site: announced, committed by party, secured, and the
    capex its gigawatts require (p5/p50/p95)."""
    from rich.table import Table

    from stargate.analysis.gap import gaps

    found = gaps(load_world(), name)
    if name is not None and not found:
        fail(f"no project or site called {name!r}")
    if as_json_:
        emit_json(found[0] if name is not None and len(found) == 1 else found)
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


@click.command()
@click.option("--entity", help="Only what this entity owes or is owed.")
@json_option
def exposures(entity: str | None, as_json_: bool) -> None:
    """Who is owed what by whom, by year, from the agreements' payment schedules."""
    from rich.table import Table

    from stargate.analysis.exposures import exposures as table_of

    w = load_world()
    key = entity
    if entity is not None:
        with open_store() as store:
            key = store.find_entity(entity) or entity
    frame = table_of(w, key)
    if as_json_:
        emit_json(frame.to_dict("records"))
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


COMMANDS = (explain_command, world, circularity, gap, exposures)
