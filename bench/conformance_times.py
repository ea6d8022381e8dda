"""Wall time of the conformance run, serial against pytest-xdist, measured in one go.

    python bench/conformance_times.py [--repeat N] [-- SELECTION...]

The default selection is bounded but representative, so that the three runs take a few
minutes: the methods suite (one request and its echo per cell, the commonest kind of cell)
against every server over both transports, from an in-process client (requests) and an
external one (curl: a process per request), 768 cells. The full run is the same command
with the whole of suites/ as the selection (its serial run alone takes 10 to 15 minutes on
the shared 2-core machine: issue 16 measured 587-828 s of cell time)::

    python bench/conformance_times.py -- suites

Targets are ratios, so that a busy machine shifts both sides alike:
- ``-n 2`` takes at most 0.6 of the serial time (issue 16: parallel workers pay for
  themselves);
- one server selected with ``-k`` takes at most 0.5 of the serial run (servers nobody
  selects are never started).
Each run's CPU time (every process of it, servers and client programs included) is printed
beside its wall time: divided by the cores, it is the wall time no scheduling can beat, and
whatever lies between the two is waiting (deliberate waits, start-up on a critical path).
Exits 1 when a target is missed. Every run is bounded by a deadline.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_DEADLINE = 5400  # seconds for one run (the full selection, serially, on a busy machine)
SELECTION = ["suites/test_methods.py", "--client", "requests", "--client", "curl"]
ONE_SERVER = "stdlib-threading"
TARGETS = {"-n 2 / serial": 0.6, "one server / serial": 0.5}


def _cpu_of_children() -> float:
    """User and system seconds of every reaped descendant so far: pytest, its workers, and
    the servers and client programs they started and waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_run(selection: list[str], *args: str) -> tuple[float, float]:
    """One run's wall time and the CPU time its processes used, in seconds."""
    with tempfile.TemporaryDirectory() as scratch:
        command = [sys.executable, "-m", "pytest", *selection, "-q", "-p", "no:cacheprovider"]
        command += ["--results", str(Path(scratch) / "results.json"), *args]
        cpu, started = _cpu_of_children(), time.monotonic()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, timeout=RUN_DEADLINE)
        elapsed, cpu = time.monotonic() - started, _cpu_of_children() - cpu
    if done.returncode != 0:
        sys.exit(f"run {' '.join(args) or '(serial)'} failed:\n{done.stdout.decode()[-2000:]}")
    return elapsed, cpu


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each kind (median)")
    parser.add_argument("selection", nargs="*", help="pytest's selection (after --)")
    options = parser.parse_args()
    if options.repeat < 1:
        parser.error(f"--repeat {options.repeat}: needs at least 1 run of each kind")
    selection = options.selection or SELECTION
    runs = {"serial": (), "-n 2": ("-n", "2"), f"-k {ONE_SERVER}": ("-k", ONE_SERVER)}
    print(f"selection: {' '.join(selection)}")
    measured = {
        name: [timed_run(selection, *args) for _ in range(options.repeat)]
        for name, args in runs.items()
    }
    times = {name: statistics.median(wall for wall, _ in runs) for name, runs in measured.items()}
    cores = os.cpu_count() or 1
    print(f"{'':22} {'wall':>9} {'cpu':>9}  (cpu / {cores} cores: the wall no scheduling beats)")
    for name, seconds in times.items():
        cpu = statistics.median(cpu for _, cpu in measured[name])
        print(f"{name:22} {seconds:7.2f} s {cpu:7.2f} s  ({cpu / cores:.2f} s)")
    ratios = {
        "-n 2 / serial": times["-n 2"] / times["serial"],
        "one server / serial": times[f"-k {ONE_SERVER}"] / times["serial"],
    }
    missed = 0
    for name, ratio in ratios.items():
        ok = ratio <= TARGETS[name]
        missed += not ok
        print(f"{name:22} {ratio:7.2f}  (target <= {TARGETS[name]}) {'ok' if ok else 'MISSED'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
