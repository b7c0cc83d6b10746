"""The per-report step's progress lines: one per chunk of reports parsed, giving the count.

A line per report made a kept instance store one log event per report; `gaibao run`'s
progress bar (`local_run`) advances by the count each line gives instead.
"""

from __future__ import annotations

import re

CHUNK = 50  # reports parsed per progress line (and the loader's chunk, `runner.batch.LOAD_CHUNK`)

_LINE = re.compile(r"^parsed (\d+) reports \(")


def progress_line(count: int, done: int, total: int) -> str:
    """`count` more reports parsed, `done` of the run's `total` so far."""
    return f"parsed {count} reports ({done} of {total})"


def parsed_count(message: str) -> int | None:
    """The count of a progress line, None for any other message."""
    match = _LINE.match(message)
    return int(match.group(1)) if match else None
