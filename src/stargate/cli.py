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
@click.argument(
    "network_file",
    required=False,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="NETWORK.json",
)
@click.option(
    "--method",
    required=True,
    type=click.Choice(["eisenberg_noe", "rogers_veraart", "furfine", "debtrank"]),
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
    from stargate.finance import clear as clearing  # numerical stack, loaded on demand

    try:
        problem = clearing.load_problem(network_file, nodes_csv, edges_csv, overrides)
        result = clearing.solve(problem, method, vector)
    except clearing.ClearingInputError as error:
        _fail(str(error))
    report = clearing.report(problem, result, vector)
    if as_json_:
        _emit_json(report)
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


def _breakdown(counts: dict[str, int]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in counts.items())


def main() -> None:
    app(prog_name="stargate")
