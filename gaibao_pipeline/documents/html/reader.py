"""Read a government web page (HTML) into the article's paragraphs and grids.

Bytes are decoded here, never by lxml: lxml reading raw bytes of a page declared `gb2312`
decodes strictly as GB2312 and silently drops the text after the first character outside
it (common in names: 㛃, 𠀀). A `gb2312`/`gbk` declaration is read as GB18030, its superset.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import lxml.html
from lxml import etree

from gaibao_pipeline.documents.encoding import canonical_encoding, decode_text
from gaibao_pipeline.documents.html.content import main_container, strip_chrome
from gaibao_pipeline.documents.html.flow import LineSink, walk
from gaibao_pipeline.documents.html.mht import html_of_mht, is_mht
from gaibao_pipeline.documents.html.pictures import picture_bytes
from gaibao_pipeline.documents.html.tables import SlotBudget, is_layout_table, layout_table
from gaibao_pipeline.documents.ocr.session import OcrSession
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.model import Cell, Document, DocumentMetadata, Grid, Paragraph, Provenance

_PRESCAN_BYTES = 16384  # CMS pages put kilobytes of inline style before <meta charset>
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_:.\-]+)""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f]")
_PUB_META = frozenset(
    {
        "pubdate",
        "publishdate",
        "publishtime",
        "publish_date",
        "publish-date",
        "publishedtime",
        "firstpublishedtime",
        "article:published_time",
        "og:published_time",
        "og:release_date",
        "dc.date.issued",
        "dcterms.issued",
        "releasedate",
    }
)
_DATE = (
    r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})\s*日?"
    r"(?:[\sT\-]*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?"
)
_DATETIME = re.compile(_DATE + r"\s*(Z|[+-]\d{2}:?\d{2})?")
# 发布时间 outranks a bare 时间/日期, which must not be the tail of 成文日期 or 更新时间
# (pages served through a site's 繁體 switch print the traditional labels)
_PUB_LABELLED = re.compile(
    r"(?:(?:发布|發布|發佈|发表|發表|发文|發文)(?:时间|時間|日期)|发布于|發布於)\s*[:：]?\s*" + _DATE
)
_BARE_LABELLED = re.compile(r"(?<![\u4e00-\u9fff])(?:时间|時間|日期)\s*[:：]\s*" + _DATE)


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in `<meta>` (either form) or an XML declaration."""
    head = data[:_PRESCAN_BYTES]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if match is None:
        return None
    name = match.group(1).decode("ascii", "ignore").lower()
    # a byte-oriented page cannot be UTF-16 whatever it says; decode_text sees real UTF-16
    return None if name.startswith(("utf-16", "utf-32", "unicode")) else name


def _iso(groups: tuple[str | None, ...], tz: str | None = None) -> str | None:
    year, month, day, hour, minute, second = (int(g) if g else None for g in groups[:6])
    try:
        moment = datetime(year or 0, month or 0, day or 0, hour or 0, minute or 0, second or 0)
    except ValueError:
        return None
    if hour is None:
        return moment.date().isoformat()
    if tz:
        sign = 1 if tz[0] == "+" else -1
        offset = timedelta(0) if tz == "Z" else sign * timedelta(hours=int(tz[1:3]), minutes=int(tz[-2:]))
        moment = moment.replace(tzinfo=timezone(offset))
    return moment.isoformat()


def parse_datetime(text: str) -> str | None:
    """The first date (and time) in `text` as ISO 8601, e.g. '2022年02月08日' → '2022-02-08'."""
    match = _DATETIME.search(text)
    return _iso(match.groups()[:6], match.group(7)) if match else None


def published_at(root: etree._Element, page_text: str) -> str | None:
    """The publication time from a `<meta>` tag, else from a 发布时间-style line of the page."""
    for meta in root.iter("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        if key in _PUB_META:
            value = parse_datetime(meta.get("content") or "")
            if value:
                return value
    for pattern in (_PUB_LABELLED, _BARE_LABELLED):
        for match in pattern.finditer(page_text):
            value = _iso(match.groups())
            if value:
                return value
    return None


def _meta(root: etree._Element, *names: str) -> str | None:
    wanted = {n.lower() for n in names}
    for meta in root.iter("meta"):
        key = (meta.get("name") or meta.get("property") or "").lower()
        content = (meta.get("content") or "").strip()
        if key in wanted and content:
            return content
    return None


def _text_of(el: etree._Element) -> str:
    sink = LineSink()
    walk(el, sink, lambda _table: False)
    return "\n".join(sink.lines())


def _headline(root: etree._Element, report_only: bool) -> str | None:
    """A heading naming a 报告, else (unless `report_only`) the first <h1> with text."""
    first: str | None = None
    for heading in root.iter("h1", "h2", "h3"):
        text = " ".join(_text_of(heading).split())
        if "报告" in text:
            return text
        if first is None and heading.tag == "h1" and text:
            first = text
    return None if report_only else first


def choose_charset(data: bytes, declared: str | None) -> tuple[str | None, str | None]:
    """The charset to decode with, and a warning when the declaration is overruled.

    GB18030 decodes almost any byte string, so a page declared gb2312 that is really UTF-8
    would turn into mojibake without an error. Multi-byte text that is valid UTF-8 is
    practically never GBK, so valid UTF-8 wins over a GB declaration.
    """
    if declared is None or canonical_encoding(declared) != "gb18030" or data.isascii():
        return declared, None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return declared, None
    return "utf-8", f"page declares {declared} but is UTF-8; read as UTF-8"


class _BodySink(LineSink):
    """Lines become paragraphs; data tables become grids in place, nested ones after; pictures
    (a data: URI or a file beside the page) are read by OCR in place."""

    def __init__(self, pictures: _Pictures | None = None) -> None:
        super().__init__()
        self.blocks: list[Paragraph | Grid] = []
        self.budget = SlotBudget()
        self.pictures = pictures
        self.warnings: list[str] = []

    def picture(self, img: etree._Element) -> None:
        if self.pictures is None:
            return
        data = picture_bytes(img.get("src") or "", self.pictures.folder, self.pictures.limits.max_file_bytes)
        if data is None:
            return
        from gaibao_pipeline.documents.ocr.pictures import picture_blocks

        self.brk()
        first = sum(1 for b in self.blocks if isinstance(b, Grid))
        what = f"picture {img.get('src', '')[:40]!r}"
        self.blocks.extend(picture_blocks(data, self.pictures.session, first, self.warnings, what))

    def brk(self) -> None:
        super().brk()
        self.blocks.extend(Paragraph(line, Provenance()) for line in self.take())

    def table(self, table: etree._Element) -> bool:
        if is_layout_table(table):
            return False
        self.brk()
        for caption in table.iter("caption"):
            text = _text_of(caption)
            if text:
                self.blocks.append(Paragraph(text, Provenance()))
            break
        self._emit_grid(table)
        return True

    def _emit_grid(self, table: etree._Element) -> None:
        nested: list[etree._Element] = []
        cells = layout_table(table, nested, self.budget)
        if cells:
            index = sum(1 for b in self.blocks if isinstance(b, Grid))
            grid_cells = [
                Cell(
                    c.row,
                    c.col,
                    c.text,
                    c.rowspan,
                    c.colspan,
                    Provenance(table_index=index, row=c.row, col=c.col),
                )
                for c in cells
            ]
            self.blocks.append(Grid(cells=grid_cells, index=index))
        for inner in nested:
            self._emit_grid(inner)


# libxml2 stops at 256 levels of nesting unless told otherwise, and silently drops the rest of
# the page: old CMS pages that never close <font> or <p> go deeper than that. `huge_tree` lifts
# it to 2048 (the text is already bounded by `max_text_chars`); past that the page is refused.
_TOO_DEEP = "Excessive depth"


def _parse(text: str) -> etree._Element:
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, huge_tree=True)
    try:
        root = lxml.html.document_fromstring(_CONTROL.sub("", _XML_DECL.sub("", text, count=1)), parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise DocumentError(Status.UNREADABLE, f"HTML cannot be parsed: {exc}") from exc
    deep = next((e.message for e in parser.error_log if e.message.startswith(_TOO_DEEP)), None)
    if deep is not None:  # "Excessive depth in document: 2048, use XML_PARSE_HUGE option"
        levels = re.search(r"\d+", deep)
        more_than = f" (more than {levels.group()} levels)" if levels else ""
        raise DocumentError(Status.UNREADABLE, f"page is nested too deeply to read{more_than}")
    return root


@dataclass(frozen=True, slots=True)
class _Pictures:
    session: OcrSession
    folder: Path | None
    limits: Limits


def read_html(
    data: bytes, limits: Limits, *, session: OcrSession | None = None, folder: Path | None = None
) -> Document:
    """Read an HTML page's (or MHT file's) bytes into the article's paragraphs and grids.

    Pictures in the article (tables pasted as images) are read by OCR where they stand: a
    `data:` URI, or a file under `folder` (the page's own folder); nothing is fetched.
    """
    if is_mht(data):
        data = html_of_mht(data) or data
    charset, overruled = choose_charset(data, declared_charset(data))
    decoded = decode_text(data, charset)
    if len(decoded.text) > limits.max_text_chars:
        raise DocumentError(Status.TOO_LARGE, f"page text exceeds {limits.max_text_chars:,} characters")
    warnings = [overruled] if overruled else []
    if decoded.lossy:
        warnings.append(f"page is not valid {decoded.encoding}; some characters were replaced")
    root = _parse(decoded.text)
    title = (
        _meta(root, "ArticleTitle", "og:title")
        or " ".join("".join(t.itertext()) for t in root.iter("title")).strip()
    )
    metadata = DocumentMetadata(
        title=title or None,
        author=_meta(root, "author", "ContentSource", "source"),
        source_url=_meta(root, "og:url", "url")
        or next((ln.get("href") for ln in root.iter("link") if ln.get("rel") == "canonical"), None),
    )
    body = root.find("body")
    if body is None:
        body = root
    # before the chrome goes: an HTML5 page keeps its headline and 发布时间 in <article><header>
    metadata.published_at = published_at(root, _text_of(body))
    headline = _meta(root, "ArticleTitle") or _headline(body, report_only=True)
    strip_chrome(body)
    headline = headline or _headline(body, report_only=False)  # the logo's <h1> went with <header>
    container = main_container(body)
    session = session or OcrSession(time.monotonic() + limits.timeout_seconds)
    sink = _BodySink(_Pictures(session, folder, limits))
    walk(container, sink, sink.table, sink.picture)
    sink.brk()
    blocks = sink.blocks
    warnings += sink.warnings
    squeezed = "".join(b.text for b in blocks[:5] if isinstance(b, Paragraph)).replace(" ", "")
    if headline and headline.replace(" ", "") not in squeezed:
        # the headline names the agency and year; CMS pages keep it outside the article box
        blocks.insert(0, Paragraph(headline, Provenance()))
    if not blocks:
        raise DocumentError(Status.UNREADABLE, "page has no visible text")
    return Document(format="html", blocks=blocks, metadata=metadata, warnings=warnings)
