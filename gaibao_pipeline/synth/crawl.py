"""A report's web page as crawlers write it to text: one cell per line, and the damage they do.

Crawlers of government sites save an article as its text, every table cell on a line of
its own, with their header (标题 / 发布时间 / 原始链接 …) above the body. The markup of such
pages leaves traces the generator reproduces, each as an option of `Crawl`:

* blank cells leave no line at all (always: an empty line is no cell);
* `collapsed`: the crawler also collapsed runs of identical lines, so 15|0|0|0|0|0|15 reads
  `15 0 15` and an all-zero row reads `0`;
* `split_numbers`: a number in tables 三 and 四 broken over two lines by inline markup (`1`
  `60` for 160), where the identities can tell; and numbers in the narrative on lines of
  their own (`共受理` `157` `件`);
* `broken_labels`: labels broken at their brackets (`（` `一` `）` `予以公开`), headers one
  character per line (`指` `标` `名` `称`), a signature and its date in fragments;
* `place_title`: a government's report titled by its place only (三明市2021年…), the body
  naming the government (现公布三明市人民政府…) or not at all.

The values a parser must recover are the report's own; where a crawler's damage leaves a
cell that the identities cannot pin, the parser leaves it blank and says so.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass

from gaibao_pipeline.synth import legacy_render
from gaibao_pipeline.synth.text_builder import table_rows
from gaibao_pipeline.synth.values import SECTION_NUMBERS, SynthReport

_NOTICES = {"2021": "国办公开办函〔2021〕30号", "2019": "国办公开办函〔2019〕60号"}
_SPLIT_TABLES = ("t3", "t4")  # tables whose identities pin a number split over two lines


@dataclass(frozen=True, slots=True)
class Crawl:
    """How the crawler damaged the page."""

    collapsed: bool = False
    split_numbers: float = 0.0  # share of numbers of two or more digits in tables 三/四 broken in two
    broken_labels: bool = False
    place_title: bool = False

    @property
    def name(self) -> str:
        parts = [
            name
            for name, on in (
                ("collapsed", self.collapsed),
                ("split", self.split_numbers > 0),
                ("broken", self.broken_labels),
                ("place", self.place_title),
            )
            if on
        ]
        return "-".join(parts) or "clean"


def place_of(agency: str) -> str | None:
    """The place a government's name starts with (某某市人民政府 → 某某市), None for a department."""
    for suffix in ("人民政府", "办事处"):
        if agency.endswith(suffix):
            return agency[: -len(suffix)]
    return None


def crawl_text(report: SynthReport, crawl: Crawl, seed: int = 0) -> bytes:
    """The report as a crawler saved its web page (UTF-8 text)."""
    rng = random.Random(f"crawl:{seed}:{crawl.name}")
    place = place_of(report.agency) if crawl.place_title else None
    title = f"{place}{report.year}年政府信息公开工作年度报告" if place else report.title
    stamp = report.published_at.strftime("%Y-%m-%d %H:%M") if report.published_at else ""
    lines = [
        f"标题：{title}",
        f"发布时间：{stamp}",
        "文号：",
        "发布机构：",
        "来源：政府信息公开办",
        "栏目：政府信息公开年报",
        f"原始链接：https://www.example.gov.cn/zfxxgk/ndbg/{report.year + 1}03/t{seed:08d}.htm",
        "",
        "正文：",
    ]
    announced = report.agency if not place or rng.random() < 0.6 else ""
    notice = _NOTICES.get(report.template)
    cited = (
        f"和《国务院办公厅政府信息与政务公开办公室关于印发年度报告格式的通知》（{notice}）" if notice else ""
    )
    lines += _spans(
        f"根据《中华人民共和国政府信息公开条例》{cited}要求，现公布{announced}{report.year}年"
        f"政府信息公开工作年度报告。本报告所列数据的统计期限自{report.year}年1月1日起至"
        f"{report.year}年12月31日止。",
        rng,
    )
    for n, (number, heading) in enumerate(zip(SECTION_NUMBERS, report.section_titles, strict=True)):
        lines.append(f"{number}、{heading}")
        for paragraph in report.sections[n].split("\n"):
            lines += _spans(paragraph, rng)
        table = {1: "t2", 2: "t3", 3: "t4"}.get(n) if report.legacy is None else None
        if table is not None:
            lines += list(_table_lines(report, table, crawl, rng))
    if report.legacy is not None:
        lines.append("附表：")
        lines += list(_legacy_lines(report, crawl))
    lines += _signature(report, crawl.broken_labels)
    if crawl.collapsed:
        lines = _collapse(lines)
    return ("\n".join(lines) + "\n").encode("utf-8")


def _spans(paragraph: str, rng: random.Random) -> list[str]:
    """A paragraph whose numbers sat in markup of their own: each number on a line of its own."""
    if rng.random() < 0.5:
        return [paragraph]
    return [piece for piece in re.split(r"(\d+)", paragraph) if piece.strip()]


def _table_lines(report: SynthReport, table: str, crawl: Crawl, rng: random.Random) -> Iterator[str]:
    for row in table_rows(report, table):
        for cell in row:
            if cell is None:
                continue  # a merged cell's slot: no cell in the page
            if _is_number(cell):
                yield from _number_lines(cell, crawl.split_numbers if table in _SPLIT_TABLES else 0.0, rng)
            elif cell == "":
                yield ""  # a blank cell: an empty line, which the crawler drops
            else:
                yield from _label_lines(cell, crawl.broken_labels)


def _legacy_lines(report: SynthReport, crawl: Crawl) -> Iterator[str]:
    rows = legacy_render.rows(report, indent=False)
    for n, row in enumerate(rows):
        for cell in row:
            if n == 0 and crawl.broken_labels and cell == "指标名称":
                yield from cell  # the header's first cell, one character per line
            elif _is_number(cell) or cell in ("", legacy_render.DASH):
                yield cell
            else:
                yield from _label_lines(cell, crawl.broken_labels)


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"[+\-]?\d+(?:\.\d+)?", text))


def _number_lines(text: str, share: float, rng: random.Random) -> list[str]:
    digits = text.lstrip("+-")
    if len(digits) >= 2 and "." not in text and rng.random() < share:
        cut = rng.randint(1, len(digits) - 1)
        sign = text[: len(text) - len(digits)]
        return [sign + digits[:cut], digits[cut:]]
    return [text]


def _label_lines(label: str, broken: bool) -> list[str]:
    """A label, or (broken) its pieces at brackets and item numbers, as such pages show them."""
    if not broken:
        return [label]
    pieces = re.split(r"([（）()]|^\d+\.|^[一二三四五六七八九十]+、)", label)
    return [piece for piece in pieces if piece and piece.strip()]


def _signature(report: SynthReport, broken: bool) -> list[str]:
    day = report.report_date
    if not broken:
        return [report.agency, f"{day.year}年{day.month}月{day.day}日"]
    name = report.agency
    third = max(1, len(name) // 3)
    return [
        name[:third],
        name[third : 2 * third],
        name[2 * third :],
        str(day.year)[:2],
        str(day.year)[2:],
        "年",
        str(day.month),
        "月",
        str(day.day),
        "日",
    ]


def _collapse(lines: list[str]) -> list[str]:
    """Empty lines dropped, runs of identical lines kept once: what the collapsing crawler saves."""
    out: list[str] = []
    for line in lines:
        if not line.strip() or (out and out[-1] == line):
            continue
        out.append(line)
    return out
