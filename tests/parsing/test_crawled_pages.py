"""Report pages as crawlers damage them, each pattern on documents of its own, in variants
(agencies, years, numbers): a crawler that collapsed runs of equal lines and dropped blank
cells (15|0|0|0|0|0|15 reads `15 0 15`, an all-zero row `0`), where the identities pin the
cells and where they do not (blank, with a warning); a number split over two lines (`1` `60`);
labels broken at brackets and one character per line; a heading between a table's rows;
sections out of order; an amount whose unit is in the header (采购总金额（元）) or beside the
number (`16` `万`). Every recovered cell is `inferred` and a warning says what was assumed."""

from __future__ import annotations

import pytest

from gaibao_pipeline.synth.crawl import Crawl, crawl_text
from tests.parsing.crawled import cell, parse_text, report_with, values, warned

# table 三 of a report: 15 from natural persons, 10 granted, 5 not held, nothing carried
_T3 = {
    "1": [15, 0, 0, 0, 0, 0, 15],
    "3.1": [10, 0, 0, 0, 0, 0, 10],
    "3.4.1": [5, 0, 0, 0, 0, 0, 5],
    "3.7": [15, 0, 0, 0, 0, 0, 15],
}
_VARIANTS = [
    ("三明市永安市人民政府", 2021, "2021", 1),
    ("莆田市城厢区教育局", 2022, "2021", 3),
    ("南平市建阳区卫生健康局", 2020, "2019", 7),
]


def _scaled(rows: dict[str, list[int]], factor: int, shift: int) -> dict[str, list[int]]:
    """The same table with other numbers: applicants moved to another column, counts scaled."""
    out = {}
    for row, cells in rows.items():
        person = cells[0] * factor
        applicant = [0] * 6
        applicant[shift % 6] = person
        out[row] = [*applicant, person]
    return out


def _crawl(text_report, crawl: Crawl, seed: int = 0) -> str:  # type: ignore[no-untyped-def]
    return crawl_text(text_report, crawl, seed).decode("utf-8")


@pytest.mark.parametrize(("agency", "year", "template", "factor"), _VARIANTS)
def test_collapsed_rows_are_recovered_and_marked_inferred(
    agency: str, year: int, template: str, factor: int
) -> None:
    t3 = _scaled(_T3, factor, 0)
    page = _crawl(report_with(agency, year, template, t3=t3), Crawl(collapsed=True))
    total = 15 * factor
    assert f"\n{total}\n0\n{total}\n" in page  # the row as the crawler left it: 15 0 15
    parsed = parse_text(page)
    assert parsed.ok and parsed.report.template == template
    assert values(parsed, "t3", "1") == t3["1"]
    assert values(parsed, "t3", "3.4.1") == t3["3.4.1"]
    assert values(parsed, "t3", "2") == [0] * 7  # an all-zero row read `0`
    assert values(parsed, "t4", "review") == [0] * 5
    repeated = cell(parsed, "t3", "1", "research")
    assert repeated.inferred and repeated.raw is None  # a repeat the crawler dropped
    assert not cell(parsed, "t3", "1", "natural_person").inferred  # read as printed
    assert any("collapsed" in w for w in warned(parsed, "t3 1:"))
    assert all(c.passed for c in parsed.checks if c.id.startswith(("t3.", "t4.")))


@pytest.mark.parametrize("shift", [1, 4])
def test_collapsed_applicants_in_a_column_the_text_does_not_name(shift: int) -> None:
    # 0|30|0|0|0|0|30 and 0|0|30|0|0|0|30 both read `0 30 0 30`, in every row alike: which
    # kind of legal person applied is not in the text, so those cells stay blank, with warnings
    t3 = _scaled(_T3, 2, shift)
    page = _crawl(report_with("莆田市荔城区人民政府", 2021, "2021", t3=t3), Crawl(collapsed=True))
    parsed = parse_text(page)
    for row in ("1", "3.1", "3.4.1", "3.7"):
        got = values(parsed, "t3", row)
        assert got[0] == 0 and got[-1] == t3[row][-1], row  # natural persons and the total are pinned
        for col, value, want in zip(
            ("commercial", "research", "social_welfare", "legal_service", "other"),
            got[1:6],
            t3[row][1:6],
            strict=True,
        ):
            if value is None:
                assert any(w.startswith(f"t3 {row}.{col}:") and "do not pin" in w for w in parsed.warnings)
            else:
                assert value == want, (row, col)
    assert not any(c.passed is False for c in parsed.checks if c.id.startswith("t3."))


@pytest.mark.parametrize(("prev", "decisions"), [(28, 0), (640, 0), (0, 5)])
def test_collapsed_cell_the_identities_do_not_pin_stays_blank_with_a_warning(
    prev: int, decisions: int
) -> None:
    # table 二 of the 2019 form has no identity: 28|0|0 and 28|28|0 both read `28 0`
    t2 = {"licensing": [prev, 0, decisions]}
    report = report_with("莆田市文化和旅游局", 2020, "2019", t3=_T3, t2=t2)
    parsed = parse_text(_crawl(report, Crawl(collapsed=True)))
    row = values(parsed, "t2", "licensing")
    known = [v for v, want in zip(row, t2["licensing"], strict=True) if v is not None]
    assert known and all(v == w for v, w in zip(row, t2["licensing"], strict=True) if v is not None)
    unknown = [c for c in parsed.cells if c.key[:2] == ("t2", "licensing") and c.value is None]
    assert unknown, row  # the collapse left a cell the text does not determine
    for c in unknown:
        assert c.inferred
        assert any(w.startswith(f"t2 licensing.{c.col}:") and "do not pin" in w for w in parsed.warnings)


@pytest.mark.parametrize(("number", "pieces"), [(160, ("1", "60")), (27, ("2", "7")), (1234, ("12", "34"))])
def test_number_split_over_two_lines_is_joined_by_the_identities(
    number: int, pieces: tuple[str, str]
) -> None:
    t3 = {row: [v * number // 15 for v in cells] for row, cells in _T3.items()}
    t3["3.4.1"] = [number - t3["3.1"][0], 0, 0, 0, 0, 0, number - t3["3.1"][0]]
    page = _crawl(report_with("三明市三元区财政局", 2022, "2021", t3=t3), Crawl())
    lines = page.split("\n")
    at = lines.index(str(number), lines.index("一、本年新收政府信息公开申请数量"))
    lines[at : at + 1] = list(pieces)  # the page's markup broke the first cell in two
    parsed = parse_text("\n".join(lines))
    assert values(parsed, "t3", "1") == t3["1"]
    joined = cell(parsed, "t3", "1", "natural_person")
    assert joined.inferred and joined.value == number
    assert any(f"split number {pieces[0]!r} {pieces[1]!r}" in w for w in warned(parsed, "t3 1:"))


@pytest.mark.parametrize(("agency", "year", "template", "factor"), _VARIANTS)
def test_labels_broken_at_brackets_and_one_character_per_line(
    agency: str, year: int, template: str, factor: int
) -> None:
    t3 = _scaled(_T3, factor, 0)
    page = _crawl(report_with(agency, year, template, t3=t3), Crawl(broken_labels=True))
    assert "\n（\n一\n）\n予以公开\n" in page
    parsed = parse_text(page)
    for row in ("1", "3.1", "3.4.1", "3.7"):
        assert values(parsed, "t3", row) == t3[row], row
    assert (parsed.report.agency, parsed.report.year) == (agency, year)
    assert parsed.report.report_date == f"{year + 1}-01-20"  # the signature crawled in fragments


def test_heading_between_a_tables_rows() -> None:
    page = _crawl(report_with("福州市鼓楼区司法局", 2021, "2021", t3=_T3), Crawl())
    lines = page.split("\n")
    at = lines.index("（四）无法提供")
    lines[at:at] = ["（二）依申请公开情况", "四、政府信息公开行政复议、行政诉讼情况"]  # page furniture
    parsed = parse_text("\n".join(lines))
    for row in ("1", "3.1", "3.4.1", "3.7"):
        assert values(parsed, "t3", row) == _T3[row], row
    assert all(c.passed for c in parsed.checks if c.id.startswith("t3."))


@pytest.mark.parametrize("crawl", [Crawl(), Crawl(collapsed=True)], ids=["clean", "collapsed"])
def test_sections_out_of_order(crawl: Crawl) -> None:
    t4 = [1, 0, 0, 0, 1, *([0] * 10)]
    report = report_with("漳州市芗城区市场监督管理局", 2023, "2021", t3=_T3, t4=t4)
    page = _crawl(report, crawl)
    start, middle = page.index("三、收到和处理政府信息公开申请情况"), page.index("四、政府信息公开行政复议")
    end = page.index("五、存在的主要问题")
    page = page[:start] + page[middle:end] + page[start:middle] + page[end:]  # 四 before 三
    parsed = parse_text(page)
    assert values(parsed, "t4", "review") == t4[:5]
    assert values(parsed, "t3", "1") == _T3["1"]
    assert {s.no for s in parsed.sections} == {1, 2, 3, 4, 5, 6}


@pytest.mark.parametrize(
    ("header", "printed", "held"), [("采购总金额（元）", "160000", 16), ("采购总金额", "16", 16)]
)
def test_amount_unit_in_the_header(header: str, printed: str, held: float) -> None:
    t2 = {"procurement": [1, 16]}
    page = _crawl(report_with("莆田市秀屿区人民政府", 2020, "2019", t3=_T3, t2=t2), Crawl())
    lines = page.split("\n")
    lines[lines.index("采购总金额")] = header
    lines[lines.index("政府集中采购") + 2] = printed
    parsed = parse_text("\n".join(lines))
    amount = cell(parsed, "t2", "procurement", "procurement_amount")
    assert amount.value == held and amount.raw == printed


@pytest.mark.parametrize("collapsed", [False, True])
def test_amount_unit_beside_the_number(collapsed: bool) -> None:
    t2 = {"procurement": [2, 16]}
    page = _crawl(
        report_with("莆田市涵江区人民政府", 2020, "2019", t3=_T3, t2=t2), Crawl(collapsed=collapsed)
    )
    lines = page.split("\n")
    at = lines.index("政府集中采购")
    lines[at + 2 : at + 3] = ["16", "万"]  # the unit in markup of its own, on its own line
    parsed = parse_text("\n".join(lines))
    assert values(parsed, "t2", "procurement") == [2, 16]
