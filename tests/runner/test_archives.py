"""Archives in the landing folder: each file inside is an entry with its own report id, data
version and status; reading an entry is reading that member; a report split into a document
and a workbook is read as one; what cannot be listed stays one entry with its status.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from gaibao_pipeline.cli import main
from gaibao_pipeline.errors import Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.report import Report
from gaibao_pipeline.runner import archives
from gaibao_pipeline.runner.keys import report_key
from gaibao_pipeline.runner.landing import FileState, compare, index, scan
from gaibao_pipeline.runner.parse import parse_file
from gaibao_pipeline.runner.stages import read_and_parse_each, register
from gaibao_pipeline.synth import build_docx
from gaibao_pipeline.synth.ofd_builder import build_ofd
from gaibao_pipeline.synth.pdf_builder import build_report_pdf
from gaibao_pipeline.synth.text_builder import build_text
from tests.support.archives import seven_zip_of, zip_of
from tests.support.workbooks import anonymous_workbook
from tests.test_formats_roundtrip import TEMPLATE_DOCX, make_report, mismatches

REPORTS = {
    "2023/报告.pdf": make_report(1, "2021"),
    "2023/附件/report.docx": make_report(2, "2021"),
    "inner.7z!三/report.ofd": make_report(3, "2019"),
}


def _bundle() -> bytes:
    inner = seven_zip_of({"三/report.ofd": build_ofd(REPORTS["inner.7z!三/report.ofd"])})
    return zip_of(
        {
            "2023/报告.pdf": build_report_pdf(REPORTS["2023/报告.pdf"]),
            "2023/附件/report.docx": build_docx(REPORTS["2023/附件/report.docx"], TEMPLATE_DOCX),
            "inner.7z": inner,
            "../../etc/passwd": b"root:x:0:0",
            "__MACOSX/2023/._报告.pdf": b"\x00\x05",
        }
    )


def _member_bytes(name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(_bundle())) as archive:
        return archive.read(name)


def _read_all(root: Path) -> dict[str, Report]:
    sources = [register(f.key, root, f.relative_path) for f in scan(root)]
    return {
        parsed.report.source.file: parsed.report for _, parsed in read_and_parse_each(sources, Limits(), 2)
    }


def test_the_scan_lists_an_archives_files_each_with_its_own_key_and_version(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bundle.zip").write_bytes(_bundle())
    (tmp_path / "plain.txt").write_text("一、总体情况", encoding="utf-8")
    files = scan(tmp_path)
    paths = [f.relative_path for f in files]
    assert paths == [
        "plain.txt",
        "sub/bundle.zip!2023/报告.pdf",
        "sub/bundle.zip!2023/附件/report.docx",
        "sub/bundle.zip!etc/passwd",
        "sub/bundle.zip!inner.7z!三/report.ofd",
    ]
    archive_mtime = (tmp_path / "sub" / "bundle.zip").stat().st_mtime_ns
    pdf = files[1]
    assert pdf.key == report_key("sub/bundle.zip!2023/报告.pdf") and pdf.mtime_ns == archive_mtime
    assert pdf.size == len(_member_bytes("2023/报告.pdf"))
    assert index(tmp_path) == {f.key: f.relative_path for f in files}
    seen = {s.file.relative_path: s for s in compare(tmp_path, files, {})}
    assert seen[pdf.relative_path].state.sha256 == hashlib.sha256(_member_bytes("2023/报告.pdf")).hexdigest()
    assert {s.kind for s in seen.values()} == {"new"}
    # nothing moved: nothing is hashed, everything unchanged
    known = {path: s.state for path, s in seen.items()}
    assert {s.kind for s in compare(tmp_path, files, known)} == {"unchanged"}


def test_every_entry_is_read_as_a_report_of_its_own(tmp_path: Path) -> None:
    (tmp_path / "bundle.zip").write_bytes(_bundle())
    seen = {s.file.relative_path: s.state.sha256 for s in compare(tmp_path, scan(tmp_path), {})}
    reports = _read_all(tmp_path)
    assert set(reports) == {f"bundle.zip!{inner}" for inner in [*REPORTS, "etc/passwd"]}
    for inner, built in REPORTS.items():
        report = reports[f"bundle.zip!{inner}"]
        assert report.ok and not mismatches(built, report), inner
        # what the reader hashed is what the landing scan recorded: the database sees it unchanged
        assert report.source.sha256 == seen[f"bundle.zip!{inner}"]
    hostile = reports["bundle.zip!etc/passwd"]
    assert hostile.status is Status.UNREADABLE and "leads outside the archive" in (hostile.message or "")
    assert hostile.source.sha256 == seen["bundle.zip!etc/passwd"]
    again = _read_all(tmp_path)  # reloading is idempotent
    assert {k: r.to_dict() for k, r in again.items()} == {k: r.to_dict() for k, r in reports.items()}


def test_an_archive_that_cannot_be_listed_is_one_entry_with_its_status(tmp_path: Path) -> None:
    (tmp_path / "secret.7z").write_bytes(
        seven_zip_of({"a.pdf": b"%PDF-1.4"}, password="pw", header_encryption=True)
    )
    (tmp_path / "many.zip").write_bytes(zip_of({f"f{i}.txt": b"x" for i in range(1500)}))
    assert [f.relative_path for f in scan(tmp_path)] == ["many.zip", "secret.7z"]
    reports = _read_all(tmp_path)
    assert reports["secret.7z"].status is Status.ENCRYPTED
    assert reports["many.zip"].status is Status.TOO_LARGE


def test_a_real_file_keeps_its_name_over_an_archive_member(tmp_path: Path) -> None:
    (tmp_path / "b.zip").write_bytes(zip_of({"a.txt": b"member", "c.txt": b"other"}))
    (tmp_path / "b.zip!a.txt").write_bytes(b"file")
    assert [f.relative_path for f in scan(tmp_path)] == ["b.zip!a.txt", "b.zip!c.txt"]
    assert archives.locate(tmp_path / "b.zip!a.txt") is None
    assert archives.locate(tmp_path / "b.zip!c.txt") == archives.MemberPath(tmp_path / "b.zip", "c.txt")


def test_a_member_gone_from_a_rewritten_archive_is_gone_from_the_folder(tmp_path: Path) -> None:
    path = tmp_path / "b.zip"
    path.write_bytes(zip_of({"a.txt": "一、总体情况".encode(), "b.txt": "二".encode()}))
    before = {s.file.relative_path: s.state for s in compare(tmp_path, scan(tmp_path), {})}
    path.write_bytes(zip_of({"a.txt": "一、总体情况".encode()}))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    files = scan(tmp_path)
    assert [f.relative_path for f in files] == ["b.zip!a.txt"]
    seen = list(compare(tmp_path, files, before))
    assert [(s.file.relative_path, s.kind) for s in seen] == [("b.zip!a.txt", "unchanged")]  # same bytes


def test_a_report_split_into_its_text_and_a_workbook_of_its_tables_is_one_report(tmp_path: Path) -> None:
    built = make_report(3, "2021")
    text = build_text(built, "tab_rows").decode()
    narrative = "\n".join(line for line in text.splitlines() if "\t" not in line).encode()
    bundle = {"年报/报告正文.txt": narrative, "年报/附表.xlsx": anonymous_workbook(built)}
    (tmp_path / "年报.zip").write_bytes(zip_of(bundle))
    reports = _read_all(tmp_path)
    report = reports["年报.zip!年报/报告正文.txt"]
    assert report.ok and not mismatches(built, report)
    assert any("年报/附表.xlsx" in w for w in report.warnings)
    cell = next(c for c in report.cells if c.raw)
    assert cell.where is not None and cell.where.line is not None  # the sheet's row
    tables = reports["年报.zip!年报/附表.xlsx"]
    assert tables.status is Status.NOT_A_REPORT and "年报/报告正文.txt" in (tables.message or "")


def test_a_document_with_its_own_tables_takes_no_workbook(tmp_path: Path) -> None:
    built = make_report(4, "2021")
    bundle = {
        "a/report.pdf": build_report_pdf(built),
        "a/tables.xlsx": anonymous_workbook(make_report(5, "2021")),
    }
    (tmp_path / "b.zip").write_bytes(zip_of(bundle))
    reports = _read_all(tmp_path)
    assert not mismatches(built, reports["b.zip!a/report.pdf"])  # the other tables were not mixed in
    tables = reports["b.zip!a/tables.xlsx"]
    assert tables.status is Status.NOT_A_REPORT and "article page" in (tables.message or "")


def test_gaibao_parse_lists_an_archives_files(tmp_path: Path) -> None:
    path = tmp_path / "bundle.zip"
    path.write_bytes(_bundle())
    out = tmp_path / "out"
    assert main(["parse", str(path), "--out", str(out)]) == 1  # etc/passwd is not read
    written = sorted(p.name for p in out.iterdir())
    assert written == [
        "bundle.zip!2023_报告.json",
        "bundle.zip!2023_附件_report.json",
        "bundle.zip!etc_passwd.json",
        "bundle.zip!inner.7z!三_report.json",
    ]
    parsed = json.loads((out / "bundle.zip!2023_报告.json").read_text(encoding="utf-8"))
    assert parsed["status"] == "ok" and parsed["source"]["file"] == "bundle.zip!2023/报告.pdf"


def test_parse_file_reads_a_member_path(tmp_path: Path) -> None:
    (tmp_path / "bundle.zip").write_bytes(_bundle())
    report = parse_file(tmp_path / "bundle.zip!inner.7z!三/report.ofd")
    assert report.ok and not mismatches(REPORTS["inner.7z!三/report.ofd"], report)


def test_member_states_of_unknown_paths(tmp_path: Path) -> None:
    (tmp_path / "b.zip").write_bytes(zip_of({"a.txt": b"x"}))
    assert archives.member_sha256(tmp_path, "b.zip!a.txt") == hashlib.sha256(b"x").hexdigest()
    assert archives.member_sha256(tmp_path, "plain.txt") is None
    with pytest.raises(OSError):
        archives.member_sha256(tmp_path, "b.zip!gone.txt")
    known = {"b.zip!gone.txt": FileState(1, 1, "0" * 64)}
    assert list(compare(tmp_path, [], known)) == []
