"""Where the store lives, how to connect to it, and how its schema is migrated.

The default store is SQLite in the user data directory (platformdirs), in WAL mode. Any
SQLAlchemy URL works through ``--db`` or ``STARGATE_DATABASE_URL``; PostgreSQL is tested with
``postgresql+psycopg://``. Write transactions on SQLite start with ``BEGIN IMMEDIATE`` so two
writers queue on the busy timeout instead of failing on a lock upgrade.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

if TYPE_CHECKING:
    from alembic.config import Config

from stargate.ledger.errors import DatabaseError

ENV_VAR: Final = "STARGATE_DATABASE_URL"
BUSY_TIMEOUT_S: Final = 60.0
MIGRATIONS: Final = Path(__file__).parent / "migrations"
WRITE_OPTION: Final = "stargate_write"
SCHEMA_REVISION: Final = "0006"
"""The newest migration's revision (a test holds it to Alembic's head). A store already at it
opens without importing Alembic, which keeps every command's start fast."""


def default_path() -> Path:
    """The embedded store: ``stargate.sqlite`` in the user data directory."""
    return Path(user_data_dir("stargate", appauthor=False)) / "stargate.sqlite"


def resolve_url(db: str | os.PathLike[str] | None = None) -> str:
    """The database URL: ``db`` (a URL or a SQLite path), else the environment, else default."""
    if db is None:
        db = os.environ.get(ENV_VAR) or None
    if db is None:
        return f"sqlite:///{default_path()}"
    db = os.fspath(db)
    if "://" in db:
        try:
            make_url(db)
        except ArgumentError as error:
            raise DatabaseError(f"not a database URL: {db!r} ({error})") from None
        return db
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def describe(url: str) -> str:
    """The URL with any password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def connect(url: str, *, foreign_keys: bool = True) -> Engine:
    """An engine for ``url``; SQLite files get their directory, WAL, foreign keys, busy timeout.

    ``foreign_keys=False`` is for migrations only: SQLite rebuilds a table to change it (copy,
    drop, rename), which its foreign-key checks would refuse; the migration checks the keys
    itself before it commits."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        try:
            return create_engine(url, pool_pre_ping=True)
        except (ArgumentError, NoSuchModuleError, ImportError) as error:
            raise DatabaseError(f"cannot use the database URL {describe(url)}: {error}") from None
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def writer(engine: Engine) -> Engine:
    """The same engine, marked so that its transactions take the write lock up front."""
    return engine.execution_options(**{WRITE_OPTION: True})


def _alembic_config(connection: Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(None))  # type: ignore[arg-type]
    head = script.get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise DatabaseError("no migrations found")
    return head


def current_revision(engine: Engine) -> str | None:
    """The store's schema revision (None for an empty database), read without Alembic."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine) -> bool:
    """Bring the schema to the newest revision; returns whether anything was applied.

    Concurrent callers serialise: SQLite through ``BEGIN IMMEDIATE``, PostgreSQL through a
    transaction-scoped advisory lock. The loser then finds the schema current and does nothing.
    """
    if current_revision(engine) == SCHEMA_REVISION:
        return False
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    head = head_revision()
    sqlite = engine.dialect.name == "sqlite"
    url = engine.url.render_as_string(hide_password=False)
    target = connect(url, foreign_keys=False) if sqlite else engine
    try:
        with writer(target).begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(7375011)"))
            before = MigrationContext.configure(connection).get_current_revision()
            if before == head:
                return False
            command.upgrade(_alembic_config(connection), "head")
            if sqlite and (broken := connection.exec_driver_sql("PRAGMA foreign_key_check").all()):
                raise DatabaseError(f"migration left {len(broken)} broken foreign keys")
    finally:
        if target is not engine:
            target.dispose()
    return True
