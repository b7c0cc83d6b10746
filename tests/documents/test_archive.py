"""Archives: every file inside is an entry (nested archives opened), hostile members cost only
themselves, the archive as a whole is bounded, and nothing is ever written under a member's name.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import rarfile

from gaibao_pipeline.documents import read_document
from gaibao_pipeline.documents.archive import rar
from gaibao_pipeline.documents.archive.tree import list_archive, read_entry, safe_name
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.synth import build_docx
from gaibao_pipeline.synth.pdf_builder import build_report_pdf
from tests.conftest import DATA
from tests.support.archives import (
    rar5_stored,
    seven_zip_of,
    zip_of,
    zip_with_encrypted_member,
    zip_with_symlink,
)
from tests.test_formats_roundtrip import TEMPLATE_DOCX, make_report, mismatches

RAR = DATA / "documents" / "rar"
LIMITS = Limits()


@pytest.fixture(scope="module")
def pdf_and_docx() -> dict[str, bytes]:
    return {
        "2023/报告.pdf": build_report_pdf(make_report(1, "2021")),
        "2023/附件/report.docx": build_docx(make_report(2, "2021"), TEMPLATE_DOCX),
    }


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_zip_of_a_pdf_and_a_docx_lists_both_and_reads_each_back(pdf_and_docx: dict[str, bytes]) -> None:
    archive = zip_of({**pdf_and_docx, "__MACOSX/2023/._报告.pdf": b"\x00\x05", "2023/": b""})
    listing = list_archive(archive, "zip", LIMITS)
    assert [(e.inner_path, e.kind) for e in listing.entries] == [
        ("2023/报告.pdf", "pdf"),
        ("2023/附件/report.docx", "docx"),
    ]
    for entry in listing.entries:
        data = pdf_and_docx[entry.inner_path]
        assert entry.sha256 == _sha(data) and entry.size == len(data) and entry.problem is None
        assert read_entry(archive, "zip", entry.path, LIMITS) == data
    assert listing.entries[0].folder == ("2023",)
    with pytest.raises(DocumentError) as caught:
        read_document(archive, "bundle.zip")
    assert caught.value.status is Status.MULTIPLE_REPORTS
    assert "2023/报告.pdf" in caught.value.message and "landing folder" in caught.value.message


def test_an_archive_of_one_report_reads_as_that_report() -> None:
    built = make_report(4, "2019")
    document = read_document(zip_of({"年报.pdf": build_report_pdf(built)}), "x.zip")
    assert document.format == "pdf" and "年报.pdf" in document.warnings[0]


def test_gbk_names_of_chinese_windows_zips_are_decoded() -> None:
    """Windows' own zip tool stores names in the code page (GBK) without the UTF-8 flag."""
    gbk = "年度报告.txt".encode("gb18030")
    placeholder = b"r" * (len(gbk) - 4) + b".txt"
    archive = bytearray(zip_of({placeholder.decode(): "一、总体情况".encode()}))
    for header, name_at in ((b"PK\x03\x04", 30), (b"PK\x01\x02", 46)):
        at = archive.find(header) + name_at
        archive[at : at + len(gbk)] = gbk
    (entry,) = list_archive(bytes(archive), "zip", LIMITS).entries
    assert entry.inner_path == "年度报告.txt" and entry.kind == "text"


def test_nested_archives_are_opened_down_to_the_depth_limit() -> None:
    report = build_report_pdf(make_report(3, "2021"))
    level3 = zip_of({"deepest.pdf": report})
    level2 = seven_zip_of({"inner/third.zip": level3, "second.pdf": report})
    level1 = zip_of({"first.7z": level2, "top.pdf": report})
    listing = list_archive(level1, "zip", LIMITS)
    assert [e.inner_path for e in listing.entries] == [
        "first.7z!inner/third.zip!deepest.pdf",
        "first.7z!second.pdf",
        "top.pdf",
    ]
    assert all(e.problem is None and e.sha256 == _sha(report) for e in listing.entries)
    assert read_entry(level1, "zip", listing.entries[0].path, LIMITS) == report

    shallow = replace(LIMITS, max_archive_depth=2)
    entries = {e.inner_path: e for e in list_archive(level1, "zip", shallow).entries}
    deep = entries["first.7z!inner/third.zip"]
    assert deep.problem is not None and deep.problem[0] is Status.TOO_LARGE and "nested" in deep.problem[1]
    assert entries["first.7z!second.pdf"].problem is None
    with pytest.raises(DocumentError) as caught:
        read_entry(level1, "zip", deep.path, shallow)
    assert caught.value.status is Status.TOO_LARGE


def test_a_zip_bomb_member_costs_only_itself() -> None:
    bomb = zip_of({"bomb.txt": bytes(60 * 1024 * 1024), "good.txt": "一、总体情况".encode()})
    assert len(bomb) < 100 * 1024  # a thousandfold and more
    entries = {e.inner_path: e for e in list_archive(bomb, "zip", LIMITS).entries}
    problem = entries["bomb.txt"].problem
    assert problem is not None and problem[0] is Status.TOO_LARGE and "compression ratio" in problem[1]
    assert entries["good.txt"].problem is None and entries["good.txt"].kind == "text"
    with pytest.raises(DocumentError) as caught:
        read_entry(bomb, "zip", ("bomb.txt",), LIMITS)
    assert caught.value.status is Status.TOO_LARGE


def test_an_archive_inflating_past_its_limit_is_too_large() -> None:
    archive = zip_of({f"part{i}.txt": bytes(600 * 1024) for i in range(4)})
    with pytest.raises(DocumentError) as caught:
        list_archive(archive, "zip", replace(LIMITS, max_archive_bytes=2 * 1024 * 1024))
    assert caught.value.status is Status.TOO_LARGE


def test_thousands_of_members_make_the_archive_too_large() -> None:
    archive = zip_of({f"f{i:05d}.txt": b"x" for i in range(3000)})
    with pytest.raises(DocumentError) as caught:
        list_archive(archive, "zip", LIMITS)
    assert caught.value.status is Status.TOO_LARGE and "1,000" in caught.value.message
    assert len(list_archive(archive, "zip", replace(LIMITS, max_archive_members=5000)).entries) == 3000


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "..\\..\\windows\\win.ini", "C:/x.txt"])
def test_member_names_leading_outside_are_listed_but_never_read(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    archive = zip_of({name: b"root:x:0:0", "ok.txt": b"fine"})
    entries = list_archive(archive, "zip", LIMITS).entries
    hostile = next(e for e in entries if e.inner_path != "ok.txt")
    assert ".." not in hostile.inner_path and not hostile.inner_path.startswith("/")
    assert hostile.problem is not None and hostile.problem[0] is Status.UNREADABLE
    with pytest.raises(DocumentError):
        read_entry(archive, "zip", hostile.path, LIMITS)
    assert not any(tmp_path.iterdir())  # nothing was extracted anywhere


def test_safe_names() -> None:
    assert safe_name("a/./b//c.pdf") == ("a/b/c.pdf", False)
    assert safe_name("../x.pdf") == ("x.pdf", True)
    assert safe_name("a!b.pdf") == ("a！b.pdf", False)  # `!` separates an archive from its member


def test_symlink_members_are_no_files() -> None:
    listing = list_archive(zip_with_symlink("passwd", "/etc/passwd", {"r.txt": b"x"}), "zip", LIMITS)
    assert [e.inner_path for e in listing.entries] == ["r.txt"]
    assert listing.skipped == ["passwd (link)"]


def test_two_members_of_one_name_get_two_entries() -> None:
    archive = zip_of({"a.txt": b"one", "./a.txt": b"two"})  # both show as a.txt
    entries = list_archive(archive, "zip", LIMITS).entries
    assert [e.inner_path for e in entries] == ["a.txt", "a (2).txt"]
    assert [read_entry(archive, "zip", e.path, LIMITS) for e in entries] == [b"one", b"two"]


def test_encrypted_members_and_archives() -> None:
    (zip_entry,) = list_archive(zip_with_encrypted_member("s.pdf", b"%PDF-1.4"), "zip", LIMITS).entries
    assert zip_entry.problem is not None and zip_entry.problem[0] is Status.ENCRYPTED
    (entry,) = list_archive(seven_zip_of({"s.pdf": b"%PDF-1.4"}, password="pw"), "7z", LIMITS).entries
    assert entry.problem is not None and entry.problem[0] is Status.ENCRYPTED
    hidden = seven_zip_of({"s.pdf": b"%PDF-1.4"}, password="pw", header_encryption=True)
    with pytest.raises(DocumentError) as caught:
        list_archive(hidden, "7z", LIMITS)
    assert caught.value.status is Status.ENCRYPTED
    entries = list_archive((RAR / "rar5-psw.rar").read_bytes(), "rar", LIMITS).entries
    assert {e.problem[0] for e in entries if e.problem} == {Status.ENCRYPTED} and len(entries) == 2
    with pytest.raises(DocumentError) as caught:
        list_archive((RAR / "rar5-hpsw.rar").read_bytes(), "rar", LIMITS)
    assert caught.value.status is Status.ENCRYPTED


def test_a_7z_of_reports_is_read_in_one_pass(pdf_and_docx: dict[str, bytes]) -> None:
    archive = seven_zip_of(pdf_and_docx)
    listing = list_archive(archive, "7z", LIMITS)
    assert {e.inner_path: e.sha256 for e in listing.entries} == {k: _sha(v) for k, v in pdf_and_docx.items()}
    assert read_entry(archive, "7z", ("2023/报告.pdf",), LIMITS) == pdf_and_docx["2023/报告.pdf"]


def test_a_rar_of_stored_members_needs_no_tool(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    built = make_report(5, "2021")
    archive = rar5_stored({"年报/report.pdf": build_report_pdf(built), "说明.txt": "附件说明".encode()})
    monkeypatch.setenv("PATH", str(tmp_path))  # no unar, unrar or 7z
    monkeypatch.setattr(rar, "_RAR_SETUP", [])
    monkeypatch.setattr(rarfile, "CURRENT_SETUP", None)
    entries = list_archive(archive, "rar", LIMITS).entries
    assert [(e.inner_path, e.kind) for e in entries] == [("年报/report.pdf", "pdf"), ("说明.txt", "text")]
    from gaibao_pipeline.runner.parse import parse_bytes

    report = parse_bytes(read_entry(archive, "rar", entries[0].path, LIMITS), "report.pdf")
    assert report.ok and not mismatches(built, report)


def test_compressed_rar_without_a_tool_says_what_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(rar, "_RAR_SETUP", [])
    monkeypatch.setattr(rarfile, "CURRENT_SETUP", None)
    compressed, stored = list_archive((RAR / "rar5-crc.rar").read_bytes(), "rar", LIMITS).entries
    assert compressed.problem is not None and compressed.problem[0] is Status.UNSUPPORTED_FORMAT
    assert compressed.problem[1].startswith("rar: ") and "unar" in compressed.problem[1]
    assert stored.problem is None and stored.size == 2048  # read by rarfile itself


@pytest.mark.skipif(shutil.which("unar") is None and shutil.which("unrar") is None, reason="no RAR tool")
@pytest.mark.parametrize("name", ["rar5-crc.rar", "rar3-solid.rar"])
def test_compressed_rar_is_read_with_unar(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rar, "_RAR_SETUP", [])
    monkeypatch.setattr(rarfile, "CURRENT_SETUP", None)
    entries = list_archive((RAR / name).read_bytes(), "rar", LIMITS).entries
    assert [(e.inner_path, e.size, e.problem) for e in entries] == [
        ("stest1.txt", 2048, None),
        ("stest2.txt", 2048, None),
    ]
    assert entries[0].sha256 == entries[1].sha256 or entries[0].kind == "text"


def test_corrupt_and_truncated_archives() -> None:
    with pytest.raises(DocumentError) as caught:
        list_archive(b"7z\xbc\xaf\x27\x1c" + os.urandom(200), "7z", LIMITS)
    assert caught.value.status is Status.UNREADABLE
    # a truncated RAR gives what survived; the member cut off is unreadable on its own
    whole, cut = list_archive((RAR / "rar5-crc.rar").read_bytes()[:1000], "rar", LIMITS).entries
    assert whole.problem is None and cut.problem is not None and cut.problem[0] is Status.UNREADABLE
    with pytest.raises(DocumentError) as caught:
        read_document(b"Rar!\x1a\x07\x01\x00" + bytes(50), "empty.rar")
    assert caught.value.status is Status.NOT_A_REPORT and "no files" in caught.value.message
