"""Render Word's automatic list numbers (`w:numPr`), which are not part of the run text.

Reports number their sections 一、 / （一） / 1. and many DOCX files produce those labels
with Word numbering rather than typed characters; without them a heading reads 总体情况
instead of 一、总体情况. Counters follow Word: lists that share an abstract definition
continue each other unless a `w:startOverride` restarts them, and a level's counter resets
when a shallower level advances.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from gaibao_pipeline.documents.docx.package import W

_DIGITS = "零一二三四五六七八九"
_TRADITIONAL = "甲乙丙丁戊己庚辛壬癸"
_ZODIAC = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))  # fmt: skip
_NO_GAP_AFTER = "、，,.．)）:：]】"  # a label ending in punctuation joins its text directly


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五 (for n < 10000)."""
    if n <= 0 or n >= 10000:
        return str(n)
    out, zero = "", False
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // unit_value % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += ("" if digit == 1 and unit == "十" and not out else _DIGITS[digit]) + unit
    return out


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


def format_number(n: int, fmt: str) -> str:
    """A counter value in a `w:numFmt` style; unknown styles print as decimal."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "taiwaneseCounting"):
        return chinese_number(n)
    if fmt == "ideographTraditional" and 1 <= n <= 10:
        return _TRADITIONAL[n - 1]
    if fmt == "ideographZodiac" and 1 <= n <= 12:
        return _ZODIAC[n - 1]
    if fmt.startswith("decimalEnclosedCircle") and 1 <= n <= 20:
        return _CIRCLED[n - 1]
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(ord(d) + 0xFEE0) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("upperRoman", "lowerRoman"):
        return _roman(n) if fmt == "upperRoman" else _roman(n).lower()
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    return str(n)


@dataclass(slots=True)
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""
    suffix: str = "tab"
    legal: bool = False  # w:isLgl: every number in the label printed as decimal


def _val(el: etree._Element | None, tag: str) -> str | None:
    child = el.find(W + tag) if el is not None else None
    return child.get(W + "val") if child is not None else None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


@dataclass(slots=True)
class Numbering:
    """List definitions of one document, and the running counters while it is read."""

    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)  # abstractNumId → levels
    nums: dict[str, str] = field(default_factory=dict)  # numId → abstractNumId
    restarts: dict[str, dict[int, int]] = field(default_factory=dict)  # numId → startOverride
    style_num: dict[str, tuple[str | None, int | None]] = field(default_factory=dict)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)
    started: set[str] = field(default_factory=set)

    @classmethod
    def parse(cls, numbering: etree._Element | None, styles: etree._Element | None) -> Numbering:
        """Read numbering.xml and the numbering that paragraph styles carry."""
        self = cls()
        if numbering is not None:
            for abstract in numbering.iter(W + "abstractNum"):
                levels: dict[int, _Level] = {}
                for lvl in abstract.iter(W + "lvl"):
                    levels[_int(lvl.get(W + "ilvl"), 0)] = _Level(
                        start=_int(_val(lvl, "start"), 1),
                        fmt=_val(lvl, "numFmt") or "decimal",
                        text=_val(lvl, "lvlText") or "",
                        suffix=_val(lvl, "suff") or "tab",
                        legal=lvl.find(W + "isLgl") is not None,
                    )
                self.levels[abstract.get(W + "abstractNumId", "")] = levels
            for num in numbering.iter(W + "num"):
                num_id = num.get(W + "numId", "")
                self.nums[num_id] = _val(num, "abstractNumId") or ""
                for override in num.iter(W + "lvlOverride"):
                    start = _val(override, "startOverride")
                    if start is not None:
                        level = _int(override.get(W + "ilvl"), 0)
                        self.restarts.setdefault(num_id, {})[level] = _int(start, 1)
        if styles is not None:
            for style in styles.iter(W + "style"):
                num_pr = style.find(f"{W}pPr/{W}numPr")
                if num_pr is not None:
                    ilvl = _val(num_pr, "ilvl")
                    self.style_num[style.get(W + "styleId", "")] = (
                        _val(num_pr, "numId"),
                        _int(ilvl, 0) if ilvl is not None else None,
                    )
        return self

    def label(self, p: etree._Element) -> str:
        """The list label a paragraph shows ('一、', '（二）', '3.'), advancing the counters."""
        p_pr = p.find(W + "pPr")
        num_pr = p_pr.find(W + "numPr") if p_pr is not None else None
        style_num = self.style_num.get(_val(p_pr, "pStyle") or "", (None, None))
        num_id = _val(num_pr, "numId") or style_num[0]
        level = _int(_val(num_pr, "ilvl"), style_num[1] or 0)
        abstract = self.nums.get(num_id or "")
        if not num_id or num_id == "0" or abstract is None or level not in self.levels.get(abstract, {}):
            return ""
        levels = self.levels[abstract]
        counters = self.counters.setdefault(abstract, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for lvl, start in self.restarts.get(num_id, {}).items():
                counters[lvl] = start - 1
        counters[level] = counters.get(level, levels[level].start - 1) + 1
        for deeper in [k for k in counters if k > level]:
            del counters[deeper]
        spec = levels[level]
        if spec.fmt in ("bullet", "none"):
            return ""  # bullets and blank labels carry nothing a parser needs
        text = spec.text
        for lvl in range(level, -1, -1):  # %10 does not exist; replace high levels first anyway
            if f"%{lvl + 1}" in text:
                value = counters.get(lvl, levels.get(lvl, _Level()).start)
                fmt = "decimal" if spec.legal else levels.get(lvl, _Level()).fmt
                text = text.replace(f"%{lvl + 1}", format_number(value, fmt))
        if not text or text[-1] in _NO_GAP_AFTER or spec.suffix == "nothing":
            return text
        return text + " "
