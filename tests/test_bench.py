"""The benchmarks' own code: bench/cell_times.py records every run of a repeated cell under
the node id bench/cell_overhead.py reads; bench/flakes.py tells a flaky cell from one an
intermittent deviation records."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.pytest_run import DEADLINE, ROOT, run_pytest
from tests.real_results import real_run

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


def test_flakes_lists_a_changed_outcome_as_flaky_unless_a_deviation_records_it(
    tmp_path: Path,
) -> None:
    _, first = real_run(tmp_path)
    document = json.loads(first.read_text())
    known = next(c for c in document["cells"] if c["outcome"] == "known")
    passed = next(c for c in document["cells"] if c["outcome"] == "pass")
    # The second run: the known deviation's cell passed (as an intermittent one may), and a
    # cell without a deviation failed.
    second = copy.deepcopy(document)
    for cell in second["cells"]:
        if cell["nodeid"] in (known["nodeid"], passed["nodeid"]):
            cell["outcome"] = "pass" if cell["nodeid"] == known["nodeid"] else "fail"
            cell["outcomes"] = [cell["outcome"]]
    other = tmp_path / "second.json"
    other.write_text(json.dumps(second))

    def hunt(*files: Path) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, str(ROOT / "bench" / "flakes.py"), "--compare", *map(str, files)]
        return subprocess.run(
            command, capture_output=True, text=True, timeout=DEADLINE, check=False
        )

    done = hunt(first, other)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 flaky, 1 recorded as intermittent" in done.stdout
    flaky_part, _, recorded_part = done.stdout.partition("recorded as intermittent:")
    assert passed["case"] in flaky_part and known["case"] in recorded_part
    assert hunt(first, first).returncode == 0
