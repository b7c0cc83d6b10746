"""Give a truncated PDF (an interrupted download) a new cross-reference table.

The cross-reference table sits at the end of the file, so a download cut short loses it and
with it every object, although most pages are intact. Neither pdfium nor pdfminer rebuilds it
when the file uses a cross-reference stream; a classic table over the objects still present
lets both read the pages that survived.
"""

from __future__ import annotations

import re
from bisect import bisect_left

_OBJECT = re.compile(rb"(?<![0-9])(\d{1,9})\s+(\d{1,5})\s+obj\b")
_CATALOG = re.compile(rb"/Type\s*/Catalog\b")
_END = re.compile(rb"\bendobj\b")


def looks_truncated(data: bytes) -> bool:
    """True when the file does not end with the `%%EOF` marker every complete PDF ends with."""
    return b"%%EOF" not in data[-1024:]


def rebuild_xref(data: bytes) -> bytes | None:
    """The complete objects of `data` with a fresh xref table and trailer, or None if no catalog."""
    ends = [m.end() for m in _END.finditer(data)]
    if not ends:
        return None
    body = data[: ends[-1]]
    offsets: dict[int, tuple[int, int]] = {}
    headers = list(_OBJECT.finditer(body))
    for match in headers:
        offsets[int(match.group(1))] = (match.start(), int(match.group(2)))
    starts = [m.start() for m in headers]
    root: tuple[int, int] | None = None
    for found in _CATALOG.finditer(body):
        owner = bisect_left(starts, found.start()) - 1
        if owner >= 0:
            root = (int(headers[owner].group(1)), int(headers[owner].group(2)))
    if root is None or not offsets:
        return None
    size = max(offsets) + 1
    table = [b"xref\n", b"0 %d\n" % size, b"0000000000 65535 f \n"]
    for number in range(1, size):
        if number in offsets:
            offset, generation = offsets[number]
            table.append(b"%010d %05d n \n" % (offset, generation))
        else:
            table.append(b"0000000000 65535 f \n")
    start = len(body) + 1
    trailer = b"trailer\n<< /Size %d /Root %d %d R >>\nstartxref\n%d\n%%%%EOF\n" % (size, *root, start)
    return body + b"\n" + b"".join(table) + trailer
