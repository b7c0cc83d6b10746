"""Time and memory of OCR per page, on scans of known values: prints figures, asserts nothing.

usage: python bench/ocr_pages.py [--threads N] [--dpi 120,160,200] [PDF ...]

For each image-only PDF given (default: tests/data/documents/hongze2023-scan.pdf) and for
scans made here of the sample corpus' hongze2023.pdf at each --dpi (turned, blurred,
JPEG-compressed, as the tests make them), each page is read by `documents.ocr` in this
process: seconds per page (wall and CPU), the process's peak RSS after it, and the share of
cells the parse gets right against the golden file. Run it in a fresh process: the first
page also pays for loading the models (reported apart).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pypdfium2 as pdfium  # noqa: E402

from gaibao_pipeline.documents.ocr.engine import RapidEngine  # noqa: E402
from gaibao_pipeline.documents.ocr.pdf_pages import read_scanned_page  # noqa: E402
from gaibao_pipeline.documents.ocr.session import OcrSession  # noqa: E402
from gaibao_pipeline.documents.ocr.settings import OcrSettings  # noqa: E402
from gaibao_pipeline.runner.parse import parse_bytes  # noqa: E402
from tests.documents.ocr.scans import ScanStyle, scan_pdf  # noqa: E402
from tests.golden import same_value  # noqa: E402

SAMPLE = ROOT / "gaibao_pipeline" / "sample_corpus" / "hongze2023.pdf"
GOLDEN = ROOT / "tests" / "data" / "golden"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pages(data: bytes, threads: int) -> list[tuple[int, float, float, float]]:
    """(page, wall seconds, CPU seconds, peak RSS MB) for each page of an image-only PDF."""
    session = OcrSession(deadline=time.monotonic() + 3600, settings=OcrSettings(threads=threads))
    document = pdfium.PdfDocument(data)
    out = []
    try:
        for index in range(len(document)):
            page = document[index]
            wall, cpu = time.monotonic(), time.process_time()
            read_scanned_page(page, index + 1, session)
            out.append((index + 1, time.monotonic() - wall, time.process_time() - cpu, peak_rss_mb()))
            page.close()
    finally:
        document.close()
    return out


def accuracy(data: bytes, golden: str) -> tuple[int, int]:
    want = json.loads((GOLDEN / f"{golden}.json").read_text(encoding="utf-8"))["cells"]
    got = parse_bytes(data, "bench.pdf").cell_map()
    tables = {key[0] for key, cell in got.items() if cell.raw is not None}
    scored = [c for c in want if c["table"] in tables]
    right = sum(
        1
        for c in scored
        if (c["table"], c["row"], c["col"]) in got
        and same_value(got[(c["table"], c["row"], c["col"])].value, c["value"])
    )
    return right, len(scored)


def report(label: str, data: bytes, golden: str, threads: int) -> None:
    rows = pages(data, threads)
    print(f"\n{label}", flush=True)
    print(f"{'page':>4} {'wall s':>7} {'cpu s':>7} {'peak RSS MB':>12}")
    for number, wall, cpu, rss in rows:
        print(f"{number:>4} {wall:>7.1f} {cpu:>7.1f} {rss:>12.0f}")
    steady = rows[1:] or rows
    mean = sum(r[1] for r in steady) / len(steady)
    print(f"mean wall s/page (after the first, which loads the models): {mean:.1f}")
    right, total = accuracy(data, golden)
    print(f"cells right (tables read): {right}/{total} = {100 * right / max(total, 1):.1f}%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdfs", nargs="*", type=Path)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--dpi", default="120,160,200")
    args = parser.parse_args()
    started = time.monotonic()
    RapidEngine(args.threads).recognize([])  # nothing to read: the models load on first use
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else "?"
    print(f"threads {args.threads}; load average {load}", flush=True)
    pdfs = args.pdfs or [ROOT / "tests" / "data" / "documents" / "hongze2023-scan.pdf"]
    for path in pdfs:
        report(
            str(path.name),
            path.read_bytes(),
            "hongze2023-scan" if "hongze2023" in path.name else path.stem,
            args.threads,
        )
    styles = {120: (-1.2, 0.5, 60), 160: (0.7, 0.8, 70), 200: (1.6, 1.0, 75)}
    for dpi in (int(d) for d in args.dpi.split(",") if d):
        angle, blur, quality = styles.get(dpi, (1.0, 0.8, 70))
        data = scan_pdf(SAMPLE.read_bytes(), [1, 2, 3], ScanStyle(dpi, angle, blur, quality))
        report(
            f"hongze2023.pdf pages 2-4 scanned at {dpi} dpi, {angle}°, blur {blur}, JPEG q{quality}",
            data,
            "hongze2023",
            args.threads,
        )
    print(f"\ntotal {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
