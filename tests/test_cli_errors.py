"""What the command line says when the setup is wrong: one line naming the setting or the database
and the cause, quickly, exit status 2, never a traceback (issue 24: bare tracebacks for bad
limits, 158 chained lines after 45 s for a missing PostgreSQL database, a 28-line traceback and an
empty data/ folder for `gaibao review ID` without a database). An unexpected error is one line
too; --debug or GAIBAO_DEBUG shows its traceback."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from gaibao_pipeline.cli import main
from gaibao_pipeline.db.migrate import ready_to_load
from tests.conftest import corpus_file
from tests.db.conftest import postgres_unreachable, postgres_url


def _quiet(capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "Traceback" not in captured.out
    return captured.out, captured.err


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in list(os.environ):
        if name.startswith("GAIBAO_") and name not in ("GAIBAO_TEST_POSTGRES_URL", "GAIBAO_REQUIRE_POSTGRES"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_bad_settings_are_named_all_at_once(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GAIBAO_TIMEOUT_SECONDS", "abc")
    monkeypatch.setenv("GAIBAO_MAX_FILE_BYTES", "-5")
    monkeypatch.setenv("GAIBAO_OCR", "maybe")
    assert main(["parse", str(corpus_file("pingtan2021"))]) == 2
    _, err = _quiet(capsys)
    lines = err.strip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("gaibao parse: GAIBAO_MAX_FILE_BYTES='-5': expected a whole number above 0")
    assert lines[1].startswith("gaibao parse: GAIBAO_TIMEOUT_SECONDS='abc': not a number")
    assert lines[2].startswith("gaibao parse: GAIBAO_OCR='maybe' is not understood; accepted values: ")


def test_a_bad_database_url_is_one_line(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GAIBAO_DATABASE_URL", "postgres//nobody@nowhere")
    assert main(["run", "--landing", str(corpus_file("pingtan2021").parent), "--no-progress"]) == 2
    _, err = _quiet(capsys)
    assert err.count("\n") == 1 and "GAIBAO_DATABASE_URL" in err and "expected sqlite:///PATH" in err
    assert main(["export", "--database-url", "nope://x"]) == 2
    _, err = _quiet(capsys)
    assert err.count("\n") == 1 and "--database-url" in err


def test_an_unreachable_or_missing_postgresql_database_is_one_line_quickly(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    closed_port = "postgresql+psycopg2://postgres@127.0.0.1:1/test"
    landing = str(corpus_file("pingtan2021").parent)
    started = time.monotonic()
    assert main(["run", "--landing", landing, "--database-url", closed_port, "--no-progress"]) == 2
    _, err = _quiet(capsys)
    assert err.count("\n") == 1 and "cannot write to the database" in err and "port 1" in err
    if postgres_unreachable():
        pytest.skip(postgres_unreachable() or "")
    missing = sa.make_url(postgres_url()).set(database="gaibao_no_such_database").render_as_string(False)
    assert main(["run", "--landing", landing, "--database-url", missing, "--no-progress"]) == 2
    _, err = _quiet(capsys)
    assert err.count("\n") == 1 and 'database "gaibao_no_such_database" does not exist' in err
    assert main(["review", "r0123456789abcdef", "--database-url", missing]) == 2
    _, err = _quiet(capsys)
    assert err.count("\n") == 1 and "cannot connect to the database" in err
    assert time.monotonic() - started < 30


def test_a_read_only_database_is_one_line_before_any_run(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = clean_env / "db.sqlite"
    ready_to_load(f"sqlite:///{path}").dispose()
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    assert (
        main(["run", "--landing", str(corpus_file("pingtan2021").parent), "--database-url", read_only]) == 2
    )
    out, err = _quiet(capsys)
    assert out == "" and err.count("\n") == 1
    assert "cannot write to the database" in err and "readonly database" in err


def test_review_of_an_id_without_a_database_creates_nothing(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["review", "r0123456789abcdef"]) == 2
    _, err = _quiet(capsys)
    assert err.count("\n") == 1 and "no database at" in err and "gaibao run" in err
    assert list(clean_env.iterdir()) == []  # no data/ folder, no empty database file
    (clean_env / "empty.sqlite").write_bytes(b"")
    assert (
        main(["review", "r0123456789abcdef", "--database-url", f"sqlite:///{clean_env / 'empty.sqlite'}"])
        == 2
    )
    _, err = _quiet(capsys)
    assert "no gaibao database here yet" in err


def test_an_unexpected_error_is_one_line_and_debug_shows_the_traceback(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug\nwith a second line")

    monkeypatch.setattr("gaibao_pipeline.runner.parse.parse_paths", broken)  # cli imports it when parsing
    path = str(corpus_file("pingtan2021"))
    assert main(["parse", path]) == 1
    _, err = _quiet(capsys)
    assert err == (
        "gaibao parse: unexpected error: RuntimeError: a bug"
        " (--debug or GAIBAO_DEBUG=1 shows the traceback)\n"
    )
    assert main(["parse", "--debug", path]) == 1
    assert "Traceback" in capsys.readouterr().err
    monkeypatch.setenv("GAIBAO_DEBUG", "1")
    assert main(["parse", path]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_parse_refuses_outputs_that_would_overwrite_each_other(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # issue 24: a.txt and a.html were both written to D/a.json, one silently lost, exit 0
    source = corpus_file("pingtan2021")
    for name in ("a.txt", "a.html", "x/a.txt", "y/a.txt", "b.txt"):
        (clean_env / name).parent.mkdir(exist_ok=True)
        shutil.copy(source, clean_env / name)
    out = clean_env / "out"
    assert main(["parse", "a.txt", "a.html", "b.txt", "--out", str(out)]) == 2
    _, err = _quiet(capsys)
    assert err == (
        "gaibao parse: a.txt, a.html would all be written to a.json:"
        " parse them into different --out folders\n"
    )
    assert not out.exists()  # refused before anything was parsed or written
    assert main(["parse", "x/a.txt", "y/a.txt", "--out", str(out)]) == 2
    assert "x/a.txt, y/a.txt would all be written to a.json" in _quiet(capsys)[1]
    assert main(["parse", "a.txt", "./a.txt", "b.txt", "--out", str(out)]) == 0  # one file named twice
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "b.json"]


def test_parse_says_what_is_not_a_regular_file_without_blocking(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.mkfifo(clean_env / "pipe.txt")
    (clean_env / "zero.txt").symlink_to("/dev/zero")
    assert main(["parse", "pipe.txt", "zero.txt", "missing.txt", str(corpus_file("pingtan2021"))]) == 1
    out, err = _quiet(capsys)
    assert "pipe.txt: a FIFO (named pipe), not a regular file: not read" in err
    assert "zero.txt: a character device, not a regular file: not read" in err
    assert "missing.txt: No such file or directory" in err
    assert '"status": "ok"' in out  # the good file beside them is parsed


def test_an_output_folder_that_cannot_be_written_is_one_line(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{clean_env / 'db.sqlite'}"
    ready_to_load(url).dispose()
    (clean_env / "a-file").write_text("not a folder")
    assert main(["export", "--database-url", url, "--out", str(clean_env / "a-file" / "out")]) == 1
    _, err = _quiet(capsys)
    assert err == f"gaibao export: {clean_env / 'a-file' / 'out'}: Not a directory\n"
