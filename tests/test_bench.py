"""The benchmarks' own plugin: bench/cell_times.py records every run of a repeated cell under
the node id bench/cell_overhead.py reads."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from tests.pytest_run import ROOT, run_pytest

sys.path.insert(0, str(ROOT / "bench"))

import cell_overhead

RUNS = 3


def test_cell_times_records_every_run_of_a_repeated_cell(tmp_path: Path) -> None:
    out = tmp_path / "cell-times.json"
    server, client = "stdlib-http11", "http.client"
    done = run_pytest(
        cell_overhead.CELLS,
        *("--server", server, "--client", client, "--transport", "http"),
        *("--repeat", str(RUNS), "-p", "cell_times", "--cell-times", str(out)),
        *("--results", str(tmp_path / "results.json")),
        env={**os.environ, "PYTHONPATH": str(ROOT / "bench")},
    )
    assert done.returncode == 0, done.stdout[-2000:]
    runs = json.loads(out.read_text())[cell_overhead.cell_nodeid(server, client)]
    assert len(runs) == RUNS
    assert all(run["passed"] and run["duration"] > 0 for run in runs)
    starts = [run["started"] for run in runs]
    assert starts == sorted(starts) and len(set(starts)) == RUNS
