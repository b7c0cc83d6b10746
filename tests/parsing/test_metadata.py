"""Agency, year and report date from titles, bodies and signatures, as real reports print them."""

from __future__ import annotations

import pytest

from gaibao_pipeline.parsing.metadata import extract_metadata, report_titles


@pytest.mark.parametrize(
    ("lines", "hint", "agency", "year"),
    [
        # title on one line
        (["某某市人民政府办公室2021年政府信息公开工作年度报告"], None, "某某市人民政府办公室", 2021),
        # agency on the line above the title (洪泽区 2023 PDF)
        (["洪泽区人民政府", "2023 年政府信息公开工作年度报告"], None, "洪泽区人民政府", 2023),
        # year on a line of its own
        (["某某市交通运输局", "2021年度", "政府信息公开工作年度报告"], None, "某某市交通运输局", 2021),
        # "关于…的年度报告", "政务公开", brackets
        (["关于某某县人民政府2022年政府信息公开工作的年度报告"], None, "某某县人民政府", 2022),
        (["某某区数据局2020年政务公开工作年度报告"], None, "某某区数据局", 2020),
        (["【某某市人民政府】2021年政府信息公开工作年度报告"], None, "某某市人民政府", 2021),
        # the agency between the year and the words (上海市人民政府办公厅 2019), the 政府 shared
        (["2019年上海市人民政府办公厅政府信息公开工作年度报告"], None, "上海市人民政府办公厅", 2019),
        (["2019年上海市人民政府信息公开工作年度报告"], None, "上海市人民政府", 2019),
        (["2023年某某区人民政府政府信息公开工作年度报告"], None, "某某区人民政府", 2023),
        (["2023年某某县政府信息公开工作年度报告"], None, "某某县政府", 2023),
        (["2023年度某某市司法局政府信息公开年报"], None, "某某市司法局", 2023),
        (["2023年本溪市人民政府政府信息公开工作年度报告"], None, "本溪市人民政府", 2023),
        (["2021年某某市审计局政府信息公开工作情况报告"], None, "某某市审计局", 2021),
        (["正文"], "2019年上海市人民政府办公厅政府信息公开工作年度报告", "上海市人民政府办公厅", 2019),
        # traditional script, converted
        (["張掖市環境保護局", "2012年政府信息公開工作年度報告"], None, "张掖市环境保护局", 2012),
        # the crawler's title wins over body lines
        (
            ["一、总体情况", "2022年，某某市财政局认真贯彻条例"],
            "某某市财政局2022年政府信息公开工作年度报告",
            "某某市财政局",
            2022,
        ),
        # a title naming only the department gets its place from the body (抚远市 2020)
        (
            ["生态环境局2020年政府信息公开", "工作年度报告", "2020年，抚远市生态环境局认真贯彻落实《条例》"],
            None,
            "抚远市生态环境局",
            2020,
        ),
        # no title: the signature above the date at the end; the year from the statistics period
        (
            ["报告中数据统计期限为2020年1月1日—12月31日。", "正文", "忻州市生态环境局", "2021年1月29日"],
            None,
            "忻州市生态环境局",
            2020,
        ),
    ],
)
def test_agency_and_year(lines: list[str], hint: str | None, agency: str, year: int) -> None:
    found = extract_metadata(lines, hint, None)
    assert (found.agency, found.year) == (agency, year)


def test_a_cited_title_is_not_the_agency() -> None:
    found = extract_metadata(
        ["根据《国务院办公厅关于2021年政府信息公开工作年度报告有关事项的通知》要求，编制本报告。"], None, None
    )
    assert found.agency is None or "国务院办公厅" not in found.agency


@pytest.mark.parametrize(
    ("lines", "year", "date"),
    [
        (["某某局2020年政府信息公开工作年度报告", "正文", "某某局", "2021年1月29日"], 2020, "2021-01-29"),
        (
            ["某某县人民政府2011年政府信息公开工作年度报告", "正文 二○一二年二月二十日 附件1：统计表"],
            2011,
            "2012-02-20",
        ),
        (
            ["某某局2012年政府信息公开工作年度报告", "填报人: 某 联系电话:123 报出日期: 2012年 12 月 31 日"],
            2012,
            "2012-12-31",
        ),
        # dates inside sentences are not the report's date
        (
            ["某某局2021年政府信息公开工作年度报告", "统计期限自2021年1月1日起至2021年12月31日止。"],
            2021,
            None,
        ),
    ],
)
def test_report_date(lines: list[str], year: int, date: str | None) -> None:
    found = extract_metadata(lines, None, None)
    assert (found.year, found.report_date) == (year, date)


def test_report_titles_finds_every_report_in_a_file() -> None:
    lines = [
        "甲县人民政府2020年政府信息公开工作年度报告",
        "正文",
        "乙县人民政府",
        "2020年政府信息公开工作年度报告",
    ]
    assert report_titles(lines) == [("甲县人民政府", 2020), ("乙县人民政府", 2020)]


def test_report_titles_with_the_agency_after_the_year() -> None:
    lines = [
        "2019年甲县人民政府政府信息公开工作年度报告",
        "正文",
        "2019年乙县人民政府政府信息公开工作年度报告",
    ]
    assert report_titles(lines) == [("甲县人民政府", 2019), ("乙县人民政府", 2019)]


@pytest.mark.parametrize(
    ("agency", "other"),
    [
        ("山东省人力资源和社会保障厅", "办公室"),  # 社 and 会 end organisation names too
        ("某某市文化和旅游局", "工作会"),
    ],
)
def test_agency_from_a_body_without_line_breaks_is_the_whole_name(agency: str, other: str) -> None:
    # web text whose title, body and signature ran into one line: no title line to read
    text = (
        f"{agency}2024年政府信息公开工作年度报告 一、总体情况 2024年，{agency}认真贯彻落实条例，"
        f"召开{other}部署。 六、其他需要报告的事项 无。 {agency} 2025年1月21日"
    )
    assert extract_metadata([text], None, None).agency == agency


def test_title_at_the_start_of_a_page_that_ran_into_one_line() -> None:
    # a PDF's first page as its text layer gives it: title, the opening sentence, the body
    text = (
        "淮安市洪泽区人民政府 2025 年政府信息公开工作年度报告 根据《中华人民共和国政府信息公开条例》规定，"
        "现公布淮安市洪泽区人民政府 2025 年政府信息公开工作年度报告。"
        " 一、总体情况 2025年，洪泽区人民政府认真贯彻"
    )
    assert extract_metadata([text], None, None) == extract_metadata([text[:29], text[29:]], None, None)
    assert extract_metadata([text], None, None).agency == "淮安市洪泽区人民政府"


def test_the_opening_sentence_verb_is_no_part_of_the_agency() -> None:
    # no title line: the body names the agency after "现公布" as often as anywhere else
    text = (
        "根据《中华人民共和国政府信息公开条例》规定，现公布某某市某某区人民政府2025年政府信息公开工作年度报告。"
        "一、总体情况 2025年，某某市某某区人民政府认真贯彻落实条例。"
    )
    assert extract_metadata([text], None, None).agency == "某某市某某区人民政府"


@pytest.mark.parametrize(
    "file_name",
    ["某某市审计局2023年政府信息公开工作年度报告.pdf", "2023年某某市审计局政府信息公开工作年度报告.docx"],
)
def test_the_file_name_names_a_report_that_does_not(file_name: str) -> None:
    lines = ["政府信息公开工作年度报告", "一、总体情况", "本机关认真贯彻落实条例。"]
    found = extract_metadata(lines, None, None, file_name)
    assert (found.agency, found.year) == ("某某市审计局", 2023)
    # a name that says nothing leaves both to the document
    assert extract_metadata(lines, None, "2024-01-20", "P020240120.pdf").agency is None


@pytest.mark.parametrize(
    ("lines", "agency", "year"),
    [
        # 泰州市 2017 (zwinkt.com page): an index table, then the opening sentence announces the report;
        # the contact sentence names the office ("请与泰州市人民政府办公室政府信息公开处联系")
        (
            [
                "索 引 号 | 014416330/2018-04736 | 分 类 | 政府信息公开年报 综合政务,文秘工作 其他 |",
                "发布机构 | 市政府办 | 发文日期 | 2018-02-28 |",
                "根据《中华人民共和国政府信息公开条例》规定，现公布泰州市人民政府2017年政府信息公开工作年度报告。"
                "报告所列数据的统计期限自2017年1月1日起至12月31日止。如对报告有疑问，"
                "请与泰州市人民政府办公室政府信息公开处联系。",
                "一、主要工作概述",
            ],
            "泰州市人民政府",
            2017,
        ),
        # 南平市 2012 (np.gov.cn page): no title line; "本报告由南平市人民政府…编制"
        (
            [
                "本报告由南平市人民政府信息公开工作领导小组办公室根据《中华人民共和国政府信息公开条例》"
                "以及《福建省人民政府办公厅关于做好2012年政府信息公开工作年度报告有关事项的通知》要求，"
                "汇总南平市各县(市、区)、市政府各有关部门政府信息公开工作情况编制而成。"
                "本报告中所列数据的统计时限自2012年1月1日至2012年12月31日。",
                "一、概述",
                "2012年的南平市政府信息公开工作，在中共南平市委、南平市人民政府的正确领导下",
            ],
            "南平市人民政府",
            2012,
        ),
    ],
)
def test_agency_from_the_opening_sentences_of_real_pages(lines: list[str], agency: str, year: int) -> None:
    found = extract_metadata(lines, None, None)
    assert (found.agency, found.year) == (agency, year)


_STATUTE = "根据《中华人民共和国政府信息公开条例》要求，"


@pytest.mark.parametrize(
    ("lines", "agency", "year"),
    [
        # pages whose text starts below the title (real openings, abridged)
        (  # 天镇县 信访局 2021: "现将…报告如下"
            [
                _STATUTE + "由信访局结合有关统计数据编制。现将信访局2021年度政府信息公开工作报告如下：",
                "一、总体情况",
            ],
            "信访局",
            2021,
        ),
        (  # 昌江区 工信局 2021: only the contact sentence names it, by its office
            [
                _STATUTE
                + "编制我局2021年度政府信息公开年度报告。如对本报告有任何疑问，请与昌江区工信局办公室联系"
                "（地址：景德镇市瓷都大道836号政府大楼3楼）。",
                "一、总体情况",
                "2021年，我局进一步健全信息公开制度。",
            ],
            "昌江区工信局",
            2021,
        ),
        (  # 平武县 统计局 2021: "工作情况报告", no name at all
            [
                _STATUTE + "现将2021年度政府信息公开工作情况报告如下：",
                "一、总体情况",
                "2021年县统计局积极部署",
            ],
            None,
            2021,
        ),
        (  # 国家机关事务管理局 2021, in traditional script: a national agency names no place
            [
                "本年度報告由國家機關事務管理局根據《中華人民共和國政府信息公開條例》要求編制而成。",
                "一、總體情況",
            ],
            "国家机关事务管理局",
            None,
        ),
        (["现将我局2021年度政府信息公开工作报告如下：", "一、总体情况"], None, 2021),
    ],
)
def test_agency_from_pages_without_a_title(lines: list[str], agency: str | None, year: int | None) -> None:
    found = extract_metadata(lines, None, None)
    assert (found.agency, found.year) == (agency, year)
