"""The pytest plugin: selection options, the cell matrix, baselines as xfail, results.json.

Works the same serially and under pytest-xdist: every worker attaches a cell's metadata to
its reports as ``user_properties``, and only the controller (which receives every report)
records cells and writes the results file.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from harness import expectations, results
from harness.cases import CATALOGUE, Case, CheckFailed, case_of
from harness.expectations import Baseline, Cell, Deviation, ExpectationError
from harness.model import TRANSPORTS, Pairing
from harness.registry import REGISTRY, Kind, UnknownImplementation
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
        "--results",
        metavar="FILE",
        help="where to write the results JSON (default: reports/results.json)",
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


def pytest_configure(config: pytest.Config) -> None:
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
        missing = _missing_capability(case, pairing)
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
                    strict=True,
                    reason=f"known deviation of {deviation.implementation}: {deviation.reason}",
                )
            )


def _missing_capability(case: Case, pairing: Pairing) -> str | None:
    for name, kind in ((pairing.server, Kind.SERVER), (pairing.client, Kind.CLIENT)):
        if name is None:
            continue
        impl = REGISTRY.get(kind, name)
        for capability in case.requires:
            if capability in impl.lacks:
                return f"not applicable: {name} cannot do {capability}: {impl.lacks[capability]}"
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
    """Collects every cell's outcome on the controller and writes the results file."""

    def __init__(self, config: pytest.Config, implementation_names: list[str]) -> None:
        self.config = config
        self.started = time.monotonic()
        self.run = results.RunInfo(started=results.now_iso(), command=results.command_line())
        self.implementation_names = implementation_names
        self.cells: dict[str, CellResult] = {}
        self.path: Path | None = None

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
        cell.duration_s = round(cell.duration_s + report.duration, 4)
        for key, value in report.user_properties:
            if key == "observed" and str(value) not in cell.observed:
                cell.observed.append(str(value))
            elif key == INSECURE_PROPERTY:
                cell.insecure = True
        outcome, message = _phase_outcome(report, props)
        if outcome is not None and _SEVERITY[outcome] >= _SEVERITY[cell.outcome]:
            cell.outcome = outcome
            cell.message = message or cell.message

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if not self.cells:
            return
        self.run.duration_s = round(time.monotonic() - self.started, 3)
        self.run.git_commit = results.git_commit(_root(self.config))
        self.run.workers = getattr(self.config.option, "numprocesses", 0) or 0
        self.run.implementations = results.describe(
            [impl for impl in REGISTRY.all() if impl.name in self.implementation_names]
        )
        option = self.config.getoption("results")
        self.path = Path(option) if option else _root(self.config) / "reports" / "results.json"
        results.write(self.path, self.run, list(self.cells.values()))
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
        counts: dict[str, int] = {}
        for cell in self.cells.values():
            counts[cell.outcome] = counts.get(cell.outcome, 0) + 1
        summary = ", ".join(f"{counts[o]} {o}" for o in _SEVERITY if o in counts)
        terminalreporter.write_sep("-", "http-interop")
        terminalreporter.write_line(f"{len(self.cells)} cells: {summary}")
        terminalreporter.write_line(f"results: {self.path}")
        if self.config.getoption("update_baseline"):
            terminalreporter.write_line(f"baseline updated in {_expectations_dir(self.config)}")


_CELL_KEYS = ("case", "suite", "rfc", "level", "requirement", "server", "client", "transport")
# When phases disagree, the worst one names the cell.
_SEVERITY = {
    Outcome.PASS: 0,
    Outcome.SKIP: 1,
    Outcome.KNOWN: 2,
    Outcome.FIXED: 3,
    Outcome.FAIL: 4,
    Outcome.ERROR: 5,
}


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
