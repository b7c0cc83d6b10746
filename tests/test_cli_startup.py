"""The command line starts without the heavy libraries it does not need.

Structural tests (which modules are imported), not timed ones: `bench/startup.py` measures
the start-up itself. `import gaibao_pipeline.cli` must not import Dagster, pandas, pandera,
pyarrow, SQLAlchemy, NumPy or the archive libraries; the landing scan imports neither NumPy
(OCR) nor py7zr and rarfile (opened only for such an archive); `gaibao run` over an empty
landing folder on a temporary instance finds nothing to do before importing Dagster, and
prints what the full run path prints for it; a database already at the current schema is
checked without Alembic; `gaibao parse` forks its reader rather than spawning one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gaibao_pipeline import cli

HEAVY = ("dagster", "pandas", "pandera", "pyarrow", "sqlalchemy", "numpy", "py7zr", "rarfile")


def _imported_after(
    code: str, env: dict[str, str] | None = None, heavy: tuple[str, ...] = HEAVY
) -> list[str]:
    """Heavy modules present in a fresh interpreter after running `code`."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {heavy!r} if m in sys.modules]))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env, timeout=120
    )
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_importing_the_command_line_imports_no_heavy_library() -> None:
    assert _imported_after("import gaibao_pipeline.cli") == []


def test_building_the_parser_imports_no_heavy_library() -> None:
    assert _imported_after("import gaibao_pipeline.cli as c; c.build_parser()") == []


def test_the_landing_scan_imports_no_ocr_or_archive_library() -> None:
    assert _imported_after("from gaibao_pipeline.runner.landing import scan_folder") == []


def test_the_landing_scan_and_the_fetch_command_line_import_no_parser_or_yaml() -> None:
    """The parser is imported where files are read; YAML when `gaibao fetch` reads its sources."""
    code = (
        "from gaibao_pipeline.runner.landing import scan_folder\n"
        "import gaibao_pipeline.cli as c\n"
        "c.build_parser()"
    )
    assert _imported_after(code, heavy=("gaibao_pipeline.parsing", "yaml")) == []


def test_run_over_an_empty_folder_does_not_import_dagster(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    url = f"sqlite:///{(tmp_path / 'db.sqlite').as_posix()}"
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    code = (
        "from gaibao_pipeline.cli import main\n"
        f"assert main(['run', '--landing', {str(landing)!r}, '--database-url', {url!r}]) == 1"
    )
    loaded = _imported_after(code, env)
    assert "dagster" not in loaded
    assert "pandas" not in loaded  # the database is migrated, nothing is loaded


def test_a_database_already_migrated_is_checked_without_alembic(tmp_path: Path) -> None:
    """Every start but a database's first finds it at head with one query, not Alembic's scripts."""
    from gaibao_pipeline.db import make_engine, upgrade_schema

    landing = tmp_path / "landing"
    landing.mkdir()
    url = f"sqlite:///{(tmp_path / 'db.sqlite').as_posix()}"
    engine = make_engine(url)
    upgrade_schema(engine)
    engine.dispose()
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    code = (
        "from gaibao_pipeline.cli import main\n"
        f"assert main(['run', '--landing', {str(landing)!r}, '--database-url', {url!r}]) == 1"
    )
    assert _imported_after(code, env, heavy=("alembic", "dagster")) == []


def test_parse_forks_its_reader_from_the_command_line(tmp_path: Path) -> None:
    """`gaibao parse` reads in a worker forked from it, which imports no reader again."""
    sample = tmp_path / "report.txt"
    sample.write_text("XX县人民政府2021年政府信息公开工作年度报告\n一、总体情况\n", encoding="utf-8")
    code = (
        "import multiprocessing as mp\n"
        "from gaibao_pipeline.runner import workers\n"
        "started = []\n"
        "original = workers._Worker.__init__\n"
        "def spy(self, context, job, limits):\n"
        "    started.append(context.get_start_method())\n"
        "    original(self, context, job, limits)\n"
        "workers._Worker.__init__ = spy\n"
        "from gaibao_pipeline.cli import main\n"
        f"main(['parse', {str(sample)!r}])\n"
        "assert started == ['fork'], started\n"
    )
    subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)


def _run_empty(
    folder: Path, url: str, capsys: pytest.CaptureFixture[str], *, shortcut: bool, mp: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    if not shortcut:
        mp.setattr(cli, "_nothing_to_run", lambda root: False)
    code = cli.main(["run", "--landing", str(folder), "--database-url", url, "--no-progress"])
    mp.undo()
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_an_empty_folder_prints_what_the_full_run_path_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    landing = tmp_path / "landing"
    landing.mkdir()
    url = f"sqlite:///{(tmp_path / 'db.sqlite').as_posix()}"
    patch = pytest.MonkeyPatch()
    quick = _run_empty(landing, url, capsys, shortcut=True, mp=patch)
    full = _run_empty(landing, url, capsys, shortcut=False, mp=patch)
    assert quick == full
    assert quick[0] == 1 and "(0 files)" in quick[1] and "nothing to load" in quick[2]


def test_a_folder_of_refused_entries_takes_the_full_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What is refused is reported by the run path; only a truly empty folder is short-cut."""
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    landing = tmp_path / "landing"
    landing.mkdir()
    os.mkfifo(landing / "pipe.txt")
    assert cli._nothing_to_run(landing) is False


def test_a_kept_instance_is_always_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With DAGSTER_HOME set, runs of killed processes are marked failed even for an empty folder."""
    empty = tmp_path / "landing"
    empty.mkdir()
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    assert cli._nothing_to_run(empty) is True
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    assert cli._nothing_to_run(empty) is False
