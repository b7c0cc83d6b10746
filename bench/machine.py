"""The machine a benchmark ran on: CPU, cores, memory, OS, Python and package versions."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

PACKAGES = (
    "gaibao-pipeline", "dagster", "pdfplumber", "pdfminer.six", "pypdfium2", "lxml", "python-docx",
    "SQLAlchemy", "psycopg2-binary", "pandas", "pandera", "psutil",
)  # fmt: skip


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _command_version(*command: str) -> str | None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (done.stdout or done.stderr).strip().splitlines()[0] if done.returncode == 0 else None


def describe(postgres_version: str | None = None) -> dict[str, object]:
    """Everything needed to compare figures from another machine."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 1
    os_name = platform.platform()
    try:
        release = dict(
            line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines() if "=" in line
        )
        os_name = f"{release.get('PRETTY_NAME', '').strip(chr(34))} ({platform.release()})"
    except OSError:
        pass
    return {
        "cpu": _cpu_model(),
        "cores_usable": usable,
        "cores_total": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "os": os_name,
        "python": platform.python_version(),
        "packages": {name: _version(name) for name in PACKAGES},
        "libreoffice": _command_version("soffice", "--version"),
        "postgresql": postgres_version,
    }
