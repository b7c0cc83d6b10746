"""Document text in Dagster metadata is inert and escaped once: Markdown punctuation backslashed,
no HTML entities (which the UI would print as `&#x27;`); rendered as CommonMark, the text comes back
exactly as it was, and markup in it stays text.
"""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from gaibao_pipeline.checks.markdown import md_table, md_text

RENDERER = MarkdownIt("commonmark").enable("table")


def _visible(markdown: str) -> str:
    """What a CommonMark renderer shows of `markdown`: its HTML without tags, entities decoded."""
    rendered = RENDERER.renderInline(markdown)
    return html.unescape(re.sub(r"<[^>]+>", "", rendered))


@pytest.mark.parametrize(
    "text",
    [
        # markup and links stay text
        "<script>alert(1)</script> [link](javascript:alert(2)) | **bold** `code`",
        # the raw text of a cell, as the review table prints it: once escaped, never `&#x27;`
        "upheld=10 (raw '10', page 4); total=0 (raw '0', page 4)",
        # entities and headings in document text
        "&amp; &#x27; # 标题 _下划线_ <b>粗</b>",
    ],
)
def test_document_text_renders_as_itself(text: str) -> None:
    escaped = md_text(text, limit=500)
    assert "&#" not in escaped and "&lt;" not in escaped
    assert _visible(escaped) == text
    rendered = RENDERER.renderInline(escaped)
    assert "<script" not in rendered and "<a " not in rendered and "<strong>" not in rendered


def test_long_text_is_cut_and_kept_on_one_line() -> None:
    assert md_text("一\n二\t三" + "四" * 200, limit=10) == "一 二 三四四四四…"


def test_table_cells_cannot_break_the_table() -> None:
    table = md_table(["where", "raw"], [["row 1", "a | b\nc"]])
    lines = table.split("\n")
    assert len(lines) == 3 and lines[2] == "| row 1 | a \\| b c |"
    rendered = RENDERER.render(table)
    assert rendered.count("<td>") == 2 and "a | b c" in rendered


def test_columns_can_be_given_their_own_length() -> None:
    long = "x" * 300
    table = md_table(["a", "b"], [[long, long]], limits=(10,))
    first, second = table.split("\n")[2].strip("| ").split(" | ")
    assert len(first) == 10 and len(second) == 80
