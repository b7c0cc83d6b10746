"""The PDF parse against its floor: `python bench/pdf_floor.py FILE_OR_DIR ... [--reps 7] [--json OUT]`.

The floor is pypdfium2's text extraction of the same file (open it, every page's
`get_textpage().get_text_range()`): the least any reader of the text layer pays. The parse is
`runner.parse.parse_bytes` (read with tables, parse, checks), in this process. Both are
measured in CPU time (`time.process_time`), alternating floor and parse per repetition after
one warm-up of each, and the figure per file is the median of its repetitions; the overall
ratio is the median of the per-file ratios (and the ratio of the summed medians beside it).

Files without a text layer (scans: the floor reads no text, the parse runs OCR) are listed
but left out of the ratios. Importable: `measure(paths, reps)` returns the rows and summary,
so `bench/run.py` can call it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

from gaibao_pipeline.runner.parse import parse_bytes

TEXTLESS = 50  # a file whose text layer holds fewer characters than this is a scan: no floor to speak of


def floor(data: bytes) -> int:
    """pypdfium2's text extraction of every page; the number of characters read."""
    document = pdfium.PdfDocument(data)
    chars = 0
    try:
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            chars += len(textpage.get_text_range())
            textpage.close()
            page.close()
    finally:
        document.close()
    return chars


def parse(data: bytes, name: str) -> str:
    """The parse of the file as `gaibao parse` does it (in this process); its status."""
    return str(parse_bytes(data, name).status.value)


def _cpu(fn: Any, *args: Any) -> float:
    start = time.process_time()
    fn(*args)
    return time.process_time() - start


@dataclass(frozen=True)
class Row:
    file: str
    pages: int
    chars: int
    status: str
    floor_ms: float
    parse_ms: float
    ratio: float | None  # None for a file without a text layer


def measure_file(path: Path, reps: int) -> Row:
    data = path.read_bytes()
    chars = floor(data)  # warm-up of both, and the facts shown beside the figures
    status = parse(data, path.name)
    with pdfium.PdfDocument(data) as document:
        pages = len(document)
    floors: list[float] = []
    parses: list[float] = []
    for _ in range(reps):
        floors.append(_cpu(floor, data))
        parses.append(_cpu(parse, data, path.name))
    floor_ms = 1000 * statistics.median(floors)
    parse_ms = 1000 * statistics.median(parses)
    ratio = parse_ms / floor_ms if chars >= TEXTLESS and floor_ms > 0 else None
    return Row(str(path), pages, chars, status, floor_ms, parse_ms, ratio)


def expand(names: Iterable[str]) -> list[Path]:
    """The PDF files named, directories searched recursively (sorted, each once)."""
    found: list[Path] = []
    for name in names:
        path = Path(name)
        found.extend(sorted(path.rglob("*.pdf")) if path.is_dir() else [path])
    return list(dict.fromkeys(found))


def summary(rows: Sequence[Row]) -> dict[str, Any]:
    measured = [r for r in rows if r.ratio is not None]
    if not measured:
        return {"files": 0}
    ratios = [r.ratio for r in measured if r.ratio is not None]
    return {
        "files": len(measured),
        "median_ratio": statistics.median(ratios),
        "max_ratio": max(ratios),
        "summed_ratio": sum(r.parse_ms for r in measured) / sum(r.floor_ms for r in measured),
        "within_5x": sum(1 for x in ratios if x <= 5.0),
    }


def measure(paths: Sequence[Path], reps: int = 7) -> dict[str, Any]:
    rows = [measure_file(path, reps) for path in paths]
    return {"rows": [asdict(r) for r in rows], "summary": summary(rows), "reps": reps}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="+", help="PDF files or folders (searched recursively)")
    parser.add_argument("--reps", type=int, default=7, help="alternating repetitions per file (median)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()
    rows: list[Row] = []
    print(f"{'file':48} {'pages':>5} {'chars':>6} {'floor ms':>9} {'parse ms':>9} {'ratio':>6}  status")
    for path in expand(args.paths):
        row = measure_file(path, args.reps)
        rows.append(row)
        ratio = f"{row.ratio:6.2f}" if row.ratio is not None else "  scan"
        print(
            f"{path.name[-48:]:48} {row.pages:5d} {row.chars:6d} {row.floor_ms:9.2f} "
            f"{row.parse_ms:9.2f} {ratio}  {row.status}",
            flush=True,
        )
    result = summary(rows)
    if result["files"]:
        print(
            f"{result['files']} files with a text layer: median ratio {result['median_ratio']:.2f}, "
            f"max {result['max_ratio']:.2f}, summed {result['summed_ratio']:.2f}, "
            f"{result['within_5x']} within 5×"
        )
    if args.json:
        args.json.write_text(
            json.dumps({"rows": [asdict(r) for r in rows], "summary": result, "reps": args.reps}, indent=2),
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
