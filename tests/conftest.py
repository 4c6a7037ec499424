"""Shared fixtures: a real PostgreSQL server on loopback for the session, and a fresh store URL
per test on SQLite and on PostgreSQL (the same tests run against both).

The server comes from Debian's ``postgresql`` package (``make test`` installs it when missing).
Set ``STARGATE_TEST_POSTGRES=skip`` to run only the SQLite half locally.

The suite runs in its own data directory: before anything else, ``XDG_DATA_HOME`` and
``STARGATE_DATABASE_URL`` point into a temporary folder (removed at exit), so no test, in this
process or in a command it starts, creates or touches the user's own store
(``~/.local/share/stargate``). ``tests/test_data_dir.py`` proves it.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from platformdirs import user_data_dir

USER_DATA_DIR = Path(user_data_dir("stargate", appauthor=False))
"""The user's own data directory, as it was before the suite moved the default elsewhere."""
USER_DATA_EXISTED = USER_DATA_DIR.exists()
SUITE_DATA = Path(tempfile.mkdtemp(prefix="stargate-suite-data-"))
atexit.register(shutil.rmtree, SUITE_DATA, ignore_errors=True)
os.environ["XDG_DATA_HOME"] = str(SUITE_DATA / "xdg")
os.environ["STARGATE_DATABASE_URL"] = f"sqlite:///{SUITE_DATA / 'default.sqlite'}"

import pytest  # noqa: E402 - after the environment is set, as everything below
from sqlalchemy import create_engine, text  # noqa: E402

from stargate.ledger.store import Store  # noqa: E402


def _pg_bindir() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """A throw-away PostgreSQL cluster in a temporary directory, listening on 127.0.0.1 only."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="stargate-pg-"))
        self.data = self.root / "data"
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user is not None:
            shutil.chown(self.root, user=self.user)
            self.root.chmod(0o700)

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            check=True,
            capture_output=True,
            text=True,
            user=self.user,
            cwd=self.root,
        )

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "stargate", "-A", "trust", "-E", "UTF8")
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"),
                  "-w", "start")  # fmt: skip

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://stargate@127.0.0.1:{self.port}/{database}"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    if os.environ.get("STARGATE_TEST_POSTGRES") == "skip":
        pytest.skip("STARGATE_TEST_POSTGRES=skip")
    bindir = _pg_bindir()
    if bindir is None:
        pytest.fail("PostgreSQL server binaries not found; run `make test`, which installs them")
    server = PostgresServer(bindir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _fresh_pg_database(server: PostgresServer) -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.url(name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty store, once on SQLite and once on the real PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
    else:
        yield from _fresh_pg_database(request.getfixturevalue("postgres"))


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened
