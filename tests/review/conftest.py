"""Fixtures for the review app: a database with reports loaded (SQLite and PostgreSQL), the app over
it with a landing folder, and a client that talks to it as a browser on this machine would.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from gaibao_pipeline.db import load_report, make_engine, upgrade_schema
from gaibao_pipeline.review.app import ReviewSettings, create_app
from tests.conftest import corpus_dir
from tests.db.conftest import db_url, fresh_postgres_schema, hongze_report  # noqa: F401  (fixtures)

HONGZE = "rhongze"
HOSTILE = "rhostile"
# Document text that would be markup if a page did not escape it.
HOSTILE_AGENCY = "<script>alert('agency')</script>某局\" onmouseover=\"x"
HOSTILE_RAW = "<img src=x onerror=alert(1)>"


def hostile_report() -> Any:
    report = hongze_report(agency=HOSTILE_AGENCY, year=2022)
    report.warnings.append("<b>warning</b> & <iframe src=//evil>")
    for cell in report.cells:
        if cell.key == ("t4", "review", "total"):
            cell.raw = HOSTILE_RAW
    return report


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing"
    folder.mkdir()
    shutil.copy(corpus_dir() / "hongze2023.pdf", folder / "hongze2023.pdf")
    return folder


@pytest.fixture
def loaded_db(db_url: str) -> Iterator[Engine]:  # noqa: F811
    """hongze2023 numbers (the hand-built report, file hongze2023.pdf) and a report full of markup."""
    engine = make_engine(db_url)
    upgrade_schema(engine)
    load_report(engine, hongze_report(), report_id=HONGZE, source_path="hongze2023.pdf")
    load_report(engine, hostile_report(), report_id=HOSTILE, source_path="gone/hostile.pdf")
    yield engine
    engine.dispose()


def make_client(url: str, landing: Path, **settings: Any) -> TestClient:
    app = create_app(ReviewSettings(database_url=url, landing_dir=landing, **settings))
    host = settings.get("host", "127.0.0.1")
    base = f"http://{host if host not in ('0.0.0.0', '::') else 'review.example'}"
    return TestClient(app, base_url=base)


@pytest.fixture
def client(loaded_db: Engine, db_url: str, landing: Path) -> Iterator[TestClient]:  # noqa: F811
    with make_client(db_url, landing) as test_client:
        yield test_client
