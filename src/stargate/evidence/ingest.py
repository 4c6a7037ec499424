"""Ingest files and directories into the ledger: one transaction per document.

A bad file gets one error line naming it and the reason; good files still go in. Claims come
from an optional extractor (a callable from a Source to its claims, the new entities they use and
the links between them), run before the transaction, so a failing extractor leaves nothing
behind for that document.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from stargate.evidence.documents import MAX_BYTES, DocumentError, read_document
from stargate.ledger.errors import StoreError
from stargate.ledger.records import Claim, ClaimLink, Entity, Source
from stargate.ledger.store import Store

Extracted = tuple[Sequence[Claim], Sequence[Entity], Sequence[ClaimLink]]
Extractor = Callable[[Source], Extracted]


class Outcome(enum.StrEnum):
    ADDED = "added"
    UNCHANGED = "unchanged"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class FileResult:
    path: str
    outcome: Outcome
    source_id: str | None = None
    claims: int = 0
    message: str = ""
    warnings: tuple[str, ...] = ()


def bundled_corpus() -> list[Path]:
    """The seed articles that ship inside the package (the demo corpus)."""
    folder = resources.files("stargate") / "data" / "corpus"
    return sorted(Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith(".txt"))


def expand(paths: Iterable[str | Path]) -> Iterator[tuple[Path, str | None]]:
    """Each file to read, with an error for paths that do not exist.

    Directories are walked recursively in name order; hidden files and folders are skipped.
    Inside a directory, files of other types are reported as failures (named, with the reason).
    """
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path).parts
                if any(part.startswith(".") for part in relative) or not child.is_file():
                    continue
                yield child, None
        elif path.is_file():
            yield path, None
        elif path.exists():
            yield path, "not a regular file"
        else:
            yield path, "no such file or directory"


def ingest(
    store: Store,
    paths: Iterable[str | Path],
    *,
    max_bytes: int = MAX_BYTES,
    extractor: Extractor | None = None,
    on_result: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Read and store every file; returns one result per file, in order."""
    results: list[FileResult] = []
    for path, problem in expand(paths):
        result = (
            FileResult(str(path), Outcome.FAILED, message=problem)
            if problem
            else ingest_file(store, path, max_bytes=max_bytes, extractor=extractor)
        )
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


def ingest_file(
    store: Store, path: Path, *, max_bytes: int = MAX_BYTES, extractor: Extractor | None = None
) -> FileResult:
    name = str(path)
    try:
        document = read_document(path, max_bytes=max_bytes, display=name)
        claims, entities, links = (
            extractor(document.source) if extractor is not None else ((), (), ())
        )
        added = store.add_document(document.source, claims, entities=entities, links=links)
    except DocumentError as error:
        return FileResult(name, Outcome.FAILED, message=error.reason)
    except StoreError as error:
        return FileResult(name, Outcome.FAILED, message=str(error))
    if not added.added:
        where = f" (first read from {added.existing_path})" if added.existing_path else ""
        return FileResult(
            name,
            Outcome.UNCHANGED,
            source_id=added.source_id,
            message=f"already in the store{where}",
            warnings=document.warnings,
        )
    return FileResult(
        name,
        Outcome.ADDED,
        source_id=added.source_id,
        claims=added.claims_added,
        warnings=document.warnings,
    )
