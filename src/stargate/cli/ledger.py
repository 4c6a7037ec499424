"""Commands over the ledger: init, ingest, reextract, and the reads (sources, entities, claims,
summary)."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from stargate.cli.common import (
    breakdown,
    emit_json,
    err,
    json_option,
    open_store,
    out,
    printable,
    stderr_console,
)
from stargate.evidence.documents import MAX_BYTES
from stargate.ledger.records import ClaimKind

if TYPE_CHECKING:
    from stargate.evidence.ingest import FileResult
    from stargate.ledger.store import Store

_EXTRACT = click.option(
    "--extract/--no-extract",
    default=True,
    show_default=True,
    help="Extract claims from each new document (spaCy French NER + rules).",
)


def _cell(value: object) -> Any:
    """A table cell from stored text: no markup is interpreted, no control character printed."""
    from rich.text import Text

    return Text(printable(value))


def _extractor(store: Store, enabled: bool) -> Any:
    if not enabled:
        return None
    from stargate.evidence import pipeline  # spaCy and the rules, loaded on demand

    return pipeline.ledger_extractor(store.entities())


@click.command()
@click.option("--corpus/--no-corpus", default=True, help="Load the bundled seed corpus.")
@click.option(
    "--curated/--no-curated",
    default=True,
    help="Load the bundled curated dataset into the ledger (claims by the curators).",
)
@click.option(
    "--gazetteer",
    "gazetteers",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Extra gazetteer YAML file to load.",
)
@_EXTRACT
@json_option
def init(
    corpus: bool, curated: bool, gazetteers: tuple[Path, ...], extract: bool, as_json_: bool
) -> None:
    """Create or migrate the store, load the gazetteer, the bundled corpus and the curated
    dataset (idempotent: running it again adds only what is new)."""
    from stargate.evidence.entities import load_gazetteer
    from stargate.evidence.ingest import Outcome, bundled_corpus, ingest

    entities = load_gazetteer()
    for extra in gazetteers:
        entities += load_gazetteer(extra)
    with open_store() as store:
        added_entities = store.add_entities(entities)
        extractor = _extractor(store, extract) if corpus else None
        results = ingest(store, bundled_corpus(), extractor=extractor) if corpus else []
        report: dict[str, Any] = {
            "store": store.url,
            "entities_added": added_entities,
            "documents": [asdict(r) for r in results],
        }
        if curated:
            from stargate.world.curated import bundled
            from stargate.world.curation import load_into
            from stargate.world.review import attach_corroborations

            report["curated"] = asdict(load_into(store, bundled()))
            report["curated"]["corroborations_attached"] = attach_corroborations(store)
    if as_json_:
        emit_json(report)
    else:
        out.print(f"store: {printable(report['store'])}", markup=False)
        out.print(f"entities added: {added_entities}")
        for result in results:
            _print_result(result)
        if "curated" in report:
            c = report["curated"]
            out.print(f"curated data {c['version']}: {c['claims_added']} claims, "
                      f"{c['deals_added']} agreements added", markup=False)  # fmt: skip
    if any(r.outcome is Outcome.FAILED for r in results):
        sys.exit(1)


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=MAX_BYTES,
    show_default=True,
    help="Size limit of one file, in bytes.",
)
@_EXTRACT
@click.option(
    "--impact", is_flag=True,
    help="Show what the new documents change: candidate agreements, revisions, status changes, "
    "and each entity's P(default) and mean loss before and after, if they were accepted.",
)  # fmt: skip
@click.option("--scenario", default="baseline", show_default=True, help="Scenario for --impact.")
@click.option(
    "--scenarios", "count", type=click.IntRange(1, 1_000_000), default=2_000, show_default=True,
    help="Monte Carlo scenarios for --impact.",
)  # fmt: skip
@click.option("--seed", type=click.IntRange(min=0), help="Seed for --impact (default: the file's).")
@json_option
def ingest_command(
    paths: tuple[Path, ...], max_bytes: int, extract: bool, impact: bool, scenario: str,
    count: int, seed: int | None, as_json_: bool,
) -> None:  # fmt: skip
    """Add documents (.txt, .md, .html files or directories) to the store.

    Each file is one transaction; a bad file gets one error line and the others still go in.
    Claims that repeat an agreement's known figure are attached to it; the rest wait in
    `stargate review`. Exits 1 when any file failed.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from stargate.evidence.ingest import Outcome, expand, ingest_files

    files = list(expand(paths))
    with open_store() as store:
        progress = Progress(
            TextColumn("ingest"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=stderr_console(),
            transient=True,
            disable=as_json_ or len(files) < 20 or not err.is_terminal,
        )

        def report(result: FileResult) -> None:
            progress.advance(task)
            if not as_json_:
                _print_result(result)

        with progress:
            task = progress.add_task("ingest", total=len(files))
            results = ingest_files(
                store, files, max_bytes=max_bytes, on_result=report,
                extractor=_extractor(store, extract),
            )  # fmt: skip
        from stargate.cli.review import follow_up

        impact_report = follow_up(store, results, impact, scenario, count, seed)
    if impact:
        if as_json_:
            emit_json({"documents": [asdict(r) for r in results], **impact_report})
        else:
            from stargate.cli.review import print_impact

            print_impact(impact_report)
    elif as_json_:
        emit_json([asdict(r) for r in results])
    else:
        counts = {o: sum(r.outcome is o for r in results) for o in Outcome}
        out.print(
            f"{counts[Outcome.ADDED]} added, {counts[Outcome.UNCHANGED]} unchanged, "
            f"{counts[Outcome.FAILED]} failed"
        )
    if any(r.outcome is Outcome.FAILED for r in results):
        sys.exit(1)


def _print_result(result: FileResult) -> None:
    from rich.markup import escape

    from stargate.evidence.ingest import Outcome

    path, message = printable(result.path), printable(result.message)
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(printable(warning))}")
    if result.outcome is Outcome.FAILED:
        err.print(f"[red]error:[/red] {escape(path)}: {escape(message)}")
    elif result.outcome is Outcome.UNCHANGED:
        out.print(f"unchanged {path}: {message}", markup=False)
    else:
        assert result.source_id is not None
        out.print(f"added {path} as {result.source_id[:12]} ({result.claims} claims)", markup=False)


@click.command()
@json_option
def reextract(as_json_: bool) -> None:
    """Run the current extractor over every stored source.

    Claims carry their extractor's name and version, so a newer extractor adds a new
    generation next to the old one; earlier claims, reviews and links are never touched.
    """
    from stargate.evidence import pipeline

    with open_store() as store:
        engine = pipeline.ledger_extractor(store.entities())
        added: dict[str, int] = {}
        for source in store.sources():
            claims, entities, links = engine(source)
            added[source.id] = store.add_claims(claims, entities=entities, links=links)
    if as_json_:
        emit_json({"origin": pipeline.extractor([]).origin, "claims_added": added})
        return
    for source_id, count in added.items():
        out.print(f"{source_id[:12]}: {count} new claims")
    out.print(f"{sum(added.values())} claims added")


@click.command()
@json_option
def sources(as_json_: bool) -> None:
    """List the documents in the store."""
    with open_store() as store:
        rows = store.sources()
    if as_json_:
        emit_json([s.to_dict() for s in rows])
        return
    from rich.table import Table

    table = Table(title=f"{len(rows)} sources")
    for column in ("id", "title", "language", "published", "chars", "path"):
        table.add_column(column, overflow="fold")
    for s in rows:
        table.add_row(
            s.id[:12],
            _cell(s.title or ""),
            _cell(s.language or "?"),
            _cell(s.published_at or s.published_text or ""),
            str(len(s.text)),
            _cell(s.path or ""),
        )
    out.print(table)


@click.command()
@json_option
def entities(as_json_: bool) -> None:
    """List the entities (canonical names, types, aliases)."""
    with open_store() as store:
        rows = store.entities()
        canonical = store.canonical_ids()
    if as_json_:
        emit_json([e.to_dict() | {"canonical_id": canonical.get(e.id, e.id)} for e in rows])
        return
    from rich.table import Table

    table = Table(title=f"{len(rows)} entities")
    for column in ("id", "name", "type", "parent", "aliases"):
        table.add_column(column, overflow="fold")
    for e in rows:
        target = canonical.get(e.id, e.id)
        merged = f" (merged into {target})" if target != e.id else ""
        table.add_row(_cell(e.id), _cell(e.name + merged), str(e.type), _cell(e.parent_id or ""),
                      _cell(", ".join(e.aliases)))  # fmt: skip
    out.print(table)


@click.command()
@click.option("--entity", help="Only claims about this entity (id, name or alias).")
@click.option(
    "--kind", type=click.Choice([k.value for k in ClaimKind]), help="Only claims of this kind."
)
@click.option("--source", help="Only claims from this source (id or id prefix).")
@json_option
def claims(entity: str | None, kind: str | None, source: str | None, as_json_: bool) -> None:
    """List claims, with their amounts, status and quotes."""
    with open_store() as store:
        rows = store.claims(entity=entity, kind=kind, source=source)
    if as_json_:
        emit_json([c.to_dict() for c in rows])
        return
    from rich import box
    from rich.table import Table
    from rich.text import Text

    # Fits 80 columns: the id and the amount keep their full width, the parties and the quote
    # give way (ellipsis), so the figure is always readable.
    cells = []
    for row in rows:
        c = row.claim
        subjects = ", ".join(c.subjects) or "-"
        if c.object_id:
            subjects += f" -> {c.object_id}"
        quantity = str(c.quantity) if c.quantity is not None else str(c.value or "")
        if c.period not in (None, "total"):
            quantity += f" {c.period}"
        status = str(c.status) + (" (denies)" if c.polarity.value == "denies" else "")
        cells.append((row.id[:8], printable(quantity), str(c.kind), status, printable(subjects),
                      printable(" ".join(c.quote.split()))))  # fmt: skip
    widest = [max((len(cell[i]) for cell in cells), default=4) for i in range(4)]
    fixed = [8, min(widest[1], 18), max(4, min(widest[2], 10)), max(6, min(widest[3], 9))]
    rest = max(out.width - sum(fixed) - 3 * 5 - 2, 18)  # three spaces between columns
    table = Table(title=f"{len(rows)} claims", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("id", no_wrap=True, width=fixed[0])
    table.add_column("amount", no_wrap=True, justify="right", width=fixed[1], overflow="fold")
    table.add_column("kind", no_wrap=True, overflow="ellipsis", width=fixed[2])
    table.add_column("status", no_wrap=True, overflow="ellipsis", width=fixed[3])
    table.add_column("who", no_wrap=True, overflow="ellipsis", width=rest // 3)
    table.add_column("quote", no_wrap=True, overflow="ellipsis", width=rest - rest // 3)
    for cell in cells:
        table.add_row(*(Text(value) for value in cell))
    out.print(table)


@click.command()
@json_option
def summary(as_json_: bool) -> None:
    """Summarise the store: sources, entities, claims by kind."""
    with open_store() as store:
        result = store.summary()
        where = store.url
    if as_json_:
        emit_json(asdict(result) | {"store": where})
        return
    from rich.markup import escape
    from rich.table import Table

    out.print(f"[bold]stargate store[/bold] {escape(printable(where))}")
    overview = Table(title="Store")
    overview.add_column("records")
    overview.add_column("count", justify="right")
    overview.add_column("breakdown", overflow="fold")
    overview.add_row("sources", str(result.sources), _cell(breakdown(result.sources_by_language)))
    overview.add_row("entities", str(result.entities), _cell(breakdown(result.entities_by_type)))
    overview.add_row("claims", str(result.claims), _cell(breakdown(result.origins)))
    out.print(overview)
    kinds = Table(title="Claims by kind")
    kinds.add_column("kind")
    kinds.add_column("claims", justify="right")
    for kind_name, count in result.claims_by_kind.items():
        kinds.add_row(kind_name, str(count))
    if not result.claims_by_kind:
        kinds.add_row("(none yet)", "0")
    out.print(kinds)


COMMANDS = (init, ingest_command, reextract, sources, entities, claims, summary)
