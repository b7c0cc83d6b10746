"""`gaibao run` and `gaibao export`: the README's main command registers and loads a landing
folder in one bulk run, prints where the database is and what loaded, works on a fresh
machine without DAGSTER_HOME (and leaves nothing behind but the database), uses DAGSTER_HOME
when set, and the export writes every table and view.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import dagster as dg
import pytest

from gaibao_pipeline.cli import main
from gaibao_pipeline.db.schema import ALL_VIEWS, TABLES


def _temp_instances() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("gaibao-dagster-*")}


def test_run_on_a_fresh_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    work = tmp_path / "clone"
    work.mkdir()
    monkeypatch.chdir(work)
    # this run's temporary files only: other processes on the machine may use the same prefix
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.delenv("GAIBAO_DATABASE_URL", raising=False)
    monkeypatch.delenv("GAIBAO_LANDING_DIR", raising=False)
    before = _temp_instances()
    assert main(["run", "--no-progress"]) == 0  # the bundled sample corpus, the default database
    out = capsys.readouterr().out
    assert f"database: sqlite:///{(work / 'data' / 'gaibao.sqlite').as_posix()}" in out
    assert "loaded now: 13 files (ok 13)" in out
    assert "runs: 1 of job load_reports" in out
    assert sorted(p.name for p in work.iterdir()) == ["data"]  # nothing else in the working directory
    assert _temp_instances() == before  # the temporary Dagster instance is gone


def test_run_uses_dagster_home_and_reports_unreadable_files(
    tmp_path: Path, landing: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    (landing / "garbage.pdf").write_bytes(b"\x00garbage" * 100)
    url = f"sqlite:///{(tmp_path / 'db.sqlite').as_posix()}"
    assert main(["run", "--landing", str(landing), "--database-url", url, "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "loaded now: 14 files (ok 13, unreadable 1)" in out
    with dg.DagsterInstance.get() as instance:
        assert instance.get_runs_count() == 1  # fourteen reports, one run, kept for the UI
        assert len(instance.get_dynamic_partitions("reports")) == 14
    # A second run over the same folder on the same instance: same partitions; with --all
    # (nothing changed, so only --all gives work) one more run.
    assert main(["run", "--landing", str(landing), "--database-url", url, "--no-progress", "--all"]) == 0
    assert "loaded now: 14 files (ok 13, unreadable 1)" in capsys.readouterr().out
    with dg.DagsterInstance.get() as instance:
        assert instance.get_runs_count() == 2
        assert len(instance.get_dynamic_partitions("reports")) == 14


def test_second_run_skips_files_already_loaded_and_reloads_changed_ones(
    tmp_path: Path, landing: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{(tmp_path / 'db.sqlite').as_posix()}"
    args = ["run", "--landing", str(landing), "--database-url", url, "--no-progress"]
    assert main(args) == 0
    capsys.readouterr()
    assert main(args) == 0  # a new temporary instance each time: the database is what remembers
    out = capsys.readouterr().out
    assert "skipped: 13 files" in out and "runs: 0 of job load_reports" in out
    assert "database total: 13 files (ok 13)" in out
    changed = sorted(p for p in landing.rglob("*") if p.suffix == ".txt")[0]
    changed.write_bytes(changed.read_bytes() + b"\n")
    (landing / "garbage.pdf").write_bytes(b"\x00garbage" * 100)
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "skipped: 12 files" in out and "loaded now: 2 files (ok 1, unreadable 1)" in out
    assert main(args) == 0  # an unreadable file's outcome is settled by its bytes: skipped too
    assert "skipped: 14 files" in capsys.readouterr().out


def test_run_in_batches(tmp_path: Path, landing: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{(tmp_path / 'db.sqlite').as_posix()}"
    assert (
        main(["run", "--landing", str(landing), "--database-url", url, "--batch-size", "4", "--no-progress"])
        == 0
    )
    out = capsys.readouterr().out
    assert "runs: 4 of job load_reports" in out  # 13 files, 4 per run
    assert "loaded now: 13 files (ok 13)" in out


def test_run_on_an_empty_or_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{(tmp_path / 'db.sqlite').as_posix()}"
    assert main(["run", "--landing", str(tmp_path / "nowhere"), "--database-url", url]) == 2
    (tmp_path / "empty").mkdir()
    assert main(["run", "--landing", str(tmp_path / "empty"), "--database-url", url, "--no-progress"]) == 1


def test_export_writes_every_table_and_view(
    tmp_path: Path, landing: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{(tmp_path / 'db.sqlite').as_posix()}"
    out_dir = tmp_path / "out"
    assert main(["export", "--database-url", url, "--out", str(out_dir)]) == 2  # nothing loaded yet
    assert not (tmp_path / "db.sqlite").exists()  # and nothing created by looking
    assert main(["run", "--landing", str(landing), "--database-url", url, "--no-progress"]) == 0
    assert main(["export", "--database-url", url, "--out", str(out_dir), "--format", "csv"]) == 0
    names = {t.name for t in (*TABLES, *ALL_VIEWS)} | {"legacy_codes"}
    assert {p.name for p in out_dir.iterdir()} == {f"{n}.csv" for n in names}
    assert main(["export", "--database-url", url, "--out", str(out_dir)]) == 0
    assert {p.suffix for p in out_dir.iterdir()} == {".csv", ".parquet"}
    summary = (out_dir / "agency_year_summary.csv").read_text(encoding="utf-8-sig")
    assert "洪泽区人民政府" in summary


def test_run_loads_everything_when_review_pages_cannot_be_written(
    tmp_path: Path, landing: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # issue 24: an unwritable GAIBAO_REVIEW_DIR failed the whole run and nothing loaded
    not_a_folder = tmp_path / "review"
    not_a_folder.write_text("a file where the review folder should be")
    monkeypatch.setenv("GAIBAO_REVIEW_DIR", str(not_a_folder))
    url = f"sqlite:///{(tmp_path / 'db.sqlite').as_posix()}"
    assert main(["run", "--landing", str(landing), "--database-url", url, "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert "loaded now: 13 files (ok 13)" in captured.out
    assert "review page not written" in captured.out  # a warning printed above the progress bar
    assert "Traceback" not in captured.out + captured.err
