"""What kind of report a document is: which template, and whether it is a report at all."""

from __future__ import annotations

import re
from collections.abc import Sequence

from gaibao_pipeline.chinese import to_simplified
from gaibao_pipeline.parsing.matching import nfkc
from gaibao_pipeline.parsing.rows import Region
from gaibao_pipeline.parsing.stream import Token
from gaibao_pipeline.parsing.tables import region_of, t2_template_votes, t3_is_split

_REPORT_TITLE = re.compile(r"(政府|政务)?信息公开(工作)?(年度)?(报告|年报)")
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
    if votes_2021 != votes_2019:
        return ("2021" if votes_2021 > votes_2019 else "2019"), split_other
    if split_other or _NOTICE_2021.search(text):
        return "2021", split_other
    if _NOTICE_2019.search(text):
        return "2019", split_other
    if year is not None and year < 2019 and t3 is None:
        return "legacy", False
    return ("2021" if year is None or year >= 2021 else "2019"), split_other


def looks_like_report(lines: Sequence[str], title: str | None, n_sections: int) -> bool:
    """A report names itself in its title and has the report's sections."""
    head = to_simplified(nfkc(" ".join([title or "", *lines[:15]])))
    return bool(_REPORT_TITLE.search(re.sub(r"\s+", "", head))) and (n_sections >= 2 or "年度报告" in head)
