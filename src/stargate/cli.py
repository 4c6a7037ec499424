"""The ``stargate`` command: one entry point, verb subcommands, ``--json`` on every read."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from stargate.evidence.documents import MAX_BYTES, DocumentError
from stargate.evidence.entities import GazetteerError, load_gazetteer
from stargate.evidence.ingest import FileResult, Outcome, bundled_corpus, expand, ingest
from stargate.ledger.database import DatabaseError
from stargate.ledger.records import ClaimKind, StoredClaim, as_json
from stargate.ledger.store import Store, StoreError

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])


def json_option(function: F) -> F:
    """The ``--json`` flag every read command has."""
    return click.option(
        "--json", "as_json_", is_flag=True, help="Print one JSON document instead of tables."
    )(function)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--db",
    metavar="PATH_OR_URL",
    help="Store: a SQLite file path or any SQLAlchemy URL. "
    "Default: $STARGATE_DATABASE_URL, else stargate.sqlite in the user data directory.",
)
@click.pass_context
def app(context: click.Context, db: str | None) -> None:
    """An open, sourced, executable model of the AI-infrastructure build-out."""
    context.obj = db
    # Libraries used for reading documents log parse noise that is not the user's concern.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


def _open() -> Store:
    try:
        return Store.open(click.get_current_context().find_root().obj)
    except DatabaseError as error:
        _fail(str(error))


def _fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[red]error:[/red] {escape(message)}")
    sys.exit(code)


def _emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(as_json(data), ensure_ascii=False, indent=2) + "\n")


_EXTRACT = click.option(
    "--extract/--no-extract",
    default=True,
    show_default=True,
    help="Extract claims from each new document (spaCy French NER + rules).",
)


def _extractor(store: Store, enabled: bool) -> Any:
    if not enabled:
        return None
    from stargate.evidence import pipeline  # spaCy and the rules, loaded on demand

    return pipeline.ledger_extractor(store.entities())


@app.command()
@click.option("--corpus/--no-corpus", default=True, help="Load the bundled seed corpus.")
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
def init(corpus: bool, gazetteers: tuple[Path, ...], extract: bool, as_json_: bool) -> None:
    """Create or migrate the store, load the gazetteer and the bundled corpus."""
    try:
        entities = load_gazetteer()
        for extra in gazetteers:
            entities += load_gazetteer(extra)
    except GazetteerError as error:
        _fail(str(error))
    with _open() as store:
        added_entities = store.add_entities(entities)
        extractor = _extractor(store, extract) if corpus else None
        results = ingest(store, bundled_corpus(), extractor=extractor) if corpus else []
        report = {
            "store": store.url,
            "entities_added": added_entities,
            "documents": [asdict(r) for r in results],
        }
    if as_json_:
        _emit_json(report)
    else:
        out.print(f"store: {report['store']}", markup=False)
        out.print(f"entities added: {added_entities}")
        for result in results:
            _print_result(result)
    if any(r.outcome is Outcome.FAILED for r in results):
        sys.exit(1)


@app.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=MAX_BYTES,
    show_default=True,
    help="Size limit of one file, in bytes.",
)
@_EXTRACT
@json_option
def ingest_command(paths: tuple[Path, ...], max_bytes: int, extract: bool, as_json_: bool) -> None:
    """Add documents (.txt, .md, .html files or directories) to the store.

    Each file is one transaction; a bad file gets one error line and the others still go in.
    Exits 1 when any file failed.
    """
    files = list(expand(paths))
    with _open() as store:
        progress = Progress(
            TextColumn("ingest"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=as_json_ or len(files) < 20 or not err.is_terminal,
        )

        def report(result: FileResult) -> None:
            progress.advance(task)
            if not as_json_:
                _print_result(result)

        with progress:
            task = progress.add_task("ingest", total=len(files))
            results = ingest(
                store, paths, max_bytes=max_bytes, on_result=report,
                extractor=_extractor(store, extract),
            )  # fmt: skip
    if as_json_:
        _emit_json([asdict(r) for r in results])
    else:
        counts = {o: sum(r.outcome is o for r in results) for o in Outcome}
        out.print(
            f"{counts[Outcome.ADDED]} added, {counts[Outcome.UNCHANGED]} unchanged, "
            f"{counts[Outcome.FAILED]} failed"
        )
    if any(r.outcome is Outcome.FAILED for r in results):
        sys.exit(1)


def _print_result(result: FileResult) -> None:
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(warning)}")
    if result.outcome is Outcome.FAILED:
        err.print(f"[red]error:[/red] {escape(result.path)}: {escape(result.message)}")
    elif result.outcome is Outcome.UNCHANGED:
        out.print(f"unchanged {result.path}: {result.message}", markup=False)
    else:
        assert result.source_id is not None
        out.print(
            f"added {result.path} as {result.source_id[:12]} ({result.claims} claims)",
            markup=False,
        )


@app.command()
@json_option
def reextract(as_json_: bool) -> None:
    """Run the current extractor over every stored source.

    Claims carry their extractor's name and version, so a newer extractor adds a new
    generation next to the old one; earlier claims, reviews and links are never touched.
    """
    from stargate.evidence import pipeline

    with _open() as store:
        engine = pipeline.ledger_extractor(store.entities())
        added: dict[str, int] = {}
        for source in store.sources():
            claims, entities, links = engine(source)
            added[source.id] = store.add_claims(claims, entities=entities, links=links)
    if as_json_:
        _emit_json({"origin": pipeline.extractor([]).origin, "claims_added": added})
        return
    for source_id, count in added.items():
        out.print(f"{source_id[:12]}: {count} new claims")
    out.print(f"{sum(added.values())} claims added")


@app.command()
@json_option
def sources(as_json_: bool) -> None:
    """List the documents in the store."""
    with _open() as store:
        rows = store.sources()
    if as_json_:
        _emit_json([{k: v for k, v in asdict(s).items() if k != "text"} | {"chars": len(s.text)}
                    for s in rows])  # fmt: skip
        return
    table = Table(title=f"{len(rows)} sources")
    for column in ("id", "title", "language", "published", "chars", "path"):
        table.add_column(column, overflow="fold")
    for s in rows:
        table.add_row(
            s.id[:12],
            s.title or "",
            s.language or "?",
            s.published_at or s.published_text or "",
            str(len(s.text)),
            s.path or "",
        )
    out.print(table)


@app.command()
@json_option
def entities(as_json_: bool) -> None:
    """List the entities (canonical names, types, aliases)."""
    with _open() as store:
        rows = store.entities()
        canonical = store.canonical_ids()
    if as_json_:
        _emit_json([asdict(e) | {"canonical_id": canonical.get(e.id, e.id)} for e in rows])
        return
    table = Table(title=f"{len(rows)} entities")
    for column in ("id", "name", "type", "parent", "aliases"):
        table.add_column(column, overflow="fold")
    for e in rows:
        target = canonical.get(e.id, e.id)
        merged = f" (merged into {target})" if target != e.id else ""
        table.add_row(e.id, e.name + merged, str(e.type), e.parent_id or "", ", ".join(e.aliases))
    out.print(table)


@app.command()
@click.option("--entity", help="Only claims about this entity (id, name or alias).")
@click.option(
    "--kind", type=click.Choice([k.value for k in ClaimKind]), help="Only claims of this kind."
)
@click.option("--source", help="Only claims from this source (id or id prefix).")
@json_option
def claims(entity: str | None, kind: str | None, source: str | None, as_json_: bool) -> None:
    """List claims, with their amounts, status and quotes."""
    with _open() as store:
        try:
            rows = store.claims(entity=entity, kind=kind, source=source)
        except StoreError as error:
            _fail(str(error))
    if as_json_:
        _emit_json([claim_json(c) for c in rows])
        return
    table = Table(title=f"{len(rows)} claims")
    for column in ("id", "subject", "kind", "quantity", "status"):
        table.add_column(column, no_wrap=True)
    table.add_column("quote", overflow="ellipsis", no_wrap=True, min_width=20)
    for row in rows:
        c = row.claim
        subjects = ", ".join(c.subjects) or "-"
        if c.object_id:
            subjects += f" -> {c.object_id}"
        table.add_row(
            row.id[:8],
            subjects,
            str(c.kind),
            str(c.quantity) + (f" {c.period}" if c.period not in (None, "total") else ""),
            str(c.status) + (" (denies)" if c.polarity.value == "denies" else ""),
            " ".join(c.quote.split()),
        )
    out.print(table)


def claim_json(row: StoredClaim) -> dict[str, Any]:
    c = row.claim
    return {
        "id": row.id,
        "source_id": c.source_id,
        "subject": c.subject_id,
        "object": c.object_id,
        "kind": c.kind,
        "amount": c.quantity.amount,
        "unit": c.quantity.unit,
        "bound": c.quantity.bound,
        "amount_max": c.quantity.amount_max,
        "period": c.period,
        "status": c.status,
        "polarity": c.polarity,
        "speaker": c.speaker,
        "quote": c.quote,
        "start": c.start,
        "end": c.end,
        "origin": c.origin,
        "confidence": c.confidence,
        "rank": row.effective_rank,
        "rank_reason": row.rank_reason,
    }


@app.command()
@json_option
def summary(as_json_: bool) -> None:
    """Summarise the store: sources, entities, claims by kind."""
    with _open() as store:
        result = store.summary()
        where = store.url
    if as_json_:
        _emit_json(asdict(result) | {"store": where})
        return
    out.print(f"[bold]stargate store[/bold] {where}")
    overview = Table(title="Store")
    overview.add_column("records")
    overview.add_column("count", justify="right")
    overview.add_column("breakdown", overflow="fold")
    overview.add_row("sources", str(result.sources), _breakdown(result.sources_by_language))
    overview.add_row("entities", str(result.entities), _breakdown(result.entities_by_type))
    overview.add_row("claims", str(result.claims), _breakdown(result.origins))
    out.print(overview)
    kinds = Table(title="Claims by kind")
    kinds.add_column("kind")
    kinds.add_column("claims", justify="right")
    for kind_name, count in result.claims_by_kind.items():
        kinds.add_row(kind_name, str(count))
    if not result.claims_by_kind:
        kinds.add_row("(none yet)", "0")
    out.print(kinds)


@app.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl"]),
    default="jsonl",
    show_default=True,
    help="Output format: one JSON object per claim on stdout.",
)
@click.option(
    "--eval",
    "gold_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Score against the gold claims in this folder (one <stem>.json per document).",
)
@click.option(
    "--gazetteer",
    "gazetteers",
    multiple=True,
    metavar="FILE",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Extra gazetteer YAML file to use.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=MAX_BYTES,
    show_default=True,
    help="Size limit of one file, in bytes.",
)
def extract(
    paths: tuple[Path, ...],
    fmt: str,
    gold_dir: Path | None,
    gazetteers: tuple[Path, ...],
    max_bytes: int,
) -> None:
    """Extract quantitative claims from documents without touching the store.

    Prints one JSON object per claim; with --eval, prints precision, recall and F1 at the
    amount and claim levels and the kind accuracy instead. Exits 1 when a file could not be read.
    """
    from stargate.evidence import pipeline  # spaCy and the rules, loaded on demand

    try:
        entities = load_gazetteer()
        for extra in gazetteers:
            entities += load_gazetteer(extra)
    except GazetteerError as error:
        _fail(str(error))
    failed = False
    documents: list[tuple[str, list[dict[str, Any]]]] = []
    for path, problem in expand(paths):
        try:
            if problem:
                raise DocumentError(str(path), problem)
            rows = pipeline.extract_file(path, entities, max_bytes=max_bytes)
        except DocumentError as error:
            err.print(f"[red]error:[/red] {escape(str(error))}")
            failed = True
            continue
        documents.append((str(path), rows))
        if gold_dir is None:
            for row in rows:
                sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    if gold_dir is not None:
        try:
            report = pipeline.evaluate_rows(documents, gold_dir, entities)
        except (FileNotFoundError, ValueError) as error:
            _fail(str(error))
        _print_evaluation(report)
    if failed:
        sys.exit(1)


def _print_evaluation(report: dict[str, Any]) -> None:
    table = Table(title=f"{report['documents']} documents, {report['predicted']} predicted, "
                        f"{report['gold']} gold claims")  # fmt: skip
    for column in ("level", "precision", "recall", "F1"):
        table.add_column(column, justify="right" if column != "level" else "left")
    for level in ("amount", "claim"):
        scores = report[level]
        table.add_row(level, f"{scores['precision']:.3f}", f"{scores['recall']:.3f}",
                      f"{scores['f1']:.3f}")  # fmt: skip
    out.print(table)
    out.print(f"kind accuracy on amount-level matches: {report['kind_accuracy']:.3f}")
    sys.stdout.write(json.dumps(report) + "\n")


def _breakdown(counts: dict[str, int]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in counts.items())


def main() -> None:
    app(prog_name="stargate")


# The other command modules register on `app` when imported (after it exists).
from stargate import cli_finance, cli_stress, cli_web, cli_world  # noqa: E402, F401
