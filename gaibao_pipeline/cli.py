"""`gaibao` command line: parse files to JSON, run the pipeline, export tables, review reports."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from gaibao_pipeline.limits import Limits
from gaibao_pipeline.process import parse_file


def _parse(args: argparse.Namespace) -> int:
    limits = Limits.from_env()
    failed = 0
    reports = []
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            print(f"{name}: no such file", file=sys.stderr)
            failed += 1
            continue
        report = parse_file(path, limits)
        if not report.ok:
            print(f"{name}: {report.status.value}: {report.message}", file=sys.stderr)
            failed += 1
        data = report.to_dict()
        if args.out:
            out_dir = Path(args.out)
            out_dir.mkdir(parents=True, exist_ok=True)
            (out_dir / f"{path.stem}.json").write_text(
                json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8"
            )
        else:
            reports.append(data)
    if not args.out:
        payload = reports[0] if len(reports) == 1 else reports
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gaibao", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    parse = sub.add_parser("parse", help="parse report files and print gaibao.report/1 JSON")
    parse.add_argument("files", nargs="+", metavar="FILE")
    parse.add_argument(
        "--out", metavar="DIR", help="write DIR/<file stem>.json for each file instead of printing"
    )
    parse.set_defaults(func=_parse)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
