"""Turn the phases' raw figures into rates, ratios and target verdicts, and print them as tables.

Every comparison is a set of alternating pairs from one run; its verdict is the median of
the pairs' CPU-time ratios, with the wall-time median beside it.
"""

from __future__ import annotations

import itertools
import statistics
from typing import Any

from startup import render as startup_lines

FLAT_MEMORY = 1.25  # peak memory at the largest size / at the smallest: "flat" up to this
LINEAR = 1.25  # ms per report at the largest size / at the smallest, and at each step: "near-linear"
PARSE_FLOOR = 5.0  # the PDF parse's CPU time / pypdfium2's text extraction of the same files
DAGSTER_SHARE = 0.10  # Dagster's share of a `gaibao run` bulk run (temporary instance)
FLOOR_NAMES = {
    "real_pdf": "real PDFs",
    "generated_pdf": "generated PDFs",
    "mixed": "mixed formats",
}


def _side(phase: dict[str, Any]) -> tuple[float, float]:
    """(CPU s, wall s) a pair compares: the timed work when the phase measured it (parse and
    floor: after a warm-up file, imports excluded), else the whole process tree."""
    if "work_cpu_seconds" in phase:
        return phase["work_cpu_seconds"], phase["work_seconds"]
    return phase["tree_cpu_seconds"], phase["wall_seconds"]


def _label(phase: dict[str, Any]) -> str:
    return str(phase.get("phase", "?"))


def print_pair(number: int, a: dict[str, Any], b: dict[str, Any]) -> None:
    """One pair as it finishes: each side's CPU and wall seconds and their ratios (b / a)."""
    (a_cpu, a_wall), (b_cpu, b_wall) = _side(a), _side(b)
    print(
        f"    pair {number}: {_label(a)} {a_cpu:.2f} CPU s, {a_wall:.2f} s; {_label(b)} {b_cpu:.2f} CPU s, "
        f"{b_wall:.2f} s; {_label(b)}/{_label(a)} CPU x{b_cpu / a_cpu:.2f}, wall x{b_wall / a_wall:.2f}",
        flush=True,
    )


def pair_stats(pairs: list[dict[str, Any]]) -> dict[str, Any]:
    """Each pair's CPU and wall seconds and ratios (b / a), and the medians of the ratios."""
    rows = []
    for pair in pairs:
        (a_cpu, a_wall), (b_cpu, b_wall) = _side(pair["a"]), _side(pair["b"])
        rows.append(
            {
                "a_cpu": a_cpu,
                "a_wall": a_wall,
                "b_cpu": b_cpu,
                "b_wall": b_wall,
                "cpu_ratio": b_cpu / a_cpu if a_cpu else float("nan"),
                "wall_ratio": b_wall / a_wall if a_wall else float("nan"),
            }
        )
    return {
        "pairs": rows,
        "cpu_ratio": statistics.median(r["cpu_ratio"] for r in rows),
        "wall_ratio": statistics.median(r["wall_ratio"] for r in rows),
        "a_cpu": statistics.median(r["a_cpu"] for r in rows),
        "b_cpu": statistics.median(r["b_cpu"] for r in rows),
        "a_wall": statistics.median(r["a_wall"] for r in rows),
        "b_wall": statistics.median(r["b_wall"] for r in rows),
    }


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
        "cpu_ms_per_report": 1000 * phase["tree_cpu_seconds"] / max(n, 1),
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


def _floor(stats: dict[str, Any], floor_phase: dict[str, Any]) -> dict[str, Any]:
    """A parse/floor comparison: the floor's own rates (first pair) and the medians."""
    formats = floor_phase["formats"]
    n = sum(f["n"] for f in formats.values())
    pages = sum(f["pages"] for f in formats.values() if "pages" in f)
    return {
        **stats,
        "n": n,
        "pdf_pages": formats.get("pdf", {}).get("pages"),
        "floor_cpu_ms_per_report": 1000 * stats["a_cpu"] / max(n, 1),
        "parse_cpu_ms_per_report": 1000 * stats["b_cpu"] / max(n, 1),
        "floor_reports_per_s": _rate(n, stats["a_wall"]),
        "floor_pages_per_s": _rate(pages, stats["a_wall"]),
        "floor_by_format": {
            fmt: {"n": f["n"], "ms_per_report": 1000 * f["seconds"] / max(f["n"], 1)}
            for fmt, f in formats.items()
        },
    }


def figures(results: dict[str, Any]) -> dict[str, Any]:
    """Rates and ratios of one benchmark run, and the verdict on each target."""
    workers = results["settings"]["workers"]
    bulk, pdf_bulk = _e2e(results["e2e_bulk"]), _e2e(results["e2e_pdf"])
    one_each, sample_bulk = _e2e(results["e2e_per_report"]), _e2e(results["e2e_sample_bulk"])
    floors = {
        name: _floor(pair_stats(pairs), pairs[0]["a"]) for name, pairs in results["floor_pairs"].items()
    }
    dagster = pair_stats(results["dagster_pairs"])
    n_bulk = bulk["n"]
    out: dict[str, Any] = {
        "parse": _parse(results, workers),
        "floors": floors,
        "e2e_bulk": bulk,
        "e2e_pdf": pdf_bulk,
        "dagster": {
            **dagster,
            "n": n_bulk,
            # Dagster's share of the run with it: 1 - without / with
            "cpu_share": 1 - 1 / dagster["cpu_ratio"],
            "wall_share": 1 - 1 / dagster["wall_ratio"],
            "pair_cpu_shares": [1 - 1 / r["cpu_ratio"] for r in dagster["pairs"]],
            "pair_wall_shares": [1 - 1 / r["wall_ratio"] for r in dagster["pairs"]],
            "cpu_ms_per_report": 1000 * dagster["b_cpu"] / max(n_bulk, 1),
            "direct_cpu_ms_per_report": 1000 * dagster["a_cpu"] / max(n_bulk, 1),
        },
        "events_per_report": {
            kind: n / max(n_bulk, 1) for kind, n in results["e2e_bulk"].get("events", {}).items()
        },
        "event_storage_seconds": results["e2e_bulk"].get("event_seconds", 0.0),
        "max_load_average": _max_load(results),
        "per_report_runs": {
            "n": one_each["n"],
            "seconds_per_report": one_each["seconds"] / max(one_each["n"], 1),
            "bulk_seconds_per_report_same_sample": sample_bulk["seconds"] / max(sample_bulk["n"], 1),
            "bulk_seconds_per_report_1000": bulk["seconds"] / max(n_bulk, 1),
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
        "startup": results.get("startup", {}).get("median", {}),
        "scaling": {size: _e2e(phase) for size, phase in results["scaling"].items()},
        "instance_storage": {
            kind: _e2e(phase) for kind, phase in results.get("instance_storage", {}).items()
        },
        "instance_storage_direct_seconds": results.get("instance_storage_direct", {}).get("seconds"),
    }
    # the whole pipeline against the mixed floor: CPU per report of gaibao run / of the floor
    mixed = floors.get("mixed")
    if mixed:
        out["pipeline_vs_mixed_floor"] = (
            out["dagster"]["cpu_ms_per_report"] / mixed["floor_cpu_ms_per_report"]
        )
    out["targets"] = _targets(out)
    return out


def _max_load(results: dict[str, Any]) -> float:
    loads: list[float] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if "load_average" in value:
                loads.extend(value["load_average"])
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk({k: v for k, v in results.items() if k != "figures"})
    return max(loads, default=float("nan"))


def scaling_targets(scaling: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The scaling criteria over the whole range (smallest to largest size), each step beside."""
    sizes = sorted(scaling, key=int)
    small, big = scaling[sizes[0]], scaling[sizes[-1]]
    steps = [
        {
            "sizes": [a, b],
            "ms_ratio": scaling[b]["ms_per_report"] / scaling[a]["ms_per_report"],
            "cpu_ms_ratio": scaling[b]["cpu_ms_per_report"] / scaling[a]["cpu_ms_per_report"],
            "memory_ratio": scaling[b]["peak_rss_tree_mb"] / scaling[a]["peak_rss_tree_mb"],
        }
        for a, b in itertools.pairwise(sizes)
    ]
    memory_growth = big["peak_rss_tree_mb"] / small["peak_rss_tree_mb"]
    linear = big["ms_per_report"] / small["ms_per_report"]
    return {
        "memory_flat": {
            "value": memory_growth,
            "sizes": [sizes[0], sizes[-1]],
            "target": f"<= {FLAT_MEMORY}",
            "met": memory_growth <= FLAT_MEMORY,
        },
        "near_linear": {
            "value": linear,
            "cpu_value": big["cpu_ms_per_report"] / small["cpu_ms_per_report"],
            "sizes": [sizes[0], sizes[-1]],
            "steps": steps,
            # over the whole range, and no step beyond it either: a fixed start-up cost at the
            # smallest size must not hide growth between the larger ones
            "target": f"<= {LINEAR}, smallest to largest and at every step",
            "met": linear <= LINEAR and all(step["ms_ratio"] <= LINEAR for step in steps),
        },
    }


def _targets(f: dict[str, Any]) -> dict[str, Any]:
    real = f["floors"].get("real_pdf")
    dagster = f["dagster"]
    return {
        "parse_vs_pdf_floor": {
            "value": real["cpu_ratio"] if real else float("nan"),
            "wall_value": real["wall_ratio"] if real else float("nan"),
            "generated_value": f["floors"].get("generated_pdf", {}).get("cpu_ratio"),
            "mixed_value": f["floors"].get("mixed", {}).get("cpu_ratio"),
            "target": f"<= {PARSE_FLOOR:g}x pypdfium2 text (CPU, real PDFs)",
            "met": bool(real) and real["cpu_ratio"] <= PARSE_FLOOR,
        },
        "dagster_overhead": {
            "value": dagster["cpu_share"],
            "wall_value": dagster["wall_share"],
            "pairs": dagster["pair_cpu_shares"],
            "wall_pairs": dagster["pair_wall_shares"],
            "event_storage_share": f["event_storage_seconds"] / f["e2e_bulk"]["seconds"],
            "target": f"<= {DAGSTER_SHARE:.2f} (CPU)",
            "met": dagster["cpu_share"] <= DAGSTER_SHARE,
        },
        **scaling_targets(f["scaling"]),
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
    return lines


def _floor_table(f: dict[str, Any]) -> list[str]:
    lines = [
        "parse against the floor (one process each; floor: pypdfium2 text for PDF, lxml for DOCX/HTML/",
        "XLSX/OFD, decoding for text)  medians of alternating pairs, CPU (wall beside)",
        "corpus            reports  floor ms/report  parse ms/report  parse/floor CPU  wall   pairs (CPU)",
    ]
    for name, fl in f["floors"].items():
        lines.append(
            f"{FLOOR_NAMES.get(name, name):<17} {fl['n']:>7} {fl['floor_cpu_ms_per_report']:>16.1f} "
            f"{fl['parse_cpu_ms_per_report']:>16.1f} {fl['cpu_ratio']:>15.1f}x {fl['wall_ratio']:>5.1f}x   "
            + ", ".join(f"x{r['cpu_ratio']:.1f}" for r in fl["pairs"])
        )
    mixed = f["floors"].get("mixed")
    if mixed:
        lines.append(
            "mixed floor by format (ms/report, first pair): "
            + ", ".join(f"{k} {v['ms_per_report']:.2f}" for k, v in mixed["floor_by_format"].items())
        )
    if "pipeline_vs_mixed_floor" in f:
        lines.append(
            f"the whole pipeline (gaibao run, process tree) against the mixed floor: "
            f"{f['dagster']['cpu_ms_per_report']:.1f} vs {mixed['floor_cpu_ms_per_report']:.1f} "
            "CPU ms/report "
            f"= x{f['pipeline_vs_mixed_floor']:.1f}"
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
    d, pr, rr = f["dagster"], f["per_report_runs"], f["rerun"]
    events = f["events_per_report"]
    per_report = sum(events.values())
    lines += [
        f"the same work without Dagster (every step's pure core) and with it (gaibao run), whole process "
        f"trees, {len(d['pairs'])} alternating pairs, without / with: "
        + "; ".join(
            f"{r['a_cpu']:.0f} / {r['b_cpu']:.0f} CPU s, {r['a_wall']:.1f} / {r['b_wall']:.1f} s"
            for r in d["pairs"]
        ),
        f"  medians: {d['direct_cpu_ms_per_report']:.1f} / {d['cpu_ms_per_report']:.1f} CPU ms per report; "
        f"Dagster's share {100 * d['cpu_share']:.0f}% of CPU, {100 * d['wall_share']:.0f}% of wall",
        f"Dagster events per report: {per_report:.1f} "
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
            f"the same {next(iter(stored.values()))['n']} reports by instance storage (single runs)"
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
        t["parse_vs_pdf_floor"],
        t["dagster_overhead"],
        t["memory_flat"],
        t["near_linear"],
    )
    generated = floor["generated_value"]
    return [
        "targets (medians of alternating pairs; CPU decides, wall beside)",
        f"  PDF parse within {PARSE_FLOOR:g}x pypdfium2's text extraction, real PDFs: "
        f"x{floor['value']:.1f} CPU "
        f"(wall x{floor['wall_value']:.1f}); generated PDFs x{_n(generated)}, mixed formats against the "
        f"mixed floor x{_n(floor['mixed_value'])} -> {_verdict(floor)}",
        f"  Dagster <= {100 * DAGSTER_SHARE:.0f}% of a bulk run (gaibao run): "
        f"{100 * overhead['value']:.0f}% of CPU "
        f"time, median of {len(overhead['pairs'])} alternating pairs "
        f"({', '.join(f'{100 * v:.0f}%' for v in overhead['pairs'])}); {100 * overhead['wall_value']:.0f}% "
        f"of wall ({', '.join(f'{100 * v:.0f}%' for v in overhead['wall_pairs'])}); handling Dagster's "
        f"events {100 * overhead['event_storage_share']:.0f}% of the run -> {_verdict(overhead)}",
        *scaling_target_lines(memory, linear),
    ]


def scaling_target_lines(memory: dict[str, Any], linear: dict[str, Any]) -> list[str]:
    return [
        f"  peak memory flat, {memory['sizes'][0]} -> {memory['sizes'][1]} reports: x{memory['value']:.2f} "
        f"-> {_verdict(memory)}",
        f"  near-linear time, {linear['sizes'][0]} -> {linear['sizes'][1]} reports: ms/report "
        f"x{linear['value']:.2f} (CPU x{linear['cpu_value']:.2f}; steps "
        + ", ".join(
            f"{s['sizes'][0]}->{s['sizes'][1]} x{s['ms_ratio']:.2f} (memory x{s['memory_ratio']:.2f})"
            for s in linear["steps"]
        )
        + f") -> {_verdict(linear)}",
    ]


def scaling_table(scaling: dict[str, dict[str, Any]], formats: str, pdfs: str) -> list[str]:
    """`scaling`: size -> the `_e2e` figures of the run at that size."""
    lines = [
        f"scaling (end to end; {formats}, PDFs by {pdfs})"
        "   seconds  CPU s  reports/s  ms/report  CPU ms/report  peak MB"
    ]
    for size, e in sorted(scaling.items(), key=lambda kv: int(kv[0])):
        lines.append(
            f"{int(size):>10,} reports {'':<32} {e['seconds']:>8.1f} {e['cpu_seconds']:>6.0f} "
            f"{e['reports_per_s']:>10.2f} {e['ms_per_report']:>10.1f} {e['cpu_ms_per_report']:>14.1f} "
            f"{e['peak_rss_tree_mb']:>8.0f}"
        )
    return lines


def render_scaling(results: dict[str, Any]) -> str:
    """The scaling runs alone (`run.py --only-scaling`): the table and its criteria."""
    scaling = {size: _e2e(phase) for size, phase in results["scaling"].items()}
    targets = scaling_targets(scaling)
    return "\n".join(
        [
            *scaling_table(scaling, results["settings"]["scale_formats"], results["scale_corpus"]),
            "",
            *scaling_target_lines(targets["memory_flat"], targets["near_linear"]),
        ]
    )


def render(results: dict[str, Any]) -> str:
    """The human-readable tables."""
    f, m, settings = results["figures"], results["machine"], results["settings"]
    startup = f.get("startup") or {}
    lines = [
        f"machine: {m['cpu']}, {m['cores_usable']} cores, {m['memory_gb']} GB, {m['os']}",
        f"Python {m['python']}; workers {settings['workers']}; mixed corpus {settings['n']} reports "
        f"(PDFs by {results['corpus']}); highest load average seen {f['max_load_average']:.1f}; "
        f"{results['minutes']} min",
        "",
        *_parse_table(f, settings["workers"]),
        "",
        *_floor_table(f),
        "",
        *_e2e_table(f),
        "",
        *_load_table(results),
        "",
    ]
    if startup:
        lines += [*startup_lines(results["startup"]), ""]
    lines += scaling_table(f["scaling"], settings["scale_formats"], results.get("scale_corpus", "?"))
    lines += ["", *_targets_table(f)]
    return "\n".join(lines)


def _verdict(target: dict[str, Any]) -> str:
    return "met" if target["met"] else "MISSED"
