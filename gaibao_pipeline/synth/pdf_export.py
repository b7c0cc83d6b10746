"""Export DOCX and HTML files to PDF with LibreOffice: one soffice process per batch of files.

Starting soffice costs seconds, so files go in batches; each concurrent soffice gets its
own user profile (`-env:UserInstallation`), because two processes sharing one block on its
lock or silently convert nothing. A profile is reused by the batches of its lane, so the
first-start cost is paid once per lane, not once per batch.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gaibao_pipeline.documents.office.convert import find_soffice, run_soffice, soffice_command
from gaibao_pipeline.errors import DocumentError

__all__ = ["export_pdfs", "find_soffice"]

SECONDS_PER_FILE = 60.0  # generous: a batch is killed only when LibreOffice hangs


def _lane(soffice: str, batches: list[list[Path]], outdir: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="gaibao-synth-lo-") as tmp:
        for batch in batches:
            command = soffice_command(soffice, Path(tmp) / "profile", outdir, batch, convert_to="pdf")
            # a batch that timed out keeps the files it converted: the caller sees the rest missing
            with contextlib.suppress(DocumentError):
                run_soffice(command, SECONDS_PER_FILE * len(batch))


def export_pdfs(
    sources: Sequence[Path],
    outdir: Path,
    *,
    soffice: str | None = None,
    batch_size: int = 100,
    lanes: int = 1,
) -> dict[Path, Path | None]:
    """Convert `sources` (distinct stems) to `outdir/<stem>.pdf`; None for a file that failed.

    `lanes` soffice processes run at once, each on its own share of the batches.
    """
    soffice = soffice or find_soffice()
    if soffice is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    if len({p.stem for p in sources}) != len(sources):
        raise ValueError("soffice names its outputs by stem: the sources' stems must differ")
    outdir.mkdir(parents=True, exist_ok=True)
    batches = [list(sources[i : i + batch_size]) for i in range(0, len(sources), max(batch_size, 1))]
    lanes = max(1, min(lanes, len(batches)))
    with ThreadPoolExecutor(lanes) as pool:
        list(pool.map(lambda k: _lane(soffice, batches[k::lanes], outdir), range(lanes)))
    results: dict[Path, Path | None] = {}
    for source in sources:
        made = outdir / f"{source.stem}.pdf"
        results[source] = made if made.is_file() else None
    return results
