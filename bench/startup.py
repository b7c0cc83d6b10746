"""Start-up of the command line: how long `gaibao parse FILE` and `gaibao run` over an empty
landing folder take, as a user starts them (a fresh interpreter each time), median of several.

    python bench/startup.py [--repeats 7]

Also measured: the bare interpreter (`python -c pass`, the part no code of ours can save) and
`python -X importtime -c "import gaibao_pipeline.cli"` (importing the command line itself).
Which modules the command line imports is pinned by tests/test_cli_startup.py; this only
prints figures.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "gaibao_pipeline" / "sample_corpus" / "pingtan2021.txt"
_CLI_IMPORT = re.compile(r"import time:\s+\d+ \|\s+(\d+) \| gaibao_pipeline\.cli$", re.MULTILINE)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time(command: list[str], cwd: Path, env: dict[str, str], ok: tuple[int, ...]) -> tuple[float, float]:
    """(wall s, CPU s of the command and every process it waited for)."""
    cpu, start = _children_cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu
    if done.returncode not in ok:
        raise RuntimeError(f"{' '.join(command)}: exit {done.returncode}: {done.stderr.strip()[-300:]}")
    return seconds, cpu


def _cli_import_seconds(cwd: Path, env: dict[str, str]) -> float:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import gaibao_pipeline.cli"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    found = _CLI_IMPORT.search(done.stderr)
    return int(found.group(1)) / 1e6 if found else float("nan")


def measure(work: Path, repeats: int = 7) -> dict[str, Any]:
    """Wall seconds of each start-up, `repeats` times, interleaved; medians and all readings."""
    folder = work / "startup"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "empty").mkdir(parents=True)
    shutil.copy(SAMPLE, folder / SAMPLE.name)
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "GAIBAO_DATABASE_URL")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    gaibao = [sys.executable, "-m", "gaibao_pipeline.cli"]
    database = f"sqlite:///{(folder / 'empty.sqlite').as_posix()}"
    commands = {
        "python": ([sys.executable, "-c", "pass"], (0,)),
        "parse": ([*gaibao, "parse", SAMPLE.name], (0, 1)),
        # nothing to load: exit 1, after migrating the (new) database once
        "run_empty": ([*gaibao, "run", "--landing", "empty", "--database-url", database], (1,)),
    }
    readings: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    readings["import_cli"] = []
    _time(commands["run_empty"][0], folder, env, (1,))  # warm the file cache; creates the database
    for _ in range(repeats):
        for name, (command, ok) in commands.items():
            wall, used = _time(command, folder, env, ok)
            readings[name].append(wall)
            cpu[name].append(used)
        readings["import_cli"].append(_cli_import_seconds(folder, env))
    return {
        "repeats": repeats,
        "readings": readings,
        "cpu_readings": cpu,
        "median": {name: statistics.median(values) for name, values in readings.items()},
        "cpu_median": {name: statistics.median(values) for name, values in cpu.items()},
    }


def render(figures: dict[str, Any]) -> list[str]:
    m, c = figures["median"], figures["cpu_median"]
    return [
        f"start-up, median of {figures['repeats']}, wall s (CPU s): gaibao parse FILE {m['parse']:.2f} "
        f"({c['parse']:.2f}), gaibao run over an empty folder {m['run_empty']:.2f} ({c['run_empty']:.2f}); "
        f"bare interpreter {m['python']:.2f}; importing gaibao_pipeline.cli {m['import_cli']:.2f} "
        "(-X importtime)"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gaibao-startup-") as tmp:
        figures = measure(Path(tmp), args.repeats)
    print("\n".join(render(figures)))
    for name, values in figures["readings"].items():
        print(f"  {name}, wall: {', '.join(f'{v:.2f}' for v in values)}")
    for name, values in figures["cpu_readings"].items():
        print(f"  {name}, CPU: {', '.join(f'{v:.2f}' for v in values)}")


if __name__ == "__main__":
    main()
