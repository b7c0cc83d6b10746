"""Which link titles are annual information-disclosure reports, and the year a title names.

Titles vary: 政府信息公开工作年度报告, 政府信息公开年度报告, 政务公开工作年度报告, 信息公开年报,
政府信息公开工作报告 (before 2019), with the year as 2023年, 2023年度 or 二〇二三年, in
simplified or traditional script, sometimes cut short with "…". Titles are compared after
NFKC, conversion to simplified characters and removal of whitespace. Notices about the
reports (关于做好…年度报告编制工作的通知), templates and infographics (图解, 一图读懂) match
the words but are no report: the default exclusions drop them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from gaibao_pipeline.chinese import to_simplified

_REPORT = r"(年度报告|年报|工作报告|年度工作报告)"
DEFAULT_INCLUDE: tuple[str, ...] = (
    "政府信息公开.*" + _REPORT,
    "政务公开.*" + _REPORT,
    "信息公开.*" + _REPORT,
)
# "编制" alone would drop 机构编制委员会办公室, an agency that publishes reports too.
DEFAULT_EXCLUDE: tuple[str, ...] = (
    "通知",
    "编制(和|与|及)?(发布|工作|要求|说明|指引|指南)",
    "指南",
    "模板",
    "图解",
    "解读",
    "一图",
    "图读",
    "问答",
    "更正",
    "征求意见",
    "报送",
    "第三方评估",
)

_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "Ｏ": "0", "O": "0"}
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_CHINESE_YEAR = re.compile(r"([〇零一二三四五六七八九ＯO]{4})\s*年")


def normalise_title(title: str) -> str:
    """NFKC, simplified characters, no whitespace: the form patterns are matched against."""
    return re.sub(r"\s+", "", to_simplified(unicodedata.normalize("NFKC", title)))


def is_truncated(title: str) -> bool:
    """A title a list page cut short ("…年度报…", "..."): the article's own title decides."""
    return title.rstrip().endswith(("…", "...", "．．．", "。。。"))


def title_year(title: str) -> int | None:
    """The year a title names (2023年, 2023年度, 二〇二三年), or None."""
    text = normalise_title(title)
    if match := _YEAR.search(text):
        return int(match.group(1))
    if match := _CHINESE_YEAR.search(text):
        digits = "".join(_DIGIT.get(c, c) for c in match.group(1))
        if digits.isdigit() and 1990 <= int(digits) <= 2100:
            return int(digits)
    return None


@dataclass(frozen=True, slots=True)
class TitleFilter:
    """Titles to keep: one `include` pattern matches, no `exclude` pattern does, the year is wanted."""

    include: tuple[re.Pattern[str], ...]
    exclude: tuple[re.Pattern[str], ...]
    years: frozenset[int] = frozenset()  # empty: every year

    @classmethod
    def of(
        cls,
        include: Sequence[str] | None = None,
        exclude: Sequence[str] | None = None,
        years: Sequence[int] = (),
    ) -> TitleFilter:
        """Compile the patterns (`re.error` for a bad one); None takes the defaults."""
        return cls(
            tuple(re.compile(normalise_title(p)) for p in (DEFAULT_INCLUDE if include is None else include)),
            tuple(re.compile(normalise_title(p)) for p in (DEFAULT_EXCLUDE if exclude is None else exclude)),
            frozenset(years),
        )

    def matches(self, title: str) -> bool:
        text = normalise_title(title)
        if not text or not any(p.search(text) for p in self.include):
            return False
        if any(p.search(text) for p in self.exclude):
            return False
        if self.years:
            year = title_year(text)
            return year is None or year in self.years
        return True

    def may_match(self, title: str) -> bool:
        """Whether a truncated title could still be a report once its article is read."""
        text = normalise_title(title.rstrip(" .…．。"))
        return "公开" in text and not any(p.search(text) for p in self.exclude)
