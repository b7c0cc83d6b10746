"""Where the database is and how to connect to it: SQLite by default, PostgreSQL by URL.

SQLite is set up for several processes writing one file (Dagster runs one process per
step): WAL so readers never block the writer, a busy timeout so writers queue instead of
failing, foreign keys on, and transactions begun by SQLAlchemy rather than by the `sqlite3`
module, whose legacy mode runs DDL and SELECTs outside any transaction.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine

from gaibao_pipeline.errors import ConfigError, SetupError

ENV_VAR = "GAIBAO_DATABASE_URL"
DEFAULT_SQLITE_PATH = Path("data") / "gaibao.sqlite"
SQLITE_BUSY_TIMEOUT_MS = 60_000
# Seconds to wait for a PostgreSQL server to answer: a wrong host or a dropped port fails
# within this, not after the operating system's own minutes-long TCP timeout.
CONNECT_TIMEOUT_SECONDS = 10
URL_FORMS = "sqlite:///PATH or postgresql+psycopg2://USER[:PASSWORD]@HOST[:PORT]/DATABASE"

# Execution option read by the SQLite "begin" hook: BEGIN IMMEDIATE takes the write lock
# up front. A deferred transaction that reads first and writes later fails at once with
# SQLITE_BUSY (the busy timeout does not apply) when another writer got in between.
_IMMEDIATE = "gaibao_sqlite_immediate"


def database_url_from_env(environ: Mapping[str, str] | None = None) -> str:
    """`GAIBAO_DATABASE_URL`, else a SQLite file `data/gaibao.sqlite` under the current directory.

    Read at call time, so tests and the CLI can set the variable after import.
    """
    env = os.environ if environ is None else environ
    url = env.get(ENV_VAR, "").strip()
    if url:
        return url
    return f"sqlite:///{(Path.cwd() / DEFAULT_SQLITE_PATH).as_posix()}"


def json_dumps(value: Any) -> str:
    """JSON for the database: keys sorted so the same value is stored as the same text."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def jsonable(value: Any) -> Any:
    """`value` as plain JSON data: tuples as lists, keys as strings, other objects as text.

    Check details come from the parser and may hold tuples or Decimals; NaN is not JSON
    (PostgreSQL rejects it). Normalising here keeps a load from failing on a detail.
    """
    try:
        # The C encoder and decoder do the common case (str/int/float/list/tuple/dict of those)
        # many times faster than the walk below, which a report's details made the largest
        # cost of building its rows.
        return json.loads(json.dumps(value, ensure_ascii=False, allow_nan=False))
    except (TypeError, ValueError):  # a Decimal or another object, NaN or infinity
        return _walk(value)


def _walk(value: Any) -> Any:
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    # Details nest thousands of plain strings and ints: those are kept without a call each
    # (loading spent more time here than in SQL).
    if isinstance(value, Mapping):
        return {str(k): v if type(v) in _PLAIN else _walk(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [v if type(v) in _PLAIN else _walk(v) for v in value]
    return str(value)


_PLAIN = frozenset({str, int, bool, type(None)})  # returned unchanged by `jsonable`


def redact(url: str) -> str:
    """A database URL safe to print and log (password hidden)."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<unparseable database URL>"


def parse_database_url(url: str, setting: str = f"{ENV_VAR} or --database-url") -> URL:
    """The URL, checked: a `ConfigError` naming `setting` when it is not one SQLAlchemy can use."""
    try:
        parsed = _normalise_url(url)
        parsed.get_dialect().import_dbapi()  # the backend and its driver are installed
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ValueError, ImportError) as exc:
        shown = redact(url) if "@" in url else url
        raise ConfigError(f"database URL {shown!r} ({setting}): {exc}; expected {URL_FORMS}") from None
    return parsed


def _normalise_url(url: str) -> URL:
    parsed = sa.make_url(url)
    # SQLAlchemy 2.1 maps a bare `postgresql://` to psycopg 3; the project ships psycopg2.
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg2")
    return parsed


def _sqlite_file(url: URL) -> Path | None:
    """The database file of a SQLite URL, or None for an in-memory database."""
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def make_engine(url: str | None = None, *, create: bool = True) -> Engine:
    """An engine for `url` (default: `database_url_from_env()`), SQLite or PostgreSQL.

    `create`: make the folder of a SQLite file (a database to write); a reader passes False.
    """
    parsed = _normalise_url(url or database_url_from_env())
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, create)
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    return sa.create_engine(parsed, json_serializer=json_dumps, pool_pre_ping=True, connect_args=connect_args)


def database_problem(exc: BaseException) -> str:
    """One line saying what the database answered (the driver's message, not SQLAlchemy's chain)."""
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).strip().splitlines() if line.strip()]
    # the driver's first line says it: 'connection to server at "h", port 5433 failed: Connection
    # refused', '... FATAL:  database "x" does not exist', 'unable to open database file'
    return " ".join(lines[0].split())[:300] if lines else type(orig).__name__


def open_database(url: str, *, write: bool, setting: str = f"{ENV_VAR} or --database-url") -> Engine:
    """An engine on `url` that has answered: a `SetupError` in one line when it cannot be used.

    A reader (`write=False`) never creates anything: a SQLite file that does not exist yet is
    "no database yet", not an empty file and folder made for it. A writer's database must
    also take a write (a read-only file or folder fails here, not in the middle of a run).
    """
    parsed = parse_database_url(url, setting)
    path = _sqlite_file(parsed) if parsed.get_backend_name() == "sqlite" else None
    if path is not None and not write and not path.expanduser().is_file():
        raise SetupError(f"no database at {path} yet: run `gaibao run` first")
    engine = make_engine(url, create=write)
    try:
        if write:
            with write_transaction(engine):
                pass
        else:
            with engine.connect():
                pass
    except (sa.exc.SQLAlchemyError, OSError) as exc:
        engine.dispose()
        doing = "cannot write to" if write else "cannot connect to"
        raise SetupError(f"{doing} the database {redact(url)}: {database_problem(exc)}") from exc
    return engine


def _sqlite_engine(url: URL, create: bool = True) -> Engine:
    path = _sqlite_file(url)
    if path is not None and create:
        try:
            path.expanduser().parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SetupError(f"cannot create the database folder {path.parent}: {exc.strerror}") from exc
    engine = sa.create_engine(
        url,
        json_serializer=json_dumps,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
    )
    wal = path is not None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN (below); sqlite3 would otherwise autocommit DDL.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            # The timeout first, so that switching to WAL waits for a concurrent writer.
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if wal:
                _switch_to_wal(cursor, SQLITE_BUSY_TIMEOUT_MS / 1000)
                # NORMAL is durable against crashes in WAL mode; FULL only adds power-loss safety.
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _switch_to_wal(cursor: sqlite3.Cursor, timeout_s: float) -> None:
    """Put the database file in WAL mode, waiting up to `timeout_s` for a concurrent writer.

    Switching needs the exclusive lock. While another connection holds the write lock,
    SQLite answers SQLITE_BUSY at once instead of calling the busy handler (waiting could
    deadlock), so the busy timeout does not apply: parallel Dagster steps opening a new
    database while one of them migrates it failed with "database is locked". Retry until
    that writer commits. Once one connection has switched, the mode is stored in the file.
    """
    deadline = time.monotonic() + timeout_s
    delay = 0.002
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if not _is_lock_error(error) or time.monotonic() >= deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


def _is_lock_error(error: sqlite3.OperationalError) -> bool:
    # the primary result code: extended codes such as SQLITE_BUSY_RECOVERY keep it in the low byte
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF
    return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def begin_immediate(conn: Connection) -> None:
    """Make this connection's transactions take the SQLite write lock at BEGIN (no-op elsewhere)."""
    if conn.dialect.name == "sqlite":
        conn.execution_options(**{_IMMEDIATE: True})


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction meant to write: committed on success, rolled back on error.

    On SQLite the write lock is taken at BEGIN, so concurrent writers wait their turn
    (busy timeout) instead of failing half-way.
    """
    with engine.connect() as conn:
        begin_immediate(conn)
        with conn.begin():
            yield conn


def id_chunks(ids: Iterable[str], size: int = 900) -> list[list[str]]:
    """`ids` sorted, in lists short enough for one `IN (...)`: SQLite caps a statement's parameters."""
    ordered = sorted(ids)
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]
