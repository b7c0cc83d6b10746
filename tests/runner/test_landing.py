"""The landing folder as the sensor sees it: which names are skipped (hidden, temporary,
partial downloads), stable keys per relative path (the name's exact bytes, any encoding, ids of
UTF-8 names unchanged), what is refused and why (links out, FIFOs, devices, loops), and change
detection that hashes only files whose size or mtime moved, bounded in files, bytes and time.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from gaibao_pipeline.runner import landing
from gaibao_pipeline.runner.keys import display_path, fs_text, report_key
from gaibao_pipeline.runner.landing import (
    FileState,
    HashBudget,
    Refusal,
    compare,
    default_landing_dir,
    file_sha256,
    index,
    is_candidate,
    scan,
    scan_folder,
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


def test_report_ids_of_utf8_names_are_unchanged() -> None:
    # the ids every existing database and partition already holds
    assert report_key("pingtan2021.txt") == "r76ed1335f13779b8"
    name = "2023/江苏/洪泽区.pdf"
    assert report_key(name) == "r" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]
    assert report_key(name.encode("utf-8")) == report_key(name)


def test_names_are_bytes_never_reinterpreted(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.txt").write_text("slash")
    (tmp_path / "sub\\x.txt").write_text("backslash")  # one name with a backslash: legal on Linux
    (tmp_path / "sub\\..\\..\\outside\\r.txt").write_text("a name, not a path")
    gbk = "报告.txt".encode("gbk")
    with open(os.path.join(os.fsencode(tmp_path), gbk), "w") as handle:
        handle.write("gbk name")
    (tmp_path / "new\nline.txt").write_text("newline")
    files = {f.relative_path: f for f in scan(tmp_path)}
    assert set(files) == {
        "sub/x.txt",
        "sub\\x.txt",
        "sub\\..\\..\\outside\\r.txt",
        fs_text(gbk),
        "new\nline.txt",
    }
    assert len({f.key for f in files.values()}) == 5  # sub\x.txt and sub/x.txt are two reports
    assert files[fs_text(gbk)].key == report_key(gbk)
    assert files[fs_text(gbk)].display == "\\xb1\\xa8\\xb8\\xe6.txt"
    assert files["new\nline.txt"].display == "new\\nline.txt"
    for f in files.values():
        f.display.encode("utf-8")  # always storable and printable
        assert (tmp_path / f.relative_path).read_bytes()  # the exact file is found again
    assert (tmp_path / "sub\\..\\..\\outside\\r.txt").read_text() == "a name, not a path"


def test_display_path_escapes_what_cannot_be_shown_as_it_is() -> None:
    assert display_path("平潭2021.txt") == "平潭2021.txt"
    assert display_path(b"a\xff.txt") == "a\\xff.txt"
    assert display_path("tab\there\x1b[31m") == "tab\\there\\x1b[31m"
    assert display_path("evil\u202etxt.exe") == "evil\\u202etxt.exe"  # right-to-left override


def test_what_is_not_read_is_refused_with_the_reason(tmp_path: Path) -> None:
    root = tmp_path / "landing"
    outside = tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "r.txt").write_text("elsewhere")
    (root / "a.txt").write_text("a")
    (root / "link_out.txt").symlink_to(outside / "r.txt")
    (root / "link_in.txt").symlink_to(root / "a.txt")
    (root / "zero.txt").symlink_to("/dev/zero")
    (root / "loop").symlink_to(root, target_is_directory=True)  # a folder loop: not followed
    (root / "dangling.txt").symlink_to(root / "nowhere")
    (root / "self.txt").symlink_to(root / "self.txt")
    os.mkfifo(root / "pipe.txt")
    started = time.monotonic()
    found = scan_folder(root, allow_outside=False)
    assert [f.relative_path for f in found.files] == ["a.txt", "link_in.txt"]
    reasons = {r.path: r.reason for r in found.refused}
    assert "outside the landing folder" in reasons["link_out.txt"]
    assert "outside the landing folder" in reasons["zero.txt"]
    assert "FIFO" in reasons["pipe.txt"]
    assert "folder" in reasons["loop"]
    assert "broken" in reasons["dangling.txt"] and "broken" in reasons["self.txt"]
    allowed = scan_folder(root, allow_outside=True)
    assert "link_out.txt" in [f.relative_path for f in allowed.files]
    assert "character device" in {r.path: r.reason for r in allowed.refused}["zero.txt"]
    refused: list[Refusal] = []
    seen = list(compare(root, allowed.files, {}, refused=refused, budget=HashBudget(max_file_bytes=100)))
    assert {s.file.relative_path for s in seen} == {"a.txt", "link_in.txt"}  # links out: still not read
    assert [r.path for r in refused] == ["link_out.txt"]
    assert time.monotonic() - started < 5


def test_a_folder_that_cannot_be_listed_is_refused_and_the_rest_scanned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "x.txt").write_text("x")
    (tmp_path / "a.txt").write_text("a")
    real_scandir = os.scandir

    def scandir(path: bytes):  # type: ignore[no-untyped-def]
        if path.endswith(b"locked"):  # as root, permissions cannot make this happen
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(landing.os, "scandir", scandir)
    found = scan_folder(tmp_path)
    assert [f.relative_path for f in found.files] == ["a.txt"]
    assert found.refused == [Refusal("locked", "folder cannot be listed: Permission denied")]


def test_hashing_is_bounded_in_bytes_and_time(tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"{i}.txt").write_bytes(b"x" * (10 + i * 1000))
    files = scan(tmp_path)
    seen = {
        s.file.relative_path: s for s in compare(tmp_path, files, {}, budget=HashBudget(max_file_bytes=500))
    }
    assert seen["0.txt"].state.hashed
    assert not seen["1.txt"].state.hashed and seen["1.txt"].kind == "new"  # too large: not read
    assert seen["1.txt"].state.sha256 == landing.unhashed_marker(1010, files[1].mtime_ns)
    out_of_time = list(compare(tmp_path, files, {}, budget=HashBudget(seconds=0)))
    assert out_of_time == []  # new files wait for the next look


def test_locate_finds_the_exact_file_of_a_report_id(tmp_path: Path) -> None:
    gbk = "报告.txt".encode("gbk")
    with open(os.path.join(os.fsencode(tmp_path), gbk), "w") as handle:
        handle.write("gbk name")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.txt").write_text("slash")
    (tmp_path / "sub\\x.txt").write_text("backslash")
    assert landing.locate(tmp_path, report_key("sub\\x.txt"), "sub\\x.txt") == "sub\\x.txt"
    assert landing.locate(tmp_path, report_key("sub/x.txt"), "sub/x.txt") == "sub/x.txt"
    # the recorded name of a GBK file is escaped: the key finds the file anyway
    assert landing.locate(tmp_path, report_key(gbk), display_path(gbk)) == fs_text(gbk)
    assert landing.locate(tmp_path, "r0000000000000000", "gone.txt") is None
