"""Report links on list pages, the pagination that leads to the other list pages, and attachments.

List pages are read as Chinese government CMSs write them: anchors in lists and in 信息公开目录
tables (the full title in the anchor's `title` when the text is cut short, the date in the
same row), pagination as static links (`index_1.htm`, `index_2.htm`…, or `?page=2`) and as
the TRS script call `createPageHTML(total, current, "index", "htm")` (its arguments often
variables set just before), and JSON list endpoints (items with a title and a URL). Nothing
of a page is executed: scripts are only read as text.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

import lxml.html
from lxml import etree

from gaibao_pipeline.documents.encoding import decode_text
from gaibao_pipeline.documents.html.content import main_container, strip_chrome
from gaibao_pipeline.documents.html.reader import (
    choose_charset,
    declared_charset,
    parse_datetime,
    published_at,
)

# Link targets that are files to download rather than pages (a hint only: bytes are sniffed).
DOCUMENT_EXTENSIONS = frozenset(
    {"pdf", "doc", "docx", "wps", "ofd", "xls", "xlsx", "et", "zip", "rar", "7z", "rtf", "odt", "txt", "csv"}
)
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "#", "vbscript:")
_PAGE_CALL = re.compile(r"createPageHTML\s*\(([^)]*)\)")
_VAR = re.compile(r"\b(?:var|let|const)?\s*([A-Za-z_$][\w$]*)\s*=\s*(\d+|[\"'][^\"']*[\"'])\s*;?")
_PAGE_KEYS = frozenset(
    {"page", "pageno", "pagenum", "pageindex", "p", "pn", "currentpage", "curpage", "index"}
)
_JSON_TITLE = ("title", "doctitle", "name", "tit", "subject", "biaoti", "wjmc", "filename")
_JSON_URL = (
    "url",
    "link",
    "href",
    "docpuburl",
    "puburl",
    "linkurl",
    "detailurl",
    "fileurl",
    "wzurl",
    "docurl",
)
_JSON_DATE = (
    "pubdate",
    "publishtime",
    "docreltime",
    "releasedate",
    "publishdate",
    "pubtime",
    "fbrq",
    "date",
    "time",
    "createtime",
)
_JSON_PAGES = ("totalpage", "totalpages", "pagecount", "pages", "totalpagenum", "pagetotal")
_TAGS = re.compile(r"<[^>]*>")


@dataclass(frozen=True, slots=True)
class Link:
    """A link found on a page: where it leads, its title, and the date beside it if any."""

    url: str
    title: str
    published_at: str | None = None


@dataclass(slots=True)
class Listing:
    """What a list page offers: links (reports among them) and the other pages of the list."""

    links: list[Link] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    page_count: int | None = None  # when the page says how many pages the list has


def decode_page(data: bytes) -> str:
    """An HTML page's text, in the charset it declares or the one its bytes read cleanly in."""
    charset, _ = choose_charset(data, declared_charset(data))
    return decode_text(data, charset).text


def _root(data: bytes) -> etree._Element | None:
    text = decode_page(data).strip()
    if not text:
        return None
    parser = lxml.html.HTMLParser(remove_comments=True, no_network=True)
    try:
        return lxml.html.document_fromstring(re.sub(r"^<\?xml[^>]*>", "", text), parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


def _base(root: etree._Element, url: str) -> str:
    for base in root.iter("base"):
        href = (base.get("href") or "").strip()
        if href:
            return str(urljoin(url, href))
    return url


def _absolute(base: str, href: str | None) -> str | None:
    href = (href or "").strip()
    if not href or href.lower().startswith(_SKIP_SCHEMES):
        return None
    absolute = urljoin(base, href).split("#", 1)[0]
    return absolute if absolute.lower().startswith(("http://", "https://")) else None


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _anchor_title(anchor: etree._Element) -> str:
    """The fuller of the anchor's text and its `title` attribute (lists cut long titles short)."""
    text = _clean("".join(anchor.itertext()))
    attribute = _clean(anchor.get("title"))
    return attribute if len(attribute) > len(text.rstrip(".…")) else text


def _row_date(anchor: etree._Element) -> str | None:
    """The date in the anchor's list item or table row (a 信息公开目录 row has a date column)."""
    node: etree._Element | None = anchor
    for _ in range(4):
        node = node.getparent() if node is not None else None
        if node is None:
            return None
        if node.tag in ("li", "tr", "dd", "dl", "p", "div"):
            words = _clean("".join(t for t in node.itertext() if t not in "".join(anchor.itertext())))
            found = parse_datetime(words) if words else None
            if found or node.tag in ("li", "tr"):
                return found
    return None


def _script_pages(root: etree._Element, url: str) -> tuple[list[str], int | None]:
    """The pages named by a TRS `createPageHTML(...)` call: index.htm, index_1.htm, … index_{n-1}.htm."""
    scripts = "\n".join("".join(s.itertext()) for s in root.iter("script"))
    for call in _PAGE_CALL.finditer(scripts):
        variables = {name: value.strip("\"'") for name, value in _VAR.findall(scripts[: call.start()])}
        args = [a.strip().strip("\"'") for a in call.group(1).split(",")]
        values = [variables.get(a, a) for a in args]
        numbers = [int(v) for v in values if v.isdigit()]
        words = [v for v in values if v and not v.isdigit() and re.fullmatch(r"[\w.-]+", v)]
        if not numbers or len(words) < 2:
            continue
        total, (prefix, extension) = numbers[0], words[-2:]
        directory = url.rsplit("/", 1)[0]
        pages = [f"{directory}/{prefix}.{extension}"]
        pages += [f"{directory}/{prefix}_{i}.{extension}" for i in range(1, min(total, 10_000))]
        return pages, total
    return [], None


def _same_listing(list_url: str, candidate: str) -> bool:
    """Another page of the same list: `index_2.htm` beside `index.htm`, or `?page=2` of the same path."""
    here, there = urlsplit(list_url), urlsplit(candidate)
    if (here.scheme, here.netloc) != (there.scheme, there.netloc) or candidate == list_url:
        return False
    here_dir, here_name = posixpath.split(here.path)
    there_dir, there_name = posixpath.split(there.path)
    if here.path == there.path and there.query:
        keys = {k.lower(): v for k, v in parse_qsl(there.query)}
        return any(k in _PAGE_KEYS and v.isdigit() for k, v in keys.items())
    if here_dir != there_dir:
        return False
    name_stem, name_extension = posixpath.splitext(here_name)
    stem = re.sub(r"[_-]\d+$", "", name_stem) or "index"
    extension = re.escape(name_extension) if name_extension else r"(\.\w+)?"
    return re.fullmatch(rf"{re.escape(stem)}([_-]\d+)?{extension}", there_name) is not None


def read_listing(data: bytes, url: str) -> Listing:
    """Links and further list pages of an HTML list page or a JSON list endpoint."""
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"{", b"[") or re.match(rb"^[\w$.]+\s*\(\s*[{\[]", stripped):
        return _json_listing(stripped, url)
    root = _root(data)
    if root is None:
        return Listing()
    base = _base(root, url)
    listing = Listing()
    seen: set[str] = set()
    pages, listing.page_count = _script_pages(root, url)
    for anchor in root.iter("a"):
        target = _absolute(base, anchor.get("href"))
        if target is None or target in seen:
            continue
        seen.add(target)
        if _same_listing(url, target):
            pages.append(target)
            continue
        title = _anchor_title(anchor)
        if title:
            listing.links.append(Link(target, title, _row_date(anchor)))
    listing.pages = list(dict.fromkeys(p for p in pages if p != url))
    return listing


def _json_value(item: dict[str, Any], keys: tuple[str, ...]) -> Any:
    lowered = {str(k).lower(): v for k, v in item.items()}
    for key in keys:
        value = lowered.get(key)
        if isinstance(value, str | int) and str(value).strip():
            return value
    return None


def _json_listing(data: bytes, url: str) -> Listing:
    text = data.decode("utf-8", errors="replace")
    if (jsonp := re.match(r"^[\w$.]+\s*\((.*)\)\s*;?\s*$", text, re.S)) is not None:
        text = jsonp.group(1)
    try:
        payload = json.loads(text)
    except ValueError:
        return Listing()
    listing = Listing()
    stack: list[Any] = [payload]
    while stack:
        node = stack.pop(0)
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            title, link = _json_value(node, _JSON_TITLE), _json_value(node, _JSON_URL)
            target = _absolute(url, str(link)) if link is not None else None
            if title is not None and target is not None:
                date = _json_value(node, _JSON_DATE)
                listing.links.append(
                    Link(target, _clean(_TAGS.sub("", str(title))), parse_datetime(str(date or "")))
                )
                continue
            pages = _json_value(node, _JSON_PAGES)
            if listing.page_count is None and pages is not None and str(pages).isdigit():
                listing.page_count = int(pages)
            stack.extend(node.values())
    return listing


@dataclass(frozen=True, slots=True)
class Article:
    """An article page: its title, publication time and the files it links."""

    title: str | None
    published_at: str | None
    attachments: list[Link]


def _extension(url: str) -> str:
    path = unquote(urlsplit(url).path)
    return posixpath.splitext(path)[1].lstrip(".").lower()


def _document_target(url: str) -> str | None:
    """`url` if it names a document file, or the file a viewer page shows (pdf.js `?file=`)."""
    if _extension(url) in DOCUMENT_EXTENSIONS:
        return url
    for key, value in parse_qsl(urlsplit(url).query):
        if key.lower() in ("file", "url", "src", "path") and _extension(value) in DOCUMENT_EXTENSIONS:
            return urljoin(url, value)
    return None


def read_article(data: bytes, url: str) -> Article:
    """The article's title, publication time, and every attachment it links or embeds."""
    root = _root(data)
    if root is None:
        return Article(None, None, [])
    base = _base(root, url)
    title = None
    for meta in root.iter("meta"):
        if (meta.get("name") or "").lower() == "articletitle" and (meta.get("content") or "").strip():
            title = _clean(meta.get("content"))
    if title is None:
        title = _clean(" ".join("".join(t.itertext()) for t in root.iter("title"))) or None
    when = published_at(root, "\n".join(_clean(t) for t in root.itertext() if _clean(t)))
    # attachments are in the article, not in the site's header, menus and footer (guides, apps);
    # CMSs list them just below the text, so the box around the text is searched
    body = root.find("body")
    body = root if body is None else body
    embedded = list(body.iter("iframe", "embed", "object"))  # document viewers; chrome removal drops them
    strip_chrome(body)
    container = main_container(body)
    outer = container.getparent()
    if outer is not None and outer is not body and outer.tag not in ("html", "body"):
        container = outer
    found: dict[str, Link] = {}
    for element in [*embedded, *container.iter("a")]:
        href = element.get("href") or element.get("src") or element.get("data")
        target = _absolute(base, href)
        if target is None:
            continue
        text = _clean("".join(element.itertext())) if element.tag == "a" else ""
        document = _document_target(target)
        if document is None and _extension(text) in DOCUMENT_EXTENSIONS:
            document = target  # a download servlet whose link text names the file ("年报.pdf")
        if document is not None and document not in found:
            name = posixpath.basename(unquote(urlsplit(document).path))
            found[document] = Link(document, text or _clean(element.get("title")) or name)
    return Article(title, when, list(found.values()))
