"""Reading documents: headers, language, identity, HTML, and every kind of bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stargate.evidence.documents import (
    DocumentError,
    detect_language,
    normalise_text,
    parse_date,
    parse_document,
    read_document,
    split_header,
    text_id,
)
from stargate.ledger.records import SourceKind

FRENCH = (
    "OpenAI a conclu un partenariat majeur avec Oracle, pour un centre de données de 4,5 GW "
    "qui engendrera des paiements annuels de 30 milliards de dollars."
)
ENGLISH = (
    "OpenAI signed a major partnership with Oracle for a 4.5 GW data centre that will bring "
    "annual payments of 30 billion dollars."
)


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def test_header_fills_fields_and_is_not_text(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a.md",
        "Title: Oracle deal\nAddress: https://example.org/a\nPublished: 2025-07-22\n"
        "Language: fr\nAuthor: Jane Doe\nKind: press release\n---\n\n" + FRENCH + "\n",
    )
    document = read_document(path)
    source = document.source
    assert source.title == "Oracle deal"
    assert source.url == "https://example.org/a"
    assert source.published_at == "2025-07-22"
    assert source.language == "fr"
    assert source.kind is SourceKind.PRESS_RELEASE
    assert source.metadata == {"Author": "Jane Doe"}
    assert source.text == FRENCH
    assert source.id == text_id(FRENCH)
    assert document.warnings == ()


def test_unparseable_date_is_kept_as_text_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", f"Published: the day after Davos\n---\n{ENGLISH}")
    document = read_document(path)
    assert document.source.published_at is None
    assert document.source.published_text == "the day after Davos"
    assert len(document.warnings) == 1
    assert "the day after Davos" in document.warnings[0]


def test_text_without_header_is_all_text() -> None:
    text = "Note: this line looks like a header\nbut no --- line closes it.\n" + ENGLISH
    assert split_header(text) == ({}, text)


def test_language_is_detected_for_french_and_english() -> None:
    assert detect_language(FRENCH) == "fr"
    assert detect_language(ENGLISH) == "en"
    assert detect_language("12 34 56 78") is None


def test_identity_ignores_line_endings_trailing_space_and_zero_width() -> None:
    base = parse_document(f"{FRENCH}\n{ENGLISH}\n".encode(), suffix=".txt", name="a")
    variant = parse_document(
        f"\ufeff{FRENCH}  \r\n{ENGLISH}\u200b\r\n\r\n".encode(), suffix=".txt", name="b"
    )
    assert base.source.id == variant.source.id


def test_html_keeps_the_article_and_drops_scripts(tmp_path: Path) -> None:
    html = (
        "<html><head><title>Deal</title><script>alert('x')</script></head><body>"
        "<nav>Home | About</nav><article><h1>Oracle deal</h1>"
        f"<p>{ENGLISH}</p><p>{ENGLISH.replace('Oracle', 'CoreWeave')}</p></article>"
        "<script>document.write('<p>injected</p>')</script></body></html>"
    )
    source = read_document(write(tmp_path, "a.html", html)).source
    assert "30 billion dollars" in source.text
    assert "alert" not in source.text
    assert "injected" not in source.text
    assert source.language == "en"


def test_tiny_html_falls_back_to_the_baseline_extractor(tmp_path: Path) -> None:
    source = read_document(write(tmp_path, "a.html", "<p>OpenAI pays $30B.</p>")).source
    assert source.text == "OpenAI pays $30B."


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b" \n\t\n ", "empty file"),
        ("header-only.txt", b"Title: x\n---\n\n", "no text after the header"),
        ("nul.txt", b"abc\x00def" * 10, "binary file"),
        ("fake.txt", b"%PDF-1.7\n" + bytes(range(256)), "binary file"),
        ("controls.txt", bytes(range(1, 9)) * 50, "binary file"),
        ("latin1.txt", "Crédit de 30 milliards".encode("latin-1"), "not valid UTF-8"),
        ("scripts.html", b"<html><body><script>var x = 1;</script></body></html>", "no readable"),
        ("images.html", b"<html><body><img src='a.png'></body></html>", "no readable text"),
        ("report.pdf", b"%PDF-1.7", "unsupported file type '.pdf'"),
        ("noext", b"text", "unsupported file type"),
    ],
)
def test_bad_input_gets_a_clear_reason(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = write(tmp_path, name, data)
    with pytest.raises(DocumentError) as caught:
        read_document(path)
    assert reason in caught.value.reason
    assert str(path) in str(caught.value)


def test_size_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", ENGLISH * 100)
    with pytest.raises(DocumentError, match="over the"):
        read_document(path, max_bytes=1000)
    assert read_document(path, max_bytes=len(ENGLISH) * 100).text


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "u16.txt", ENGLISH.encode("utf-16"))
    assert read_document(path).text == ENGLISH


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2025-09-23", "2025-09-23"),
        ("2025-09-23T10:00:00Z", "2025-09-23"),
        ("2025-09", "2025-09"),
        ("2025", "2025"),
        ("23/09/2025", "2025-09-23"),
        ("23 septembre 2025", "2025-09-23"),
        ("mardi 1er avril 2025", "2025-04-01"),
        ("September 23, 2025", "2025-09-23"),
        ("Sept. 3, 2025", "2025-09-03"),
        ("janvier 2025", "2025-01"),
        ("31/02/2025", None),
        ("yesterday", None),
        ("2025-13-01", None),
    ],
)
def test_parse_date(written: str, expected: str | None) -> None:
    assert parse_date(written) == expected


@given(st.text())
def test_normalisation_is_idempotent(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once


@settings(deadline=None)  # the first example loads the language model
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1))
def test_any_text_file_either_reads_or_fails_cleanly(text: str) -> None:
    if not normalise_text(text).strip():
        with pytest.raises(DocumentError, match=r"empty file|binary"):
            parse_document(text.encode("utf-8"), suffix=".txt", name="x.txt")
        return
    try:
        document = parse_document(text.encode("utf-8"), suffix=".txt", name="x.txt")
    except DocumentError as error:
        reason = error.reason
        assert reason.startswith(("binary file", "no text after the header"))
    else:
        assert document.text.strip()
        assert document.source.id == text_id(document.text)


# -- hostile documents (issue 15, items 2, 4 and 6) -------------------------------------------

HOSTILE = Path(__file__).parents[1] / "fixtures" / "hostile" / "documents"


@pytest.mark.parametrize("name", sorted(p.name for p in HOSTILE.glob("*.html")))
def test_code_in_html_never_reaches_the_text(name: str) -> None:
    """Scripts, styles, templates, widgets and comments, in any case, namespace or nesting."""
    text = read_document(HOSTILE / name).text
    assert "30 billion dollars" in text
    assert "LEAKED" not in text
    assert "b()" not in text


def test_a_nul_byte_anywhere_makes_a_binary_file(tmp_path: Path) -> None:
    data = (ENGLISH + "\n").encode() * 80 + b"\x00tail"  # the NUL well after the first 8 KiB
    assert data.index(b"\x00") > 8192
    with pytest.raises(DocumentError, match="binary file, not text \\(a NUL character at"):
        read_document(write(tmp_path, "late.txt", data))


def test_special_files_are_refused_without_reading_or_waiting(tmp_path: Path) -> None:
    import os
    import threading

    (tmp_path / "zero.txt").symlink_to("/dev/zero")  # endless: size 0, never read
    with pytest.raises(DocumentError, match="not a regular file \\(a character device\\)"):
        read_document(tmp_path / "zero.txt")
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []
    reader = threading.Thread(target=lambda: _catch(outcome, fifo))
    reader.start()
    reader.join(timeout=30)
    if reader.is_alive():  # it blocked on open: release it, then fail
        with open(fifo, "wb"):
            pass
        reader.join()
        pytest.fail("reading a FIFO blocked")
    assert "not a regular file (a FIFO)" in str(outcome[0])


def _catch(outcome: list[BaseException], path: Path) -> None:
    try:
        read_document(path)
    except DocumentError as error:
        outcome.append(error)


def test_long_header_lines_are_read_in_linear_time(tmp_path: Path) -> None:
    """A 60 KB header line with a run of spaces inside its value once took 26 s (a quadratic
    regular expression): a 3 MB one would take days. Header lines longer than 2,000 characters
    end the header unread, and no regular expression backtracks over a line. Runs in a child
    with a deadline, so that a regression fails instead of hanging."""
    import subprocess
    import sys

    line = "Title: a" + " " * 3_000_000 + "x"
    path = write(tmp_path, "long.txt", f"{line}\n---\n{ENGLISH}\n")
    short = write(tmp_path, "short.txt", "Title: a" + " " * 1500 + "x\n---\n" + ENGLISH + "\n")
    code = ("import sys; from pathlib import Path; from stargate.evidence.documents import "
            "read_document; print(read_document(Path(sys.argv[1])).source.title)")  # fmt: skip
    # the long file has no header and no short first line: no title
    for file, title in ((path, "None"), (short, "a" + " " * 1500 + "x")):
        done = subprocess.run([sys.executable, "-c", code, str(file)], capture_output=True,
                              text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == title
    header, body = split_header(f"{line}\n---\n{ENGLISH}")
    assert header == {}  # too long to be a header line: the whole text is the body
    assert body.startswith("Title:")
    assert split_header("Title:   spaced out   \n---\nbody") == ({"Title": "spaced out"}, "body")


def test_display_names_of_documents_never_carry_escapes(tmp_path: Path) -> None:
    path = write(tmp_path, "a\x1b[31m.txt", "")
    with pytest.raises(DocumentError) as caught:
        read_document(path)
    assert "\x1b" not in str(caught.value)
    assert "a\\x1b[31m.txt" in str(caught.value)
