"""One document's OCR: the engine, the time it may spend, and the images kept to read cells again.

Every reader that meets an image (a scanned PDF page, a picture on a page of text, a
picture pasted in a DOCX or HTML page, an image file) reads it through the document's
session, which holds the settings (`settings.ocr_settings`), counts pages against the OCR
page limit and gives each page its time budget: `seconds_per_page`, and never past the
file's own deadline. After the document is built, `recheck` reads again the values that a
parse of the document found breaking the 勾稽 identities (`SuspectFinder`, given by the
caller, since parsing is not the readers' business): enlarged further and binarised, each
new reading kept as an alternative for the identities to choose from.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from gaibao_pipeline.documents.ocr.settings import OcrSettings, ocr_settings
from gaibao_pipeline.model import Cell, Document, Provenance

# NumPy, the engine and OpenCV load only when an image is read: every document has a session,
# and most have no image.
if TYPE_CHECKING:
    import numpy as np

    from gaibao_pipeline.documents.ocr.boxes import Placement
    from gaibao_pipeline.documents.ocr.engine import RapidEngine
    from gaibao_pipeline.documents.ocr.page import OcrPage, PictureStore

SuspectFinder = Callable[[Document], Sequence[Provenance]]

RESERVE = 5.0  # seconds kept before the file's deadline for parsing what was read
RECHECK_SCALE = 3.0


class OcrSession:
    """The OCR of one document: settings, engine, time budget, pages read, images kept."""

    def __init__(self, deadline: float, settings: OcrSettings | None = None) -> None:
        self._settings = settings
        self.deadline = deadline
        self._engine: RapidEngine | None = None
        self._store: PictureStore | None = None
        self.pages_read = 0
        self.seconds = 0.0

    @property
    def settings(self) -> OcrSettings:
        """Read from the environment when first needed: a file without images never needs them."""
        if self._settings is None:
            self._settings = ocr_settings()
        return self._settings

    @property
    def engine(self) -> RapidEngine:
        if self._engine is None:
            from gaibao_pipeline.documents.ocr.engine import RapidEngine

            self._engine = RapidEngine(self.settings.threads)
        return self._engine

    @property
    def store(self) -> PictureStore:
        if self._store is None:
            from gaibao_pipeline.documents.ocr.page import PictureStore

            self._store = PictureStore()
        return self._store

    @property
    def has_pictures(self) -> bool:
        """True when values were read from images that are kept to be read again."""
        return self._store is not None and bool(self._store.cells)

    @property
    def enabled(self) -> bool:
        return self.settings.engine == "rapidocr"

    def unavailable(self) -> str | None:
        """Why images cannot be read here, or None when they can."""
        if self.settings.engine == "off":
            return "OCR is turned off (GAIBAO_OCR=0)"
        if self.settings.engine == "tesseract":
            return "GAIBAO_OCR=tesseract reads scanned PDF pages only"
        from gaibao_pipeline.documents.ocr.engine import missing_reason

        return missing_reason()

    def has_budget(self) -> bool:
        """True while another page may be read: under the page limit, with time left."""
        return self.pages_read < self.settings.max_pages and time.monotonic() < self.deadline - RESERVE

    def read(self, image: np.ndarray, placement: Placement) -> OcrPage:
        """Read one image within its page's time budget; raises OcrError when it runs out."""
        from gaibao_pipeline.documents.ocr.engine import OcrError
        from gaibao_pipeline.documents.ocr.page import ocr_image

        if not self.has_budget():
            raise OcrError("no OCR budget left for this file (pages or time)")
        started = time.monotonic()
        page_deadline = min(started + self.settings.seconds_per_page, self.deadline - RESERVE)
        self.pages_read += 1
        try:
            return ocr_image(image, placement, self.engine, deadline=page_deadline, store=self.store)
        finally:
            self.seconds += time.monotonic() - started

    def recheck(self, document: Document, find_suspects: SuspectFinder) -> int:
        """Read again the values the identities reject; returns how many cells were read again."""
        from gaibao_pipeline.documents.ocr.engine import OcrError
        from gaibao_pipeline.documents.ocr.page import reread

        if not self.has_pictures or time.monotonic() > self.deadline - RESERVE:
            return 0
        wanted = {(p.page, p.bbox) for p in find_suspects(document) if p.ocr is not None}
        if not wanted:
            return 0
        todo: list[tuple[list[Cell], int, np.ndarray, tuple[int, int, int, int]]] = []
        for grid in document.grids:
            for index, cell in enumerate(grid.cells):
                where = cell.where
                if where.ocr is None or where.bbox is None or (where.page, where.bbox) not in wanted:
                    continue
                found = self.store.find(where.page, where.bbox, cell.text)
                if found is not None:
                    todo.append((grid.cells, index, found[0], found[1]))
        try:
            for cells, index, image, box in todo:
                cell = cells[index]
                assert cell.where.ocr is not None
                (reading,) = reread(
                    self.engine, image, [(box, cell.where.ocr)], self.deadline - RESERVE, scale=RECHECK_SCALE
                )
                cells[index] = replace(cell, text=reading.text, where=replace(cell.where, ocr=reading))
        except OcrError:
            pass  # out of time: what was read stays, and the checks say what is wrong
        return len(todo)
