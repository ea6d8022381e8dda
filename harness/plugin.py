"""The pytest plugin: selection options, the cell matrix, baselines as xfail, results.json.

Works the same serially and under pytest-xdist: every worker attaches a cell's metadata to
its reports as ``user_properties``, and only the controller (which receives every report)
records cells and writes the results file.
"""

from __future__ import annotations

import argparse
import functools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# pytest has no public way to run an item's protocol again (pytest-rerunfailures and
# pytest-repeat's peers import it the same way).
from _pytest.runner import runtestprotocol

from harness import expectations, extensions, results, transcript
from harness.cases import CATALOGUE, Case, CheckFailed, case_of
from harness.expectations import Baseline, Cell, Deviation, ExpectationError
from harness.model import TRANSPORTS, Pairing
from harness.registry import REGISTRY, Capability, Kind, UnknownImplementation
from harness.report import files as report_files
from harness.report import scores
from harness.results import CellResult, Outcome

DEVIATION_KEY = pytest.StashKey[Deviation]()
PAIRINGS_KEY = pytest.StashKey[dict[str, list[Pairing]]]()
# The fixtures a cell can take, each with the sides of the pairing it needs and the
# transports it runs over.
CELL_FIXTURES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "interop": (("server", "client"), TRANSPORTS),  # a real server and a real client
    "server_probe": (("server",), TRANSPORTS),  # the raw probe client against each server
    "scripted_client": (("client",), TRANSPORTS),  # each client against a scripted server
    "tls_client": (("client",), ("https",)),  # each client against the certificate zoo
    "tls_server": (("server",), ("https",)),  # each HTTPS server's TLS set-up
}
INSECURE_PROPERTY = "insecure"  # a cell run with certificate verification disabled
BASELINE_KEY = pytest.StashKey[Baseline]()
FIXED_PROPERTY = "fixed_deviation"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("http-interop", "HTTP interop conformance")
    group.addoption(
        "--server",
        action="append",
        metavar="NAME",
        help="server implementation to run (repeatable; default: every built-in server)",
    )
    group.addoption(
        "--client",
        action="append",
        metavar="NAME",
        help="client implementation to run (repeatable; default: every built-in client)",
    )
    group.addoption(
        "--transport",
        action="append",
        choices=TRANSPORTS,
        help="http or https (repeatable; default: both)",
    )
    group.addoption(
        "--expectations",
        metavar="DIR",
        help="folder of <implementation>.toml expectation files (default: suites/expectations)",
    )
    group.addoption(
        "--update-baseline",
        action="store_true",
        help="rewrite the expectation files from this run's results",
    )
    group.addoption(
        "--impls",
        action="append",
        metavar="FILE",
        help="a TOML file of implementations run as commands (repeatable; "
        f"{extensions.DEFAULT_FILE} at the root is always read; "
        "docs/adding-an-implementation.md)",
    )
    group.addoption(
        "--server-cmd",
        action="append",
        metavar="NAME=COMMAND",
        help="add a server run as COMMAND, a template with {host} and {port} that prints "
        "LISTENING <host> <port> when ready (repeatable; plain HTTP only)",
    )
    group.addoption(
        "--client-cmd",
        action="append",
        metavar="NAME=COMMAND",
        help="add a client run as COMMAND: it reads a request as JSON on stdin and prints "
        "the exchange as JSON (repeatable; docs/contract.md)",
    )
    group.addoption(
        "--results",
        metavar="FILE",
        help="where to write the results JSON (default: reports/results.json); the HTML "
        "report and summary are written beside it (conformance.html and summary.md, or named "
        "after FILE: results-x.json gets conformance-x.html and summary-x.md)",
    )
    group.addoption(
        "--repeat",
        metavar="N",
        type=_repeat_count,
        default=1,
        help="run every selected cell N times; cells whose outcome varied are marked flaky",
    )


def _selected(config: pytest.Config, option: str, kind: Kind) -> list[str]:
    names = config.getoption(option) or REGISTRY.names(kind)
    for name in names:
        try:
            REGISTRY.get(kind, name)
        except UnknownImplementation as exc:
            raise pytest.UsageError(f"--{option}: {exc}") from None
    return list(dict.fromkeys(names))


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _register_extensions(config: pytest.Config) -> None:
    """Entry points, implementation files and --server-cmd/--client-cmd, into the registry
    (on the controller and on every xdist worker alike: they get the same options)."""
    files = [Path(path) for path in config.getoption("impls") or []]
    default = _root(config) / extensions.DEFAULT_FILE
    if default.is_file():
        files.insert(0, default)
    options = {
        Kind.SERVER: config.getoption("server_cmd") or [],
        Kind.CLIENT: config.getoption("client_cmd") or [],
    }
    try:
        extensions.register_all(REGISTRY, files, options)
    except extensions.ExtensionError as exc:
        raise pytest.UsageError(str(exc)) from None


def pytest_configure(config: pytest.Config) -> None:
    _register_extensions(config)
    servers = _selected(config, "server", Kind.SERVER)
    clients = _selected(config, "client", Kind.CLIENT)
    transports = list(dict.fromkeys(config.getoption("transport") or TRANSPORTS))
    config.stash[PAIRINGS_KEY] = {
        fixture: [
            Pairing(server if "server" in sides else None, client, transport)
            for server in (servers if "server" in sides else [None])
            for client in (clients if "client" in sides else [None])
            for transport in transports
            if transport in fixture_transports
        ]
        for fixture, (sides, fixture_transports) in CELL_FIXTURES.items()
    }
    if not _is_worker(config):
        config.pluginmanager.register(
            ResultsRecorder(config, servers + clients), "http-interop-results"
        )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    for fixture, pairings in metafunc.config.stash[PAIRINGS_KEY].items():
        if fixture in metafunc.fixturenames:
            metafunc.parametrize(fixture, pairings, indirect=True, ids=[p.id for p in pairings])


def _root(config: pytest.Config) -> Path:
    return Path(config.rootpath)


def _expectations_dir(config: pytest.Config) -> Path:
    option = config.getoption("expectations")
    return Path(option) if option else _root(config) / "suites" / "expectations"


def _load_baseline(config: pytest.Config) -> Baseline:
    loaded_suites = CATALOGUE.suites()

    def known_case(case_id: str) -> bool:
        # A case of a suite that was not imported in this run cannot be checked here.
        return CATALOGUE.get(case_id) is not None or case_id.split(".")[0] not in loaded_suites

    try:
        return Baseline.load(
            _expectations_dir(config),
            known_implementations=[impl.name for impl in REGISTRY.all()],
            known_case=known_case,
        )
    except ExpectationError as exc:
        raise pytest.UsageError(f"malformed expectation file: {exc}") from None


def _cell(item: pytest.Item) -> tuple[Case, Pairing] | None:
    """The case and pairing of a cell. The case is the test function's (its decorator) or,
    for a test parametrized over several cases, the Case among its parameters."""
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return None
    case = case_of(getattr(item, "function", None)) or next(
        (value for value in callspec.params.values() if isinstance(value, Case)), None
    )
    if case is None:
        return None
    for fixture in CELL_FIXTURES:
        if fixture in callspec.params:
            return case, callspec.params[fixture]
    return None


# tryfirst: the suite markers must be on the items before `-m` deselects by them.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    baseline = _load_baseline(config)
    config.stash[BASELINE_KEY] = baseline
    for item in items:
        found = _cell(item)
        if found is None:
            continue
        case, pairing = found
        item.add_marker(getattr(pytest.mark, case.suite))
        item.user_properties += [
            ("case", case.id),
            ("suite", case.suite),
            ("rfc", case.rfc),
            ("level", str(case.level)),
            ("requirement", case.requirement),
            ("server", pairing.server or ""),
            ("client", pairing.client or ""),
            ("transport", pairing.transport),
        ]
        missing = _not_applicable(case, pairing)
        if missing:
            item.add_marker(pytest.mark.skip(reason=missing))
            continue
        cell = Cell(case.id, pairing.server or "", pairing.client or "", pairing.transport)
        deviation = baseline.match(cell)
        if deviation is not None:
            item.stash[DEVIATION_KEY] = deviation
            item.user_properties.append(
                (
                    "deviation",
                    json.dumps(
                        {
                            "implementation": deviation.implementation,
                            "reason": deviation.reason,
                            "rfc": deviation.rfc,
                            "evidence": deviation.evidence,
                            "source": deviation.source,
                        }
                    ),
                )
            )
            item.add_marker(
                pytest.mark.xfail(
                    strict=not deviation.intermittent,
                    reason=f"known deviation of {deviation.implementation}: {deviation.reason}",
                )
            )


@functools.cache
def _unavailable(kind: Kind, name: str) -> str | None:
    return REGISTRY.get(kind, name).unavailable()


def _required(case: Case, kind: Kind) -> tuple[Capability, ...]:
    """The capabilities a case needs of one side of its cell: a server also serves the
    behaviour contract's endpoints, unless the case uses none of them."""
    if kind is Kind.SERVER and case.uses_contract:
        return (Capability.CONTRACT_ENDPOINTS, *case.requires)
    return case.requires


def _not_applicable(case: Case, pairing: Pairing) -> str | None:
    """Why the cell cannot run: an implementation lacks a capability the case requires,
    or cannot run on this machine."""
    for name, kind in ((pairing.server, Kind.SERVER), (pairing.client, Kind.CLIENT)):
        if name is None:
            continue
        impl = REGISTRY.get(kind, name)
        for capability in _required(case, kind):
            reason = impl.cannot(capability)
            if reason:
                return f"not applicable: {name} cannot do {capability}: {reason}"
        unavailable = _unavailable(kind, name)
        if unavailable:
            return f"not applicable here: {unavailable}"
        if kind is Kind.SERVER and pairing.transport == "https" and impl.https_unsupported():
            return f"not applicable: {impl.https_unsupported()}"
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    report: pytest.TestReport = yield
    deviation = item.stash.get(DEVIATION_KEY, None)
    if report.when == "call" and deviation is not None and report.failed and call.excinfo is None:
        # A strict xfail that passed: say plainly what to do about it.
        report.longrepr = (
            f"fixed: update the baseline. {deviation.source} lists {deviation.case!r} as a "
            f"known deviation of {deviation.implementation} ({deviation.reason}), "
            "but this cell passed. Remove the entry, or run with --update-baseline."
        )
        report.user_properties.append((FIXED_PROPERTY, "1"))
    if call.excinfo is not None and not call.excinfo.errisinstance(pytest.skip.Exception):
        value = call.excinfo.value
        text = str(value) if isinstance(value, CheckFailed) else call.excinfo.exconly()
        report.user_properties.append(("message", results.truncate(text)))
    return report


class ResultsRecorder:
    """Collects every cell's outcome on the controller and writes the results file, the HTML
    report and the summary next to it."""

    def __init__(self, config: pytest.Config, implementation_names: list[str]) -> None:
        self.config = config
        self.started = time.monotonic()
        self.run = results.RunInfo(started=results.now_iso(), command=results.command_line())
        self.implementation_names = implementation_names
        self.cells: dict[str, CellResult] = {}
        self.runs: dict[str, list[_Run]] = {}  # every run of a cell (more than one: --repeat)
        self.path: Path | None = None
        self.written: list[Path] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = dict(report.user_properties)
        if "case" not in props:
            return
        cell = self.cells.get(report.nodeid)
        if cell is None:
            cell = self.cells[report.nodeid] = CellResult(
                nodeid=report.nodeid,
                **{key: props[key] or None for key in _CELL_KEYS},
                deviation=json.loads(props["deviation"]) if "deviation" in props else None,
            )
        runs = self.runs.setdefault(report.nodeid, [])
        if report.when == "setup" or not runs:
            runs.append(_Run())
        run = runs[-1]
        cell.duration_s = round(cell.duration_s + report.duration, 4)
        for key, value in report.user_properties:
            if key == "observed" and str(value) not in cell.observed:
                cell.observed.append(str(value))
            elif key == INSECURE_PROPERTY:
                cell.insecure = True
        run.transcript = props.get(TRANSCRIPT_PROPERTY, run.transcript)
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

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if not self.cells:
            return
        self._settle()
        self.run.duration_s = round(time.monotonic() - self.started, 3)
        self.run.git_commit = results.git_commit(_root(self.config))
        self.run.workers = getattr(self.config.option, "numprocesses", 0) or 0
        self.run.implementations = results.describe(
            [impl for impl in REGISTRY.all() if impl.name in self.implementation_names]
        )
        option = self.config.getoption("results")
        self.path = Path(option) if option else _root(self.config) / "reports" / "results.json"
        document = results.document(self.run, list(self.cells.values()))
        results.write(self.path, document)
        self.written = report_files.write(document, self.path)
        report_files.publish_summary(self.written[1])
        if self.config.getoption("update_baseline"):
            self._update_baseline()

    def _update_baseline(self) -> None:
        baseline = self.config.stash.get(BASELINE_KEY, None) or _load_baseline(self.config)
        outcomes = {
            Cell(c.case, c.server or "", c.client or "", c.transport): c.outcome
            for c in self.cells.values()
        }
        directory = _expectations_dir(self.config)
        directory.mkdir(parents=True, exist_ok=True)
        files = expectations.updated(baseline, outcomes, lambda case_id: CATALOGUE.get(case_id).rfc)
        for name in {d.implementation for d in baseline.deviations} | set(files):
            path = directory / f"{name}.toml"
            if files.get(name):
                path.write_text(expectations.render(files[name]), encoding="utf-8")
            elif path.exists():
                path.unlink()

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.path is None:
            return
        document = results.document(self.run, list(self.cells.values()))
        terminalreporter.write_sep("-", "http-interop")
        for line in scores.terminal_table(document):
            terminalreporter.write_line(line)
        for path in [self.path, *self.written]:
            terminalreporter.write_line(f"wrote {path}")
        if self.config.getoption("update_baseline"):
            terminalreporter.write_line(f"baseline updated in {_expectations_dir(self.config)}")


TRANSCRIPT_PROPERTY = "transcript"


@dataclass
class _Run:
    """One run of a cell: its worst phase's outcome, message and transcript."""

    outcome: str = Outcome.PASS
    message: str = ""
    transcript: str = ""


_CELL_KEYS = ("case", "suite", "rfc", "level", "requirement", "server", "client", "transport")


def _phase_outcome(report: pytest.TestReport, props: dict[str, str]) -> tuple[str | None, str]:
    message = props.get("message", "")
    if report.skipped:
        if hasattr(report, "wasxfail"):
            return Outcome.KNOWN, message
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        return Outcome.SKIP, reason.removeprefix("Skipped: ")
    if report.when == "call":
        if report.passed:
            return Outcome.PASS, ""
        if FIXED_PROPERTY in props:
            return Outcome.FIXED, str(report.longrepr)
        return Outcome.FAIL, message or report.longreprtext
    if report.failed:  # setup or teardown broke: not a verdict on the implementation
        return Outcome.ERROR, message or report.longreprtext
    return None, ""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Attach the transcript of a cell whose check raised (a skip is no check)."""
    # A repeated cell keeps only its latest run's transcript.
    item.user_properties[:] = [p for p in item.user_properties if p[0] != TRANSCRIPT_PROPERTY]
    try:
        return (yield)
    except pytest.skip.Exception:
        raise
    except BaseException:
        text = next(filter(None, map(transcript.of, getattr(item, "funcargs", {}).values())), "")
        if text:
            item.user_properties.append((TRANSCRIPT_PROPERTY, text))
        raise


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
    """--repeat N: run each test N times in a row (its function-scoped fixtures afresh each
    time), so that the results mark the cells whose outcome varied as flaky."""
    count = item.config.getoption("repeat")
    if count == 1:
        return None  # pytest's own protocol
    item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    for number in range(count):
        # Until the last run, "next" is the item's parent: teardown then stops there, so the
        # item's own fixtures end (and the next run sets them up afresh) while the module's
        # and the session's, such as the running servers, stay up.
        between = nextitem if number == count - 1 else item.parent
        runtestprotocol(item, nextitem=between, log=True)
    item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return True


def _repeat_count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of runs, 1 or more, got {text!r}"
        )
    return count
