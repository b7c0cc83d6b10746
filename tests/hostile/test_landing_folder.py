"""The landing folder as an attack surface (issue 24), through `gaibao parse`, `gaibao run` and the
sensor with a Dagster run: names that look like paths out of the folder (`sub\\..\\..\\outside\\r.txt`,
legal on Linux), links to a report elsewhere, to the password file and to /dev/zero, a FIFO, a
folder loop, `sub\\x.txt` beside `sub/x.txt`, names that are not UTF-8 (also with `..`), a newline
and a very long name. Nothing outside the folder is read, nothing hangs, every good file loads
under its own id, and what is refused is said, with no traceback.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from gaibao_pipeline.cli import main
from gaibao_pipeline.db import make_engine
from gaibao_pipeline.db.schema import source_files
from gaibao_pipeline.orchestration.definitions import build_definitions
from gaibao_pipeline.orchestration.resources import (
    DatabaseResource,
    LandingFolderResource,
    ReviewPagesResource,
)
from gaibao_pipeline.orchestration.sensors import decode_cursor, encode_cursor
from gaibao_pipeline.runner.keys import display_path, fs_text, report_key
from tests.conftest import corpus_file
from tests.orchestration.test_sensors import evaluate

GBK = "报告.txt".encode("gbk")  # b"\xb1\xa8\xb8\xe6.txt"
LONG = "长" * 80 + ".txt"  # 244 bytes: near the 255-byte limit of a name
BAD_DOTS = b"\xff..\\..\\x.txt"  # not UTF-8, and `..` in it


@dataclass(frozen=True)
class Hostile:
    landing: Path
    outside_sha256: frozenset[str]  # files outside the folder: their bytes must never be read
    good: dict[bytes, str]  # name (bytes) → its report's sha256: each must load ok under its own id
    bad: tuple[bytes, ...]  # regular files that are not reports
    refused: tuple[str, ...]  # what the scan must refuse (display names)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    top = tmp_path_factory.mktemp("attack")
    landing, outside = top / "landing", top / "outside"
    (landing / "sub").mkdir(parents=True)
    outside.mkdir()
    shutil.copy(corpus_file("pingtan2023"), outside / "r.txt")  # a report that would load ok if read
    lb = os.fsencode(landing)
    good = {
        b"sub/x.txt": "pingtan2021",
        b"sub\\x.txt": "002_730fd97f12cf432f",
        GBK: "003_8395e8e1ce32c1ce",
        b"new\nline.txt": "004_a236c2d85176b38f",
        LONG.encode(): "001_a31d191120c467ea",
    }
    for name, stem in good.items():
        shutil.copy(corpus_file(stem), os.path.join(lb, name))
    bad = (b"sub\\..\\..\\outside\\r.txt", b"sub\\..\\..\\..\\..\\..\\..\\..\\..\\dev\\zero", BAD_DOTS)
    for name in bad:
        with open(os.path.join(lb, name), "wb") as handle:
            handle.write(b"a name, not a path" if b"zero" not in name else b"")
    (landing / "link_out.txt").symlink_to(outside / "r.txt")
    (landing / "link_passwd.txt").symlink_to("/etc/passwd")
    (landing / "link_zero.txt").symlink_to("/dev/zero")
    (landing / "loop").symlink_to(landing, target_is_directory=True)
    os.mkfifo(landing / "pipe.txt")
    outside_sha = {_sha(outside / "r.txt")}
    if os.access("/etc/passwd", os.R_OK):
        outside_sha.add(_sha(Path("/etc/passwd")))
    return Hostile(
        landing,
        frozenset(outside_sha),
        {name: _sha(Path(os.fsdecode(os.path.join(lb, name)))) for name in good},
        bad,
        ("link_out.txt", "link_passwd.txt", "link_zero.txt", "loop", "pipe.txt"),
    )


def _check_database(url: str, hostile: Hostile) -> dict[str, str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    source_files.c.report_id,
                    source_files.c.source_path,
                    source_files.c.status,
                    source_files.c.sha256,
                )
            ).all()
    finally:
        engine.dispose()
    by_id = {row.report_id: row for row in rows}
    assert not {row.sha256 for row in rows} & hostile.outside_sha256  # nothing outside was read
    for name, sha in hostile.good.items():
        row = by_id[report_key(name)]  # its own id: sub\x.txt and sub/x.txt are two reports
        assert (row.status, row.sha256, row.source_path) == ("ok", sha, display_path(name))
    for name in hostile.bad:
        assert by_id[report_key(name)].status != "ok"
    assert len(rows) == len(hostile.good) + len(hostile.bad)
    return {row.source_path: row.status for row in rows}


def test_gaibao_parse(hostile: Hostile, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    names = sorted(os.listdir(os.fsencode(hostile.landing)))
    paths = [os.fsdecode(os.path.join(os.fsencode(hostile.landing), n)) for n in names if n != b"sub"]
    paths.append(str(hostile.landing / "sub" / "x.txt"))
    paths = [p for p in paths if not p.endswith(("link_out.txt", "link_passwd.txt", "loop"))]
    out = tmp_path / "out"
    assert main(["parse", *paths, "--out", str(out)]) == 1  # some are not reports
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "pipe.txt: a FIFO (named pipe), not a regular file: not read" in captured.err
    assert "link_zero.txt: a character device, not a regular file: not read" in captured.err
    for name in hostile.good:
        stem = fs_text(name).rsplit("/", 1)[-1].rsplit(".", 1)[0]
        written = json.loads((out / f"{stem}.json").read_bytes())
        assert written["status"] == "ok" and written["source"]["file"] == display_path(name.split(b"/")[-1])


def test_gaibao_run_reads_nothing_outside_and_never_hangs(hostile: Hostile, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GAIBAO_", "DAGSTER_HOME"))}
    command = [sys.executable, "-m", "gaibao_pipeline.cli", "run", "--landing", str(hostile.landing)]
    done = subprocess.run(
        [*command, "--database-url", url, "--no-progress"],
        capture_output=True,
        text=True,
        timeout=300,  # the old code hashed /dev/zero forever
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr
    for name in hostile.refused:
        assert f"landing folder: {name}: " in done.stderr
    statuses = _check_database(url, hostile)
    assert statuses["new\\nline.txt"] == "ok"  # the newline is escaped, not a second log line
    assert f"loaded now: {len(hostile.good) + len(hostile.bad)} files" in done.stdout


def test_sensor_and_dagster_run(hostile: Hostile, tmp_path: Path, instance: dg.DagsterInstance) -> None:
    result = evaluate(instance, hostile.landing, None)
    cursor = decode_cursor(result.cursor)
    assert fs_text(GBK) in cursor and fs_text(BAD_DOTS) in cursor  # undecodable names round-trip
    assert decode_cursor(encode_cursor(cursor)) == cursor
    result.cursor.encode("utf-8")  # storable by the instance
    [request] = result.run_requests
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    defs = build_definitions(
        resources={
            "database": DatabaseResource(url=url),
            "landing_folder": LandingFolderResource(path=str(hostile.landing)),
            "review_pages": ReviewPagesResource(directory=str(tmp_path / "review")),
        }
    )
    run = defs.resolve_job_def("load_reports").execute_in_process(instance=instance, tags=request.tags)
    assert run.success
    _check_database(url, hostile)
    again = evaluate(instance, hostile.landing, result.cursor)
    assert not again.run_requests  # nothing changed: a stable view of the same folder
