"""The results file and the reports beside it: the controller records every cell's
reports and writes them at the session's end (and the expectation files, with
``--update-baseline``).

Every report says what the run selected and whether it ran to its end, and the files of one
run are written together (results, HTML, summary, JUnit XML), so a folder never holds the
reports of two runs.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import time
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# pytest's own JUnit writer, registered here (rather than by --junitxml) so that a run
# writes junit.xml beside its results file only when it recorded cells.
from _pytest.junitxml import LogXML

from harness import expectations, results
from harness.cases import CATALOGUE
from harness.expectations import Cell
from harness.plugin import properties, settings
from harness.plugin.baseline import BASELINE_KEY, load_baseline
from harness.plugin.options import MATRIX_KEY, cell_of, expectations_dir, on_its_transports, root
from harness.registry import REGISTRY
from harness.report import files as report_files
from harness.report import scores
from harness.results import Blame, CellResult, Outcome


@dataclass
class _Run:
    """One run of a cell: its worst phase's outcome, message and transcript."""

    outcome: Outcome = Outcome.PASS
    message: str = ""
    transcript: str = ""
    blame: str = ""  # the side the evidence points to, where a property said


@dataclass(frozen=True)
class Written:
    """The files a run wrote."""

    results: Path
    html: Path
    summary: Path
    coverage: Path


# The counts a worker sends the controller (pytest-xdist's workeroutput), which does not
# collect under xdist.
SELECTION_OUTPUT = "http-interop-selection"


class SelectionCounter:
    """Counts the cells collected and deselected, where collection happens: on the
    controller of a serial run, on each worker of a parallel one (which tells the
    controller through ``workeroutput``)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.selected: int | None = None
        self.deselected: int | None = None

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        # Slow cells left out by default, and cells off their case's transports, are not part
        # of the default run: that run stays full.
        self.deselected = (self.deselected or 0) + sum(
            (cell := cell_of(i)) is not None
            and on_its_transports(cell)
            and not settings.slow_by_default(self.config, i)
            for i in items
        )

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.selected = sum(cell_of(item) is not None for item in session.items)
        self.deselected = self.deselected or 0
        workeroutput = getattr(self.config, "workeroutput", None)
        if workeroutput is not None:
            workeroutput[SELECTION_OUTPUT] = [self.selected, self.deselected]

    @pytest.hookimpl(optionalhook=True)  # an xdist hook: unknown when xdist is not loaded
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        """A worker's counts (every worker collects the same items: the first one tells)."""
        counts = getattr(node, "workeroutput", {}).get(SELECTION_OUTPUT)
        if counts is not None and self.selected is None:
            self.selected, self.deselected = counts


def _whole(path: str, config: pytest.Config) -> bool:
    """Whether a positional argument names a whole folder (or package) of suites rather
    than a module or a test in it."""
    if "::" in path:
        return False
    if (config.invocation_params.dir / path).exists():
        return not (config.invocation_params.dir / path).is_file()
    try:  # --pyargs: a package is whole, a module is not
        spec = importlib.util.find_spec(path)
    except (ImportError, ValueError):
        return False
    return spec is not None and spec.submodule_search_locations is not None


def selection(config: pytest.Config, counter: SelectionCounter) -> results.Selection:
    """The run's selection as given on the command line, with its counts."""
    paths = [str(path) for path in config.getoption("file_or_dir", None) or []]
    given = {
        name: [str(value) for value in config.getoption(name, None) or []]
        for name in results.SELECTING_OPTIONS
    }
    keyword = config.getoption("keyword", "") or ""
    markers = config.getoption("markexpr", "") or ""
    narrowed = any(given.values()) or keyword or markers or config.getoption("deselect", None)
    return results.Selection(
        paths=paths,
        keyword=keyword,
        markers=markers,
        **given,
        selected=counter.selected,
        deselected=counter.deselected,
        full=not narrowed
        and not counter.deselected
        and all(_whole(path, config) for path in paths),
        shard=str(config.getoption("shard", None) or ""),
    )


def _relative(text: str, config: pytest.Config) -> str:
    """``text`` without the running machine's folders: the expectation folder's and the
    checkout's paths become relative (a report travels; the machine's layout is noise)."""
    for folder in (expectations_dir(config), root(config)):
        text = text.replace(f"{folder.resolve()}/", "").replace(f"{folder}/", "")
    return text


def _phase_outcome(report: pytest.TestReport, props: dict[str, str]) -> tuple[Outcome | None, str]:
    message = props.get(properties.MESSAGE, "")
    if report.skipped:
        if hasattr(report, "wasxfail"):
            return Outcome.KNOWN, message
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        return Outcome.SKIP, reason.removeprefix("Skipped: ")
    if report.when == "call":
        if report.passed:
            # A pass the RFC advises against carries what the server did as its message.
            warning = props.get(properties.WARN)
            return (Outcome.WARN, warning) if warning else (Outcome.PASS, "")
        if properties.FIXED in props:
            return Outcome.FIXED, str(report.longrepr)
        return Outcome.FAIL, message or report.longreprtext
    if report.failed:  # setup or teardown broke: not a verdict on the implementation
        return Outcome.ERROR, message or report.longreprtext
    return None, ""


def _blame(cell: CellResult, evidence: str) -> str:
    """The side a cell's verdict is blamed on: a listed deviation's owner, the one side a
    probe or a scripted cell has, or what the evidence said ("" for a pass or a skip)."""
    if cell.outcome in (Outcome.PASS, Outcome.WARN, Outcome.SKIP):
        return ""
    if cell.deviation is not None and cell.outcome in (Outcome.KNOWN, Outcome.FIXED):
        owner = cell.deviation["implementation"]
        return Blame.SERVER if owner == cell.server else Blame.CLIENT
    if cell.client is None:
        return Blame.SERVER
    if cell.server is None:
        return Blame.CLIENT
    return evidence or Blame.UNKNOWN


def _rfc(case_id: str) -> str:
    case = CATALOGUE.get(case_id)
    if case is None:  # a cell of this run, so its case is in the catalogue
        raise LookupError(f"no case {case_id!r} in the catalogue")
    return case.rfc


class ResultsRecorder:
    """Collects every cell's outcome on the controller and writes the results file, the HTML
    report and the summary next to it."""

    def __init__(self, config: pytest.Config, counter: SelectionCounter) -> None:
        self.config = config
        self.counter = counter
        self.started = time.monotonic()
        self.run = results.RunInfo(started=results.now_iso(), command=results.command_line())
        self.cells: dict[str, CellResult] = {}
        self.runs: dict[str, list[_Run]] = {}  # every run of a cell (more than one: --repeat)
        self.written: Written | None = None
        self.interrupted: str | None = None
        self.results_path = self._results_path()
        self.junit: LogXML | None = None
        # pytest's JUnit writer makes the folder at session end; a run without cells removes
        # it again if this run made it (an unrelated project gets no reports/ folder).
        self.made_folder = not self.results_path.parent.exists()
        if config.option.xmlpath is None:
            self.junit = LogXML(
                str(self._partial(report_files.names(self.results_path).junit)),
                config.option.junitprefix,
                config.getini("junit_suite_name"),
                config.getini("junit_logging"),
                config.getini("junit_duration_report"),
                config.getini("junit_family"),
                config.getini("junit_log_passing_tests"),
            )
            config.pluginmanager.register(self.junit, "http-interop-junit")

    def _results_path(self) -> Path:
        option = self.config.getoption("results")
        return Path(option) if option else root(self.config) / "reports" / "results.json"

    @staticmethod
    def _partial(path: Path) -> Path:
        return path.with_name(path.name + ".partial")

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        # Ctrl-C, pytest.exit(), and pytest-xdist's -x/--maxfail all arrive here.
        self.interrupted = str(excinfo.value).strip() or "interrupted by the user (Ctrl-C)"

    def pytest_internalerror(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        self.interrupted = f"internal error: {excinfo.exconly().splitlines()[0]}"

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
                requirement_ids=props["requirement_ids"].split(),
                server=props["server"] or None,
                client=props["client"] or None,
                transport=props["transport"],
                deviation=self._deviation(props.get(properties.DEVIATION)),
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
            # A server that did not start is the server's; else what the evidence said.
            started = properties.START_FAILURE not in props
            run.blame = props.get(properties.BLAME, "") if started else Blame.SERVER

    def _deviation(self, text: str | None) -> results.DeviationRecord | None:
        if text is None:
            return None
        deviation: results.DeviationRecord = json.loads(text)
        deviation["source"] = _relative(deviation["source"], self.config)
        return deviation

    def _settle(self) -> None:
        """Each cell's outcome: its worst run's, with every run's outcome listed."""
        for nodeid, cell in self.cells.items():
            runs = self.runs[nodeid]
            worst = max(runs, key=lambda run: results.SEVERITY[run.outcome])
            cell.outcome = worst.outcome
            cell.message = results.truncate(_relative(worst.message, self.config))
            cell.outcomes = [str(run.outcome) for run in runs]
            cell.flaky = len(set(cell.outcomes)) > 1
            cell.blame = _blame(cell, worst.blame)
            # A transcript only where the check failed: a passing cell's is noise.
            failed = worst.outcome in (Outcome.FAIL, Outcome.ERROR, Outcome.KNOWN)
            cell.transcript = worst.transcript if failed else ""

    def _write(self) -> Written:
        """Write the results file, then the reports beside it (report/files.py)."""
        path = self.results_path
        document = results.document(self.run, list(self.cells.values()))
        results.write(path, document)
        html, summary, coverage = report_files.write(document, path)
        self._place_junit()
        return Written(path, html, summary, coverage)

    def _place_junit(self) -> None:
        """Move the JUnit XML pytest wrote (its sessionfinish ran before this one) beside
        the results file; pytest's terminal summary names it."""
        if self.junit is not None:
            final = report_files.names(self.results_path).junit
            self._partial(final).replace(final)
            self.junit.logfile = str(final)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if not self.cells:
            # No cell, no reports: the folder keeps the last run's files, all of one run.
            if self.junit is not None:
                Path(self.junit.logfile).unlink(missing_ok=True)
                self.config.pluginmanager.unregister(self.junit)  # nor a line naming it
                self.junit = None
            if self.made_folder and self.results_path.parent.exists():
                with contextlib.suppress(OSError):  # not empty: something else wrote there
                    self.results_path.parent.rmdir()
            return
        self._settle()
        stopped = session.shouldfail or session.shouldstop
        self.run.interrupted = self.interrupted or (str(stopped) if stopped else None)
        self.run.exit_status = int(exitstatus)
        self.run.selection = selection(self.config, self.counter)
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
        written = self.written
        for path in (written.results, written.html, written.summary, written.coverage):
            terminalreporter.write_line(f"wrote {path}")
        if self.config.getoption("update_baseline"):
            terminalreporter.write_line(f"baseline updated in {expectations_dir(self.config)}")


def pytest_configure(config: pytest.Config) -> None:
    counter = SelectionCounter(config)
    config.pluginmanager.register(counter, "http-interop-selection")
    # Only the controller records: an xdist worker (it has workerinput) sends its reports
    # there.
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(ResultsRecorder(config, counter), "http-interop-results")
