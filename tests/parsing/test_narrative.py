"""Counts the narrative states for table cells, and the numbers it states that are no such count."""

from __future__ import annotations

import pytest

from gaibao_pipeline.parsing.narrative import statements


def _stated(sentence: str) -> list[tuple[tuple[str, str, str], int]]:
    return [(s.cell, s.value) for s in statements([sentence])]


@pytest.mark.parametrize(
    ("sentence", "stated"),
    [
        (
            "2023年，共收到政府信息公开申请45件，其中自然人申请40件，法人或其他组织申请5件。",
            [(("t3", "1", "total"), 45)],
        ),
        ("本年度共收到信息公开申请2,345件。", [(("t3", "1", "total"), 2345)]),
        ("共受理依申请公开32件，其中当面申请2件、网络申请30件。", [(("t3", "1", "total"), 32)]),
        ("全年收到信息公开申请6件，办结6件。", [(("t3", "1", "total"), 6), (("t3", "3.7", "total"), 6)]),
        ("全年共收到政府信息公开申请120件，比上年增加20件。", [(("t3", "1", "total"), 120)]),
        ("另有72件结转下年度办理。", [(("t3", "4", "total"), 72)]),
    ],
)
def test_counts_the_narrative_states(sentence: str, stated: list[tuple[tuple[str, str, str], int]]) -> None:
    assert _stated(sentence) == stated


@pytest.mark.parametrize(
    "sentence",
    [
        # a change from last year is no count
        "收到政府信息公开申请数量较上年减少5件。",
        "受理政府信息公开申请同比增长15件。",
        # other letters received, before a comma (full-width in the page, "," after NFKC)
        "全年收到市长信箱来信300件，依申请公开申请20件。",
        "2023年，我局未收到政府信息公开申请。",
    ],
)
def test_numbers_that_are_no_count_of_the_tables(sentence: str) -> None:
    assert not [value for cell, value in _stated(sentence) if value in (5, 15, 300)]
