"""Per-file outcome statuses and the one exception readers raise for a file they cannot use."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Why a file did or did not yield a report (`status` in the JSON and the database)."""

    OK = "ok"
    UNREADABLE = "unreadable"  # corrupt, truncated or undecodable
    ENCRYPTED = "encrypted"  # password-protected PDF or Office file
    NEEDS_OCR = "needs_ocr"  # image-only pages or a broken text layer
    NOT_A_REPORT = "not_a_report"  # readable, but not an information-disclosure annual report
    TOO_LARGE = "too_large"  # over a configured size, page or decompression limit
    TIMEOUT = "timeout"  # over the per-file time limit
    UNSUPPORTED_FORMAT = "unsupported_format"  # a format we recognise but do not read (xlsb, tar, …)
    NEEDS_CONVERTER = "needs_converter"  # .doc/.wps without LibreOffice installed
    MULTIPLE_REPORTS = "multiple_reports"  # one file holds several reports: split it to load them
    INVALID = "invalid"  # parsed rows break the table contracts: not loaded, to keep tables sound
    RENDITION = "rendition"  # another rendition of the same report (its web page, an attachment) is loaded


class DocumentError(Exception):
    """A file that cannot be turned into a report, with a status and a one-line reason."""

    def __init__(self, status: Status, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def __reduce__(self) -> tuple[type[DocumentError], tuple[Status, str]]:
        # worker processes send errors back pickled
        return (DocumentError, (self.status, self.message))

    def __str__(self) -> str:
        return f"{self.status.value}: {self.message}"


class SetupError(Exception):
    """The setup stops all work (a setting, the database, a folder): one line saying what and why.

    The command line prints it as it is, without a traceback; a run fails with it.
    """


class ConfigError(SetupError, ValueError):
    """A setting with a value it does not accept; the message names the setting and what it accepts."""
