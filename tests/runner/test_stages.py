"""The pipeline's stages on single files: registration (hash, missing file), reading in
isolated workers with every failure turned into a per-file status, and parsing a failed
read into a failed report instead of an exception.
"""

from __future__ import annotations

from pathlib import Path

from gaibao_pipeline.errors import Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.runner.landing import FileState, file_sha256
from gaibao_pipeline.runner.stages import parse, read_and_parse_each, read_path, register
from tests.conftest import corpus_file


def test_register_stats_the_file_and_takes_a_known_hash_only_while_it_holds(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("hello", encoding="utf-8")
    source = register("r1", tmp_path, "a.txt")
    assert (source.size, source.sha256) == (5, None)  # not hashed here: the reader hashes what it reads
    stat = (tmp_path / "a.txt").stat()
    known = FileState(stat.st_size, stat.st_mtime_ns, "f" * 64)
    assert register("r1", tmp_path, "a.txt", known).sha256 == "f" * 64
    moved = FileState(stat.st_size, stat.st_mtime_ns - 1, "f" * 64)
    assert register("r1", tmp_path, "a.txt", moved).sha256 is None  # touched since: hash again
    assert register("r2", tmp_path, None).missing


def test_read_and_parse_each_reads_good_and_bad_files_in_one_batch(tmp_path: Path) -> None:
    good = corpus_file("pingtan2021")
    (tmp_path / "garbage.pdf").write_bytes(b"\x00\xff" * 500)
    (tmp_path / "empty.txt").write_bytes(b"")
    sources = [
        register("good", good.parent, good.name),
        register("garbage", tmp_path, "garbage.pdf"),
        register("empty", tmp_path, "empty.txt"),
        register("gone", tmp_path, None),
    ]
    results = dict(read_and_parse_each(sources, Limits(), workers=1))
    # what the run gets back is the document's summary and the report, not the document
    reports = {key: parsed.report for key, parsed in results.items()}
    summary = results["good"].document
    assert summary.read and summary.status is Status.OK and summary.pages is None and summary.paragraphs > 0
    read = read_path(good, Limits())  # the same file, read here
    assert read.document is not None and (summary.paragraphs, summary.tables) == (
        len(read.document.paragraphs),
        len(read.document.grids),
    )
    assert summary.source.sha256 == file_sha256(good)
    for key in ("garbage", "empty", "gone"):
        failed = results[key].document
        assert not failed.read and failed.message and failed.status is not Status.OK
    assert reports["good"].ok and reports["good"].cells == parse(read).cells
    for key in ("garbage", "empty", "gone"):  # parsed in the worker or not, a failed read fails
        assert reports[key].status == results[key].document.status and reports[key].cells == []


def test_read_and_parse_each_applies_the_size_limit(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_bytes(b"x" * 2048)
    sources = [register("big", tmp_path, "big.txt")]
    [(_, parsed)] = read_and_parse_each(sources, Limits(max_file_bytes=1024), workers=1)
    assert parsed.document.status is Status.TOO_LARGE and parsed.report.status is Status.TOO_LARGE
