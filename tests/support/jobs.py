"""Module-level jobs for worker-process tests (spawned workers import them by name)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import Limits


def behave(path: Path, limits: Limits) -> str:
    """Do what the file's name says: ok, hang, crash, hog memory or refuse."""
    del limits
    if path.name.startswith("hang"):
        time.sleep(3600)
    if path.name.startswith("crash"):
        os._exit(3)  # a segfault in native code looks like this to the supervisor
    if path.name.startswith("hog"):
        hoard = []
        while True:
            hoard.append(bytearray(64 * 1024 * 1024))
    if path.name.startswith("refuse"):
        raise DocumentError(Status.ENCRYPTED, "password protected")
    return path.read_text()
