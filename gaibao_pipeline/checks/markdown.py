"""Text from documents shown in Dagster's UI: escaped once, so it stays text and never markup.

Dagster renders Markdown metadata itself and shows raw HTML as text, so only Markdown needs
escaping: every ASCII punctuation character that Markdown (CommonMark) gives a meaning is
backslashed, `<`, `>` and `&` included (no HTML entity, which the UI would show as
`&#x27;`). Newlines become spaces so a value cannot break a table row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>&~\"'=:])")
DEFAULT_LIMIT = 80


def md_text(value: object, limit: int = DEFAULT_LIMIT) -> str:
    """A value as inert Markdown on one line, cut to `limit` characters."""
    text = " ".join(str(value).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def md_table(header: list[str], rows: list[list[object]], limits: Sequence[int] | None = None) -> str:
    """A Markdown table whose every cell is escaped; `limits` per column (default 80 characters)."""
    widths = list(limits or []) + [DEFAULT_LIMIT] * (len(header) - len(limits or []))
    lines = ["| " + " | ".join(md_text(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += [
        "| " + " | ".join(md_text(c, w) for c, w in zip(row, widths, strict=False)) + " |" for row in rows
    ]
    return "\n".join(lines)
