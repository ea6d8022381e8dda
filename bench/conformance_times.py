"""Wall time of the conformance run, serial against pytest-xdist, measured in one go.

    python bench/conformance_times.py [--repeat N]

Targets are ratios, so that a busy machine shifts both sides alike:
- ``-n 2`` takes at most 0.8 of the serial time (parallel workers pay for themselves);
- one server selected with ``-k`` takes at most 0.5 of the full serial run (servers nobody
  selects are never started).
Exits 1 when a target is missed. Every run is bounded by a deadline.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_DEADLINE = 600  # seconds for one run


def timed_run(*args: str) -> float:
    with tempfile.TemporaryDirectory() as scratch:
        command = [sys.executable, "-m", "pytest", "suites", "-q", "-p", "no:cacheprovider"]
        command += ["--results", str(Path(scratch) / "results.json"), *args]
        started = time.monotonic()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, timeout=RUN_DEADLINE)
        elapsed = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"run {' '.join(args) or '(serial)'} failed:\n{done.stdout.decode()[-2000:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each kind (median)")
    repeat = parser.parse_args().repeat
    runs = {"serial": (), "-n 2": ("-n", "2"), "-k stdlib-threading": ("-k", "stdlib-threading")}
    times = {
        name: statistics.median(timed_run(*args) for _ in range(repeat))
        for name, args in runs.items()
    }
    for name, seconds in times.items():
        print(f"{name:22} {seconds:6.2f} s")
    targets = {
        "-n 2 / serial": (times["-n 2"] / times["serial"], 0.8),
        "one server / serial": (times["-k stdlib-threading"] / times["serial"], 0.5),
    }
    missed = 0
    for name, (ratio, limit) in targets.items():
        ok = ratio <= limit
        missed += not ok
        print(f"{name:22} {ratio:6.2f}  (target <= {limit}) {'ok' if ok else 'MISSED'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
