"""The terminal while cells run: a line per suite and implementation as each finishes,
instead of a letter per cell.

On a terminal, a status line (the suite and implementation of the latest cell, the cells
done and left, the failures so far) is updated in place below a line per finished suite.
In a log (no terminal) nothing is rewritten: one line per suite x implementation when its
last cell finishes, so 7001 cells make about a hundred lines. A cell's group is read from
its node id (``Matrix.node``).

Registered on the controller (it receives every report, serially and under xdist), and
active only when the run collected cells at the default verbosity: with ``-v``, and for
the harness's own tests, pytest's output stays as it is.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import pytest

from harness.plugin.options import MATRIX_KEY

REDRAW_INTERVAL = 0.2  # seconds between two redraws of the status line
# The order outcomes are named in, as pytest's own summary line names them.
CATEGORIES = ("failed", "error", "passed", "warned", "skipped", "xfailed", "xpassed")


@dataclass
class Group:
    """The cells of one suite x implementation (or of one suite, on a terminal)."""

    total: int = 0
    done: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)

    def describe(self) -> str:
        counts = [f"{self.outcomes[c]} {c}" for c in CATEGORIES if self.outcomes[c]]
        return f"{self.total} cells: {', '.join(counts) or 'no outcome'}"


class Progress:
    def __init__(self, config: pytest.Config, reporter: pytest.TerminalReporter) -> None:
        self.config = config
        self.reporter = reporter
        self.tty = bool(reporter.isatty())
        self.groups: dict[str, Group] = {}
        self.group_of: dict[str, tuple[str, str]] = {}  # node id -> (suite, implementation)
        self.done: set[str] = set()
        self.failures = Counter[str]()
        self.current = ""
        self.drawn = 0.0  # when the status line was drawn; 0: none on screen
        self.reporting = False  # inside pytest_runtest_logreport

    @property
    def active(self) -> bool:
        return bool(self.group_of)

    def _label(self, suite: str, implementation: str) -> str:
        return suite if self.tty else f"{suite} · {implementation}"

    def _start(self, nodeids: list[str]) -> None:
        """Group the collected cells; with no cell among them, stay out of the way."""
        matrix = self.config.stash[MATRIX_KEY]
        for nodeid in nodeids:
            if cell := matrix.node(nodeid):
                case_id, pairing = cell
                suite = case_id.split(".", 1)[0]
                implementation = pairing.server or pairing.client or ""
                self.group_of[nodeid] = (suite, implementation)
                self.groups.setdefault(self._label(suite, implementation), Group()).total += 1
        if self.active:
            self.reporter.showfspath = False  # no "suites/test_x.py" line per module either

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self._start([item.nodeid for item in session.items])

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        if not self.group_of:  # every worker collects the same cells
            self._start(ids)

    @pytest.hookimpl(wrapper=True)
    def pytest_report_teststatus(
        self, report: pytest.TestReport, config: pytest.Config
    ) -> Generator[None, tuple[str, str, Any], tuple[str, str, Any]]:
        status = yield
        if self.active and self.reporting:
            # The terminal reporter asks for a cell's letter: none (the category still
            # counts). Elsewhere, in the short summary, the word stays.
            return status[0], "", ""
        return status

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> Generator[None]:
        self.reporting = True
        try:
            return (yield)
        finally:
            self.reporting = False
            if report.nodeid in self.group_of:
                self._count(report)

    def _count(self, report: pytest.TestReport) -> None:
        suite, implementation = self.group_of[report.nodeid]
        group = self.groups[self._label(suite, implementation)]
        category = self.config.hook.pytest_report_teststatus(report=report, config=self.config)[0]
        if category:
            group.outcomes[category] += 1
        if category in ("failed", "error"):
            self.failures[category] += 1
        self.current = f"{suite} · {implementation}"
        if report.when == "teardown" and report.nodeid not in self.done:
            self.done.add(report.nodeid)
            group.done += 1
            if group.done == group.total:
                self._line(f"{self._label(suite, implementation)}: {group.describe()}")
        if self.tty and time.monotonic() - self.drawn >= REDRAW_INTERVAL:
            self._draw()

    def _status(self) -> str:
        total = len(self.group_of)
        failures = ", ".join(f"{n} {c}" for c, n in sorted(self.failures.items()))
        left = total - len(self.done)
        return f"[{len(self.done)}/{total}] {self.current}: {left} left" + (
            f", {failures}" if failures else ""
        )

    def _line(self, line: str) -> None:
        """A line that stays (above the status line, on a terminal)."""
        if self.tty:
            self.reporter.rewrite(line, erase=True)
            self.reporter.write("\n")
            self._draw()
        else:
            self.reporter.write_line(f"{line}  [{len(self.done)}/{len(self.group_of)}]")

    def _draw(self) -> None:
        self.reporter.rewrite(self._status(), erase=True, bold=True)
        self.reporter.flush()
        self.drawn = time.monotonic()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, object, object]:
        try:
            return (yield)
        finally:
            if self.drawn:  # the last status stays, and the summary starts below it
                self._draw()
                self.reporter.write("\n")


@pytest.hookimpl(trylast=True)  # after the terminal reporter is registered
def pytest_configure(config: pytest.Config) -> None:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    controller = not hasattr(config, "workerinput")
    if controller and reporter is not None and config.get_verbosity() <= 0:
        config.pluginmanager.register(Progress(config, reporter), "http-interop-progress")
