"""`normalize_agency`: the key that joins one agency's reports across years and sources."""

from __future__ import annotations

import pytest

from gaibao_pipeline.chinese import normalize_agency


@pytest.mark.parametrize(
    ("printed", "key"),
    [
        # already a key
        ("洪泽区人民政府", "洪泽区人民政府"),
        # traditional characters
        ("洪澤區人民政府", "洪泽区人民政府"),
        # spaces, ideographic spaces, tabs and line breaks inside the name
        ("洪泽区 人民政府\u3000办公室\n", "洪泽区人民政府办公室"),
        # a full-width bracketed note
        ("淮安市洪泽区人民政府（区政府办公室）", "淮安市洪泽区人民政府"),
        # ASCII, square and lenticular brackets, and a note nested in a note
        ("某市民政局(市(县)级)[转载]【存档】〔2023〕", "某市民政局"),
        # a note cut off by a truncated title
        ("某县财政局（县国资", "某县财政局"),
        # full-width letters and digits become ASCII
        ("ＸＸ市第２中学", "XX市第2中学"),
        # nothing left, or nothing given
        ("（空）", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_agency(printed: str | None, key: str | None) -> None:
    assert normalize_agency(printed) == key
