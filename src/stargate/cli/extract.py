"""``stargate extract``: claims from documents without touching the store, and their scores
against hand-made gold."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from stargate.cli.common import err, fail, out
from stargate.evidence.documents import MAX_BYTES


@click.command()
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

    Prints one JSON object per claim; with --eval, prints instead precision, recall and F1 at
    the amount and claim levels (all documents, per language, per kind), kind and status
    accuracy, denial and speaker recall, then the whole report as one JSON line. Exits 1 when a
    file could not be read.
    """
    from rich.markup import escape

    from stargate.evidence import pipeline  # spaCy and the rules, loaded on demand
    from stargate.evidence.documents import DocumentError
    from stargate.evidence.entities import load_gazetteer
    from stargate.evidence.ingest import expand

    entities = load_gazetteer()
    for extra in gazetteers:
        entities += load_gazetteer(extra)
    failed = False
    documents: list[tuple[str, list[dict[str, Any]]]] = []
    languages: dict[str, str | None] = {}
    for path, problem in expand(paths):
        try:
            if problem:
                raise DocumentError(str(path), problem)
            language, rows = pipeline.extract_document(path, entities, max_bytes=max_bytes)
        except DocumentError as error:
            err.print(f"[red]error:[/red] {escape(str(error))}")
            failed = True
            continue
        documents.append((str(path), rows))
        languages[str(path)] = language
        if gold_dir is None:
            for row in rows:
                sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    if gold_dir is not None:
        try:
            report = pipeline.evaluate_rows(documents, gold_dir, entities, languages)
        except (FileNotFoundError, ValueError) as error:
            fail(str(error))
        _print_evaluation(report)
    if failed:
        sys.exit(1)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _prf(scores: dict[str, float]) -> str:
    return "/".join(_fmt(scores[k]) for k in ("precision", "recall", "f1"))


def _print_evaluation(report: dict[str, Any]) -> None:
    from rich.table import Table

    groups = {"all": report} | dict(report["per_language"])
    table = Table(title=f"{report['documents']} documents, {report['predicted']} predicted, "
                        f"{report['gold']} gold claims")  # fmt: skip
    for column in ("set", "docs", "pred", "gold", "amount P/R/F1", "claim P/R/F1", "kind",
                   "status", "denial R", "speaker R"):  # fmt: skip
        table.add_column(column, justify="left" if column == "set" else "right")
    for name, scores in groups.items():
        table.add_row(
            name, str(scores["documents"]), str(scores["predicted"]), str(scores["gold"]),
            _prf(scores["amount"]), _prf(scores["claim"]), _fmt(scores["kind_accuracy"]),
            _fmt(scores["status_accuracy"]),
            f"{_fmt(scores['denial_recall'])} of {scores['denials']}",
            f"{_fmt(scores['speaker_recall'])} of {scores['speakers']}",
        )  # fmt: skip
    out.print(table)
    for name, scores in groups.items():
        kinds = Table(title=f"per kind ({name})")
        for column in ("kind", "pred", "gold", "amount P/R/F1", "claim P/R/F1"):
            kinds.add_column(column, justify="left" if column == "kind" else "right")
        for kind, row in scores["per_kind"].items():
            kinds.add_row(kind, str(row["predicted"]), str(row["gold"]), _prf(row["amount"]),
                          _prf(row["claim"]))  # fmt: skip
        out.print(kinds)
    sys.stdout.write(json.dumps(report) + "\n")


COMMANDS = (extract,)
