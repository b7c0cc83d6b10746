"""Optional OCR of pages without a usable text layer, with the `tesseract` command-line tool.

A page is rendered once; its ruling lines are found in the raster and fed to the same cell
finder as vector rules. Body text is recognised in one pass over the page with the tables
blanked out; table cells are cropped and recognised one by one (in one tesseract run over a
list of images), because page segmentation reads ruled tables poorly and a cell's digits
are the data this pipeline exists for.
"""

from __future__ import annotations

import functools
import math
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pypdfium2 as pdfium
from PIL import Image, ImageOps

from gaibao_pipeline.documents.pdf.glyphs import Glyph
from gaibao_pipeline.documents.pdf.tables import (
    Edge,
    PageTable,
    TableLayout,
    close_open_ends,
    fill_tables,
    make_edge,
    table_cell_boxes,
    table_layouts,
)
from gaibao_pipeline.documents.pdf.text import TextLine, build_lines, is_wide

INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-chi-sim"
DPI = 300
MAX_PIXELS = 40_000_000  # a rendered page larger than this is rendered at a lower resolution
DARK = 128  # grey level below which a pixel is ink
MIN_RULE = 15.0  # points: shorter straight runs of ink are strokes of characters
MAX_RULE_THICKNESS = 4.0  # points: thicker runs are filled areas, not rules
MIN_TABLE_WIDTH = 60.0  # points: a smaller grid is a character such as 田, not a table
CELL_INSET = 1.5  # points cut from each side of a cell so its borders are not read as 1 or |
CELL_PAD = 20  # pixels of white around a cell crop: tesseract needs a margin
MIN_INK = 12  # pixels: a cell with less ink is blank
MIN_CONFIDENCE = 20.0  # tesseract word confidence (0-100) below which a word is noise
DOUBTFUL_CONFIDENCE = 50.0  # a lone character read with less confidence is checked as a digit
# what a lone 1 or 0 in a cell is misread as, when the Chinese model sees it without context
CONFUSABLE = frozenset({"l", "I", "i", "L", "j", "J", "|", "]", "[", "!", "丨", "O", "o", "〇"})
DIGITS_ONLY = ("-c", "tessedit_char_whitelist=0123456789.-")

Gray = npt.NDArray[np.uint8]


class OcrError(Exception):
    """Tesseract failed or ran out of time on a page."""


@dataclass(frozen=True, slots=True)
class Tesseract:
    """A usable tesseract binary and the language string to pass it."""

    path: str
    languages: str


@functools.lru_cache(maxsize=1)
def find_tesseract() -> Tesseract | None:
    """The installed tesseract with Simplified Chinese data, or None."""
    path = shutil.which("tesseract")
    if path is None:
        return None
    try:
        listed = subprocess.run(
            [path, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    languages = set((listed.stdout + listed.stderr).split())
    if "chi_sim" not in languages:
        return None
    return Tesseract(path, "chi_sim+eng" if "eng" in languages else "chi_sim")


def missing_reason() -> str:
    """Why OCR is unavailable and how to enable it, for messages to operators."""
    if shutil.which("tesseract") is None:
        return f"tesseract is not installed (install it with `{INSTALL_HINT}`)"
    return f"tesseract has no Simplified Chinese data (install it with `{INSTALL_HINT}`)"


@dataclass(frozen=True, slots=True)
class _Word:
    image: int  # 1-based image number in a batch run
    left: int
    top: int
    width: int
    height: int
    text: str
    confidence: float


def _run(
    engine: Tesseract,
    source: str,
    psm: int,
    timeout: float,
    *,
    languages: str | None = None,
    config: Sequence[str] = (),
) -> list[_Word]:
    if timeout <= 0:
        raise OcrError("no time left for OCR")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # tesseract's threads only contend with ours
    command = [engine.path, source, "stdout", "-l", languages or engine.languages, "--psm", str(psm)]
    command += [*config, "tsv"]
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout, check=False, env=env)
    except subprocess.TimeoutExpired as exc:
        raise OcrError(f"tesseract took longer than {timeout:.0f} s") from exc
    except OSError as exc:
        raise OcrError(f"tesseract could not run ({exc})") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OcrError(f"tesseract failed ({message[-1] if message else done.returncode})")
    words: list[_Word] = []
    for row in done.stdout.decode("utf-8", "replace").splitlines()[1:]:
        fields = row.split("\t")
        if len(fields) != 12 or fields[0] != "5" or not fields[11].strip():
            continue
        confidence = float(fields[10])
        if confidence < MIN_CONFIDENCE:
            continue
        left, top, width, height = (int(v) for v in fields[6:10])
        words.append(_Word(int(fields[1]), left, top, width, height, fields[11].strip(), confidence))
    return words


def _runs(mask: npt.NDArray[np.bool_], min_length: int) -> list[tuple[int, int, int]]:
    """(row, start, end) of horizontal runs of True at least `min_length` long."""
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    steps = np.diff(padded, axis=1)
    rows, starts = np.nonzero(steps == 1)
    _, ends = np.nonzero(steps == -1)
    keep = (ends - starts) >= min_length
    return list(zip(rows[keep].tolist(), starts[keep].tolist(), ends[keep].tolist(), strict=True))


@dataclass(frozen=True, slots=True)
class _RasterLine:
    first: int  # first row of ink across the line
    last: int
    start: int  # first column along the line
    end: int
    position: float  # mean row

    @property
    def thickness(self) -> int:
        return self.last - self.first + 1


def _lines_from_runs(runs: list[tuple[int, int, int]]) -> list[_RasterLine]:
    """Join runs on neighbouring rows into lines (a skewed scan draws a rule as a staircase)."""
    done: list[list[int]] = []
    active: list[list[int]] = []  # [first_row, last_row, start, end, row_sum, count]
    for row, start, end in runs:
        still: list[list[int]] = []
        for group in active:
            (still if row - group[1] <= 2 else done).append(group)
        active = still
        for group in active:
            if start <= group[3] + 2 and end >= group[2] - 2:
                group[1] = row
                group[2], group[3] = min(group[2], start), max(group[3], end)
                group[4] += row
                group[5] += 1
                break
        else:
            active.append([row, row, start, end, row, 1])
    return [_RasterLine(g[0], g[1], g[2], g[3], g[4] / g[5]) for g in done + active]


PixelBox = tuple[int, int, int, int]  # top row, bottom row, left column, right column (exclusive)


def raster_rules(gray: Gray, scale: float) -> tuple[list[Edge], list[PixelBox]]:
    """Rules found in a rendered page: edges in points, and the pixel boxes they cover."""
    ink = gray < DARK
    # scans break thin rules; bridge one- and two-pixel gaps before measuring runs
    for _ in range(2):
        ink[:, 1:-1] |= ink[:, :-2] & ink[:, 2:]
        ink[1:-1, :] |= ink[:-2, :] & ink[2:, :]
    min_length = max(int(MIN_RULE * scale), 1)
    max_thickness = MAX_RULE_THICKNESS * scale
    edges: list[Edge] = []
    boxes: list[PixelBox] = []
    for line in _lines_from_runs(_runs(ink, min_length)):
        if line.thickness <= max_thickness:
            y = line.position / scale
            edges.append(make_edge("h", line.start / scale, y, line.end / scale, y))
            boxes.append((line.first - 2, line.last + 3, line.start - 2, line.end + 2))
    for line in _lines_from_runs(_runs(ink.T, min_length)):
        if line.thickness <= max_thickness:
            x = line.position / scale
            edges.append(make_edge("v", x, line.start / scale, x, line.end / scale))
            boxes.append((line.start - 2, line.end + 2, line.first - 2, line.last + 3))
    return edges, boxes


def _erase(gray: Gray, boxes: list[PixelBox]) -> Gray:
    """A copy of the page with its rules painted white, so borders are not read as 1, l or |."""
    clean = gray.copy()
    for top, bottom, left, right in boxes:
        clean[max(top, 0) : max(bottom, 0), max(left, 0) : max(right, 0)] = 255
    return clean


def _render(page: pdfium.PdfPage) -> tuple[Image.Image, float]:
    width, height = page.get_size()
    scale = min(DPI / 72, math.sqrt(MAX_PIXELS / max(width * height, 1.0)))
    return page.render(scale=scale, grayscale=True).to_pil().convert("L"), scale


def _words_to_glyphs(
    words: list[_Word], scale: float, origins: dict[int, tuple[float, float]]
) -> list[Glyph]:
    glyphs: list[Glyph] = []
    for word in words:
        ox, oy = origins.get(word.image, (0.0, 0.0))
        glyphs.append(
            Glyph(
                word.text,
                ox + word.left / scale,
                oy + word.top / scale,
                ox + (word.left + word.width) / scale,
                oy + (word.top + word.height) / scale,
            )
        )
    return glyphs


def _binarize(gray: Gray) -> Image.Image:
    """Black ink on white by Otsu's threshold: shaded header cells otherwise read as noise."""
    histogram = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    levels = np.arange(256, dtype=np.float64)
    weight_dark = np.cumsum(histogram)
    weight_light = weight_dark[-1] - weight_dark
    sum_dark = np.cumsum(histogram * levels)
    mean_dark = sum_dark / np.maximum(weight_dark, 1)
    mean_light = (sum_dark[-1] - sum_dark) / np.maximum(weight_light, 1)
    threshold = int(np.argmax(weight_dark * weight_light * (mean_dark - mean_light) ** 2))
    return Image.fromarray(np.where(gray > threshold, 255, 0).astype(np.uint8))


def _is_doubtful(words: list[_Word]) -> bool:
    text = "".join(w.text for w in words)
    if text in CONFUSABLE:
        return True
    return len(text) == 1 and is_wide(text) and words[0].confidence < DOUBTFUL_CONFIDENCE


def _recheck_digits(
    engine: Tesseract, words: list[_Word], names: list[str], folder: Path, timeout: float
) -> list[_Word]:
    """Read doubtful one-character cells again as digits; keep the digits if read with confidence."""
    by_image: dict[int, list[_Word]] = {}
    for word in words:
        by_image.setdefault(word.image, []).append(word)
    doubtful = sorted(n for n, found in by_image.items() if _is_doubtful(found))
    if not doubtful:
        return words
    listing = folder / "doubtful.txt"
    listing.write_text("\n".join(names[n - 1] for n in doubtful) + "\n", encoding="utf-8")
    again: dict[int, list[_Word]] = {}
    for word in _run(engine, str(listing), 7, timeout, languages="eng", config=DIGITS_ONLY):
        again.setdefault(doubtful[word.image - 1], []).append(word)
    for number, found in again.items():
        text = "".join(w.text for w in found)
        # a symbol that only looks like 1 or 0 is taken as the digit; a doubtful Chinese
        # character only when the digit is read with some confidence
        confident = min(w.confidence for w in found) >= DOUBTFUL_CONFIDENCE
        was_symbol = "".join(w.text for w in by_image[number]) in CONFUSABLE
        if re.fullmatch(r"\d+(\.\d+)?", text) and (was_symbol or confident):
            by_image[number] = [replace(w, image=number) for w in found]
    return [w for n in sorted(by_image) for w in by_image[n]]


def _cell_glyphs(
    engine: Tesseract,
    gray: Gray,
    scale: float,
    layouts: list[TableLayout],
    timeout: float,
) -> list[Glyph]:
    started = time.monotonic()
    inset = max(int(CELL_INSET * scale), 2)
    crops: list[tuple[Image.Image, float, float]] = []
    for layout in layouts:
        for x0, top, x1, bottom in layout.boxes:
            left, upper = int(x0 * scale) + inset, int(top * scale) + inset
            right, lower = int(x1 * scale) - inset, int(bottom * scale) - inset
            if right - left < 4 or lower - upper < 4:
                continue
            if int((gray[upper:lower, left:right] < DARK).sum()) < MIN_INK:
                continue
            crop = ImageOps.expand(_binarize(gray[upper:lower, left:right]), border=CELL_PAD, fill=255)
            crops.append((crop, (left - CELL_PAD) / scale, (upper - CELL_PAD) / scale))
    if not crops:
        return []
    with tempfile.TemporaryDirectory(prefix="gaibao-ocr-") as folder:
        names = []
        for number, (crop, _, _) in enumerate(crops, start=1):
            name = str(Path(folder) / f"cell{number:05d}.png")
            crop.save(name)
            names.append(name)
        listing = Path(folder) / "cells.txt"
        listing.write_text("\n".join(names) + "\n", encoding="utf-8")
        words = _run(engine, str(listing), 6, timeout - (time.monotonic() - started))
        if "eng" in engine.languages.split("+"):
            words = _recheck_digits(
                engine, words, names, Path(folder), timeout - (time.monotonic() - started)
            )
    origins = {number: (ox, oy) for number, (_, ox, oy) in enumerate(crops, start=1)}
    return _words_to_glyphs(words, scale, origins)


def ocr_page(
    page: pdfium.PdfPage, number: int, engine: Tesseract, timeout: float
) -> tuple[list[TextLine], list[PageTable]]:
    """Recognise one page: its text lines outside tables, and its ruled tables cell by cell."""
    started = time.monotonic()
    image, scale = _render(page)
    rules, rule_pixels = raster_rules(np.asarray(image, dtype=np.uint8), scale)
    gray = _erase(np.asarray(image, dtype=np.uint8), rule_pixels)
    edges = close_open_ends(rules)
    layouts = [
        layout
        for layout in table_layouts(table_cell_boxes(edges) if edges else [])
        if layout.bbox[2] - layout.bbox[0] >= MIN_TABLE_WIDTH
    ]
    cell_glyphs = _cell_glyphs(engine, gray, scale, layouts, timeout - (time.monotonic() - started))
    body = Image.fromarray(gray)
    for layout in layouts:
        x0, top, x1, bottom = (int(v * scale) for v in layout.bbox)
        body.paste(255, (max(x0 - 2, 0), max(top - 2, 0), x1 + 3, bottom + 3))
    with tempfile.TemporaryDirectory(prefix="gaibao-ocr-") as folder:
        name = str(Path(folder) / "page.png")
        body.save(name)
        words = _run(engine, name, 3, timeout - (time.monotonic() - started))
    body_glyphs = _words_to_glyphs(words, scale, {})
    tables, _ = fill_tables(layouts, cell_glyphs, number)
    return build_lines(body_glyphs), tables
