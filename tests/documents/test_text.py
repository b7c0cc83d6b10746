"""The text reader: each way crawlers flatten tables becomes a grid; narrative stays text."""

from __future__ import annotations

from gaibao_pipeline.documents.text.reader import iso_datetime, read_text
from gaibao_pipeline.model import Grid


def rows_of(text: str) -> list[list[str]]:
    document = read_text(text.encode("utf-8"))
    grids = [b for b in document.blocks if isinstance(b, Grid)]
    assert len(grids) == 1, document.blocks
    return [[c.text for c in row] for row in grids[0].rows()]


def test_pipe_separated_rows_keep_blank_cells() -> None:
    rows = rows_of("指标名称 | 单位 | 代码 | 本月 | 累计 |\n主动公开信息总数 | 条 | 01 | 339 | |\n")
    assert rows[1] == ["主动公开信息总数", "条", "01", "339", ""]


def test_pipe_terminated_cells_one_per_line() -> None:
    # a bare "|" is a blank cell; "||…|" is the crawler's padding that ends a row
    text = "规章 |\n0 |\n|\n5 |\n||\n行政许可 |\n3 |\n"
    assert rows_of(text) == [["规章", "0", "", "5"], ["行政许可", "3"]]


def test_a_cell_of_dashes_one_per_line_is_a_cell_not_a_markdown_rule() -> None:
    # legacy forms print "----" where an indicator has no value (a head count's total to date)
    text = "工作人员数 |\n人 |\n1 |\n---- |\n||\n其中：专职人员 |\n人 |\n0 |\n---- |\n||\n"
    assert rows_of(text) == [["工作人员数", "人", "1", "----"], ["其中：专职人员", "人", "0", "----"]]


def test_a_cell_of_dashes_in_word_export_is_a_cell() -> None:
    text = "\t工作人员数\n\t人\n\t1\n\t----\n\n\t专职人员\n\t人\n\t0\n\t----\n"
    assert rows_of(text) == [["工作人员数", "人", "1", "----"], ["专职人员", "人", "0", "----"]]


def test_markdown_rules_are_not_rows() -> None:
    text = "| 指标 | 本期 |\n|---|---|\n| 申请数 | 3 |\n"
    assert rows_of(text) == [["指标", "本期"], ["申请数", "3"]]


def test_tab_rows_keep_leading_empty_slots() -> None:
    text = "\t(二) 部分公开\t\t0\t0\n\t\t1.属于国家秘密\t0\t0\n"
    assert rows_of(text)[0] == ["", "(二) 部分公开", "", "0", "0"]


def test_word_export_cells_one_per_line_blank_line_ends_row() -> None:
    text = "\t规章\n\t0\n\t0\n\n\t行政许可\n\t4\n\t0\n"
    assert rows_of(text) == [["规章", "0", "0"], ["行政许可", "4", "0"]]


def test_space_separated_rows_from_a_pdf_copy() -> None:
    text = (
        "一、本年新收政府信息公开申请数量 21 0 0 0 0 0 21\n"
        "二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0\n"
        "- 3 -\n"
        "（一）予以公开 5 0 0 0 0 0 5\n"
    )
    rows = rows_of(text)
    assert rows[0] == ["一、本年新收政府信息公开申请数量", "21", "0", "0", "0", "0", "0", "21"]
    assert len(rows) == 3  # the page number is not a row


def test_one_value_per_line_without_delimiters() -> None:
    text = "本年度我局认真落实条例要求，全面推进政务公开。\n规章\n0\n0\n0\n行政规范性文件\n2\n1\n15\n"
    document = read_text(text.encode("utf-8"))
    grid = next(b for b in document.blocks if isinstance(b, Grid))
    assert [[c.text for c in row] for row in grid.rows()][:2] == [["规章"], ["0"]]
    assert document.blocks[0].text.startswith("本年度")  # narrative stays a paragraph


def test_sentences_ending_in_numbers_stay_narrative() -> None:
    document = read_text("全年共收到申请 7\n我局共发布信息3892条。\n".encode())
    assert not any(isinstance(b, Grid) for b in document.blocks)


def test_crawler_header_gives_title_and_publication_time() -> None:
    text = (
        "标题: 某某县人民政府2021年政府信息公开工作年度报告\n"
        "发布时间: 2022-02-08 16:34\n==== 正文 ====\n正文\n"
    )
    meta = read_text(text.encode()).metadata
    assert meta.title == "某某县人民政府2021年政府信息公开工作年度报告"
    assert meta.published_at == "2022-02-08T16:34:00"


def test_word_bookmarks_and_markdown_bold_removed() -> None:
    document = read_text("[bookmark: _GoBack]一、**总体情况**\n".encode())
    assert document.blocks[0].text == "一、总体情况"


def test_cell_provenance_has_line_numbers() -> None:
    document = read_text("说明\n规章\t0\t5\n".encode())
    grid = next(b for b in document.blocks if isinstance(b, Grid))
    assert grid.cells[1].where.line == 2 and grid.cells[1].where.col == 1


def test_iso_datetime() -> None:
    assert iso_datetime("2021年1月29日") == "2021-01-29"
    assert iso_datetime("2022/2/8 9:05") == "2022-02-08T09:05:00"
    assert iso_datetime("无日期") is None
