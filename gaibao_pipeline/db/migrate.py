"""Bring a database to the current schema by running the Alembic migrations shipped in the package.

Several Dagster steps may start at once and each call `upgrade_schema`; the migration runs
under a lock (SQLite: the write lock; PostgreSQL: an advisory lock per schema) and re-reads
the version inside it, so exactly one process migrates and the others find the work done.

Alembic is imported only when there is migrating to do: a database already at `HEAD_REVISION`
(every start but the first) is recognised by one plain query, which keeps Alembic's import
and its reading of the migration scripts (a fifth of a second) out of each command's start-up.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gaibao_pipeline.db.engine import (
    begin_immediate,
    database_problem,
    open_database,
    redact,
    write_transaction,
)
from gaibao_pipeline.errors import SetupError

if TYPE_CHECKING:
    from alembic.config import Config

# The newest migration in migrations/versions: a new migration changes it too
# (tests/db/test_migrations.py checks it is what Alembic finds).
HEAD_REVISION = "0008"

_HERE = Path(__file__).resolve().parent
ALEMBIC_INI = _HERE / "alembic.ini"
MIGRATIONS_DIR = _HERE / "migrations"

# Alembic publishes the running migration through module-level proxies (`alembic.context`,
# `alembic.op`), so two threads of one process must not migrate at the same time.
_PROCESS_LOCK = threading.Lock()


def alembic_config() -> Config:
    """The packaged Alembic configuration, with absolute paths so any working directory works."""
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest migration shipped with this version of the package, as Alembic reads it."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS_DIR}")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None for a database never migrated."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that holds the migration lock, committed on success."""
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations on SQLite copy a table and drop the old one; with foreign keys
            # on, the drop would cascade-delete child rows. The pragma is ignored inside a
            # transaction, so it is set on the raw connection before BEGIN.
            _sqlite_pragma(conn, "PRAGMA foreign_keys = OFF")
            begin_immediate(conn)
        try:
            with conn.begin():
                if not sqlite:
                    conn.execute(
                        sa.text(
                            "SELECT pg_advisory_xact_lock(hashtext(:key || coalesce(current_schema(), '')))"
                        ),
                        {"key": "gaibao_pipeline.migrate:"},
                    )
                yield conn
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration left rows with dangling foreign keys: {broken[:5]}")
        finally:
            if sqlite and not conn.invalidated:
                _sqlite_pragma(conn, "PRAGMA foreign_keys = ON")


def _sqlite_pragma(conn: Connection, pragma: str) -> None:
    # The driver connection is in autocommit mode (see engine.py); going through SQLAlchemy
    # would open a transaction first.
    driver = conn.connection.driver_connection
    assert driver is not None
    driver.execute(pragma)


def upgrade_schema(engine: Engine) -> None:
    """Run the migrations up to head. Safe to call repeatedly and from concurrent processes."""
    if _at_head(engine):
        return
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = alembic_config()
    script = ScriptDirectory.from_config(config)
    # Alembic's own reading of the version (several heads, a version `_at_head` doubted) still
    # costs no write lock when the database turns out to be at head.
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    if current == set(script.get_heads()):
        return
    unknown = current - {s.revision for s in script.walk_revisions()}
    if unknown:
        raise RuntimeError(
            f"the database schema is at revision {sorted(unknown)}, newer than this package's "
            f"migrations (head {script.get_heads()}): upgrade gaibao_pipeline instead"
        )
    with _PROCESS_LOCK, migration_connection(engine) as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def _at_head(engine: Engine) -> bool:
    """True when the database's one version row is `HEAD_REVISION`; any doubt says False.

    No table yet, an unreachable database, several heads: Alembic's path then decides (and an
    unreachable database fails there with its own error).
    """
    try:
        with engine.connect() as conn:
            versions = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    except sa.exc.DBAPIError:
        return False
    return versions == [HEAD_REVISION]


class _ProbeDone(Exception):
    """Rolls the write probe back."""


def ready_to_load(url: str, setting: str = "GAIBAO_DATABASE_URL or --database-url") -> Engine:
    """An engine on a database that answers, is at the current schema and takes writes.

    Checked before a run starts, so a database that cannot be reached, is read-only or lacks
    privileges is one line (`SetupError`) instead of a run that fails on its first load. The
    write probe changes nothing: it rewrites the schema version in place and rolls back.
    """
    engine = open_database(url, write=True, setting=setting)
    try:
        upgrade_schema(engine)
        with write_transaction(engine) as conn:
            conn.execute(sa.text("UPDATE alembic_version SET version_num = version_num"))
            raise _ProbeDone
    except _ProbeDone:
        return engine
    except (sa.exc.SQLAlchemyError, OSError) as exc:
        engine.dispose()
        raise SetupError(f"cannot write to the database {redact(url)}: {database_problem(exc)}") from exc
    except BaseException:
        engine.dispose()
        raise
