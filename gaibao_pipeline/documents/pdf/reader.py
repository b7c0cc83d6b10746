"""PDF reader: bytes of a PDF in, one `Document` of text lines and ruled tables out.

pdfium opens the file (page count, sizes, encryption, metadata), surveys each page's drawing
objects and reads its characters; on pages that draw visible rules, the rules come from
pdfium's path objects too (`rules`) and pdfplumber's cell-finding algorithm (`grid`) turns
them into tables.
Only rotated pages go through pdfplumber's own parse (pdfminer turns them as displayed), which
costs many times what pdfium does. Each page is closed before the next is read, so memory
stays flat on long files. Pages without a usable text layer, and pictures large enough to
hold a table on pages of text, are read by OCR (`documents.ocr`: RapidOCR, or tesseract as
a fallback for whole pages); when most pages lack text and no engine can run, the file's
status is `needs_ocr`.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pypdfium2 as pdfium

from gaibao_pipeline.documents.ocr import tesseract
from gaibao_pipeline.documents.ocr.engine import OcrError
from gaibao_pipeline.documents.ocr.pdf_pages import picture_boxes, read_picture, read_scanned_page
from gaibao_pipeline.documents.ocr.session import OcrSession
from gaibao_pipeline.documents.ocr.settings import OcrSettings, ocr_settings
from gaibao_pipeline.documents.pdf.blocks import PageContent, PageKind, assemble_blocks
from gaibao_pipeline.documents.pdf.glyphs import PageGlyphs, glyphs_from_pdfium
from gaibao_pipeline.documents.pdf.meta import read_metadata
from gaibao_pipeline.documents.pdf.pdfium import PdfiumFile
from gaibao_pipeline.documents.pdf.plumber import PageRead, PlumberPages
from gaibao_pipeline.documents.pdf.rules import page_rule_edges
from gaibao_pipeline.documents.pdf.survey import PageSurvey, survey_page
from gaibao_pipeline.documents.pdf.tables import find_tables
from gaibao_pipeline.documents.pdf.text import build_lines
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.model import BBox, Document

if TYPE_CHECKING:
    from gaibao_pipeline.documents.ocr.page import OcrPage

__all__ = ["read_pdf"]

SCAN_SHARE = 0.5  # image cover of the page above which a page with hardly any text is a scan
FEW_GLYPHS = 20  # a page with fewer characters than this may be a scan with a stamped page number
OUTLINE_PATHS = 300  # a page with no characters but this many paths shows text drawn as outlines
PICTURE_TEXT = 0.2  # a picture whose box holds text-layer characters for more than this share is a background


def _check_time(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise DocumentError(Status.TIMEOUT, "reading the PDF took longer than the time limit")


def _classify(glyphs: PageGlyphs, survey: PageSurvey, area: float) -> PageKind:
    usable = len(glyphs.glyphs)
    if glyphs.text_layer_broken:
        return PageKind.BROKEN
    if usable < FEW_GLYPHS and survey.image_area >= SCAN_SHARE * area:
        return PageKind.SCANNED
    if usable:
        return PageKind.TEXT
    if survey.path_count >= OUTLINE_PATHS:
        return PageKind.OUTLINED
    return PageKind.BLANK


def _read_with_pdfium(
    page: pdfium.PdfPage, survey: PageSurvey, with_tables: bool, number: int, warnings: list[str]
) -> PageRead:
    left, _, _, top = page.get_mediabox()
    textpage = page.get_textpage()
    try:
        glyphs = glyphs_from_pdfium(textpage, left, top)
    finally:
        textpage.close()
    if not with_tables:
        return glyphs, [], glyphs.glyphs
    try:
        tables, left_over = find_tables(page_rule_edges(page, survey.objects), glyphs.glyphs, number)
    except Exception as exc:  # damaged drawing objects must not cost the page's text
        warnings.append(f"page {number}: tables could not be read ({exc!r:.120}); its text was kept")
        return glyphs, [], glyphs.glyphs
    return glyphs, tables, left_over


def _read_page(pdf: PdfiumFile, plumber: PlumberPages, index: int, warnings: list[str]) -> PageContent:
    try:
        page = pdf.page(index)
    except pdfium.PdfiumError as exc:
        warnings.append(f"page {index + 1} could not be loaded ({exc})")
        return PageContent(index + 1, 0.0, PageKind.FAILED)
    try:
        width, height = page.get_size()
        survey = survey_page(page)
        rotated = page.get_rotation() != 0
        pictures = picture_boxes(page, survey.image_boxes) if not rotated else []
        # pdfium gives unrotated coordinates; pdfminer turns the page as it is displayed
        content = plumber.read(index) if rotated else None
        if content is None:
            content = _read_with_pdfium(page, survey, survey.has_rules and not rotated, index + 1, warnings)
    except Exception as exc:  # one damaged page must not cost the document
        warnings.append(f"page {index + 1} could not be read ({type(exc).__name__}: {exc})")
        return PageContent(index + 1, 0.0, PageKind.FAILED)
    finally:
        page.close()
    glyphs, tables, left_over = content
    kind = _classify(glyphs, survey, width * height)
    if kind is not PageKind.TEXT:
        pictures = []
    pictures = [box for box in pictures if _textless(box, glyphs)]
    return PageContent(index + 1, height, kind, build_lines(left_over), tables, pictures)


def _textless(box: BBox, glyphs: PageGlyphs) -> bool:
    """True when hardly any of the page's characters lie on the picture (it is no background)."""
    x0, top, x1, bottom = box
    inside = sum(1 for g in glyphs.glyphs if x0 <= g.center_x <= x1 and top <= g.center_y <= bottom)
    return inside <= PICTURE_TEXT * max(len(glyphs.glyphs), 1) and inside < FEW_GLYPHS


def _pages(pages: list[PageContent]) -> str:
    """`page 3` or `pages 3, 4, 7`, shortened for long lists."""
    numbers = [str(p.number) for p in pages]
    listed = ", ".join(numbers[:12]) + (f" and {len(numbers) - 12} more" if len(numbers) > 12 else "")
    return f"page {listed}" if len(numbers) == 1 else f"pages {listed}"


def _session(ocr: bool | None, session: OcrSession | None, deadline: float) -> OcrSession:
    if session is not None:
        return session
    settings = ocr_settings()
    if ocr is False:
        settings = OcrSettings("off", settings.seconds_per_page, settings.max_pages, settings.threads)
    elif ocr is True and settings.engine == "off":
        settings = OcrSettings("rapidocr", settings.seconds_per_page, settings.max_pages, settings.threads)
    return OcrSession(deadline, settings)


def _take(page: PageContent, read: OcrPage) -> None:
    """Add what OCR read in a picture to the page's own lines and tables, in reading order."""
    page.lines = sorted([*page.lines, *read.lines], key=lambda line: (line.top, line.bbox[0]))
    page.tables = sorted([*page.tables, *read.tables], key=lambda t: (t.bbox[1], t.bbox[0]))


def _ocr_with_rapidocr(
    pdf: PdfiumFile, pages: list[PageContent], session: OcrSession, warnings: list[str]
) -> list[PageContent]:
    """Read scanned pages and pictures on text pages; the pages read, in order."""
    done: list[PageContent] = []
    for page in pages:
        if not session.has_budget():
            break
        source = _page_for_ocr(pdf, page, warnings)
        if source is None:
            continue
        try:
            if page.kind.lacks_text:
                read = read_scanned_page(source, page.number, session)
                page.lines, page.tables = read.lines, read.tables
            else:
                for box in page.pictures:
                    _take(page, read_picture(source, page.number, box, session))
            done.append(page)
        except OcrError as exc:
            warnings.append(f"page {page.number}: OCR failed ({exc})")
        finally:
            source.close()
    return done


def _page_for_ocr(pdf: PdfiumFile, page: PageContent, warnings: list[str]) -> pdfium.PdfPage | None:
    """The pdfium page to read by OCR, or None (with a warning) when pdfium cannot load it."""
    try:
        return pdf.page(page.number - 1)
    except pdfium.PdfiumError as exc:
        warnings.append(f"page {page.number}: OCR failed, the page could not be loaded ({exc})")
        return None


def _ocr_with_tesseract(
    pdf: PdfiumFile,
    lacking: list[PageContent],
    engine: tesseract.Tesseract,
    session: OcrSession,
    warnings: list[str],
) -> list[PageContent]:
    done: list[PageContent] = []
    for page in lacking[: session.settings.max_pages]:
        _check_time(session.deadline)
        source = _page_for_ocr(pdf, page, warnings)
        if source is None:
            continue
        try:
            page.lines, page.tables = tesseract.ocr_page(
                source, page.number, engine, session.deadline - time.monotonic()
            )
        except tesseract.OcrError as exc:
            _check_time(session.deadline)
            warnings.append(f"page {page.number}: OCR failed ({exc})")
            continue
        finally:
            source.close()
        done.append(page)
    return done


def _recover_textless_pages(
    pdf: PdfiumFile, pages: list[PageContent], session: OcrSession, warnings: list[str]
) -> None:
    """OCR pages without a usable text layer and pictures of tables, or say why they could not be read."""
    lacking = [p for p in pages if p.kind.lacks_text]
    pictured = [p for p in pages if p.pictures]
    if not lacking and not pictured:
        return
    with_content = [p for p in pages if p.kind not in (PageKind.BLANK, PageKind.FAILED)]
    mostly = 2 * len(lacking) > len(with_content)
    why = session.unavailable()
    fallback = tesseract.find_tesseract() if why is not None and session.settings.engine != "off" else None
    if why is not None and fallback is None:
        if session.settings.engine == "tesseract":
            why = tesseract.missing_reason()
        what = (
            f"no usable text layer on {_pages(lacking)} of {len(pages)} "
            "(scanned images, text drawn as outlines, or fonts without a Unicode mapping)"
        )
        if lacking and mostly:
            raise DocumentError(Status.NEEDS_OCR, f"{what}; OCR is needed, but {why}")
        if lacking:
            warnings.append(f"{what}; that text is missing because {why}")
        if pictured:
            warnings.append(f"pictures on {_pages(pictured)} were not read because {why}")
        return
    if fallback is not None:
        done = _ocr_with_tesseract(pdf, lacking, fallback, session, warnings)
        engine_name = f"tesseract {fallback.languages}"
    else:
        wanted = [p for p in pages if p.kind.lacks_text or p.pictures]
        done = _ocr_with_rapidocr(pdf, wanted, session, warnings)
        engine_name = session.engine.name
    if done:
        warnings.append(
            f"{_pages(done)} read by OCR ({engine_name}); "
            "values read from images carry their OCR confidence, and the identities check them"
        )
    skipped = [p for p in pages if (p.kind.lacks_text or p.pictures) and p not in done]
    if skipped and not session.has_budget():
        warnings.append(
            f"{_pages(skipped)} not read by OCR: the file's OCR budget "
            f"({session.settings.max_pages} pages, GAIBAO_OCR_MAX_PAGES; "
            "time, GAIBAO_TIMEOUT_SECONDS) ran out"
        )


def read_pdf(
    data: bytes, limits: Limits, *, ocr: bool | None = None, session: OcrSession | None = None
) -> Document:
    """Read a PDF into paragraphs and grids, or raise DocumentError saying why it cannot be read.

    `ocr` forces OCR on or off (None: the `GAIBAO_OCR` settings); `session` is the document's
    OCR session when the caller keeps one (to read values again after parsing).
    """
    deadline = session.deadline if session is not None else time.monotonic() + limits.timeout_seconds
    warnings: list[str] = []
    pdf = PdfiumFile(data)
    try:
        pdf.check_limits(limits)
        count = pdf.page_count
        metadata = read_metadata(pdf.document)
        pages: list[PageContent] = []
        kept_chars = 0
        with PlumberPages(pdf.data, count, warnings) as plumber:
            for index in range(count):
                _check_time(deadline)
                page = _read_page(pdf, plumber, index, warnings)
                kept_chars += sum(len(line.text) for line in page.lines)
                kept_chars += sum(len(cell.text) for table in page.tables for cell in table.cells)
                if kept_chars > limits.max_text_chars:
                    raise DocumentError(
                        Status.TOO_LARGE, f"PDF holds more than {limits.max_text_chars:,} characters of text"
                    )
                pages.append(page)
        if all(p.kind is PageKind.FAILED for p in pages):
            raise DocumentError(Status.UNREADABLE, "no page of the PDF could be loaded")
        if pdf.repaired:
            if all(p.kind in (PageKind.FAILED, PageKind.BLANK) for p in pages):
                raise DocumentError(Status.UNREADABLE, "PDF is truncated and none of its content survived")
            warnings.insert(0, "PDF is truncated (it lacks its final %%EOF); read what survived")
        _recover_textless_pages(pdf, pages, _session(ocr, session, deadline), warnings)
        blocks = assemble_blocks(pages)
    except DocumentError:
        raise
    except Exception as exc:  # a damaged file must end as a status, not a crash
        raise DocumentError(
            Status.UNREADABLE, f"PDF could not be read ({type(exc).__name__}: {exc})"
        ) from exc
    finally:
        pdf.close()
    return Document(format="pdf", blocks=blocks, page_count=count, metadata=metadata, warnings=warnings)
