"""Ingest files and directories into the ledger: one transaction per document.

A bad file gets one error line naming it and the reason; good files still go in, whatever the
bad one holds. Claims come from an optional extractor (a callable from a Source to its claims,
the new entities they use and the links between them), run before the transaction, so a failing
extractor leaves nothing behind for that document. File names are shown and stored through
:func:`~stargate.evidence.documents.display_name` (no terminal escapes, no undecodable bytes).
"""

from __future__ import annotations

import enum
import errno
import os
import stat
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from stargate.evidence.documents import MAX_BYTES, DocumentError, display_name, read_document
from stargate.ledger.errors import DatabaseError, StoreError
from stargate.ledger.records import Claim, ClaimLink, Entity, Source
from stargate.ledger.store import Store
from stargate.units import AmountDomainWarning, UnitError, domain_error

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


def _kind(mode: int) -> str:
    for test, word in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device")):  # fmt: skip
        if test(mode):
            return f"not a regular file ({word})"
    return "not a regular file"


def _unreadable(path: Path, error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "symbolic link loop"
    if path.is_symlink():
        return "broken symbolic link"
    if error.errno == errno.ENOENT:
        return "no such file or directory"
    return f"cannot read: {error.strerror or error}"


def expand(paths: Iterable[str | Path]) -> Iterator[tuple[Path, str | None]]:
    """Each file to read, with the reason for every path that cannot be one.

    Directories are walked in name order, depth first; hidden files and folders are skipped.
    Symbolic links are followed; a link back to a folder being walked is reported as a loop,
    as are links that never resolve. FIFOs, sockets and devices, unreadable folders and broken
    links are reported (named, with the reason), never read and never waited on.
    """
    for given in paths:
        path = Path(given)
        try:
            info = path.stat()
        except OSError as error:
            yield path, _unreadable(path, error)
            continue
        if stat.S_ISDIR(info.st_mode):
            yield from _walk(path, (info.st_dev, info.st_ino))
        elif stat.S_ISREG(info.st_mode):
            yield path, None
        else:
            yield path, _kind(info.st_mode)


def _walk(root: Path, identity: tuple[int, int]) -> Iterator[tuple[Path, str | None]]:
    """A folder's files, depth first in name order (an explicit stack: no depth limit)."""
    # each frame: the entries still to visit in one folder, and the folders above it
    stack: list[tuple[Iterator[os.DirEntry[str]], frozenset[tuple[int, int]]]] = []

    def enter(folder: Path, above: frozenset[tuple[int, int]]) -> str | None:
        try:
            with os.scandir(folder) as found:
                entries = sorted(found, key=lambda entry: entry.name)
        except OSError as error:
            return f"cannot read the folder: {error.strerror or error}"
        stack.append((iter(entries), above))
        return None

    if problem := enter(root, frozenset({identity})):
        yield root, problem
    while stack:
        entries, above = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        if entry.name.startswith("."):
            continue
        child = Path(entry.path)
        try:
            info = os.stat(entry.path)  # follows symbolic links
        except OSError as error:
            yield child, _unreadable(child, error)
            continue
        if stat.S_ISDIR(info.st_mode):
            key = (info.st_dev, info.st_ino)
            if key in above:
                yield child, "symbolic link loop (a folder that contains itself)"
            elif problem := enter(child, above | {key}):
                yield child, problem
        elif stat.S_ISREG(info.st_mode):
            yield child, None
        else:
            yield child, _kind(info.st_mode)


def ingest(
    store: Store,
    paths: Iterable[str | Path],
    *,
    max_bytes: int = MAX_BYTES,
    extractor: Extractor | None = None,
    on_result: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Read and store every file; returns one result per file (or unreadable path), in order."""
    return ingest_files(store, expand(paths), max_bytes=max_bytes, extractor=extractor,
                        on_result=on_result)  # fmt: skip


def ingest_files(
    store: Store,
    files: Iterable[tuple[Path, str | None]],
    *,
    max_bytes: int = MAX_BYTES,
    extractor: Extractor | None = None,
    on_result: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """:func:`ingest` over paths already expanded (:func:`expand`)."""
    results: list[FileResult] = []
    for path, problem in files:
        result = (
            FileResult(display_name(path), Outcome.FAILED, message=problem)
            if problem
            else ingest_file(store, path, max_bytes=max_bytes, extractor=extractor)
        )
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


def _extract(extractor: Extractor, source: Source, name: str) -> tuple[Extracted, list[str]]:
    """The extractor's records for ``source``, without any claim outside its amount domain,
    and a warning for each figure skipped (:class:`~stargate.units.AmountDomainWarning`)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AmountDomainWarning)
        claims, entities, links = extractor(source)
    notes = []
    for warning in caught:
        if issubclass(warning.category, AmountDomainWarning):
            notes.append(f"{name}: {warning.message}")
        else:  # not ours: pass it on as it came
            warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                   warning.lineno)  # fmt: skip
    kept, dropped = [], set()
    for claim in claims:
        q = claim.quantity
        reason = None if q is None else domain_error(q.amount, q.unit) or (
            None if q.amount_max is None else domain_error(q.amount_max, q.unit, "upper end")
        )  # fmt: skip
        if reason is None:
            kept.append(claim)
        else:
            dropped.add(claim.id)
            notes.append(f"{name}: skipped a claim at characters {claim.start}-{claim.end}: "
                         f"{reason}")  # fmt: skip
    links = [
        link for link in links if not dropped & {link.left_claim, link.right_claim}
    ]  # fmt: skip
    return (kept, entities, links), notes


def ingest_file(
    store: Store, path: Path, *, max_bytes: int = MAX_BYTES, extractor: Extractor | None = None
) -> FileResult:
    """Read, extract and store one file; every failure is a FAILED result, never an exception
    (an unexpected one is reported as a bug with its type, and the batch goes on)."""
    name = display_name(path)
    notes: list[str] = []
    try:
        document = read_document(path, max_bytes=max_bytes, display=name)
        claims: Sequence[Claim] = ()
        entities: Sequence[Entity] = ()
        links: Sequence[ClaimLink] = ()
        if extractor is not None:
            (claims, entities, links), notes = _extract(extractor, document.source, name)
        added = store.add_document(document.source, claims, entities=entities, links=links)
    except DocumentError as error:
        return FileResult(name, Outcome.FAILED, message=error.reason)
    except (StoreError, UnitError) as error:
        return FileResult(name, Outcome.FAILED, message=str(error))
    except DatabaseError:
        raise  # the store itself failed (unreachable, disk full): no later file can go in
    except (RecursionError, MemoryError) as error:
        return FileResult(name, Outcome.FAILED, message=f"too complex to process: {error!r}")
    except Exception as error:  # one file's bug must not end the batch
        message = f"unexpected error (a bug, please report it): {error!r}"
        return FileResult(name, Outcome.FAILED, message=message)
    warned = (*document.warnings, *notes)
    if not added.added:
        where = f" (first read from {added.existing_path})" if added.existing_path else ""
        return FileResult(
            name,
            Outcome.UNCHANGED,
            source_id=added.source_id,
            message=f"already in the store{where}",
            warnings=warned,
        )
    return FileResult(
        name,
        Outcome.ADDED,
        source_id=added.source_id,
        claims=added.claims_added,
        warnings=warned,
    )
