"""A job whose module takes seconds to import: a worker process spawned for it starts slowly.

A spawned worker imports the job's module before it takes its first task, as a real reader
imports its libraries; on a loaded machine that can take seconds (`test_workers`).
"""

from __future__ import annotations

import time
from pathlib import Path

from gaibao_pipeline.limits import Limits

START_UP_SECONDS = 3.0
time.sleep(START_UP_SECONDS)


def read_quickly(path: Path, limits: Limits) -> str:
    del limits
    return path.read_text()
