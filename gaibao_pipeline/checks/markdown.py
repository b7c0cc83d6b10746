"""Text from documents shown in Dagster's UI: escaped, so it stays text and never markup."""

from __future__ import annotations

import html
import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")


def md_text(value: object, limit: int = 80) -> str:
    """A value as inert Markdown: HTML escaped, Markdown punctuation backslashed, one line."""
    text = " ".join(str(value).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=True))


def md_table(header: list[str], rows: list[list[object]]) -> str:
    """A Markdown table whose every cell is escaped."""
    lines = ["| " + " | ".join(md_text(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(md_text(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
