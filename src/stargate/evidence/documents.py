"""Read documents (.txt, .md, .html) into sources: header metadata, language, content hash.

A text document may open with a header block of ``Key: value`` lines closed by a line ``---``.
``Title``, ``Address`` (or ``URL``), ``Published``, ``Language``, ``Publisher``, ``Kind`` and
``Source-Type`` fill the source's fields; other keys are kept as metadata. The header is not part
of the text: claims' character spans refer to the normalised body only. HTML goes through
trafilatura (main-content extraction; scripts and markup never reach the text).

Bad input raises :class:`DocumentError` with the file and a one-line reason.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Final

from stargate.errors import StargateError
from stargate.ledger.records import Source, SourceKind, SourceType

MAX_BYTES: Final = 5 * 1024 * 1024
"""Default size limit of one document file (5 MiB); ``stargate ingest --max-bytes`` changes it."""

TEXT_SUFFIXES: Final = frozenset({".txt", ".md", ".markdown"})
HTML_SUFFIXES: Final = frozenset({".html", ".htm", ".xhtml"})
SUFFIXES: Final = TEXT_SUFFIXES | HTML_SUFFIXES

_HEADER_LINE = re.compile(r"([A-Za-z][A-Za-z0-9 _-]{0,40}):(.*)")
_HEADER_END = re.compile(r"-{3,}")
_MAX_HEADER_LINES: Final = 40
MAX_HEADER_LINE: Final = 2000
"""A header line is at most this many characters (longer lines end the header block)."""
_DROPPED_ELEMENTS: Final = frozenset({
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object",
    "embed", "applet", "noembed", "noframes", "xmp", "plaintext", "textarea", "select",
    "button", "svg", "math", "canvas",
})  # fmt: skip
"""HTML elements whose contents are code, styling or widgets, never article text."""
_BINARY_MAGIC: Final = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x7fELF")


class DocumentError(StargateError, ValueError):
    """A file that cannot be ingested; ``str()`` is ``'<path>: <reason>'``."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Document:
    """A read document: the source record to store, plus warnings met while reading it."""

    source: Source
    warnings: tuple[str, ...] = field(default=())

    @property
    def text(self) -> str:
        return self.source.text


def normalise_text(text: str) -> str:
    """The canonical text whose hash is the source's identity.

    NFC, one newline style, no trailing spaces on lines, no leading or trailing blank lines, and
    zero-width / BOM characters removed. Internal spacing is kept: quotes must stay exact.
    """
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\u200b\u200c\u200d\u2060\ufeff]", "", text)
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n")


def text_id(text: str) -> str:
    """SHA-256 (hex) of the normalised text."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


_CONTROLS: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def display_name(path: str | os.PathLike[str]) -> str:
    """A file name safe to print and store: bytes that are not UTF-8 (kept by the OS as lone
    surrogates) become ``\\xNN``, and control characters (terminal escape sequences, newlines,
    bidirectional overrides) become ``\\xNN`` or ``\\uNNNN`` escapes."""
    raw = os.fspath(path)
    try:
        text = raw.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate the file system did not make
        text = raw.encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROLS.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)


def read_document(
    path: Path, *, max_bytes: int = MAX_BYTES, display: str | None = None
) -> Document:
    """Read one file into a :class:`Document`, or raise :class:`DocumentError`.

    Only a regular file is read, never more than ``max_bytes`` + 1 bytes of it (a file that
    grows while read is still refused), and opening never blocks (a FIFO is refused, not
    waited on)."""
    name = display or display_name(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DocumentError(
            name, f"unsupported file type {suffix or '(none)'!r}; expected .txt, .md or .html"
        )
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise DocumentError(name, f"cannot read: {error.strerror or error}") from None
    with os.fdopen(descriptor, "rb") as handle:
        try:
            status = os.fstat(handle.fileno())
            if not stat.S_ISREG(status.st_mode):
                raise DocumentError(name, f"not a regular file ({_kind(status.st_mode)})")
            if status.st_size > max_bytes:
                raise DocumentError(name, _too_big(status.st_size, max_bytes))
            data = handle.read(max_bytes + 1)
        except OSError as error:
            raise DocumentError(name, f"cannot read: {error.strerror or error}") from None
    if len(data) > max_bytes:
        raise DocumentError(name, _too_big(len(data), max_bytes))
    return parse_document(data, suffix=suffix, name=name)


def _too_big(size: int, limit: int) -> str:
    return f"file is {_mb(size)}, over the {_mb(limit)} limit (--max-bytes)"


def _kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    for test, word in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device")):  # fmt: skip
        if test(mode):
            return word
    return "not a regular file"


def parse_document(data: bytes, *, suffix: str, name: str) -> Document:
    """Turn raw bytes of a .txt/.md/.html file into a Document (see :func:`read_document`)."""
    if not data.strip():
        raise DocumentError(name, "empty file")
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if (b"\x00" in data[:8192] and not utf16) or data.startswith(_BINARY_MAGIC):
        raise DocumentError(name, "binary file, not text")
    raw = _decode(data, name)
    if (nul := raw.find("\x00")) >= 0:
        raise DocumentError(name, f"binary file, not text (a NUL character at {nul})")
    if suffix in HTML_SUFFIXES:
        return _from_html(raw, name)
    return _from_text(raw, name)


def _decode(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise DocumentError(name, f"undecodable UTF-16 at byte {error.start}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentError(
            name, f"not valid UTF-8: undecodable byte 0x{data[error.start]:02x} at {error.start}"
        ) from None
    controls = sum(
        1 for ch in text[:8192] if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f"
    )
    if controls > max(8, len(text[:8192]) // 100):
        raise DocumentError(name, "binary file, not text (control characters)")
    return text


def _from_text(raw: str, name: str) -> Document:
    header, body = split_header(raw)
    text = normalise_text(body)
    if not text.strip():
        raise DocumentError(name, "no text after the header" if header else "empty file")
    warnings: list[str] = []
    source = _with_header(Source(id=text_id(text), text=text, path=name), header, name, warnings)
    if source.title is None:
        source = replace(source, title=_first_line_title(text))
    return Document(_with_language(source), tuple(warnings))


def _from_html(raw: str, name: str) -> Document:
    import trafilatura  # heavy import, only for HTML

    raw = _without_code(raw)
    extracted = trafilatura.extract(raw, include_comments=False, include_tables=True)
    text = normalise_text(extracted or _visible_text(raw))
    if not text.strip():
        raise DocumentError(name, "HTML has no readable text")
    meta = trafilatura.extract_metadata(raw)
    header: dict[str, str] = {}
    if meta is not None:
        for key, value in (
            ("Title", meta.title),
            ("Address", meta.url),
            ("Published", meta.date),
            ("Publisher", meta.sitename),
            ("Author", meta.author),
        ):
            if value:
                header[key] = str(value)
    warnings: list[str] = []
    source = _with_header(Source(id=text_id(text), text=text, path=name), header, name, warnings)
    return Document(_with_language(source), tuple(warnings))


def _local_name(tag: object) -> str:
    """``script`` for ``script``, ``SCRIPT``, ``{http://www.w3.org/1999/xhtml}script`` and
    ``html:script``; '' for comments and processing instructions (whose tag is a function)."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def _without_code(raw: str) -> str:
    """The page with script, style and other non-text elements (any namespace), comments and
    processing instructions removed, before any extractor sees it: their contents never reach
    the stored text, whichever extractor runs."""
    import lxml.etree
    import lxml.html

    try:
        tree = lxml.html.document_fromstring(raw)
    except (lxml.etree.ParserError, ValueError):
        return raw if "<" not in raw else ""
    doomed = [
        element
        for element in tree.iter()
        if not isinstance(element.tag, str) or _local_name(element.tag) in _DROPPED_ELEMENTS
    ]
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()  # keeps the element's tail (the text after it)
    cleaned: str = lxml.html.tostring(tree, encoding="unicode")
    return cleaned


def _visible_text(raw: str) -> str:
    """All visible text of a page or fragment, for pages too small for trafilatura's extractor."""
    import lxml.etree
    import lxml.html

    try:
        tree = lxml.html.fromstring(raw)
    except (lxml.etree.ParserError, ValueError):
        return ""
    doomed = [e for e in tree.iter() if _local_name(e.tag) in _DROPPED_ELEMENTS | {"head", ""}]
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()
    lines = (" ".join(chunk.split()) for chunk in tree.itertext())
    return "\n".join(line for line in lines if line)


def split_header(raw: str) -> tuple[dict[str, str], str]:
    """Split an optional ``Key: value`` header block (closed by ``---``) from the body."""
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n", _MAX_HEADER_LINES + 1)
    header: dict[str, str] = {}
    for index, line in enumerate(lines[: _MAX_HEADER_LINES + 1]):
        if len(line) > MAX_HEADER_LINE:
            break  # no header line is that long; and no regular expression runs on it
        if _HEADER_END.fullmatch(line.rstrip()):
            if header:
                return header, "\n".join(lines[index + 1 :])
            break
        if not line.strip():
            continue
        match = _HEADER_LINE.fullmatch(line.lstrip("\ufeff"))
        if match is None:
            break
        header[match.group(1).strip()] = match.group(2).strip()
    return {}, raw


_FIELDS: Final = {
    "title": "title",
    "address": "url",
    "url": "url",
    "publisher": "publisher",
    "license": "license",
}


def _with_header(source: Source, header: dict[str, str], name: str, warnings: list[str]) -> Source:
    updates: dict[str, object] = {}
    metadata: dict[str, str] = {}
    for key, value in header.items():
        lower = key.lower().replace("_", "-")
        if lower in _FIELDS and value:
            updates[_FIELDS[lower]] = value
        elif lower in {"published", "date"}:
            parsed = parse_date(value)
            if parsed is None:
                warnings.append(f"{name}: cannot parse the date {value!r}; kept as text")
                updates["published_text"] = value
            else:
                updates["published_at"] = parsed
        elif lower == "language" and value:
            updates["language"] = value.strip().lower()[:16]
        elif lower == "kind" and value:
            try:
                updates["kind"] = SourceKind(value.strip().lower().replace(" ", "_"))
            except ValueError:
                warnings.append(f"{name}: unknown source kind {value!r}; using 'news'")
        elif lower == "source-type" and value:
            try:
                updates["source_type"] = SourceType(value.strip())
            except ValueError:
                warnings.append(f"{name}: unknown source type {value!r}; using 'thirdParty'")
        else:
            metadata[key] = value
    return replace(source, metadata=metadata, **updates)  # type: ignore[arg-type]


def _first_line_title(text: str) -> str | None:
    first = text.lstrip().split("\n", 1)[0].strip()
    return first if 0 < len(first) <= 200 else None


# -- language ---------------------------------------------------------------------------------


@functools.cache
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str, *, min_probability: float = 0.5) -> str | None:
    """ISO 639-1 code of the text's language (langid.py model), or None when unsure."""
    sample = text[:20000]
    if sum(ch.isalpha() for ch in sample) < 20:
        return None
    language, probability = _identifier().classify(sample)
    return str(language) if float(probability) >= min_probability else None


def _with_language(source: Source) -> Source:
    if source.language:
        return source
    return replace(source, language=detect_language(source.text))


# -- dates ------------------------------------------------------------------------------------

_MONTHS: Final = {
    **{m: i for i, m in enumerate(
        ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
         "octobre", "novembre", "décembre"], start=1)},
    **{m: i for i, m in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august", "september",
         "october", "november", "december"], start=1)},
    "fevrier": 2, "aout": 8, "decembre": 12, "sept": 9,
    **{m: i for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1)},
}  # fmt: skip


def parse_date(value: str) -> str | None:
    """A prefix date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) from common FR/EN forms, or None."""
    text = value.strip().lower().replace(",", " ")
    text = re.sub(r"\s+", " ", text)
    if match := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[t ].*)?", text):
        return _checked(int(match[1]), int(match[2]), int(match[3]))
    if match := re.fullmatch(r"(\d{4})-(\d{2})", text):
        return _checked(int(match[1]), int(match[2]), None)
    if match := re.fullmatch(r"(\d{4})", text):
        return _checked(int(match[1]), None, None)
    if match := re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", text):
        return _checked(int(match[3]), int(match[2]), int(match[1]))
    if match := re.fullmatch(r"(?:\w+ )?(\d{1,2})(?:er|st|nd|rd|th)? (\w+)\.? (\d{4})", text):
        month = _MONTHS.get(match[2])
        return None if month is None else _checked(int(match[3]), month, int(match[1]))
    if match := re.fullmatch(r"(\w+)\.? (\d{1,2})(?:st|nd|rd|th)? (\d{4})", text):
        month = _MONTHS.get(match[1])
        return None if month is None else _checked(int(match[3]), month, int(match[2]))
    if match := re.fullmatch(r"(\w+) (\d{4})", text):
        month = _MONTHS.get(match[1])
        return None if month is None else _checked(int(match[2]), month, None)
    return None


def _checked(year: int, month: int | None, day: int | None) -> str | None:
    if not 1900 <= year <= 2200:
        return None
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        return None
    if month is None:
        return f"{year:04d}"
    return f"{year:04d}-{month:02d}" if day is None else f"{year:04d}-{month:02d}-{day:02d}"


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
