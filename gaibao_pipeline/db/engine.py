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

ENV_VAR = "GAIBAO_DATABASE_URL"
DEFAULT_SQLITE_PATH = Path("data") / "gaibao.sqlite"
SQLITE_BUSY_TIMEOUT_MS = 60_000

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


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url` (default: `database_url_from_env()`), SQLite or PostgreSQL."""
    parsed = _normalise_url(url or database_url_from_env())
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    return sa.create_engine(parsed, json_serializer=json_dumps, pool_pre_ping=True)


def _sqlite_engine(url: URL) -> Engine:
    path = _sqlite_file(url)
    if path is not None:
        path.expanduser().parent.mkdir(parents=True, exist_ok=True)
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
