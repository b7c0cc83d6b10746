"""Document text in Dagster metadata is inert: HTML escaped, Markdown punctuation backslashed."""

from __future__ import annotations

from gaibao_pipeline.checks.markdown import md_table, md_text


def test_markup_in_document_text_stays_text() -> None:
    text = md_text("<script>alert(1)</script> [link](javascript:alert(2)) | **bold** `code`")
    assert "<script" not in text and "&lt;script&gt;" in text
    assert "\\[link\\]\\(javascript:alert\\(2\\)\\)" in text
    assert "\\|" in text and "\\*\\*bold\\*\\*" in text and "\\`code\\`" in text


def test_long_text_is_cut_and_kept_on_one_line() -> None:
    assert md_text("一\n二\t三" + "四" * 200, limit=10) == "一 二 三四四四四…"


def test_table_cells_cannot_break_the_table() -> None:
    table = md_table(["where", "raw"], [["row 1", "a | b\nc"]])
    lines = table.split("\n")
    assert len(lines) == 3 and lines[2] == "| row 1 | a \\| b c |"
