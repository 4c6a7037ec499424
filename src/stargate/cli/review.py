"""``stargate review``: the inbox of candidate agreements, revisions and status changes that new
evidence proposes, and the decisions on them (recorded in the ledger, who and when)."""

from __future__ import annotations

from typing import Any

import click

from stargate.cli.common import emit_json, json_option, open_store, out

TYPES = ("candidate", "revision", "status")


def _money(value: Any) -> str:
    if isinstance(value, int | float) and abs(value) >= 1e6:
        return f"${value / 1e9:,.2f}B"
    return "—" if value is None else str(value)


@click.group()
def review() -> None:
    """Pending items from new evidence: accept, reject or edit them."""


@review.command("list")
@click.option("--type", "type_", type=click.Choice(TYPES), help="Only items of this type.")
@json_option
def review_list(type_: str | None, as_json_: bool) -> None:
    """List the pending items (each with its claims and what accepting it would change)."""
    from rich.table import Table

    from stargate.world.review import pending, read_inbox

    with open_store() as store:
        items = [i for i in pending(read_inbox(store)) if type_ is None or i.type == type_]
    if as_json_:
        emit_json([i.to_dict() for i in items])
        return
    table = Table(title=f"{len(items)} pending review items")
    for column in ("id", "type", "agreement", "payers -> payee", "field", "old", "new", "claims"):
        table.add_column(column, overflow="fold")
    for i in items:
        new = (
            i.new
            if not isinstance(i.new, dict)
            else ", ".join(f"{k}={_money(v)}" for k, v in i.new.items() if v is not None)
        )
        flag = " (!)" if i.problems else ""
        table.add_row(
            i.id + flag,
            i.type,
            i.agreement_id or "(new)",
            f"{', '.join(i.payers)} -> {i.payee or '-'}",
            i.field or "",
            _money(i.old),
            _money(new) if not isinstance(new, str) else new,
            str(len(i.claims)),
        )
    out.print(table)


@review.command("show")
@click.argument("item_id")
@json_option
def review_show(item_id: str, as_json_: bool) -> None:
    """One item: its proposal, problems, what accepting it would change, and its claims."""
    from stargate.world.review import find, pending, read_inbox

    with open_store() as store:
        inbox = read_inbox(store)
        item = find(pending(inbox), item_id)
        claims = [inbox.claims[c] for c in item.claims]
        data = item.to_dict() | {
            "claim_details": [
                c.to_dict()
                | {
                    "source_title": inbox.sources[c.claim.source_id].title,
                    "source_url": inbox.sources[c.claim.source_id].url,
                }
                for c in claims
            ]
        }
    if as_json_:
        emit_json(data)
        return
    out.print(
        f"[bold]{item.type}[/bold] {item.id}: {', '.join(item.payers)} -> "
        f"{item.payee or '-'} ({item.kind})"
    )
    if item.agreement_id:
        out.print(
            f"agreement {item.agreement_id}, {item.field}: {item.old} -> {item.new}", markup=False
        )
    for problem in item.problems:
        out.print(f"[red]problem:[/red] {problem}", highlight=False)
    for note in item.notes:
        out.print(f"note: {note}", markup=False)
    out.print(f"accepting it would change: {data['changes']}", markup=False)
    for c in data["claim_details"]:
        out.print(
            f"- {c['id'][:12]} {c['kind']} {c['amount']} {c['unit']} {c['status']} "
            f"[{c['source_title']}]",
            markup=False,
        )
        out.print(f"  « {' '.join(c['quote'].split())} »", markup=False)


@review.command("accept")
@click.argument("item_id")
@click.option("--user", help="Who decides (default: cli:<your user name>).")
@json_option
def review_accept(item_id: str, user: str | None, as_json_: bool) -> None:
    """Accept an item: its claims enter the World (a candidate becomes an agreement)."""
    from stargate.world.review import accept, who

    with open_store() as store:
        item = accept(store, item_id, user or who())
    if as_json_:
        emit_json({"accepted": item.id, "type": item.type})
        return
    out.print(f"accepted {item.type} {item.id}", markup=False)


@review.command("reject")
@click.argument("item_id")
@click.option("--reason", required=True, help="Why (kept with the decision).")
@click.option("--user", help="Who decides (default: cli:<your user name>).")
@json_option
def review_reject(item_id: str, reason: str, user: str | None, as_json_: bool) -> None:
    """Reject an item: its claims stay in the ledger but out of the World."""
    from stargate.world.review import reject, who

    with open_store() as store:
        item = reject(store, item_id, user or who(), reason)
    if as_json_:
        emit_json({"rejected": item.id, "type": item.type})
        return
    out.print(f"rejected {item.type} {item.id}", markup=False)


@review.command("edit")
@click.argument("item_id")
@click.option("--subject", help="The payer (an entity id or name).")
@click.option("--object", "object_", help="The payee (an entity id or name).")
@click.option("--kind", help="The claim kind (contract, investment, lease, ...).")
@click.option("--amount", help="The amount, in the claim's unit.")
@click.option("--period", help="total, per_year or over_N_years.")
@click.option("--user", help="Who edits (default: cli:<your user name>).")
@json_option
def review_edit(
    item_id: str,
    subject: str | None,
    object_: str | None,
    kind: str | None,
    amount: str | None,
    period: str | None,
    user: str | None,
    as_json_: bool,
) -> None:
    """Correct an item's claims (a new claim supersedes each; the original is kept)."""
    from stargate.world.review import edit, who

    changes = {
        k: v
        for k, v in (
            ("subject", subject),
            ("object", object_),
            ("kind", kind),
            ("amount", amount),
            ("period", period),
        )
        if v is not None
    }
    with open_store() as store:
        for name in ("subject", "object"):
            if name in changes:
                changes[name] = store.find_entity(changes[name]) or changes[name]
        item = edit(store, item_id, user or who(), changes)
    if as_json_:
        emit_json({"edited": item.id, "changes": changes})
        return
    out.print(
        f"edited {item.id}: {changes}; `stargate review list` shows the new item", markup=False
    )


def follow_up(
    store: Any, results: Any, impact: bool, scenario: str, count: int, seed: int | None
) -> dict[str, Any]:
    """After an ingest: attach corroborating claims, auto-accept when the setting allows, and
    with ``impact`` report what the new documents' pending items would change."""
    from stargate.world.review import (
        attach_corroborations,
        auto_accept,
        pending,
        read_inbox,
        worlds_before_and_after,
    )

    new = {r.source_id for r in results if r.source_id and str(r.outcome) == "added"}
    attach_corroborations(store)
    accepted = auto_accept(store, new)
    if not impact:
        return {}
    from stargate.finance.impact import compare

    inbox = read_inbox(store)
    items = pending(inbox, new)

    def detail(item: Any) -> dict[str, Any]:
        claims = []
        for claim_id in item.claims:
            c = inbox.claims[claim_id]
            source = inbox.sources[c.claim.source_id]
            claims.append({"id": claim_id, "quote": c.claim.quote, "source_id": source.id,
                           "source_title": source.title, "url": source.url,
                           "published_at": source.published_at})  # fmt: skip
        return dict(item.to_dict() | {"claim_details": claims})

    before, after = worlds_before_and_after(store, items)
    return {
        "candidates": [detail(i) for i in items if i.type == "candidate"],
        "revisions": [detail(i) for i in items if i.type == "revision"],
        "status_changes": [detail(i) for i in items if i.type == "status"],
        "auto_accepted": [i.id for i in accepted],
        "stress": compare(before, after, scenario, count, seed),
    }


def print_impact(report: dict[str, Any]) -> None:
    from rich.table import Table

    for key, title in (("candidates", "candidate agreements"), ("revisions", "revisions"),
                       ("status_changes", "status changes")):  # fmt: skip
        out.print(f"[bold]{len(report[key])} {title}[/bold]")
        for item in report[key]:
            what = item["new"] if not isinstance(item["new"], dict) else item["changes"]
            out.print(f"  {item['id']} {', '.join(item['payers'])} -> {item['payee'] or '-'}: "
                      f"{what}", markup=False)  # fmt: skip
            for claim in item["claim_details"]:
                out.print(f"    « {' '.join(claim['quote'].split())} »", markup=False)
    stress = report["stress"]
    table = Table(title=f"{stress['scenario']}, {stress['scenarios']:,} scenarios, seed "
                  f"{stress['seed']}: if the pending items were accepted")  # fmt: skip
    for column in ("entity", "P(default) before", "after", "mean loss $B before", "after"):
        table.add_column(column, justify="left" if column == "entity" else "right")
    for entity, row in stress["entities"].items():
        if row["p_default_change"] == 0 and row["loss_mean_usd_change"] == 0:
            continue
        table.add_row(entity, f"{row['p_default_before']:.3f}", f"{row['p_default_after']:.3f}",
                      f"{row['loss_mean_usd_before'] / 1e9:,.2f}",
                      f"{row['loss_mean_usd_after'] / 1e9:,.2f}")  # fmt: skip
    out.print(table)


COMMANDS = (review,)
