"""Ingest never lets one input end the batch (issue 15, items 2 and 3), on SQLite and on a real
PostgreSQL server: hostile file names, FIFOs, link loops, unreadable folders, NUL bytes, numbers
beyond every domain, and four processes ingesting overlapping corpora at once."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from stargate.cli import app
from stargate.evidence.documents import display_name
from stargate.evidence.ingest import Outcome, expand, ingest
from stargate.ledger.store import Store

HOSTILE = Path(__file__).parents[1] / "fixtures" / "hostile" / "documents"
GOOD = "OpenAI signed a {n} GW deal with Oracle worth {n} billion dollars a year, said Altman."
ESCAPES = "evil\x1b[2J\x1b]0;pwned\x07\u202etxt.exe.txt"


def run(url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--db", url, *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def good_files(folder: Path, count: int) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"good{n}.txt").write_text(GOOD.format(n=n + 1), encoding="utf-8")
    return [f"good{n}.txt" for n in range(count)]


def hostile_folder(folder: Path) -> dict[str, str]:
    """A folder of hostile entries; returns each entry's printed name and the reason expected."""
    expected: dict[str, str] = {}
    raw = os.fsencode(folder) + b"/caf\xe9-latin1-name.txt"  # a name that is not UTF-8
    with open(raw, "wb") as handle:
        handle.write(b"OpenAI will pay Oracle 30 billion dollars, said Altman (Latin-1 name).")
    (folder / ESCAPES).write_text("A 2 GW deal for Oracle, said OpenAI (escaped name).")
    os.mkfifo(folder / "pipe.txt")
    expected["pipe.txt"] = "not a regular file (a FIFO)"
    (folder / "loop-a.txt").symlink_to("loop-b.txt")
    (folder / "loop-b.txt").symlink_to("loop-a.txt")
    expected["loop-a.txt"] = "symbolic link loop"
    expected["loop-b.txt"] = "symbolic link loop"
    (folder / "dangling.txt").symlink_to("nowhere.txt")
    expected["dangling.txt"] = "broken symbolic link"
    (folder / "sub").mkdir()
    (folder / "sub" / "back").symlink_to("..")
    expected["back"] = "symbolic link loop (a folder that contains itself)"
    late_nul = b"OpenAI and Oracle. " * 500 + b"\x00" + b" More text."  # NUL after 8 KiB
    (folder / "late-nul.txt").write_bytes(late_nul)
    expected["late-nul.txt"] = "binary file, not text (a NUL character at 9500)"
    for name in ("huge-amounts.txt", "head-and-body.html", "title-escapes.txt"):
        shutil.copy(HOSTILE / name, folder / name)
    return expected


def test_hostile_entries_are_reported_and_never_end_the_batch(
    store_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    good = good_files(folder, 3)
    expected = hostile_folder(folder)
    code, stdout, stderr = run(store_url, "ingest", "--no-extract", str(folder))
    assert code == 1
    assert "\x1b" not in stdout + stderr
    assert "\x07" not in stdout + stderr
    assert "\u202e" not in stdout + stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == len(expected), stderr
    for name, reason in expected.items():
        assert sum(name in line and reason in line for line in errors) == 1, (name, stderr)
    added = [line for line in stdout.splitlines() if line.startswith("added")]
    for name in (*good, "huge-amounts.txt", "head-and-body.html", "title-escapes.txt"):
        assert sum(f"/{name} as " in line for line in added) == 1, (name, stdout)
    assert sum("caf\\xe9-latin1-name.txt as " in line for line in added) == 1, stdout
    escaped = "evil\\x1b[2J\\x1b]0;pwned\\x07\\u202etxt.exe.txt"
    assert sum(escaped in line for line in added) == 1, stdout
    assert f"{len(good) + 5} added, 0 unchanged, {len(expected)} failed" in stdout
    with Store.open(store_url) as store:
        paths = {Path(s.path or "").name for s in store.sources()}
        titles = {s.title for s in store.sources()}
    assert "caf\\xe9-latin1-name.txt" in paths
    assert escaped in paths
    assert any("\x1b" in (t or "") for t in titles)  # stored as written: escaped only in print
    code, stdout, _ = run(store_url, "sources")
    assert code == 0
    assert "\x1b" not in stdout
    code, stdout, _ = run(store_url, "ingest", "--json", "--no-extract", str(folder))
    results = json.loads(stdout)  # JSON output escapes control characters itself
    assert {r["outcome"] for r in results} == {"unchanged", "failed"}


def test_figures_beyond_every_domain_are_skipped_with_a_warning(
    store_url: str, tmp_path: Path
) -> None:
    """$1e29 and beyond once ended a PostgreSQL ingest with a traceback (NUMERIC(38, 9)); a
    4,500-digit number poisoned every later read. Now each such figure is skipped, named in a
    warning, and the document's other claims go in."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(HOSTILE / "huge-amounts.txt", folder)
    digits = "9" * 4500
    (folder / "digits.txt").write_text(
        f"OpenAI will pay Oracle ${digits} for compute, said Altman. OpenAI signed a 4.5 GW "
        "deal with Oracle worth 30 billion dollars a year, said Altman.",
        encoding="utf-8",
    )  # fmt: skip
    code, stdout, stderr = run(store_url, "ingest", str(folder))
    assert code == 0, stderr
    warnings = [line for line in stderr.splitlines() if line.startswith("warning:")]
    assert any("digits.txt: skipped a figure at characters" in w for w in warnings), stderr
    assert any("huge-amounts.txt: skipped a figure" in w for w in warnings), stderr
    assert all(len(w) < 400 for w in warnings)  # never the 4,500 digits
    code, stdout, _ = run(store_url, "claims", "--json")
    assert code == 0
    claims = json.loads(stdout)
    amounts = {c["amount"] for c in claims if c["unit"] == "USD"}
    assert 30e9 in amounts
    assert all(abs(a) <= 1e15 for a in amounts)


def test_a_fifo_or_a_missing_path_given_directly(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    found = list(expand([tmp_path / "pipe.txt", tmp_path / "nope.txt", "/dev/null"]))
    assert [reason for _, reason in found] == [
        "not a regular file (a FIFO)", "no such file or directory",
        "not a regular file (a character device)",
    ]  # fmt: skip


def test_the_walk_is_in_name_order_and_follows_links_to_folders(tmp_path: Path) -> None:
    good_files(tmp_path / "b", 2)
    good_files(tmp_path / "a" / "deep", 1)
    (tmp_path / "a" / "z.txt").write_text("z")
    (tmp_path / "c").symlink_to(tmp_path / "b")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.txt").write_text("x")
    found = [path.relative_to(tmp_path).as_posix() for path, _ in expand([tmp_path])]
    assert found == ["a/deep/good0.txt", "a/z.txt", "b/good0.txt", "b/good1.txt",
                     "c/good0.txt", "c/good1.txt"]  # fmt: skip


def test_deep_folders_need_no_recursion(tmp_path: Path) -> None:
    levels = [tmp_path / "deep"]
    for _ in range(1100):  # deeper than Python's recursion limit
        levels.append(levels[-1] / "d")
    for level in levels:
        level.mkdir()
    (levels[-1] / "x.txt").write_text("x")
    try:
        assert [reason for _, reason in expand([tmp_path / "deep"])] == [None]
    finally:  # shutil.rmtree recurses: take the tree down level by level
        (levels[-1] / "x.txt").unlink()
        for level in reversed(levels):
            level.rmdir()


def test_display_names_are_safe() -> None:
    assert display_name(os.fsdecode(b"caf\xe9.txt")) == "caf\\xe9.txt"
    assert display_name("a\x1b[31mb\nc\u202ed.txt") == "a\\x1b[31mb\\nc\\u202ed.txt"
    assert display_name("\ud800.txt") == "\\ud800.txt"
    assert display_name("plain/été.txt") == "plain/été.txt"


def _without_root_file_access() -> None:
    """In the child, before exec: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the
    capability bounding set (prctl PR_CAPBSET_DROP), so that even root obeys a folder's mode."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_an_unreadable_folder_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    good_files(folder, 2)
    locked = folder / "locked"
    locked.mkdir()
    (locked / "secret.txt").write_text("OpenAI pays Oracle $1 billion.")
    locked.chmod(0)
    try:
        command = [sys.executable, "-m", "stargate", "--db", str(tmp_path / "store.sqlite"),
                   "ingest", "--no-extract", str(folder)]  # fmt: skip
        drop = _without_root_file_access if os.geteuid() == 0 else None
        done = subprocess.run(command, capture_output=True, text=True, timeout=120,
                              preexec_fn=drop)  # fmt: skip
    finally:
        locked.chmod(0o700)
    assert done.returncode == 1, done.stderr
    assert "locked: cannot read the folder: Permission denied" in done.stderr
    assert "2 added, 0 unchanged, 1 failed" in done.stdout


def test_an_extractor_bug_fails_one_file_only(store_url: str, tmp_path: Path) -> None:
    good_files(tmp_path / "in", 3)

    def extractor(source):  # type: ignore[no-untyped-def]
        if "2 GW" in source.text:
            raise RuntimeError("boom")
        return (), (), ()

    with Store.open(store_url) as store:
        results = ingest(store, [tmp_path / "in"], extractor=extractor)
    assert [r.outcome for r in results] == [Outcome.ADDED, Outcome.FAILED, Outcome.ADDED]
    assert "unexpected error (a bug, please report it): RuntimeError('boom')" in results[1].message


# -- concurrent ingest on PostgreSQL (item 3) ---------------------------------------------------

ORGS = ("Acme Cloud", "Borealis Compute", "Cirrus Power", "Dynamo Chips", "Everest Capital",
        "Fjord Data", "Gale Networks", "Halo Energy")  # fmt: skip


def corpus(folder: Path, numbers: list[int]) -> None:
    """Documents that share organisations the gazetteer does not know: each process mints the
    same entities and aliases at the same time."""
    folder.mkdir(parents=True)
    for n in numbers:
        a, b = ORGS[n % len(ORGS)], ORGS[(n + 3) % len(ORGS)]
        (folder / f"doc{n:02d}.txt").write_text(
            f"Title: Deal {n}\n---\n{a} signed a {n + 1} GW contract with {b} worth {n + 2} "
            f"billion dollars a year, said {a}. {b} will invest {n + 3} billion dollars in "
            f"{a}, the companies said.\n",
            encoding="utf-8",
        )


@pytest.mark.slow
def test_four_concurrent_ingests_on_postgresql(
    postgres: object, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from tests.conftest import _fresh_pg_database

    databases = _fresh_pg_database(postgres)  # type: ignore[arg-type]
    url = next(databases)
    request.addfinalizer(lambda: next(databases, None))
    documents = 12
    folders = []
    for k in range(4):  # each process reads 8 of the 12 documents; every one is read twice+
        folder = tmp_path / f"p{k}"
        corpus(folder, [(3 * k + i) % documents for i in range(8)])
        folders.append(folder)
    processes = [
        subprocess.Popen([sys.executable, "-m", "stargate", "--db", url, "ingest", str(folder)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for folder in folders
    ]  # fmt: skip
    outputs = [p.communicate(timeout=300) for p in processes]
    for process, (stdout, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, f"stdout:\n{stdout[-3000:]}\nstderr:\n{stderr[-3000:]}"
        assert "Traceback" not in stderr
    with Store.open(url) as store:
        sources = store.sources()
        assert len(sources) == documents
        assert len({s.id for s in sources}) == documents
        assert sorted(s.title for s in sources) == sorted(f"Deal {n}" for n in range(documents))
        claims = store.claims()
        assert {c.claim.source_id for c in claims} == {s.id for s in sources}
        minted = {e.name for e in store.entities()}
        assert len(set(ORGS) & minted) >= 4  # minted by several processes at once
        with store.engine.connect() as connection:
            duplicates = connection.exec_driver_sql(
                "SELECT entity_id, normalised, count(*) FROM aliases "
                "GROUP BY entity_id, normalised HAVING count(*) > 1"
            ).all()
        assert duplicates == []
