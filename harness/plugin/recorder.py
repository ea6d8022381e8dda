"""The results file and the reports beside it: the controller records every cell's
reports and writes them at the session's end (and the expectation files, with
``--update-baseline``)."""

from __future__ import annotations

import json
import time
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness import expectations, results
from harness.cases import CATALOGUE
from harness.expectations import Cell
from harness.plugin import properties
from harness.plugin.baseline import BASELINE_KEY, load_baseline
from harness.plugin.options import MATRIX_KEY, expectations_dir, root
from harness.registry import REGISTRY
from harness.report import files as report_files
from harness.report import scores
from harness.results import CellResult, Outcome


@dataclass
class _Run:
    """One run of a cell: its worst phase's outcome, message and transcript."""

    outcome: Outcome = Outcome.PASS
    message: str = ""
    transcript: str = ""


@dataclass(frozen=True)
class Written:
    """The files a run wrote."""

    results: Path
    html: Path
    summary: Path


def _phase_outcome(report: pytest.TestReport, props: dict[str, str]) -> tuple[Outcome | None, str]:
    message = props.get(properties.MESSAGE, "")
    if report.skipped:
        if hasattr(report, "wasxfail"):
            return Outcome.KNOWN, message
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        return Outcome.SKIP, reason.removeprefix("Skipped: ")
    if report.when == "call":
        if report.passed:
            return Outcome.PASS, ""
        if properties.FIXED in props:
            return Outcome.FIXED, str(report.longrepr)
        return Outcome.FAIL, message or report.longreprtext
    if report.failed:  # setup or teardown broke: not a verdict on the implementation
        return Outcome.ERROR, message or report.longreprtext
    return None, ""


def _rfc(case_id: str) -> str:
    case = CATALOGUE.get(case_id)
    if case is None:  # a cell of this run, so its case is in the catalogue
        raise LookupError(f"no case {case_id!r} in the catalogue")
    return case.rfc


class ResultsRecorder:
    """Collects every cell's outcome on the controller and writes the results file, the HTML
    report and the summary next to it."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.started = time.monotonic()
        self.run = results.RunInfo(started=results.now_iso(), command=results.command_line())
        self.cells: dict[str, CellResult] = {}
        self.runs: dict[str, list[_Run]] = {}  # every run of a cell (more than one: --repeat)
        self.written: Written | None = None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = {key: str(value) for key, value in report.user_properties}
        if "case" not in props:
            return
        cell = self.cells.get(report.nodeid)
        if cell is None:
            cell = self.cells[report.nodeid] = CellResult(
                nodeid=report.nodeid,
                case=props["case"],
                suite=props["suite"],
                rfc=props["rfc"],
                level=props["level"],
                requirement=props["requirement"],
                server=props["server"] or None,
                client=props["client"] or None,
                transport=props["transport"],
                deviation=(
                    json.loads(props[properties.DEVIATION])
                    if properties.DEVIATION in props
                    else None
                ),
            )
        runs = self.runs.setdefault(report.nodeid, [])
        if report.when == "setup" or not runs:
            runs.append(_Run())
        run = runs[-1]
        cell.duration_s = round(cell.duration_s + report.duration, 4)
        for key, value in report.user_properties:
            if key == properties.OBSERVED and str(value) not in cell.observed:
                cell.observed.append(str(value))
            elif key == properties.INSECURE:
                cell.insecure = True
        run.transcript = props.get(properties.TRANSCRIPT, run.transcript)
        outcome, message = _phase_outcome(report, props)
        if outcome is not None and results.SEVERITY[outcome] >= results.SEVERITY[run.outcome]:
            run.outcome = outcome
            run.message = message or run.message

    def _settle(self) -> None:
        """Each cell's outcome: its worst run's, with every run's outcome listed."""
        for nodeid, cell in self.cells.items():
            runs = self.runs[nodeid]
            worst = max(runs, key=lambda run: results.SEVERITY[run.outcome])
            cell.outcome, cell.message = worst.outcome, results.truncate(worst.message)
            cell.outcomes = [str(run.outcome) for run in runs]
            cell.flaky = len(set(cell.outcomes)) > 1
            # A transcript only where the check failed: a passing cell's is noise.
            failed = worst.outcome in (Outcome.FAIL, Outcome.ERROR, Outcome.KNOWN)
            cell.transcript = worst.transcript if failed else ""

    def _write(self) -> Written:
        """Write the results file, then the HTML report and the summary beside it."""
        option = self.config.getoption("results")
        path = Path(option) if option else root(self.config) / "reports" / "results.json"
        document = results.document(self.run, list(self.cells.values()))
        results.write(path, document)
        html, summary = report_files.write(document, path)
        return Written(path, html, summary)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if not self.cells:
            return
        self._settle()
        matrix = self.config.stash[MATRIX_KEY]
        selected = matrix.servers + matrix.clients
        self.run.duration_s = round(time.monotonic() - self.started, 3)
        self.run.git_commit = results.git_commit(root(self.config))
        self.run.workers = getattr(self.config.option, "numprocesses", 0) or 0
        self.run.implementations = results.describe(
            [impl for impl in REGISTRY.all() if impl.name in selected]
        )
        self.written = self._write()
        report_files.publish_summary(self.written.summary)
        if self.config.getoption("update_baseline"):
            self._update_baseline()

    def _update_baseline(self) -> None:
        baseline = self.config.stash.get(BASELINE_KEY, None) or load_baseline(self.config)
        outcomes = {
            Cell(c.case, c.server or "", c.client or "", c.transport): c.outcome
            for c in self.cells.values()
        }
        expectations.rewrite(expectations_dir(self.config), baseline, outcomes, _rfc)

    # The outermost wrapper: the table comes last, after pytest's short test summary.
    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_terminal_summary(
        self, terminalreporter: pytest.TerminalReporter
    ) -> Generator[None, None, None]:
        yield
        if self.written is None:
            return
        document = results.document(self.run, list(self.cells.values()))
        terminalreporter.write_sep("-", "http-interop")
        for line in scores.terminal_table(document):
            terminalreporter.write_line(line)
        for path in (self.written.results, self.written.html, self.written.summary):
            terminalreporter.write_line(f"wrote {path}")
        if self.config.getoption("update_baseline"):
            terminalreporter.write_line(f"baseline updated in {expectations_dir(self.config)}")


def pytest_configure(config: pytest.Config) -> None:
    # Only the controller records: an xdist worker (it has workerinput) sends its reports
    # there.
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(ResultsRecorder(config), "http-interop-results")
