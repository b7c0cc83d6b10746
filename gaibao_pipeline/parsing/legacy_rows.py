"""The rows of a pre-2019 statistics form (统计表), in whatever shape the text kept them.

A form is 指标名称 / 计量单位 / [代码] / one or two value columns (本年度, 本期, 年末统计 …
and 累计, 历年累计 …), in any order the province chose. Its rows reach the parser as grid
rows (`|`- or tab-separated), as space-separated lines copied from a PDF, as cells that ran
together, or one cell per line (a crawled web page: label, unit and each value on a line of
their own, the header broken one character per line). Each shape is read here into the same
`LegacyRow`s: the label and code as printed, the unit, the 其中 level and the value tokens.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from gaibao_pipeline.chinese import to_simplified
from gaibao_pipeline.codes import LEGACY_COLS, LEGACY_CUMULATIVE_HEADERS, LEGACY_PERIOD_HEADERS
from gaibao_pipeline.parsing.matching import match_key, nfkc, squeeze
from gaibao_pipeline.parsing.stream import Token, TokenKind

UNITS = r"(?:人次|件次|万元|千元|亿元|元|条|件|次|人|个|项|份|篇|期|场|天|小时|页|户|家)"
_UNIT = re.compile(rf"^{UNITS}$")
_UNIT_IN_LABEL = re.compile(rf"[(（]\s*(?:单位[:：]?)?\s*({UNITS})\s*[)）]$")
_CODE = re.compile(r"^\d{1,3}$")
# a form's header: the words of its columns, in the order printed (longest alternatives first)
_HEADER_WORD = re.compile(
    r"到本月累计数|历年累计|累计数|累计|本月实际数|年末统计|年末数|本年度|本期|实际数|"
    r"(?:19|20)\d{2}年度?|本年|年度|计量单位|单位|代码|编号|代号|指标名称|指标|名称|项目"
)
# what follows a form: its note, who filled it in, the signature's date
_AFTER_TABLE = re.compile(
    r"^(?:注|备注|说明|填表|填报|制表|审核|单位负责人|统计负责人)|^(?:19|20)\d{2}年$|^[年月日]$"
)
_HEADING = re.compile(r"^[一二三四五六七八九十]+[、.．]")
_SIGNATURE = re.compile(r"(?:领导小组|人民政府|办公室|办公厅|委员会)(?:办公室)?$")


@dataclass(slots=True)
class LegacyRow:
    raw_label: str  # as printed, whitespace squeezed
    level: int = 0  # 0 a total or a row of its own, 1 a 其中 part ("1."), 2 a sub-part ("(1)")
    values: list[Token] = field(default_factory=list)
    unit: str | None = None
    raw_code: str | None = None  # the form's code for the row ("19"), if it prints codes

    @property
    def label(self) -> str:
        """The label simplified, for matching and keys."""
        return to_simplified(self.raw_label)


@dataclass(slots=True)
class LegacyForm:
    rows: list[LegacyRow]
    cols: tuple[str, ...] = LEGACY_COLS  # the value columns the form prints, in canonical order
    one_per_line: bool = False  # crawled one cell per line: a blank cell left no line


def role(key: str) -> str | None:
    """What a header cell names: label, code, unit, period or cumulative (None: nothing known)."""
    if "指标" in key or "名称" in key or key == "项目":
        return "label"
    if "代码" in key or "编号" in key or "代号" in key:
        return "code"
    if "单位" in key:
        return "unit"
    if any(h in key for h in LEGACY_CUMULATIVE_HEADERS) or "累计" in key:
        return "cumulative"
    if any(h in key for h in LEGACY_PERIOD_HEADERS) or re.search(r"\d{4}年", key) or "年末" in key:
        return "period"
    return None


def header_roles(text: str) -> list[str]:
    """The roles a header names, in order: `指标名称计量单位2018年历年累计` → label, unit, period, cumul."""
    key = squeeze(to_simplified(nfkc(text)))
    roles: list[str] = []
    for match in _HEADER_WORD.finditer(key):
        found = role(match.group(0))
        if found is not None and found not in roles:
            roles.append(found)
    return roles


def value_cols(roles: Sequence[str]) -> tuple[str, ...]:
    """The value columns a header names, or both where it names none."""
    named = tuple(c for c in LEGACY_COLS if c in roles)
    return named or LEGACY_COLS


def level(label: str) -> int:
    text = squeeze(nfkc(label))
    stripped = re.sub(r"^其中[:：]?", "", text)
    if re.match(r"^(?:\(\d+\)|（\d+）|[①②③④⑤⑥⑦⑧⑨⑩])", stripped):
        return 2
    if re.match(r"^\d+[.、．]", stripped):
        return 1
    return 1 if stripped != text else 0


def unit_of(label: str) -> str | None:
    """A unit printed in the label's brackets: `收取的费用（元）` → 元."""
    match = _UNIT_IN_LABEL.search(squeeze(to_simplified(nfkc(label))))
    return match.group(1) if match else None


def is_unit(text: str) -> bool:
    return bool(_UNIT.match(squeeze(to_simplified(nfkc(text)))))


def _printed(text: str) -> str:
    return squeeze(text).strip("*＊")


# --- one cell per line -------------------------------------------------------------------


def stream_form(span: Sequence[Token]) -> LegacyForm:
    """A form crawled one cell per line: header words, then label, unit, [code], values per row.

    A label broken over lines (at a bracket, one character per line) is joined until its
    unit or first value; the form ends where a row has values but no unit on a form that
    prints units, or at its note or signature.
    """
    start, roles = _stream_header(span)
    has_unit, coded = "unit" in roles, "code" in roles
    rows: list[LegacyRow] = []
    current: LegacyRow | None = None
    for token in span[start:]:
        if token.kind == TokenKind.PARA:
            if rows:
                break
            continue
        text = _printed(token.text)
        if token.kind == TokenKind.LABEL:
            if is_unit(text):
                if current is not None and current.unit is None and not current.values:
                    current.unit = to_simplified(text)
                continue
            if _after_table(text):
                break
            if (
                current is not None
                and not current.values
                and current.unit is None
                and current.raw_code is None
            ):
                if not _HEADING.match(current.raw_label):
                    current.raw_label += text  # the label goes on, broken over lines
                    continue
                rows.pop()  # a heading between the form's rows ("二、依申请公开情况"), no indicator
            current = LegacyRow(text)
            rows.append(current)
            continue
        if current is None or not token.is_value:
            continue
        if current.raw_label.endswith(("(", "（")) and _CODE.match(text):
            current.raw_label += text  # "（" "1" "）": an item number broken out of its label
            continue
        if has_unit and current.unit is None and not current.values and _SIGNATURE.search(current.label):
            rows.pop()  # a signature with its date under the form, no indicator
            break
        if coded and current.raw_code is None and not current.values and _CODE.match(squeeze(nfkc(text))):
            current.raw_code = squeeze(nfkc(text))
            continue
        current.values.append(token)
    while has_unit and rows and rows[-1].unit is None and not rows[-1].values:
        rows.pop()  # a line under the form (its signature), not an indicator
    for row in rows:
        row.level = level(row.raw_label)
        row.unit = row.unit or unit_of(row.raw_label)
    return LegacyForm(rows, value_cols(roles), one_per_line=True)


def _stream_header(span: Sequence[Token]) -> tuple[int, list[str]]:
    """Where the header ends and the roles it names; a year split from its 年 is one word."""
    parts: list[str] = []
    i = 0
    while i < len(span):
        token = span[i]
        text = squeeze(to_simplified(nfkc(token.text)))
        nxt = squeeze(to_simplified(nfkc(span[i + 1].text))) if i + 1 < len(span) else ""
        if token.kind == TokenKind.PARA and not parts:
            i += 1
            continue
        header_word = token.kind == TokenKind.LABEL and _is_header_text(text)
        year = token.is_value and re.fullmatch(r"(?:19|20)\d{2}", text) and nxt.startswith("年")
        if not (header_word or year):
            break
        parts.append(text)
        i += 1
    return i, header_roles("".join(parts))


def _is_header_text(text: str) -> bool:
    """A header word, or a fragment of one (指 / 标 / 名 / 称 on lines of their own, 年 after a year)."""
    if not text:
        return False
    rest = _HEADER_WORD.sub("", text)
    return not rest or (
        len(text) <= 2 and all(ch in "指标名称计量单位代码本年度期累计实际数月末统项目" for ch in text)
    )


def _after_table(text: str) -> bool:
    return bool(_AFTER_TABLE.search(squeeze(to_simplified(nfkc(text)))))


# --- grid rows, space-separated lines, run-together cells ------------------------------------


def grid_form(lines: Sequence[Sequence[Token]], header_at: int) -> LegacyForm:
    """A form read from grid rows, columns placed by the header row's cells."""
    header = lines[header_at]
    if len(header) == 1 and len(header[0].text.split()) >= 3:
        return spaced_form(header[0], lines[header_at + 1 :])
    roles: dict[str, int] = {}
    for i, token in enumerate(header):
        found = role(match_key(token.text))
        if found is not None:
            roles.setdefault(found, token.where.col if token.where.col is not None else i)
    cols = value_cols(list(roles))
    rows: list[LegacyRow] = []
    for line in lines[header_at + 1 :]:
        by_col = {t.where.col if t.where.col is not None else i: t for i, t in enumerate(line)}
        label_token = by_col.get(roles.get("label", 0))
        if label_token is None or label_token.kind != TokenKind.LABEL:
            continue
        code_token = by_col.get(roles["code"]) if "code" in roles else None
        code = squeeze(nfkc(code_token.text)) if code_token is not None else ""
        if "code" in roles and not _CODE.match(code) and rows and _no_values(line):
            # a coded form's label cut by a page break: its rest is no indicator of its own
            rows[-1].raw_label += _printed(label_token.text)
            continue
        unit_token = by_col.get(roles["unit"]) if "unit" in roles else None
        values = [by_col[roles[c]] for c in cols if c in roles and roles[c] in by_col]
        values = [v for v in values if v.is_value] or [t for t in line if t.is_value and t is not code_token]
        unit = (
            to_simplified(squeeze(unit_token.text))
            if unit_token is not None and unit_token.kind == TokenKind.LABEL
            else None
        )
        label = _printed(label_token.text)
        rows.append(
            LegacyRow(
                label, level(label), values, unit or unit_of(label), code if _CODE.match(code) else None
            )
        )
    return LegacyForm(rows, cols)


def _no_values(line: Sequence[Token]) -> bool:
    return not any(t.is_value and t.kind != TokenKind.EMPTY for t in line)


def spaced_form(header: Token, lines: Sequence[Sequence[Token]]) -> LegacyForm:
    """Rows of a form copied as text from a PDF: `指标名称 计量单位 代码 本期 累计` is one cell.

    A line of such text keeps its label (the unit after it, a space apart) as one cell and
    each number as a cell of its own, so columns are known by order, not by grid position:
    on a coded form the first number is the code, the next ones are the values.
    """
    roles = header_roles(header.text)
    coded = "code" in roles
    rows: list[LegacyRow] = []
    for line in lines:
        if not line or line[0].kind != TokenKind.LABEL:
            continue
        words = line[0].text.split()
        unit = words.pop() if len(words) > 1 and is_unit(words[-1]) else None
        label = _printed("".join(words))
        values = [t for t in line[1:] if t.is_value]
        code = squeeze(nfkc(values[0].text)) if coded and values else ""
        if _CODE.match(code):
            values = values[1:]
        rows.append(
            LegacyRow(
                label,
                level(label),
                values,
                to_simplified(unit) if unit else unit_of(label),
                code if _CODE.match(code) else None,
            )
        )
    return LegacyForm(rows, value_cols(roles))


def glued_form(span: Sequence[Token]) -> LegacyForm:
    """Rows of a form whose cells ran together: label+unit, then the row's digits."""
    rows: list[LegacyRow] = []
    roles: list[str] = []
    current: LegacyRow | None = None
    for token in span:
        if token.kind == TokenKind.LABEL:
            text = _printed(token.text)
            simplified = to_simplified(text)
            if "指标名称" in simplified or "指标" in simplified[:4]:
                # the first label carries the form's header: the row label is what follows it
                matches = list(_HEADER_WORD.finditer(simplified))
                roles = header_roles(simplified)
                if matches:
                    text = text[matches[-1].end() :]
            unit_match = re.search(rf"{UNITS}$", to_simplified(text))
            unit = unit_match.group(0) if unit_match else None
            label = text[: unit_match.start()] if unit_match else text
            current = LegacyRow(label, level(label), [], unit) if label else None
            if current is not None:
                rows.append(current)
        elif token.kind == TokenKind.RUN and current is not None:
            current.values.append(token)
    return LegacyForm([r for r in rows if r.values], value_cols(roles))


def token_lines(span: Sequence[Token]) -> list[list[Token]]:
    """The region's tokens grouped by the grid row they start."""
    lines: list[list[Token]] = []
    for token in span:
        if token.kind == TokenKind.PARA:
            continue
        if token.row_start or not lines:
            lines.append([])
        lines[-1].append(token)
    return lines
