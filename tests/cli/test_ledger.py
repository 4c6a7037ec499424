"""The ``stargate`` command end to end: init, ingest (good, bad, twice, concurrent, killed),
the read commands and their JSON, and the generated CLI reference."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from stargate.cli import app
from stargate.evidence import pipeline
from stargate.evidence.entities import load_gazetteer
from stargate.evidence.ingest import bundled_corpus
from stargate.ledger.store import Store

ENGLISH = "OpenAI signed a {n} GW deal with Oracle worth {n} billion dollars a year, said Altman."


def run(url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--db", url, *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def make_corpus(folder: Path, count: int, size: int = 1) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        body = "\n".join(ENGLISH.format(n=n * 1000 + k) for k in range(size))
        (folder / f"doc{n:04d}.txt").write_text(f"Title: Doc {n}\n---\n{body}\n", encoding="utf-8")
    return folder


def test_init_loads_gazetteer_and_corpus_and_is_idempotent(store_url: str) -> None:
    code, stdout, _ = run(store_url, "init", "--json")
    assert code == 0
    report = json.loads(stdout)
    assert report["entities_added"] > 30
    assert [d["outcome"] for d in report["documents"]] == ["added"] * len(bundled_corpus())
    assert report["curated"]["claims_added"] > 200
    assert report["curated"]["deals_added"] > 40
    code, stdout, _ = run(store_url, "init", "--json")
    again = json.loads(stdout)
    assert again["entities_added"] == 0
    assert {d["outcome"] for d in again["documents"]} == {"unchanged"}
    assert {again["curated"][k] for k in ("sources_added", "claims_added", "deals_added",
                                          "links_added")} == {0}  # fmt: skip
    code, stdout, _ = run(store_url, "summary", "--json")
    summary = json.loads(stdout)
    curated_documents = report["curated"]["sources_added"]
    assert summary["sources"] == 5 + curated_documents
    assert summary["sources_by_language"] == {"fr": 5, "en": curated_documents}
    code, stdout, _ = run(store_url, "summary")
    assert code == 0
    assert "sources" in stdout
    assert "Claims by kind" in stdout


def test_directory_with_good_and_bad_files(store_url: str, tmp_path: Path) -> None:
    folder = make_corpus(tmp_path / "in", 3)
    bad = {
        "empty.txt": b"",
        "binary.txt": b"\x00\x01\x02" * 100,
        "latin1.md": "Accord de 30 milliards à Abilene".encode("latin-1"),
        "script.html": b"<html><body><script>alert(1)</script></body></html>",
        "big.txt": b"x" * 2000,
        "photo.png": b"\x89PNG\r\n\x1a\n",
    }
    for name, data in bad.items():
        (folder / name).write_bytes(data)
    (folder / ".hidden.txt").write_bytes(b"\x00")
    code, stdout, stderr = run(store_url, "ingest", "--max-bytes", "1500", str(folder))
    assert code == 1
    error_lines = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(error_lines) == len(bad)
    for name in bad:
        assert sum(name in line for line in error_lines) == 1
    assert "3 added, 0 unchanged, 6 failed" in stdout
    with Store.open(store_url) as store:
        assert sorted(Path(s.path or "").name for s in store.sources()) == [
            "doc0000.txt",
            "doc0001.txt",
            "doc0002.txt",
        ]


def test_only_bad_files_leave_the_store_exactly_as_it_was(store_url: str, tmp_path: Path) -> None:
    run(store_url, "init")
    with Store.open(store_url) as store:
        before = store.table_counts()
    (tmp_path / "empty.txt").write_bytes(b"")
    code, _, stderr = run(store_url, "ingest", str(tmp_path / "empty.txt"), str(tmp_path / "nope"))
    assert code == 1
    assert "no such file or directory" in stderr
    with Store.open(store_url) as store:
        assert store.table_counts() == before


def test_ingesting_twice_adds_nothing_and_says_so(store_url: str, tmp_path: Path) -> None:
    folder = make_corpus(tmp_path / "in", 2)
    assert run(store_url, "ingest", str(folder))[0] == 0
    code, stdout, _ = run(store_url, "ingest", "--json", str(folder))
    assert code == 0
    results = json.loads(stdout)
    assert [r["outcome"] for r in results] == ["unchanged", "unchanged"]
    assert all("already in the store" in r["message"] for r in results)


def test_read_commands_have_json(store_url: str) -> None:
    run(store_url, "init")
    for command in ("sources", "entities", "claims", "summary"):
        code, stdout, _ = run(store_url, command, "--json")
        assert code == 0, command
        json.loads(stdout)
    code, stdout, _ = run(store_url, "entities", "--json")
    names = {e["name"]: e for e in json.loads(stdout)}
    assert names["Sam Altman"]["parent_id"] == "openai"
    code, _, stderr = run(store_url, "claims", "--entity", "Nobody Inc")
    assert code == 2
    assert "no entity called 'Nobody Inc'" in stderr
    code, _, _ = run(store_url, "claims", "--kind", "bogus")
    assert code == 2


def test_unreachable_database_is_a_clear_error() -> None:
    code, _, stderr = run("postgresql+psycopg://x@127.0.0.1:1/none", "summary")
    assert code == 2
    assert "cannot open the store" in stderr


def stargate(url: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "stargate", "--db", url, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )


@pytest.mark.slow
def test_two_ingest_processes_on_one_sqlite_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    first = make_corpus(tmp_path / "a", 40)
    second = tmp_path / "b"
    second.mkdir()
    for n, path in enumerate(sorted(first.iterdir())):
        if n % 2 == 0:  # half the files are shared, so both writers race on them
            (second / path.name).write_bytes(path.read_bytes())
    for n in range(40, 60):
        (second / f"doc{n:04d}.txt").write_text(ENGLISH.format(n=n), encoding="utf-8")
    processes = [stargate(url, "ingest", str(first)), stargate(url, "ingest", str(second))]
    outputs = [p.communicate(timeout=120) for p in processes]
    for process, (stdout, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, f"stdout:\n{stdout[-2000:]}\nstderr:\n{stderr[-2000:]}"
    with Store.open(url) as store:
        assert len(store.sources()) == 60


@pytest.mark.slow
def test_killed_ingest_leaves_the_store_intact(store_url: str, tmp_path: Path) -> None:
    folder = make_corpus(tmp_path / "in", 80, size=25)
    process = stargate(store_url, "ingest", str(folder))
    assert process.stdout is not None
    seen = 0
    deadline = time.monotonic() + 120
    while seen < 5 and time.monotonic() < deadline:
        if process.stdout.readline().startswith("added"):
            seen += 1
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    assert seen == 5
    entities = load_gazetteer()
    with Store.open(store_url) as store:
        stored = store.sources()
        assert 5 <= len(stored) < 80
        claims = store.claims()
        for source in stored:  # every stored document is whole, with all of its claims
            expected = (folder / Path(source.path or "").name).read_text(encoding="utf-8")
            assert expected.split("---\n", 1)[1].rstrip("\n") == source.text
            mine = [c for c in claims if c.claim.source_id == source.id]
            assert len(mine) == len(pipeline.extract_source(source, entities).claims) > 0
        if store.engine.dialect.name == "sqlite":
            with store.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert run(store_url, "ingest", str(folder))[0] == 0
    with Store.open(store_url) as store:
        assert len(store.sources()) == 80
