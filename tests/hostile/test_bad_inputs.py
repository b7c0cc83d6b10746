"""The bad-input corpus, through `gaibao parse` and through a Dagster materialisation: every
file ends with its expected status, good files beside them load completely, no partial
report is left in the database, and nothing from a document is ever rendered unescaped.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from gaibao_pipeline.cli import main
from gaibao_pipeline.db import make_engine
from gaibao_pipeline.db.schema import CELL_TABLES, reports, source_files
from gaibao_pipeline.errors import Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.review.pages import review_html
from gaibao_pipeline.runner.parse import parse_bytes
from tests.assets.conftest import materialize_all
from tests.conftest import corpus_file, load_golden
from tests.golden import differences
from tests.hostile.corpus import write_corpus

GOOD = ("002_730fd97f12cf432f", "hongze2023")


@pytest.fixture(scope="module")
def bad_folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("hostile")
    files = write_corpus(folder)
    for stem in GOOD:
        shutil.copy(corpus_file(stem), folder)
    return folder, files


def test_gaibao_parse_gives_every_file_its_status(
    bad_folder: tuple[Path, dict], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, files = bad_folder
    out = tmp_path / "out"
    assert main(["parse", *sorted(str(p) for p in folder.iterdir()), "--out", str(out)]) == 1
    stderr = capsys.readouterr().err
    for name, bad in files.items():
        parsed = json.loads((out / f"{Path(name).stem}.json").read_text(encoding="utf-8"))
        assert parsed["status"] == bad.expected_status.value, f"{name}: {parsed.get('message')}"
        if bad.expected_status != Status.OK:
            assert parsed["message"] and not parsed["cells"]
            assert f"{name}: {bad.expected_status.value}: " in stderr
    for stem in GOOD:
        parsed = json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))
        assert not differences(load_golden(stem), parsed)


def test_dagster_run_records_statuses_and_loads_the_good_files(
    bad_folder: tuple[Path, dict], tmp_path: Path, instance: dg.DagsterInstance, db_url: str
) -> None:
    folder, files = bad_folder
    landing = tmp_path / "landing"
    shutil.copytree(folder, landing)
    assert materialize_all(instance, landing, db_url).success  # bad files never fail the run
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            status = dict(conn.execute(sa.select(source_files.c.file_name, source_files.c.status)).all())
            cells: dict[str, int] = {}
            for table in CELL_TABLES.values():
                query = sa.select(source_files.c.file_name, sa.func.count()).join(
                    table, table.c.report_id == source_files.c.report_id
                )
                for name, n in conn.execute(query.group_by(source_files.c.file_name)):
                    cells[name] = cells.get(name, 0) + n
            report_status = dict(
                conn.execute(
                    sa.select(source_files.c.file_name, reports.c.status).join(
                        reports, reports.c.report_id == source_files.c.report_id
                    )
                ).all()
            )
    finally:
        engine.dispose()
    for name, bad in files.items():
        assert status[name] == bad.expected_status.value, name
        assert report_status[name] == bad.expected_status.value
        if bad.expected_status != Status.OK:
            assert cells.get(name, 0) == 0  # no partial report
    for stem in GOOD:
        name = corpus_file(stem).name
        assert status[name] == "ok" and cells[name] == len(load_golden(stem)["cells"])


def test_limits_an_operator_sets_apply(tmp_path: Path) -> None:
    data = corpus_file("hongze2023").read_bytes()
    small = replace(Limits(), max_file_bytes=1000)
    assert parse_bytes(data, "hongze2023.pdf", small).status == Status.TOO_LARGE
    few_pages = replace(Limits(), max_pages=3)
    assert parse_bytes(data, "hongze2023.pdf", few_pages).status == Status.TOO_LARGE
    assert Limits.from_env({"GAIBAO_MAX_PAGES": "3", "GAIBAO_TIMEOUT_SECONDS": "2.5"}) == replace(
        Limits(), max_pages=3, timeout_seconds=2.5
    )


def test_document_content_is_never_rendered_as_markup(bad_folder: tuple[Path, dict]) -> None:
    folder, _ = bad_folder
    report = parse_bytes((folder / "scripts.html").read_bytes(), "scripts.html")
    assert report.ok
    # a script inside a cell or a label reaches the review page only as text
    report.cells[0].raw = '<script>alert("x")</script>'
    report.warnings.append("<img src=x onerror=alert(1)>")
    page = review_html(report)
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
