"""Find the article in a government web page: drop chrome, then pick the main container.

Government sites run on a handful of CMSs (TRS, 大汉, 政府网站集约化平台) whose article
body sits in a container with a telling id or class (`zoom`, `TRS_Editor`,
`Custom_UnionStyle`). Where none is present, the container is found by descending from
`<body>` while one child holds nearly all of the non-link Chinese text: navigation is mostly
links, so it never wins, and a footer's few lines are what the descent leaves behind.
"""

from __future__ import annotations

import re

from lxml import etree

from gaibao_pipeline.documents.html.flow import SKIP_TAGS, is_hidden
from gaibao_pipeline.documents.html.tables import is_layout_table

# Removed everywhere before looking for the article.
_CHROME_TAGS = ("nav", "header", "footer", "aside")
# Removed inside the article: forms there are search boxes and comment forms (a page-wide
# ASP.NET <form> around everything must not take the article with it).
_INNER_TAGS = ("form",)
_STRONG_NAMES = re.compile(
    r"^(zoom|ozoom|trs_editor|trs_ueditor|custom_unionstyle|artibody|article[-_]?content|"
    r"news[-_]?content|detail[-_]?content|details[-_]?content|content[-_]?text|con[-_]?text|"
    r"main[-_]?text|pages_content|article[-_]?body|xxgk[-_]?content|wzcon|zwnr)$",
    re.I,
)
# Page furniture inside an article box: breadcrumbs, share/print/close buttons, pagers.
_FURNITURE_NAMES = re.compile(
    r"^(nav|navbar|menu|crumbs?|breadcrumbs?|position|location|share|bdshare|fenxiang|print|close|"
    r"foot|footer|toolbar|tools|pagination|pager|related|xgwz|sidebar)([-_].*)?$",
    re.I,
)
_FURNITURE_MAX_CJK = 100  # furniture is short; a long block with such a name is content
_DESCEND_SHARE = 0.85  # descend into a child holding this share of the non-link text
_STRONG_SHARE = 0.5  # a named container must hold this share of the page's text
_CJK_CHAR = re.compile("[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def _cjk(text: str | None) -> int:
    return len(_CJK_CHAR.findall(text)) if text else 0


def _names(el: etree._Element) -> list[str]:
    return [el.get("id", ""), *el.get("class", "").split()]


def _drop(el: etree._Element) -> None:
    if el.getparent() is not None:
        el.drop_tree()  # keeps the tail text, which belongs to the parent


def strip_chrome(root: etree._Element) -> None:
    """Remove scripts, styles, hidden elements and nav/header/footer/aside everywhere."""
    doomed = [
        el
        for el in root.iter()
        if not isinstance(el.tag, str) or el.tag in SKIP_TAGS or el.tag in _CHROME_TAGS or is_hidden(el)
    ]
    for el in doomed:
        _drop(el)


def text_scores(root: etree._Element) -> dict[etree._Element, int]:
    """Non-link CJK characters under each element (one bottom-up pass)."""
    total: dict[etree._Element, int] = {}
    for el in reversed(list(root.iter())):
        if not isinstance(el.tag, str):
            continue
        own = _cjk(el.text) + sum(_cjk(child.tail) for child in el)
        below = sum(total.get(child, 0) for child in el)
        total[el] = 0 if el.tag == "a" else own + below
    return total


def _strong_container(root: etree._Element, scores: dict[etree._Element, int]) -> etree._Element | None:
    best: etree._Element | None = None
    for el in root.iter():
        if not isinstance(el.tag, str) or not any(_STRONG_NAMES.match(n) for n in _names(el) if n):
            continue
        # the largest wins; among equals the outermost, which loses nothing
        if best is None or scores.get(el, 0) > scores.get(best, 0):
            best = el
    if best is None or scores.get(best, 0) < _STRONG_SHARE * scores.get(root, 0):
        return None
    return best


def _descend(root: etree._Element, scores: dict[etree._Element, int]) -> etree._Element:
    node = root
    while True:
        children = [c for c in node if isinstance(c.tag, str)]
        if not children:
            return node
        best = max(children, key=lambda c: scores.get(c, 0))
        if best.tag in ("table", "tr", "tbody", "thead", "tfoot"):
            return node  # a data table is not an article; a layout table's cell may be
        if scores.get(best, 0) <= 0 or scores.get(best, 0) < _DESCEND_SHARE * scores.get(node, 0):
            return node
        node = best


def main_container(body: etree._Element) -> etree._Element:
    """The element holding the article: a known CMS container, else the densest descent."""
    scores = text_scores(body)
    container = _strong_container(body, scores)
    if container is None:
        container = _descend(body, scores)
        # descend through a layout table's cell when it holds nearly everything
        for td in container.iter("td"):
            table = next(td.iterancestors("table"), None)
            if (
                scores.get(td, 0) >= _DESCEND_SHARE * scores.get(container, 0) > 0
                and table is not None
                and is_layout_table(table)
            ):
                container = _descend(td, scores)
                break
    for el in [e for e in container.iter(*_INNER_TAGS) if e is not container]:
        _drop(el)
    furniture = [
        el
        for el in container.iter()
        if el is not container
        and isinstance(el.tag, str)
        and any(_FURNITURE_NAMES.match(n) for n in _names(el) if n)
        and scores.get(el, 0) <= _FURNITURE_MAX_CJK
    ]
    for el in furniture:
        _drop(el)
    return container
