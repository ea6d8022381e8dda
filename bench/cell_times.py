"""A pytest plugin for bench/cell_overhead.py: every run of every item (``--repeat`` runs an
item several times in a row, which results.json sums into one duration), written as JSON.

    PYTHONPATH=bench pytest suites/test_methods.py::test_get -p cell_times --cell-times OUT.json

For each node id, a list of runs, each with ``duration`` (setup, call and teardown: what
results.json adds up), ``started`` (the setup's start, epoch seconds) and ``passed``.
Serial runs only: it records where the reports arrive, and under xdist the worker's times
come to the controller mixed in with the other worker's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--cell-times", metavar="PATH", help="write every run's times here (JSON)")


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


def pytest_configure(config: pytest.Config) -> None:
    path = config.getoption("cell_times")
    if path:
        config.pluginmanager.register(CellTimes(Path(path)), "cell-times")
