"""The landing folder as the sensor sees it: which names are skipped (hidden, temporary,
partial downloads), stable keys per relative path, and change detection that hashes only
files whose size or mtime moved, with a bound on hashing per call.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gaibao_pipeline.runner.keys import report_key
from gaibao_pipeline.runner.landing import (
    FileState,
    compare,
    default_landing_dir,
    file_sha256,
    index,
    is_candidate,
    scan,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("hongze2023.pdf", True),
        ("平潭2021年报.docx", True),  # Chinese names are reports like any other
        (".DS_Store", False),  # hidden
        (".hongze2023.pdf.swp", False),  # editor swap file
        ("~$report.docx", False),  # Office lock file
        ("report.pdf.part", False),  # partial download
        ("report.pdf.crdownload", False),  # Chrome download in progress
        ("upload.tmp", False),  # temp copy
        ("Thumbs.db", False),  # Windows metadata
        ("report.doc~", False),  # backup
    ],
)
def test_candidates(name: str, expected: bool) -> None:
    assert is_candidate(name) is expected


def test_scan_is_recursive_sorted_and_skips_hidden_folders(tmp_path: Path) -> None:
    (tmp_path / "2023" / "江苏").mkdir(parents=True)
    (tmp_path / ".cache").mkdir()
    (tmp_path / "2023" / "江苏" / "b.pdf").write_bytes(b"b")
    (tmp_path / "a.txt").write_bytes(b"a")
    (tmp_path / ".cache" / "c.pdf").write_bytes(b"c")
    (tmp_path / "a.txt.part").write_bytes(b"partial")
    found = scan(tmp_path)
    assert [f.relative_path for f in found] == ["2023/江苏/b.pdf", "a.txt"]
    assert found[0].key == report_key("2023/江苏/b.pdf")
    assert found[0].key.isascii()
    assert index(tmp_path) == {f.key: f.relative_path for f in found}


def test_compare_hashes_only_what_moved(tmp_path: Path) -> None:
    for name in ("same.txt", "touched.txt", "edited.txt", "new.txt"):
        (tmp_path / name).write_text(name, encoding="utf-8")
    files = {f.relative_path: f for f in scan(tmp_path)}
    known = {
        name: FileState(files[name].size, files[name].mtime_ns, file_sha256(tmp_path / name))
        for name in ("same.txt", "touched.txt", "edited.txt")
    }
    known["same.txt"] = FileState(known["same.txt"].size, known["same.txt"].mtime_ns, "not-rehashed")
    os.utime(tmp_path / "touched.txt", ns=(1, 1))  # mtime moves, bytes do not
    (tmp_path / "edited.txt").write_text("edited, longer", encoding="utf-8")
    seen = {s.file.relative_path: s for s in compare(tmp_path, scan(tmp_path), known)}
    assert seen["same.txt"].kind == "unchanged"
    assert seen["same.txt"].state.sha256 == "not-rehashed"  # size and mtime equal: not read at all
    assert seen["touched.txt"].kind == "unchanged"
    assert seen["touched.txt"].state.mtime_ns == 1  # the new mtime is remembered
    assert seen["edited.txt"].kind == "changed"
    assert seen["new.txt"].kind == "new"
    assert seen["new.txt"].state.sha256 == file_sha256(tmp_path / "new.txt")


def test_compare_defers_past_its_hashing_budget(tmp_path: Path) -> None:
    for i in range(5):
        (tmp_path / f"{i}.txt").write_text(str(i), encoding="utf-8")
    files = scan(tmp_path)
    known = {"4.txt": FileState(0, 0, "old")}  # known, but moved
    seen = list(compare(tmp_path, files, known, max_hashed=2))
    kinds = {s.file.relative_path: s.kind for s in seen}
    assert kinds == {"0.txt": "new", "1.txt": "new", "4.txt": "deferred"}  # 2 and 3 wait for next time
    assert [s.state for s in seen if s.kind == "deferred"] == [known["4.txt"]]


def test_default_landing_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("GAIBAO_LANDING_DIR", raising=False)
    assert (default_landing_dir() / "hongze2023.pdf").is_file()  # the bundled sample corpus
    monkeypatch.setenv("GAIBAO_LANDING_DIR", str(tmp_path))
    assert default_landing_dir() == tmp_path
