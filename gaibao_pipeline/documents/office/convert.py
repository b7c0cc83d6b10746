"""Read .doc, .wps, .rtf and .odt reports by converting them to DOCX with LibreOffice.

LibreOffice is the only dependable reader of Word 97-2003 and Kingsoft WPS files. Each
conversion gets its own throwaway user profile: two soffice processes sharing a profile
(parallel workers) block on its lock or silently convert nothing. Each also runs in its own
process group, so a hung conversion is killed with every child soffice spawned; the group
stays in the reader worker's session, so a worker killed at the file's time limit takes
LibreOffice with it (`runner.workers`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from gaibao_pipeline.documents.docx.package import open_zip, read_member
from gaibao_pipeline.documents.docx.reader import read_docx
from gaibao_pipeline.documents.office.ole import OleError, inspect_ole
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.model import Document

INSTALL_HINT = "LibreOffice is needed for .doc/.wps files: apt-get install libreoffice-writer-nogui"
DOCX_FILTER = "docx:MS Word 2007 XML"
_STDERR_TAIL = 300
_NOT_DOCUMENTS = {
    "Workbook": "an Excel workbook",
    "Book": "an Excel workbook",
    "PowerPoint Document": "a PowerPoint file",
}


def find_soffice() -> str | None:
    """The LibreOffice executable on PATH (`soffice` or `libreoffice`), if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def soffice_command(
    soffice: str, profile: Path, outdir: Path, inputs: Sequence[Path], convert_to: str = DOCX_FILTER
) -> list[str]:
    """The headless command converting `inputs` to `convert_to`, with a private user profile."""
    return [
        soffice,
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--nodefault",
        "--nologo",
        "--convert-to",
        convert_to,
        "--outdir",
        str(outdir),
        *(str(p) for p in inputs),
    ]


def run_soffice(command: list[str], timeout: float) -> str:
    """Run soffice; kill its whole process group on timeout. Returns its stderr."""
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        process_group=0,  # a group of its own to kill, in the worker's session (not a new one)
    )
    try:
        _out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise DocumentError(Status.TIMEOUT, f"LibreOffice took longer than {timeout:g}s") from exc
    return err.decode("utf-8", errors="replace")


def _check_ole(data: bytes) -> bool:
    """Refuse encrypted and non-Word OLE files; True when it holds a WordDocument stream."""
    try:
        info = inspect_ole(data)
    except OleError:
        return False  # let LibreOffice try; it reads some damaged files
    if info.has("EncryptedPackage") or info.has("EncryptionInfo"):
        raise DocumentError(Status.ENCRYPTED, "Office file is password-protected (EncryptedPackage)")
    if info.word_encrypted:
        raise DocumentError(Status.ENCRYPTED, "Word document is password-protected (fEncrypted)")
    if not info.has("WordDocument"):
        for stream, what in _NOT_DOCUMENTS.items():
            if info.has(stream):
                raise DocumentError(Status.UNSUPPORTED_FORMAT, f"OLE file is {what}, not a document")
    return info.has("WordDocument")


def _check_odt(data: bytes, limits: Limits) -> None:
    with open_zip(data, limits, what="ODT") as archive:
        manifest = read_member(archive, "META-INF/manifest.xml") or b""
    if b"encryption-data" in manifest:
        raise DocumentError(Status.ENCRYPTED, "ODF document is password-protected")


def source_format(name: str, kind: str) -> str:
    """The format recorded on the Document: 'wps' for Kingsoft files, else the detected kind."""
    return "wps" if kind == "doc" and name.lower().endswith(".wps") else kind


def convert_to_docx(data: bytes, suffix: str, limits: Limits) -> bytes:
    """Convert one file's bytes to DOCX bytes with a private LibreOffice profile."""
    soffice = find_soffice()
    if soffice is None:
        raise DocumentError(Status.NEEDS_CONVERTER, INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="gaibao-lo-") as tmp:
        root = Path(tmp)
        source = root / "in" / f"report.{suffix}"
        source.parent.mkdir()
        source.write_bytes(data)
        outdir = root / "out"
        stderr = run_soffice(
            soffice_command(soffice, root / "profile", outdir, [source]), limits.timeout_seconds
        )
        result = outdir / "report.docx"
        if not result.is_file():
            tail = " ".join(stderr.split())[-_STDERR_TAIL:]
            raise DocumentError(Status.UNREADABLE, f"LibreOffice could not convert the file: {tail}")
        return result.read_bytes()


def read_legacy_office(data: bytes, name: str, kind: str, limits: Limits) -> Document:
    """Read a .doc/.wps/.rtf/.odt file via LibreOffice's DOCX export and `read_docx`."""
    if kind not in ("doc", "rtf", "odt"):
        raise ValueError(f"not a legacy office kind: {kind}")
    fmt = source_format(name, kind)
    suffix = kind
    if kind == "doc":
        # a Kingsoft .wps with a WordDocument stream is Word's format; naming it .doc keeps
        # LibreOffice from trying its Microsoft Works filter on the extension
        suffix = "doc" if _check_ole(data) or fmt == "doc" else "wps"
    elif kind == "odt":
        _check_odt(data, limits)
    document = read_docx(convert_to_docx(data, suffix, limits), limits)
    document.format = fmt
    return document


def _batches(paths: Iterable[Path], size: int) -> list[list[Path]]:
    """Groups of at most `size` files with distinct stems (soffice names outputs by stem)."""
    batches: list[list[Path]] = []
    for path in paths:
        for batch in batches:
            if len(batch) < size and all(p.stem != path.stem for p in batch):
                batch.append(path)
                break
        else:
            batches.append([path])
    return batches


def convert_many(
    paths: Iterable[Path | str],
    outdir: Path | str,
    *,
    timeout_per_file: float = 60.0,
    batch_size: int = 200,
    soffice: str | None = None,
) -> dict[Path, Path | None]:
    """Convert many files to DOCX in `outdir` with one soffice run per batch; None = failed."""
    soffice = soffice or find_soffice()
    if soffice is None:
        raise DocumentError(Status.NEEDS_CONVERTER, INSTALL_HINT)
    target = Path(outdir)
    target.mkdir(parents=True, exist_ok=True)
    results: dict[Path, Path | None] = {}
    used: set[str] = set()
    for batch in _batches((Path(p) for p in paths), max(batch_size, 1)):
        with tempfile.TemporaryDirectory(prefix="gaibao-lo-") as tmp:
            produced = Path(tmp) / "out"
            command = soffice_command(soffice, Path(tmp) / "profile", produced, batch)
            # files converted before a timeout are still collected below
            with contextlib.suppress(DocumentError):
                run_soffice(command, timeout_per_file * len(batch))
            for source in batch:
                made = produced / f"{source.stem}.docx"
                if not made.is_file():
                    results[source] = None
                    continue
                name, n = f"{source.stem}.docx", 1
                while name in used:  # same stem from another directory or batch
                    n += 1
                    name = f"{source.stem}-{n}.docx"
                used.add(name)
                results[source] = Path(shutil.move(str(made), str(target / name)))
    return results
