"""The .doc/.wps/.rtf/.odt reader: LibreOffice conversion (when installed) read back as grids,
batch conversion, private profiles under concurrency, and the failures that need no
LibreOffice: encrypted OLE/ODF files, non-document OLE files, a missing converter, a hung
converter (killed on timeout) and a converter that produces nothing."""

from __future__ import annotations

import io
import os
import random
import struct
import subprocess
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from gaibao_pipeline.documents import read_document
from gaibao_pipeline.documents.office.convert import _batches, convert_many, find_soffice, read_legacy_office
from gaibao_pipeline.documents.office.ole import OleError, inspect_ole
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.model import Grid
from gaibao_pipeline.synth import SynthReport, build_docx, random_report
from gaibao_pipeline.synth.layout import cell_positions
from gaibao_pipeline.synth.values import format_value

from .test_docx_fixtures import assert_slots_disjoint, spans

TEMPLATE = Path(__file__).parents[1] / "data" / "documents" / "template-2021-blank.docx"
LIMITS = Limits()
END, FREE, FAT_SECTOR = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD

needs_libreoffice = pytest.mark.skipif(
    find_soffice() is None,
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui",
)


def fib(encrypted: bool = False) -> bytes:
    """A Word 97 WordDocument stream: its FibBase, with fEncrypted set when asked."""
    flags = 0x0100 if encrypted else 0
    return struct.pack("<6H", 0xA5EC, 0xC1, 0, 0x0804, 0, flags).ljust(4096, b"\0")


def make_ole(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (v3, 512-byte sectors) holding `streams` in the main FAT."""
    n_dir = (len(streams) + 1 + 3) // 4  # four 128-byte entries per sector
    fat = [FAT_SECTOR, *range(2, n_dir + 1), END]
    data, entries = b"", [("Root Entry", 5, END, 0)]
    for name, payload in streams.items():
        sectors = max((len(payload) + 511) // 512, 1)
        start = len(fat)
        fat += [*range(start + 1, start + sectors), END]
        entries.append((name, 2, start, len(payload)))
        data += payload.ljust(sectors * 512, b"\0")
    directory = b""
    for name, kind, start, size in entries:
        encoded = (name + "\0").encode("utf-16-le")
        directory += (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB3I", len(encoded), kind, 1, FREE, FREE, FREE)
            + bytes(16 + 4 + 16)
            + struct.pack("<IIi", start, size, 0)
        )
    directory = directory.ljust(n_dir * 512, b"\0")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH6xIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, 0, 1, 1, 0, 4096, END, 0, END, 0)
        + struct.pack("<109I", 0, *[FREE] * 108)
    )
    fat_sector = struct.pack(f"<{len(fat)}I", *fat).ljust(512, b"\xff")
    return header + fat_sector + directory + data


def fake_soffice(tmp_path: Path, script: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Put a shell script named soffice first on PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "soffice"
    exe.write_text("#!/bin/sh\n" + script)
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")


# --- without LibreOffice ---------------------------------------------------------------


def test_inspect_ole_reads_streams_and_flag() -> None:
    info = inspect_ole(make_ole({"WordDocument": fib(encrypted=True), "1Table": bytes(600)}))
    assert info.has("worddocument") and info.has("1Table") and info.word_encrypted
    assert not inspect_ole(make_ole({"WordDocument": fib()})).word_encrypted
    with pytest.raises(OleError):
        inspect_ole(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))


@pytest.mark.parametrize(
    ("streams", "status"),
    [
        # password-protected DOCX/XLSX: an OLE wrapper around EncryptedPackage
        ({"EncryptionInfo": bytes(600), "EncryptedPackage": bytes(5000)}, Status.ENCRYPTED),
        # Word 97-2003 document saved with a password
        ({"WordDocument": fib(encrypted=True), "1Table": bytes(600)}, Status.ENCRYPTED),
        # an .xls renamed .doc is read as the workbook it is: this one holds no sheet
        ({"Workbook": bytes(5000)}, Status.UNREADABLE),
    ],
)
def test_refused_before_conversion(
    streams: dict[str, bytes], status: Status, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no converter needed to refuse these
    with pytest.raises(DocumentError) as caught:
        read_document(make_ole(streams), "report.doc")
    assert caught.value.status == status


def test_missing_libreoffice_needs_converter(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_soffice() is None
    with pytest.raises(DocumentError) as caught:
        read_document(make_ole({"WordDocument": fib(), "1Table": bytes(600)}), "report.wps")
    assert caught.value.status == Status.NEEDS_CONVERTER
    assert "apt-get install libreoffice-writer-nogui" in caught.value.message
    with pytest.raises(DocumentError):
        convert_many([tmp_path / "a.doc"], tmp_path / "out")


def test_encrypted_odt() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<x/>")
        archive.writestr("META-INF/manifest.xml", "<manifest:encryption-data/>")
    with pytest.raises(DocumentError) as caught:
        read_document(out.getvalue(), "report.odt")
    assert caught.value.status == Status.ENCRYPTED


def _gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split()[0] == "Z"
    except (FileNotFoundError, IndexError):
        return True


def test_hung_converter_is_killed_with_its_children(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    fake_soffice(tmp_path, f"sleep 60 &\necho $! > {pid_file}\nwait\n", monkeypatch)
    started = time.perf_counter()
    with pytest.raises(DocumentError) as caught:
        read_legacy_office(make_ole({"WordDocument": fib()}), "r.doc", "doc", Limits(timeout_seconds=1))
    assert caught.value.status == Status.TIMEOUT
    assert time.perf_counter() - started < 10
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while not _gone(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(child)


def test_converter_without_output_is_unreadable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2\n", monkeypatch)
    with pytest.raises(DocumentError) as caught:
        read_legacy_office(b"{\\rtf1 x}", "r.rtf", "rtf", LIMITS)
    assert caught.value.status == Status.UNREADABLE
    assert "could not be loaded" in caught.value.message


def test_batches_keep_stems_distinct() -> None:
    paths = [Path("a/x.doc"), Path("b/x.doc"), Path("a/y.doc"), Path("c/x.wps")]
    assert _batches(paths, 10) == [[Path("a/x.doc"), Path("a/y.doc")], [Path("b/x.doc")], [Path("c/x.wps")]]
    assert [len(b) for b in _batches([Path(f"{i}.doc") for i in range(5)], 2)] == [2, 2, 1]


# --- with LibreOffice --------------------------------------------------------------------


@pytest.fixture(scope="module")
def report() -> SynthReport:
    return random_report(random.Random(21), "2021", 2022, "某某区教育局")


@pytest.fixture(scope="module")
def converted(report: SynthReport, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, bytes]]:
    """The report as .doc and .rtf, made from its DOCX by LibreOffice."""
    if find_soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
    work = tmp_path_factory.mktemp("lo")
    source = work / "report.docx"
    source.write_bytes(build_docx(report, TEMPLATE))
    out: dict[str, bytes] = {}
    for ext in ("doc", "rtf"):
        profile = (work / f"profile-{ext}").as_uri()
        subprocess.run(
            [find_soffice() or "soffice", f"-env:UserInstallation={profile}", "--headless",
             "--convert-to", ext, "--outdir", str(work), str(source)],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        out[ext] = (work / f"report.{ext}").read_bytes()
    yield out


def _assert_values(report: SynthReport, grids: list[Grid]) -> None:
    at = {c.where: c.text for g in grids for c in g.cells}
    for key, where in cell_positions("2021").items():
        assert at[where] == format_value(report.cells[key]), key
    for grid in grids:
        assert_slots_disjoint(grid)


@pytest.mark.libreoffice
@pytest.mark.slow
@needs_libreoffice
def test_doc_via_libreoffice(report: SynthReport, converted: dict[str, bytes]) -> None:
    doc = read_document(converted["doc"], "report.doc")
    assert doc.format == "doc"
    assert spans(doc.grids[1])["三、本年度办理结果"] == (5, 0, 22, 1)
    _assert_values(report, doc.grids)
    assert report.title in doc.text()


@pytest.mark.libreoffice
@pytest.mark.slow
@needs_libreoffice
def test_wps_and_rtf_via_libreoffice(report: SynthReport, converted: dict[str, bytes]) -> None:
    assert read_legacy_office(converted["doc"], "报告.wps", "doc", LIMITS).format == "wps"
    rtf = read_document(converted["rtf"], "report.rtf")
    assert rtf.format == "rtf"
    _assert_values(report, rtf.grids)


@pytest.mark.libreoffice
@needs_libreoffice
def test_real_doc_with_encrypted_flag(converted: dict[str, bytes]) -> None:
    data = bytearray(converted["doc"])
    # the WordDocument stream starts on a sector boundary with the FIB's wIdent
    offset = next(o for o in range(512, len(data), 512) if data[o : o + 2] == b"\xec\xa5")
    data[offset + 0x0B] |= 0x01  # fEncrypted is bit 8 of the flags word at 0x0A
    with pytest.raises(DocumentError) as caught:
        read_document(bytes(data), "report.doc")
    assert caught.value.status == Status.ENCRYPTED


@pytest.mark.libreoffice
@pytest.mark.slow
@needs_libreoffice
def test_concurrent_conversions(report: SynthReport, converted: dict[str, bytes]) -> None:
    with ThreadPoolExecutor(max_workers=3) as pool:
        docs = list(pool.map(lambda _: read_document(converted["doc"], "r.doc"), range(3)))
    for doc in docs:
        _assert_values(report, doc.grids)


@pytest.mark.libreoffice
@pytest.mark.slow
@needs_libreoffice
def test_convert_many(converted: dict[str, bytes], tmp_path: Path) -> None:
    sources = [tmp_path / "a" / "report.doc", tmp_path / "b" / "report.doc", tmp_path / "c" / "other.rtf"]
    for path, ext in zip(sources, ("doc", "doc", "rtf"), strict=True):
        path.parent.mkdir()
        path.write_bytes(converted[ext])
    missing = tmp_path / "missing.doc"
    results = convert_many([*sources, missing], tmp_path / "out")
    made = [results[s] for s in sources]
    assert all(m is not None and m.is_file() for m in made)
    assert len({m for m in made}) == 3
    assert results[missing] is None
    assert sorted(os.listdir(tmp_path / "out")) == ["other.docx", "report-2.docx", "report.docx"]
