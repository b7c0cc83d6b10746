"""Turn an HTML subtree into lines of text the way a browser lays it out.

Whitespace in HTML source is layout, not content: runs collapse to one space, and a line
break in the source between two Chinese characters (`政府信息\\n公开`) disappears, since
CJK text has no spaces between words. Block elements and `<br>` break lines; `&nbsp;` and
the ideographic space are content and survive until a cell or line is stripped.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree

# Elements that start a new line: the HTML block-level elements plus table parts, which
# only matter when a table is read as page layout rather than as a grid.
BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
# Never text: code, styling, embedded objects and form controls.
SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "svg",
        "math",
        "canvas",
        "select",
        "option",
        "button",
        "input",
        "textarea",
        "audio",
        "video",
        "map",
        "head",
        "title",
        "meta",
        "link",
        "base",
    }
)

_CJK = "\u2e80-\u303f\u3040-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f"
# A source line break between CJK characters (or CJK punctuation) is no space at all
_CJK_BREAK = re.compile(f"(?<=[{_CJK}])[ \\t\\r\\n\\f]*[\\r\\n][ \\t\\r\\n\\f]*(?=[{_CJK}])")
_SPACES = re.compile(r"[ \t\r\n\f]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def collapse(text: str) -> str:
    """Collapse source whitespace like a browser; U+00A0 and U+3000 are kept."""
    return _SPACES.sub(" ", _CJK_BREAK.sub("", text))


def is_hidden(el: etree._Element) -> bool:
    """Whether the element is invisible on the page (inline `display:none` or `hidden`)."""
    if el.get("hidden") is not None:
        return True
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


class LineSink:
    """Collects text and line breaks; `lines()` gives the visible lines."""

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._parts: list[str] = []

    def text(self, value: str) -> None:
        self._parts.append(value)

    def brk(self) -> None:
        """End the current line (an empty line is dropped when stripped)."""
        self._lines.append(collapse("".join(self._parts)))
        self._parts = []

    def take(self) -> list[str]:
        """The lines ended so far that are not blank, stripped; they are not returned again."""
        done, self._lines = self._lines, []
        # str.strip() also removes U+00A0 and U+3000: a cell of &nbsp; is blank
        return [line.strip() for line in done if line.strip()]

    def lines(self) -> list[str]:
        """All non-blank lines, the current one included."""
        LineSink.brk(self)
        return self.take()


def _preformatted(pre: etree._Element, sink: LineSink) -> None:
    """A <pre> block's own line breaks are content: each source line is a line."""
    pieces: list[str] = []
    walker = etree.iterwalk(pre, events=("start", "end"))
    for event, el in walker:
        if event == "start":
            if el is not pre and (not isinstance(el.tag, str) or el.tag in SKIP_TAGS or is_hidden(el)):
                walker.skip_subtree()  # its text goes; its tail, read at 'end', stays
                continue
            if el.tag == "br":
                pieces.append("\n")
            if el.text:
                pieces.append(el.text)
        elif el is not pre and el.tail:
            pieces.append(el.tail)
    for line in "".join(pieces).split("\n"):
        sink.text(line)
        sink.brk()


TableHandler = Callable[[etree._Element], bool]
"""Called for each `<table>`; returns True when it consumed the table (as a grid)."""


ImageHandler = Callable[[etree._Element], None]
"""Called for each visible `<img>`, in reading order (a table pasted as a picture)."""


def walk(
    root: etree._Element, sink: LineSink, on_table: TableHandler, on_image: ImageHandler | None = None
) -> None:
    """Feed `root`'s visible text into `sink`, handing each table to `on_table` first."""
    walker = etree.iterwalk(root, events=("start", "end"))
    skipped: set[etree._Element] = set()
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in SKIP_TAGS or tag == "" or is_hidden(el):
                skipped.add(el)
                walker.skip_subtree()
                continue
            if tag == "br" or tag in BLOCK_TAGS:
                sink.brk()
            if tag == "img" and on_image is not None:
                on_image(el)
            if tag == "table" and el is not root and on_table(el):
                walker.skip_subtree()  # its 'end' event still comes and breaks the line
                continue
            if tag == "pre":
                _preformatted(el, sink)
                walker.skip_subtree()
                continue
            if el.text:
                sink.text(el.text)
        else:
            if el not in skipped and tag in BLOCK_TAGS:
                sink.brk()
            if el is not root and el.tail:
                sink.text(el.tail)
