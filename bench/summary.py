"""Turn the phases' raw figures into rates, ratios and target verdicts, and print them as tables."""

from __future__ import annotations

import statistics
from typing import Any

FLAT_MEMORY = 1.25  # peak memory at the largest size / at the smallest: "flat" up to this
LINEAR = 1.25  # seconds per report at the largest size / at the next smaller one: "near-linear"


def _rate(n: float, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("nan")


def _e2e(phase: dict[str, Any], run: int = 0) -> dict[str, float]:
    figures = phase["runs"][run]
    n = figures["n_files"]
    return {
        "n": n,
        "seconds": figures["seconds"],
        "cpu_seconds": phase["tree_cpu_seconds"],
        "reports_per_s": _rate(n, figures["seconds"]),
        "ms_per_report": 1000 * figures["seconds"] / max(n, 1),
        "dagster_runs": figures["dagster_runs"],
        "peak_rss_tree_mb": phase["peak_rss_tree_mb"],
    }


def _parse(results: dict[str, Any], workers: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    single, pool = results["parse_single"]["formats"], results["parse_pool"]["formats"]
    for fmt, one in single.items():
        many = pool[fmt]
        pdf = fmt == "pdf"
        out[fmt] = {
            "n": one["n"],
            "single_reports_per_s": _rate(one["n"], one["seconds"]),
            "single_pages_per_s": _rate(one["pages"], one["seconds"]) if pdf else None,
            "pool_reports_per_s": _rate(many["n"], many["seconds"]),
            "pool_reports_per_s_per_core": _rate(many["n"], many["seconds"]) / workers,
            "pool_pages_per_s_per_core": _rate(many["pages"], many["seconds"]) / workers if pdf else None,
            "pages_per_report": one["pages"] / one["n"] if pdf else None,
            "cell_accuracy": one["cells_right"] / max(one["cells_total"], 1),
            "cells_right": one["cells_right"],
            "cells_total": one["cells_total"],
            "perfect_reports": one["perfect"],
            "not_ok": one["not_ok"],
        }
    return out


def figures(results: dict[str, Any]) -> dict[str, Any]:
    """Rates and ratios of one benchmark run, and the verdict on each target."""
    workers = results["settings"]["workers"]
    floor = results["floor"]
    bulk, pdf_bulk = _e2e(results["e2e_bulk"]), _e2e(results["e2e_pdf"])
    direct = results["direct"]
    one_each, sample_bulk = _e2e(results["e2e_per_report"]), _e2e(results["e2e_sample_bulk"])
    floor_pool_rps = _rate(floor["n"], floor["seconds_pool"])
    out: dict[str, Any] = {
        "parse": _parse(results, workers),
        "floor": {
            "n": floor["n"],
            "pages": floor["pages"],
            "single_reports_per_s": _rate(floor["n"], floor["seconds_single"]),
            "single_pages_per_s": _rate(floor["pages"], floor["seconds_single"]),
            "pool_reports_per_s": floor_pool_rps,
            "pool_pages_per_s_per_core": _rate(floor["pages"], floor["seconds_pool"]) / workers,
        },
        "e2e_bulk": bulk,
        "e2e_pdf": pdf_bulk,
        "overhead_pairs": _overhead_pairs(results),
        "events_per_report": {
            kind: n / bulk["n"] for kind, n in results["e2e_bulk"].get("events", {}).items()
        },
        "event_storage_seconds": results["e2e_bulk"].get("event_seconds", 0.0),
        "direct": {
            "seconds": direct["seconds"],
            "reports_per_s": _rate(direct["n"], direct["seconds"]),
            "cpu_seconds": direct["tree_cpu_seconds"],
        },
        "max_load_average": max(
            max(v["load_average"]) for v in results.values() if isinstance(v, dict) and "load_average" in v
        ),
        "per_report_runs": {
            "n": one_each["n"],
            "seconds_per_report": one_each["seconds"] / max(one_each["n"], 1),
            "bulk_seconds_per_report_same_sample": sample_bulk["seconds"] / max(sample_bulk["n"], 1),
            "bulk_seconds_per_report_1000": bulk["seconds"] / max(bulk["n"], 1),
        },
        "rerun": {
            "n": results["e2e_rerun"]["runs"][0]["n_files"],
            "first_seconds": results["e2e_rerun"]["runs"][0]["seconds"],
            "second_seconds": results["e2e_rerun"]["runs"][1]["seconds"],
            "second_skipped": results["e2e_rerun"]["runs"][1].get("n_skipped", 0),
        },
        "db_accuracy": results["e2e_bulk"].get("db_accuracy", {}),
        "load": {
            dialect: {
                "reports_per_s": _rate(f["n"], f["seconds_batched"]),
                "cells_per_s": _rate(f["cells"], f["seconds_batched"]),
                "single_reports_per_s": _rate(f["n_single"], f["seconds_single"]),
            }
            for dialect, f in results["load"].items()
            if isinstance(f, dict)
        },
        "scaling": {size: _e2e(phase) for size, phase in results["scaling"].items()},
        "instance_storage": {
            kind: _e2e(phase) for kind, phase in results.get("instance_storage", {}).items()
        },
        "instance_storage_direct_seconds": results.get("instance_storage_direct", {}).get("seconds"),
    }
    out["targets"] = _targets(out, floor_pool_rps)
    return out


def _overhead_pairs(results: dict[str, Any]) -> list[dict[str, float]]:
    """Each alternating pair of bulk runs with and without Dagster: the share Dagster added."""
    pairs = [(results["direct"], results["e2e_bulk"])]
    pairs += [(p["direct"], p["e2e"]) for p in results.get("overhead_pairs", [])]
    out = []
    for direct, e2e in pairs:
        through = _e2e(e2e)
        out.append(
            {
                "direct_seconds": direct["seconds"],
                "dagster_seconds": through["seconds"],
                "wall": (through["seconds"] - direct["seconds"]) / through["seconds"],
                "cpu": (through["cpu_seconds"] - direct["tree_cpu_seconds"]) / through["cpu_seconds"],
            }
        )
    return out


def _targets(f: dict[str, Any], floor_pool_rps: float) -> dict[str, Any]:
    bulk = f["e2e_bulk"]
    pairs = f["overhead_pairs"]
    overhead = statistics.median(p["wall"] for p in pairs)
    cpu_overhead = statistics.median(p["cpu"] for p in pairs)
    events_share = f["event_storage_seconds"] / bulk["seconds"]
    sizes = sorted(f["scaling"], key=int)
    small, big = f["scaling"][sizes[0]], f["scaling"][sizes[-1]]
    before_big = f["scaling"][sizes[-2]] if len(sizes) > 1 else small
    memory_growth = big["peak_rss_tree_mb"] / small["peak_rss_tree_mb"]
    linear = big["ms_per_report"] / before_big["ms_per_report"]
    return {
        "pdf_bulk_vs_floor": {
            "value": f["e2e_pdf"]["reports_per_s"] / floor_pool_rps,
            "mixed_value": bulk["reports_per_s"] / floor_pool_rps,
            "target": ">= 0.5",
            "met": f["e2e_pdf"]["reports_per_s"] / floor_pool_rps >= 0.5,
        },
        "dagster_overhead": {
            "value": overhead,
            "cpu_value": cpu_overhead,
            "pairs": [p["wall"] for p in pairs],
            "event_storage_share": events_share,
            "target": "<= 0.10",
            "met": overhead <= 0.10,
        },
        "memory_flat": {
            "value": memory_growth,
            "sizes": [sizes[0], sizes[-1]],
            "target": f"<= {FLAT_MEMORY}",
            "met": memory_growth <= FLAT_MEMORY,
        },
        "near_linear": {
            "value": linear,
            "sizes": [sizes[-2] if len(sizes) > 1 else sizes[0], sizes[-1]],
            "end_to_end_ratio": small["ms_per_report"] and big["ms_per_report"] / small["ms_per_report"],
            "target": f"<= {LINEAR}",
            "met": linear <= LINEAR,
        },
    }


def _n(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _parse_table(f: dict[str, Any], workers: int) -> list[str]:
    lines = [
        "parse (read + parse, no database)   single process      worker pool, per core    accuracy",
        "format   n     reports/s  pages/s   reports/s  pages/s   cells right / total        perfect  not ok",
    ]
    for fmt, p in f["parse"].items():
        lines.append(
            f"{fmt:<8} {p['n']:<5} {_n(p['single_reports_per_s']):>9}  {_n(p['single_pages_per_s']):>7}   "
            f"{_n(p['pool_reports_per_s_per_core']):>9}  {_n(p['pool_pages_per_s_per_core']):>7}   "
            f"{p['cells_right']:>8} / {p['cells_total']:<8} {100 * p['cell_accuracy']:6.2f}%  "
            f"{p['perfect_reports']:>4}/{p['n']:<4} {p['not_ok']:>3}"
        )
    fl = f["floor"]
    lines.append(
        f"floor    {fl['n']:<5} {_n(fl['single_reports_per_s']):>9}  {_n(fl['single_pages_per_s']):>7}   "
        f"{_n(fl['pool_reports_per_s'] / workers):>9}  {_n(fl['pool_pages_per_s_per_core']):>7}   "
        "pdfplumber extract_tables(), every page"
    )
    return lines


def _e2e_table(f: dict[str, Any]) -> list[str]:
    lines = [
        "end to end (gaibao run, SQLite)     reports  seconds  CPU s  reports/s  ms/report  runs  peak MB"
    ]
    rows = (
        ("bulk, mixed formats", "e2e_bulk"),
        ("bulk, PDFs only", "e2e_pdf"),
    )
    for name, key in rows:
        e = f[key]
        lines.append(
            f"{name:<35} {e['n']:>7} {e['seconds']:>8.1f} {e['cpu_seconds']:>6.0f} "
            f"{e['reports_per_s']:>10.2f} {e['ms_per_report']:>10.1f} {e['dagster_runs']:>5} "
            f"{e['peak_rss_tree_mb']:>8.0f}"
        )
    d, pr, rr = f["direct"], f["per_report_runs"], f["rerun"]
    events = f["events_per_report"]
    per_report = sum(events.values())
    lines += [
        f"same work without Dagster (every step's pure core, runs of the same size): {d['seconds']:.1f} s, "
        f"{d['cpu_seconds']:.0f} CPU s, {d['reports_per_s']:.2f} reports/s",
        "bulk runs of the mixed corpus, alternating, without / with Dagster: "
        + ", ".join(f"{p['direct_seconds']:.1f} / {p['dagster_seconds']:.1f} s" for p in f["overhead_pairs"]),
        f"Dagster events per report: {sum(events.values()):.1f} "
        f"({', '.join(f'{k} {v:.1f}' for k, v in list(events.items())[:5])}); "
        f"the instance handled them in {f['event_storage_seconds']:.1f} s of the bulk run "
        f"({1000 * f['event_storage_seconds'] / max(per_report * f['e2e_bulk']['n'], 1):.2f} ms each; "
        "the temporary instance keeps none)",
        f"one Dagster run per report ({pr['n']}-report sample): {pr['seconds_per_report']:.2f} s per report; "
        f"{pr['bulk_seconds_per_report_same_sample']:.2f} s in one run of the same {pr['n']}, "
        f"{pr['bulk_seconds_per_report_1000']:.3f} s in the big bulk run",
        f"second gaibao run on the same {rr['n']} files, DAGSTER_HOME kept (SQLite instance): "
        f"{rr['second_seconds']:.1f} s, {rr['second_skipped']} unchanged files skipped "
        f"(first {rr['first_seconds']:.1f} s)",
        "database cells equal to the generated values after the bulk run: "
        + ", ".join(f"{k} {v['cells_right']}/{v['cells_total']}" for k, v in f["db_accuracy"].items()),
    ]
    if f["instance_storage"]:
        stored = f["instance_storage"]
        names = {
            "temporary": "temporary instance",
            "sqlite": "SQLite DAGSTER_HOME",
            "postgresql": "PostgreSQL DAGSTER_HOME",
        }
        direct = f["instance_storage_direct_seconds"]
        lines.append(
            f"the same {next(iter(stored.values()))['n']} reports by instance storage"
            + (f" (without Dagster {direct:.1f} s)" if direct else "")
            + ": "
            + ", ".join(
                f"{names[kind]} {e['seconds']:.1f} s ({e['ms_per_report']:.0f} ms/report"
                + (f", overhead {100 * (e['seconds'] - direct) / e['seconds']:.0f}%" if direct else "")
                + ")"
                for kind, e in stored.items()
            )
        )
    return lines


def _load_table(results: dict[str, Any]) -> list[str]:
    f = results["figures"]
    lines = [
        "database load of parsed reports    batches of 500: reports/s   cells/s   one per call: reports/s"
    ]
    for dialect, ld in f["load"].items():
        lines.append(
            f"{dialect:<35} {ld['reports_per_s']:>25.1f} {ld['cells_per_s']:>9,.0f} "
            f"{ld['single_reports_per_s']:>25.1f}"
        )
    if "postgresql" not in f["load"]:
        lines.append(f"postgresql: {results.get('postgres')}")
    return lines


def _targets_table(f: dict[str, Any]) -> list[str]:
    t = f["targets"]
    floor, overhead, memory, linear = (
        t["pdf_bulk_vs_floor"],
        t["dagster_overhead"],
        t["memory_flat"],
        t["near_linear"],
    )
    return [
        "targets",
        f"  bulk throughput >= 50% of the PDF floor: PDFs only {100 * floor['value']:.0f}%, "
        f"mixed formats {100 * floor['mixed_value']:.0f}% -> {_verdict(floor)}",
        f"  Dagster overhead <= 10% of a bulk run (gaibao run): {100 * overhead['value']:.0f}% of wall time, "
        f"median of {len(overhead['pairs'])} alternating pairs "
        f"({', '.join(f'{100 * v:.0f}%' for v in overhead['pairs'])}); {100 * overhead['cpu_value']:.0f}% "
        f"of CPU time; handling Dagster's events {100 * overhead['event_storage_share']:.0f}% of the run "
        f"-> {_verdict(overhead)}",
        f"  peak memory flat, {memory['sizes'][0]} -> {memory['sizes'][1]} reports: x{memory['value']:.2f} "
        f"-> {_verdict(memory)}",
        f"  near-linear time, {linear['sizes'][0]} -> {linear['sizes'][1]} reports: ms/report "
        f"x{linear['value']:.2f} (smallest -> largest x{linear['end_to_end_ratio']:.2f}) "
        f"-> {_verdict(linear)}",
    ]


def render(results: dict[str, Any]) -> str:
    """The human-readable tables."""
    f, m, settings = results["figures"], results["machine"], results["settings"]
    lines = [
        f"machine: {m['cpu']}, {m['cores_usable']} cores, {m['memory_gb']} GB, {m['os']}",
        f"Python {m['python']}; workers {settings['workers']}; mixed corpus {settings['n']} reports "
        f"(PDFs by {results['corpus']}); highest load average seen {f['max_load_average']:.1f}; "
        f"{results['minutes']} min",
        "",
        *_parse_table(f, settings["workers"]),
        "",
        *_e2e_table(f),
        "",
        *_load_table(results),
        "",
        "scaling (end to end; text, HTML, DOCX, drawn PDFs)   seconds  CPU s  reports/s  ms/report  peak MB",
    ]
    for size, e in sorted(f["scaling"].items(), key=lambda kv: int(kv[0])):
        lines.append(
            f"{int(size):>10,} reports {'':<32} {e['seconds']:>8.1f} {e['cpu_seconds']:>6.0f} "
            f"{e['reports_per_s']:>10.2f} {e['ms_per_report']:>10.1f} {e['peak_rss_tree_mb']:>8.0f}"
        )
    lines += ["", *_targets_table(f)]
    return "\n".join(lines)


def _verdict(target: dict[str, Any]) -> str:
    return "met" if target["met"] else "MISSED"
