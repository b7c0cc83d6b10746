"""Alembic environment: migrate the connection `upgrade_schema` passes in, or the configured database.

`upgrade_schema` hands over a connection that already holds the migration lock and an open
transaction; the migrations then run inside that transaction. From the Alembic CLI the
database is `-x url=...`, else `sqlalchemy.url`, else `GAIBAO_DATABASE_URL`, else the
default SQLite file, and the same lock is taken. Logging is left to the host application.
"""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import context
from sqlalchemy.engine import Connection

try:
    import gaibao_pipeline  # noqa: F401
except ImportError:  # the Alembic CLI run from a checkout that is not installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from gaibao_pipeline.db.engine import database_url_from_env, make_engine
from gaibao_pipeline.db.migrate import migration_connection
from gaibao_pipeline.db.schema import metadata


def _url() -> str:
    return (
        context.get_x_argument(as_dictionary=True).get("url")
        or context.config.get_main_option("sqlalchemy.url")
        or database_url_from_env()
    )


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with migration_connection(engine) as conn:
            _run(conn)
    finally:
        engine.dispose()


def run_offline() -> None:
    """`alembic upgrade head --sql`: print the DDL for review instead of running it."""
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
