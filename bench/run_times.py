"""Where the conformance run's time goes, from a results.json: the sum of cell time by suite,
client and server, and the slowest cells and cases.

    python bench/run_times.py RESULTS.json [--json OUT.json] [--top N]
    python bench/run_times.py --run [--workers N] [--json OUT.json] [-- PYTEST-ARGS...]

The first reads a results.json a run wrote (cells carry ``duration_s``: setup, call and
teardown, so a cell that starts its server pays the start). The second runs the conformance
run first (``pytest suites -n N``, ``--workers 0`` for serial, the extra arguments appended,
the worktree's expectation files) into a temporary results.json, and adds its wall time.
Both print a table and, with ``--json``, write the same figures as JSON. The sums are cell
time, not wall time: with two workers the wall time is about half the sum plus the workers'
start-up.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness import results, shards  # noqa: E402
from harness.model import Pairing  # noqa: E402

RUN_DEADLINE = 3600  # seconds for one full run (about 21 min with -n 2 on 2 busy cores)
TOP = 30  # slowest cells and cases listed
NONE = "-"  # the side a cell does not have (a server case has no client)


def run(workers: int, extra: list[str], path: Path) -> float:
    """Run the conformance run into ``path``; its wall time in seconds."""
    command = [sys.executable, "-m", "pytest", "suites", "-q", "-p", "no:cacheprovider"]
    command += ["--expectations", str(ROOT / "suites/expectations"), "--results", str(path)]
    command += ["-n", str(workers)] if workers else []
    started = time.monotonic()
    subprocess.run(command + extra, cwd=ROOT, capture_output=True, timeout=RUN_DEADLINE)
    return time.monotonic() - started


def sums(cells: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Cell time summed per value of ``key``, the largest first."""
    total: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    for cell in cells:
        name = cell[key] or NONE
        total[name] += cell["duration_s"]
        count[name] += 1
    return [
        {key: name, "seconds": round(seconds, 2), "cells": count[name]}
        for name, seconds in sorted(total.items(), key=lambda item: -item[1])
    ]


def shard_groups(cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cell time per ``--shard`` group (a server, or a client without one): what
    harness/shards.py's WEIGHTS holds."""
    grouped = [
        {**cell, "group": shards.group(Pairing(cell["server"], cell["client"], cell["transport"]))}
        for cell in cells
    ]
    return sums(grouped, "group")


def slowest_cases(cells: list[dict[str, Any]], top: int) -> list[dict[str, Any]]:
    by_case: dict[str, list[float]] = defaultdict(list)
    for cell in cells:
        by_case[cell["case"]].append(cell["duration_s"])
    rows: list[dict[str, Any]] = [
        {
            "case": case,
            "seconds": round(sum(times), 2),
            "cells": len(times),
            "mean": round(statistics.mean(times), 3),
        }
        for case, times in by_case.items()
    ]
    return sorted(rows, key=lambda row: -row["seconds"])[:top]


def slowest_cells(cells: list[dict[str, Any]], top: int) -> list[dict[str, Any]]:
    keys = ("case", "server", "client", "transport", "outcome", "duration_s")
    ordered = sorted(cells, key=lambda cell: -cell["duration_s"])[:top]
    return [{key: cell[key] or NONE for key in keys} for cell in ordered]


def figures(document: results.Document, top: int) -> dict[str, Any]:
    cells = document["cells"]
    return {
        "run_duration_s": document["run"]["duration_s"],
        "workers": document["run"]["workers"],
        "cells": len(cells),
        "cell_seconds": round(sum(cell["duration_s"] for cell in cells), 2),
        "by_suite": sums(cells, "suite"),
        "by_client": sums(cells, "client"),
        "by_server": sums(cells, "server"),
        "by_shard_group": shard_groups(cells),
        "slowest_cases": slowest_cases(cells, top),
        "slowest_cells": slowest_cells(cells, top),
    }


def table(rows: list[dict[str, Any]]) -> str:
    """Rows of one shape as aligned text columns."""
    header = list(rows[0])
    lines = [header, *([str(row[key]) for key in header] for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)) for line in lines
    )


def show(report: dict[str, Any]) -> None:
    wall = f", wall {report['wall_s']:.1f} s" if "wall_s" in report else ""
    print(
        f"{report['cells']} cells, {report['cell_seconds']:.1f} s of cell time, run "
        f"{report['run_duration_s']:.1f} s with {report['workers']} workers{wall}"
    )
    for name in ("by_suite", "by_client", "by_server", "by_shard_group", "slowest_cases"):
        print(f"\n{name.replace('_', ' ')}\n{table(report[name])}")
    print(f"\nslowest cells\n{table(report['slowest_cells'])}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("results", nargs="?", type=Path, help="a results.json to read")
    parser.add_argument("--run", action="store_true", help="run the conformance run first")
    parser.add_argument("--workers", type=int, default=2, help="-n for --run; 0 is serial")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument("--top", type=int, default=TOP, help="slowest cells and cases shown")
    parser.add_argument("pytest_args", nargs="*", help="after --: more pytest arguments")
    options = parser.parse_args()
    if options.run == (options.results is not None):
        parser.error("give either a results.json or --run")
    with tempfile.TemporaryDirectory() as scratch:
        path = options.results or Path(scratch) / "results.json"
        wall = run(options.workers, options.pytest_args, path) if options.run else None
        try:
            report = figures(results.load(path), options.top)
        except results.ResultsFileError as exc:
            sys.exit(str(exc))
    if wall is not None:
        report["wall_s"] = round(wall, 1)
    show(report)
    if options.json:
        options.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
