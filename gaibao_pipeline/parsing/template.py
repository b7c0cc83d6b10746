"""What kind of report a document is: which template, and whether it is a report at all."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from gaibao_pipeline.chinese import to_simplified
from gaibao_pipeline.parsing.matching import match_key, nfkc
from gaibao_pipeline.parsing.rows import Region
from gaibao_pipeline.parsing.stream import Token, TokenKind
from gaibao_pipeline.parsing.tables import region_of, t2_template_votes, t3_is_split

_REPORT_TITLE = re.compile(r"(政府|政务)?信息公开(工作)?(年度)?(报告|年报)")
_DATED_TITLE = re.compile(r"(?:19|20)\d{2}年度?.{0,30}?(?:政府|政务)信息公开.{0,8}?(?:报告|年报)")
# a notice or a letter about the reports, not a report
_NOTICE = re.compile(r"关于.*(?:通知|意见|函|公告)$|(?:通知|公告|通报)$")
# the header that opens table 二 (its first block, 第二十条第（一）项)
_OPENING = re.compile(r"第二十条第\(?一\)?项")
_NOTICE_2021 = re.compile(r"[〔(\[]2021[〕)\]]30号")
_NOTICE_2019 = re.compile(r"[〔(\[]2019[〕)\]]60号")


def detect_template(
    tokens: Sequence[Token], regions: Sequence[Region], text: str, year: int | None
) -> tuple[str, bool]:
    """The template ("2019", "2021", "legacy") by content, and whether （六） has three rows.

    Table 二's column headers decide first, then the split （六）其他处理 rows, then the
    notice the report cites; the year only breaks a tie. A 2021-template report may still
    print （六） as one row, so the split is reported separately.
    """
    t2, t3, t4 = (region_of(regions, t) for t in ("t2", "t3", "t4"))
    split_other = t3_is_split(tokens, t3)
    no_template_tables = t2 is None and t3 is None and t4 is None
    if no_template_tables and (
        region_of(regions, "legacy") is not None or (year is not None and year < 2019)
    ):
        return "legacy", False
    votes_2019, votes_2021 = t2_template_votes(tokens, t2)
    # both forms' headers in table 二: one table is stray (pasted from another report or the
    # old form), and the report's own table 三, notice and year say which one is its own
    mixed = votes_2019 > 0 and votes_2021 > 0
    if votes_2021 != votes_2019 and not mixed:
        return ("2021" if votes_2021 > votes_2019 else "2019"), split_other
    flat = re.sub(r"\s+", "", text)
    if split_other or _NOTICE_2021.search(flat):
        return "2021", split_other
    if _NOTICE_2019.search(flat):
        return "2019", split_other
    if mixed and year is not None:
        return ("2021" if year >= 2021 else "2019"), split_other
    if votes_2021 != votes_2019:
        return ("2021" if votes_2021 > votes_2019 else "2019"), split_other
    if year is not None and year < 2019 and t3 is None:
        return "legacy", False
    return ("2021" if year is None or year >= 2021 else "2019"), split_other


def looks_like_report(lines: Sequence[str], title: str | None, n_sections: int) -> bool:
    """A report names itself in its title: "某某局2021年政府信息公开工作年度报告", or without
    its year where it has the report's sections. A notice about reports ("关于…年度报告…的通知")
    or a text that merely mentions them (a README) is none."""
    for line in [title or "", *lines[:15]]:
        text = re.sub(r"\s+", "", to_simplified(nfkc(line)))
        if _NOTICE.search(text) or len(text) > 60 or re.search(r"[。；;]", text):
            continue  # a notice about the reports, or a sentence that mentions them
        if _DATED_TITLE.search(text) or (_REPORT_TITLE.search(text) and n_sections >= 2):
            return True
    return False


def own_t2_region(tokens: Sequence[Token], region: Region, template: str) -> tuple[Region, list[str]]:
    """Table 二 of the report's own template, where the region holds a stray one of the other form.

    Each table 二 opens with its first block's header (第二十条第（一）项 / 信息内容): the
    region is cut at those openings and the part whose column headers are the template's is
    kept. The warning names the stray table, which is not read.
    """
    starts = [
        i
        for i in range(region.start, region.end)
        if tokens[i].kind == TokenKind.LABEL and _OPENING.search(match_key(tokens[i].text))
    ]
    if len(starts) < 2:
        return region, []
    bounds = [region.start, *starts[1:], region.end]
    own: list[Region] = []
    stray: list[str] = []
    for begin, end in itertools.pairwise(bounds):
        part = Region("t2", begin, end)
        votes_2019, votes_2021 = t2_template_votes(tokens, part)
        form = "2021" if votes_2021 > votes_2019 else "2019" if votes_2019 > votes_2021 else None
        if form is None or form == template:
            own.append(part)
        else:
            stray.append(form)
    if not own or not stray:
        return region, []
    first = own[0]
    warning = (
        f"t2: a table 二 of the {stray[0]} form also appears (stray: the report's own table 三, notice or "
        f"year say {template}); it is not read"
    )
    return Region("t2", first.start, first.end), [warning]
