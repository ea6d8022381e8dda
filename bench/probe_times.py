"""Wall time of the probe catalogue (suites/test_probes.py) against each server, and the
time of one probe cell, from one pytest run per server (http, no xdist).

    python bench/probe_times.py [--server NAME ...]

Targets (issue 13), against Http11Probe's 146 probes in 35.5 s per server (about 240 ms a
probe):
- the whole catalogue against one server in at most 10 s (the run's wall time, pytest's
  start-up and the server's launch included);
- the median probe cell under 10 ms (results.json's durations of the cells that ran).
Prints, per server, the slowest cells: a correct server costs a probe a deadline
(deadlines.PROBE_QUIET) only where it rightly waits for bytes that never come. Exits 1 when a
target is missed. Every run is bounded by a deadline.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_DEADLINE = 300  # seconds for the catalogue against one server
WALL_TARGET = 10.0  # seconds for the whole catalogue against one server
MEDIAN_TARGET = 0.010  # seconds for the median probe cell
SLOWEST = 3  # cells shown per server
# A cell this slow waited out a deadline (deadlines.PROBE_QUIET, 1 s unscaled); the first
# cell of a run also carries the server's launch.
SLOW_CELL = 0.5


def timed_run(server: str) -> tuple[float, int, list[tuple[float, str]]]:
    """The run's wall time, its exit status, and (duration, case) of every cell that ran."""
    with tempfile.TemporaryDirectory() as scratch:
        results = Path(scratch) / "results.json"
        command = [sys.executable, "-m", "pytest", "suites/test_probes.py", "-q"]
        command += ["-p", "no:cacheprovider", "--server", server, "--transport", "http"]
        command += ["--expectations", str(ROOT / "suites/expectations")]
        command += ["--results", str(results)]
        started = time.monotonic()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, timeout=RUN_DEADLINE)
        elapsed = time.monotonic() - started
        cells = json.loads(results.read_text(encoding="utf-8"))["cells"]
    ran = [(cell["duration_s"], cell["case"]) for cell in cells if cell["outcome"] != "skip"]
    return elapsed, done.returncode, ran


def servers() -> list[str]:
    """Every server this machine can run (``python -m harness list``): the package's, and
    the examples' (node)."""
    command = [sys.executable, "-m", "harness", "list", "--json"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, check=True, timeout=60)
    return [
        impl["name"]
        for impl in json.loads(done.stdout)["implementations"]
        if impl["kind"] == "server" and not impl["unavailable"]
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--server", action="append", help="only this server (repeatable)")
    names = parser.parse_args().server or servers()
    print(
        f"{'server':17} {'wall s':>6} {'cells':>5} {'in cells s':>10} {'slow':>4} "
        f"{'median ms':>9} {'p90 ms':>6}  slowest"
    )
    missed = 0
    for name in names:
        wall, status, ran = timed_run(name)
        durations = sorted(seconds for seconds, _ in ran)
        median = statistics.median(durations)
        p90 = statistics.quantiles(durations, n=10)[-1]
        slow = sum(seconds >= SLOW_CELL for seconds in durations)
        slowest = ", ".join(
            f"{case} {seconds:.2f} s" for seconds, case in sorted(ran, reverse=True)[:SLOWEST]
        )
        ok = wall <= WALL_TARGET and median <= MEDIAN_TARGET
        missed += not ok
        print(
            f"{name:17} {wall:6.2f} {len(ran):5} {sum(durations):10.2f} {slow:4} "
            f"{median * 1000:9.1f} {p90 * 1000:6.1f}  {slowest}"
            f"{'' if ok else '  MISSED'}{'' if status == 0 else f' (exit {status})'}"
        )
    print(
        f"targets: wall <= {WALL_TARGET:.0f} s, median cell <= {MEDIAN_TARGET * 1000:.0f} ms "
        "(Http11Probe: 146 probes in 35.5 s, about 240 ms a probe)"
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
