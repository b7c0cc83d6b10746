"""The static review page (`gaibao review --html`): column headings as the template prints them."""

from __future__ import annotations

import re

from gaibao_pipeline.review.pages import col_label, review_html
from tests.db.conftest import hongze_report


def _headings(page: str, title: str) -> list[str]:
    table = page.split(title, 1)[1].split("</table>", 1)[0]
    return re.findall(r"<th>([^<]+)</th>", table.split("</tr>", 1)[0])


def test_issue_21_t3_and_t4_name_their_other_column_apart() -> None:
    """Table 三's last applicant column is 其他 (an applicant), table 四's is 其他结果 (an outcome)."""
    page = review_html(hongze_report())
    assert _headings(page, "三、收到和处理政府信息公开申请情况")[-2:] == ["其他", "总计"]
    assert _headings(page, "四、行政复议、行政诉讼情况") == [
        "结果维持",
        "结果纠正",
        "其他结果",
        "尚未审结",
        "总计",
    ]
    assert (col_label("t3", "other"), col_label("t4", "other")) == ("其他", "其他结果")
    assert col_label("legacy", "period") == "本期" and col_label("t2", "in_force") == "现行有效件数"
