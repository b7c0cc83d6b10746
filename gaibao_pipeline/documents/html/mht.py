"""Unwrap MHT (MIME HTML, Word's "single file web page"): the HTML part, charset carried over.

Government sites often publish such files as `.doc` or `.mht`; the page inside is ordinary
Word HTML, quoted-printable or base64 encoded, its charset given in the MIME header.
"""

from __future__ import annotations

import email
import email.policy
import re
from email.message import Message

_MIME_HEAD = re.compile(rb"^(?:[\w-]+:[^\n]*\r?\n)*?(?:MIME-Version:|Content-Type:\s*multipart/)", re.I)


def is_mht(data: bytes) -> bool:
    """Whether the bytes start with MIME headers rather than markup."""
    return bool(_MIME_HEAD.match(data.lstrip()[:4096]))


def html_of_mht(data: bytes) -> bytes | None:
    """The first text/html part, with its MIME charset declared in the page; None if absent."""
    message: Message = email.message_from_bytes(data.lstrip(), policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() != "text/html":
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        charset = part.get_content_charset()
        if charset and b"charset" not in payload[:16384].lower():
            # the HTML reader trusts declarations inside the page; carry the MIME one there
            payload = f'<meta charset="{charset}">'.encode("ascii", "ignore") + payload
        return payload
    return None
