"""A pytest plugin for bench/cell_overhead.py: every run of every item (``--repeat`` runs an
item several times in a row, which results.json sums into one duration), written as JSON;
and a profile of the cells alone (pytest's start-up and the reports at the end left out).

    PYTHONPATH=bench pytest suites/test_methods.py::test_get -p cell_times --cell-times OUT.json
    PYTHONPATH=bench pytest suites/test_methods.py::test_get -p cell_times --cell-profile OUT

For each node id, a list of runs, each with ``duration`` (setup, call and teardown: what
results.json adds up), ``started`` (the setup's start, epoch seconds) and ``passed``.
Serial runs only: it records where the reports arrive, and under xdist the worker's times
come to the controller mixed in with the other worker's.
"""

from __future__ import annotations

import cProfile
import json
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--cell-times", metavar="PATH", help="write every run's times here (JSON)")
    parser.addoption("--cell-profile", metavar="PATH", help="write the cells' cProfile stats here")


class CellTimes:
    """Every run of every item, by node id; written at the session's end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.runs: dict[str, list[dict[str, Any]]] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        runs = self.runs.setdefault(report.nodeid, [])
        if report.when == "setup":
            runs.append({"duration": 0.0, "started": report.start, "passed": True})
        run = runs[-1]
        run["duration"] += report.duration
        run["passed"] = run["passed"] and report.passed

    def pytest_sessionfinish(self) -> None:
        self.path.write_text(json.dumps(self.runs))


class CellProfile:
    """cProfile over the run loop: the cells' setup, call, teardown and reports, nothing else."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self) -> Generator[None, object, object]:
        profiler = cProfile.Profile()
        profiler.enable()
        try:
            return (yield)
        finally:
            profiler.disable()
            profiler.dump_stats(self.path)


def pytest_configure(config: pytest.Config) -> None:
    path = config.getoption("cell_times")
    if path:
        config.pluginmanager.register(CellTimes(Path(path)), "cell-times")
    profile = config.getoption("cell_profile")
    if profile:
        config.pluginmanager.register(CellProfile(Path(profile)), "cell-profile")
