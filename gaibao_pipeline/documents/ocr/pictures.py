"""Pictures outside PDFs read into blocks: image files, and pictures pasted in DOCX or HTML pages.

A picture is decoded with Pillow after its header is checked against a pixel limit (a
decompression bomb is refused before it is decoded), turned to grey, scaled for the engine
(a screenshot at 96 dpi has 12-pixel type; the recogniser wants lines of about 30) and
read by the document's OCR session. Its text lines become paragraphs and its ruled tables
grids, placed in points at the picture's stated resolution.
"""

from __future__ import annotations

import io
import warnings as python_warnings

import numpy as np
from PIL import Image, ImageSequence, UnidentifiedImageError

from gaibao_pipeline.documents.ocr.boxes import Placement
from gaibao_pipeline.documents.ocr.engine import OcrError
from gaibao_pipeline.documents.ocr.page import OcrPage
from gaibao_pipeline.documents.ocr.session import OcrSession
from gaibao_pipeline.documents.pdf.merge import to_grid
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.model import Block, Document, Grid, Paragraph, Provenance

MAX_PIXELS = 60_000_000  # a picture larger than this is not decoded (a decompression bomb, or a poster)
DEFAULT_DPI = 96.0  # pictures that state no resolution are screen pictures
TARGET_LONG_SIDE = 2200  # pixels: smaller pictures are enlarged up to this, at most 3×
MAX_ENLARGE = 3.0
MIN_SIDE = 24  # pixels: smaller pictures (icons, spacers) hold no text worth reading


class PictureError(Exception):
    """A picture that cannot be decoded or is too large to read."""


def decode_pictures(data: bytes, max_frames: int = 1) -> list[tuple[np.ndarray, float]]:
    """Grey pixel arrays of a picture's frames (a multi-page TIFF has several), with each one's dpi."""
    try:
        with python_warnings.catch_warnings():
            python_warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(data))
            width, height = picture.size
            if width * height > MAX_PIXELS:
                raise PictureError(f"picture is {width}×{height} pixels; the limit is {MAX_PIXELS:,}")
            frames: list[tuple[np.ndarray, float]] = []
            for frame in ImageSequence.Iterator(picture):
                dpi = frame.info.get("dpi", (DEFAULT_DPI, DEFAULT_DPI))[0] or DEFAULT_DPI
                grey = (
                    frame.convert("RGBA").convert("L")
                    if frame.mode in ("P", "PA", "LA")
                    else frame.convert("L")
                )
                frames.append(
                    (np.asarray(grey, dtype=np.uint8), float(dpi) if float(dpi) > 10 else DEFAULT_DPI)
                )
                if len(frames) >= max_frames:
                    break
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise PictureError(f"picture cannot be decoded ({type(exc).__name__}: {exc})") from exc
    return frames


def _enlarged(gray: np.ndarray) -> tuple[np.ndarray, float]:
    import cv2

    long_side = max(gray.shape)
    factor = min(MAX_ENLARGE, TARGET_LONG_SIDE / max(long_side, 1))
    if factor <= 1.05:
        return gray, 1.0
    bigger = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    return np.asarray(bigger, dtype=np.uint8), factor


def read_frame(gray: np.ndarray, dpi: float, page: int | None, session: OcrSession) -> OcrPage:
    """Read one decoded picture; coordinates come out in points at its resolution."""
    image, factor = _enlarged(gray)
    return session.read(image, Placement(dpi / 72 * factor, page=page))


def page_blocks(read: OcrPage, first_grid: int, page: int | None) -> list[Block]:
    """A read picture's lines and tables as blocks in reading order, grids numbered from `first_grid`."""
    items: list[tuple[float, int, Block]] = [
        (line.top, 1, Paragraph(line.text, Provenance(page=page, bbox=line.bbox))) for line in read.lines
    ]
    for offset, table in enumerate(read.tables):
        items.append((table.bbox[1], 0, to_grid(table, first_grid + offset)))
    items.sort(key=lambda item: (item[0], item[1]))
    return [block for _, _, block in items]


def picture_blocks(
    data: bytes, session: OcrSession, first_grid: int, warnings: list[str], what: str
) -> list[Block]:
    """The blocks of a picture pasted in a document, or none (with a warning saying why)."""
    why = session.unavailable()
    if why is not None:
        warnings.append(f"{what} was not read because {why}")
        return []
    try:
        frames = decode_pictures(data)
        if not frames or min(frames[0][0].shape) < MIN_SIDE:
            return []
        return page_blocks(read_frame(frames[0][0], frames[0][1], None, session), first_grid, None)
    except (PictureError, OcrError) as exc:
        warnings.append(f"{what} could not be read ({exc})")
        return []


def read_image(data: bytes, limits: Limits, session: OcrSession) -> Document:
    """An image file (JPEG, PNG, TIFF, BMP, GIF, WebP) of a report or a table, read by OCR."""
    why = session.unavailable()
    if why is not None:
        raise DocumentError(Status.NEEDS_OCR, f"file is an image; it has no text layer to read, and {why}")
    try:
        frames = decode_pictures(data, max_frames=min(limits.max_pages, session.settings.max_pages))
    except PictureError as exc:
        status = Status.TOO_LARGE if "limit" in str(exc) else Status.UNREADABLE
        raise DocumentError(status, str(exc)) from exc
    blocks: list[Block] = []
    warnings: list[str] = []
    for number, (gray, dpi) in enumerate(frames, start=1):
        try:
            read = read_frame(gray, dpi, number, session)
        except OcrError as exc:
            warnings.append(f"page {number}: OCR failed ({exc})")
            continue
        grids = sum(1 for b in blocks if isinstance(b, Grid))
        blocks += page_blocks(read, grids, number)
    if not blocks:
        raise DocumentError(Status.NOT_A_REPORT, "no text was found in the image")
    warnings.append(f"read by OCR ({session.engine.name}); values carry their OCR confidence")
    return Document(format="image", blocks=blocks, page_count=len(frames), warnings=warnings)
