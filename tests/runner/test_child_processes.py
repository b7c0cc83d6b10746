"""Programs a reader starts (LibreOffice, an OCR engine) die with the file's time: a converter or
OCR command still running when the file times out is killed with everything it started, and the
temporary folders it worked in are removed (issue 24: LibreOffice at 3.5 GB and tesseract kept
running after `gaibao run` ended, their folders left behind).

The commands are fakes on PATH that record their pids and folders, start a child of their own,
and sleep.
"""

from __future__ import annotations

import io
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from gaibao_pipeline.errors import Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.runner.parse import parse_paths

FAKE = """#!/bin/sh
if [ "$1" = "--list-langs" ]; then printf 'List of available languages:\\nchi_sim\\neng\\n'; exit 0; fi
echo "pid $$" >> "{marker}"
echo "tmp ${{TMPDIR:-none}}" >> "{marker}"
for arg in "$@"; do echo "arg $arg" >> "{marker}"; done
sh -c 'echo "pid $$" >> "{marker}"; exec sleep 600' &
exec sleep 600
"""


def _install_fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *names: str) -> Path:
    marker = tmp_path / "marker.txt"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in names:
        script = bin_dir / name
        script.write_text(FAKE.format(marker=marker))
        script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    temp = tmp_path / "tmp"  # the run's temporary folders, to see that none is left
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    return marker


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            state = handle.read().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != b"Z"  # a zombie is dead, waiting for whoever adopted it to reap it


def _recorded(marker: Path) -> tuple[list[int], list[str]]:
    lines = marker.read_text().splitlines()
    pids = [int(line.split()[1]) for line in lines if line.startswith("pid ")]
    paths = [line.split(" ", 1)[1] for line in lines if line.startswith(("arg /", "tmp /"))]
    return pids, paths


def _assert_all_gone(marker: Path, temp: Path) -> None:
    pids, paths = _recorded(marker)
    assert pids, "the fake command never ran"
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in pids if _alive(pid)], "a program outlived its file's time"
    for path in paths:
        if path.startswith(str(temp)):
            assert not Path(path).exists(), f"{path} was left behind"
    assert list(temp.iterdir()) == []  # no worker or program temp folder left


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="process checks read /proc")
def test_a_conversion_that_times_out_is_killed_with_its_children_and_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = _install_fake(tmp_path, monkeypatch, "soffice")
    rtf = tmp_path / "report.rtf"
    rtf.write_bytes(b"{\\rtf1\\ansi 2021\\u24180? report}")
    [(_, report)] = parse_paths([rtf], replace(Limits(), timeout_seconds=3), workers=1)
    assert report.status is Status.TIMEOUT
    _assert_all_gone(marker, tmp_path / "tmp")


def _scanned_pdf(path: Path) -> None:
    image = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(image)
    for row in range(12):  # ruled boxes and strokes: ink, but no text layer
        draw.rectangle((100, 150 + 110 * row, 1140, 240 + 110 * row), outline=0, width=3)
        draw.line((150, 190 + 110 * row, 600, 195 + 110 * row), fill=0, width=9)
    buffer = io.BytesIO()
    image.save(buffer, format="PDF", resolution=150)
    path.write_bytes(buffer.getvalue())


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="process checks read /proc")
def test_ocr_that_outlives_the_time_limit_is_killed_with_its_children_and_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = _install_fake(tmp_path, monkeypatch, "tesseract")
    monkeypatch.setenv("GAIBAO_OCR", "tesseract")  # the engine that runs as a child process
    scan = tmp_path / "scan.pdf"
    _scanned_pdf(scan)
    [(_, report)] = parse_paths([scan], replace(Limits(), timeout_seconds=3), workers=1)
    assert not report.ok  # ran out of time, whichever clock stopped it first
    _assert_all_gone(marker, tmp_path / "tmp")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="process checks read /proc")
def test_review_of_a_file_reads_it_under_the_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # issue 24: `gaibao review FILE` parsed in-process without limits (144 s, 2.5 GB)
    from gaibao_pipeline.cli import main

    marker = _install_fake(tmp_path, monkeypatch, "soffice")
    monkeypatch.setenv("GAIBAO_TIMEOUT_SECONDS", "3")
    rtf = tmp_path / "report.rtf"
    rtf.write_bytes(b"{\\rtf1\\ansi 2021\\u24180? report}")
    started = time.monotonic()
    assert main(["review", str(rtf)]) == 1
    assert time.monotonic() - started < 30
    assert "[timeout]" in capsys.readouterr().out
    _assert_all_gone(marker, tmp_path / "tmp")
