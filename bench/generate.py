"""Write a generated corpus: `python bench/generate.py --out DIR -n N [--seed S] [--formats ...]`.

The same as `gaibao synth`; see `gaibao_pipeline/synth/corpus.py` for what is generated.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from tqdm import tqdm

from gaibao_pipeline.synth.corpus import FORMATS, Written, write_corpus


def generate(
    out: Path, n: int, seed: int, formats: list[str], pdf_engine: str, show_progress: bool = True
) -> Written:
    with tqdm(total=n, unit="report", disable=not show_progress, desc=f"generating {out.name}") as bar:
        return write_corpus(out, n, seed=seed, formats=formats, pdf_engine=pdf_engine, progress=bar.update)  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("-n", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--pdf-engine", choices=["auto", "soffice", "builtin"], default="auto")
    args = parser.parse_args()
    start = time.perf_counter()
    written = generate(args.out, args.n, args.seed, args.formats.split(","), args.pdf_engine)
    seconds = time.perf_counter() - start
    print(f"{written.n_files} reports in {written.reports_dir} ({written.by_format}), {seconds:.1f} s")


if __name__ == "__main__":
    main()
