"""Schema migrations and engines: Alembic to head on SQLite and PostgreSQL, repeatedly and
concurrently, from any working directory; the migrated schema equals `schema.py`; down and
up again; the database URL and SQLite connection settings; the packaged files.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import tomllib
from concurrent.futures import ProcessPoolExecutor
from fnmatch import fnmatch
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

import gaibao_pipeline.db as db_package
from gaibao_pipeline.db import (
    current_revision,
    database_url_from_env,
    head_revision,
    make_engine,
    upgrade_schema,
)
from gaibao_pipeline.db.migrate import HEAD_REVISION, alembic_config, migration_connection
from gaibao_pipeline.db.schema import ALL_VIEWS, TABLES, metadata

REPO = Path(__file__).resolve().parents[2]


def test_upgrade_creates_tables_views_and_indexes(engine: Engine) -> None:
    assert current_revision(engine) is None
    upgrade_schema(engine)
    assert current_revision(engine) == head_revision()
    inspector = sa.inspect(engine)
    assert {t.name for t in TABLES} | {"alembic_version"} == set(inspector.get_table_names())
    assert {v.name for v in ALL_VIEWS} == set(inspector.get_view_names())
    report_indexes = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes("reports")}
    assert report_indexes["ix_reports_agency_normalized_year"] == ["agency_normalized", "year"]
    check_indexes = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes("check_results")}
    assert check_indexes["ix_check_results_check_id_passed"] == ["check_id", "passed"]
    assert check_indexes["ix_check_results_failed"] == ["passed", "severity", "report_id"]


def test_upgrade_is_idempotent(engine: Engine) -> None:
    for _ in range(3):
        upgrade_schema(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM alembic_version")).scalar_one() == 1


def test_migrated_schema_matches_schema_module(engine: Engine) -> None:
    """The migrations and the Table objects the loader writes through must not drift apart."""
    upgrade_schema(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_the_head_written_in_code_is_the_head_alembic_finds() -> None:
    """`upgrade_schema` trusts HEAD_REVISION to skip Alembic: a new migration must move it."""
    assert head_revision() == HEAD_REVISION


def _downgrade(engine: Engine, target: str) -> None:
    config = alembic_config()
    with migration_connection(engine) as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, target)


def test_a_database_one_migration_behind_is_upgraded(engine: Engine) -> None:
    """The quick at-head test says no, and Alembic's path runs the last migration."""
    upgrade_schema(engine)
    _downgrade(engine, "-1")
    assert current_revision(engine) not in (None, head_revision())
    upgrade_schema(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_downgrade_to_base_and_upgrade_again(engine: Engine) -> None:
    upgrade_schema(engine)
    _downgrade(engine, "base")
    inspector = sa.inspect(engine)
    assert set(inspector.get_table_names()) <= {"alembic_version"}
    assert inspector.get_view_names() == []
    upgrade_schema(engine)
    assert current_revision(engine) == head_revision()


def test_database_newer_than_package_is_refused(engine: Engine) -> None:
    """Old code must not run against a schema migrated by newer code."""
    upgrade_schema(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(RuntimeError, match="newer than this package"):
        upgrade_schema(engine)


def test_upgrade_from_another_working_directory(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    upgrade_schema(engine)
    assert current_revision(engine) == head_revision()


def _upgrade_in_subprocess(url: str) -> str | None:
    engine = make_engine(url)
    try:
        upgrade_schema(engine)
        return current_revision(engine)
    finally:
        engine.dispose()


def test_concurrent_upgrades_from_several_processes(db_url: str) -> None:
    """Dagster steps start in parallel and each migrates: exactly one must do the work."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=4, mp_context=context) as pool:
        revisions = list(pool.map(_upgrade_in_subprocess, [db_url] * 4))
    assert revisions == [head_revision()] * 4
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT COUNT(*) FROM alembic_version")).scalar_one() == 1
    finally:
        engine.dispose()


# --- URL and engine ---------------------------------------------------------------------------


def test_database_url_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An explicit variable wins, surrounding whitespace ignored.
    assert database_url_from_env({"GAIBAO_DATABASE_URL": " postgresql://u@h/d "}) == "postgresql://u@h/d"
    # Unset or empty: a SQLite file under the current directory, read at call time.
    monkeypatch.chdir(tmp_path)
    expected = f"sqlite:///{(tmp_path / 'data' / 'gaibao.sqlite').as_posix()}"
    assert database_url_from_env({}) == expected
    assert database_url_from_env({"GAIBAO_DATABASE_URL": ""}) == expected
    monkeypatch.setenv("GAIBAO_DATABASE_URL", "sqlite:///from-env.sqlite")
    assert database_url_from_env() == "sqlite:///from-env.sqlite"


def test_sqlite_engine_settings(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "gaibao.sqlite"
    engine = make_engine(f"sqlite:///{path.as_posix()}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000
        assert path.parent.is_dir()
    finally:
        engine.dispose()


def test_sqlite_connection_waits_for_a_writer_before_switching_to_wal(tmp_path: Path) -> None:
    """Regression: a step connecting while another migrates a new file failed at once with
    "database is locked" (switching to WAL ignores the busy timeout); it must wait."""
    path = tmp_path / "gaibao.sqlite"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("CREATE TABLE migrating (x INTEGER)")
    engine = make_engine(f"sqlite:///{path.as_posix()}")
    outcome: list[object] = []
    finished = threading.Event()

    def connect() -> None:
        try:
            with engine.connect() as conn:
                outcome.append(conn.exec_driver_sql("PRAGMA journal_mode").scalar())
        except Exception as error:  # reported to the test thread below
            outcome.append(error)
        finished.set()

    thread = threading.Thread(target=connect)
    thread.start()
    try:
        assert not finished.wait(0.5), f"did not wait for the writer: {outcome}"
    finally:
        writer.execute("COMMIT")
        writer.close()
        thread.join(10)
        engine.dispose()
    assert outcome == ["wal"]


def test_bare_postgresql_url_uses_psycopg2() -> None:
    # SQLAlchemy 2.1 would pick psycopg 3, which the project does not install.
    for url in ("postgresql://u@127.0.0.1/d", "postgres://u@127.0.0.1/d"):
        engine = make_engine(url)
        assert engine.dialect.driver == "psycopg2"
        engine.dispose()


def test_make_engine_reads_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{(tmp_path / 'env.sqlite').as_posix()}"
    monkeypatch.setenv("GAIBAO_DATABASE_URL", url)
    engine = make_engine()
    assert str(engine.url) == url
    engine.dispose()


def test_db_package_does_not_import_dagster() -> None:
    for path in Path(db_package.__file__).parent.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import dagster" not in text and "from dagster" not in text, path


def test_runtime_files_are_declared_package_data() -> None:
    """An installed package must carry alembic.ini, env.py and every revision."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    globs = pyproject["tool"]["setuptools"]["package-data"]["gaibao_pipeline"]
    package = REPO / "gaibao_pipeline"
    db_dir = package / "db"
    needed = [
        db_dir / "alembic.ini",
        *(db_dir / "migrations").glob("*.py"),
        *(db_dir / "migrations" / "versions").glob("*.py"),
    ]
    for path in needed:
        relative = path.relative_to(package).as_posix()
        assert any(fnmatch(relative, g) for g in globs), f"{relative} is not package data"
