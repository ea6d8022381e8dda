"""What each cell is expected to do, and what its report says.

A cell runs, skips as not applicable (an implementation lacks what its case requires, or
cannot run here: the registry says why), or is a known deviation of an expectation file
(harness/expectations.py), run as an xfail. Its report carries the failure message, and a
strict xfail that passed says "fixed: update the baseline", except a client's deviation
passed with a server that is not a reference for the case (the registry marks reference
servers; its own file must not list the case): that server may have hidden the deviation, so
the cell stays known, its message saying "masked". A cell that passed in a way the
RFC advises against (it recorded the ``warn`` property) is "warned" in the terminal.

A server that could not start makes its cells errors, never anything else: each says so in
one line (no traceback), and the terminal summary names each such server once.
"""

from __future__ import annotations

import collections
import functools
import json
from collections.abc import Generator

import pytest

from harness import blame, deadlines, results
from harness.cases import CATALOGUE, Case, CheckFailed
from harness.cells import Conversation
from harness.expectations import Baseline, Cell, Deviation, ExpectationError
from harness.implementation import Capability, Kind
from harness.launcher import LaunchError, ServerExited, ServerProcess
from harness.model import Pairing
from harness.plugin import properties
from harness.plugin.options import cell_of, expectations_dir
from harness.registry import REGISTRY
from harness.results import Blame

BASELINE_KEY = pytest.StashKey[Baseline]()
DEVIATION_KEY = pytest.StashKey[Deviation]()
VERDICT_KEY = pytest.StashKey[blame.Verdict]()
EXITED_KEY = pytest.StashKey[ServerExited]()  # the cell's server, gone during the cell
SERVER_KEY = pytest.StashKey[ServerProcess]()  # the server process a cell talks to (fixtures)


def load_baseline(config: pytest.Config) -> Baseline:
    """The expectation files of the run (``--expectations``); a malformed one is a usage
    error naming its file and line."""
    loaded_suites = CATALOGUE.suites()

    def known_case(case_id: str) -> bool:
        # A case of a suite that was not imported in this run cannot be checked here.
        return CATALOGUE.get(case_id) is not None or case_id.split(".")[0] not in loaded_suites

    try:
        return Baseline.load(
            expectations_dir(config),
            known_implementations=[impl.name for impl in REGISTRY.all()],
            known_case=known_case,
        )
    except ExpectationError as exc:
        raise pytest.UsageError(f"malformed expectation file: {exc}") from None


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


def _deviation_json(deviation: Deviation) -> str:
    return json.dumps(
        {
            "implementation": deviation.implementation,
            "reason": deviation.reason,
            "rfc": deviation.rfc,
            "evidence": deviation.evidence,
            "source": deviation.source,
        }
    )


# tryfirst: the suite markers must be on the items before `-m` deselects by them.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    baseline = load_baseline(config)
    config.stash[BASELINE_KEY] = baseline
    for item in items:
        found = cell_of(item)
        if found is None:
            continue
        case, pairing = found.case, found.pairing
        item.add_marker(getattr(pytest.mark, case.suite))
        item.user_properties += properties.of_cell(case, pairing)
        missing = _not_applicable(case, pairing)
        if missing:
            item.add_marker(pytest.mark.skip(reason=missing))
            continue
        cell = Cell(case.id, pairing.server or "", pairing.client or "", pairing.transport)
        deviation = baseline.match(cell)
        if deviation is not None:
            item.stash[DEVIATION_KEY] = deviation
            item.user_properties.append((properties.DEVIATION, _deviation_json(deviation)))
            item.add_marker(
                pytest.mark.xfail(
                    strict=not deviation.intermittent,
                    reason=f"known deviation of {deviation.implementation}: {deviation.reason}",
                )
            )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """A cell that failed because its server exited during it: the server's, with its exit
    status and stderr. An interop cell that failed with no listed deviation: which side the
    evidence points to (harness/blame.py), for the report to say."""
    if VERDICT_KEY in item.stash:  # a repeated cell: this run's verdict only
        del item.stash[VERDICT_KEY]
    if EXITED_KEY in item.stash:
        del item.stash[EXITED_KEY]
    try:
        return (yield)
    except pytest.skip.Exception:
        raise
    except Exception:
        found = cell_of(item)
        exited = _server_exit(item)
        if exited is not None:
            item.stash[EXITED_KEY] = exited
            item.stash[VERDICT_KEY] = blame.Verdict(Blame.SERVER, "it exited during the cell")
            raise
        conversation = getattr(item, "funcargs", {}).get("interop")
        unlisted = DEVIATION_KEY not in item.stash
        if found and found.pairing.server and isinstance(conversation, Conversation) and unlisted:
            server = REGISTRY.get(Kind.SERVER, found.pairing.server)
            echoes = server.cannot(Capability.ECHOES_FRAMING) is None
            item.stash[VERDICT_KEY] = blame.judge(conversation, echoes)
        raise


def _server_exit(item: pytest.Item) -> ServerExited | None:
    """Why the cell's server is gone, if it exited during the cell (a crashing server closes
    its connections a moment before its exit shows: it gets ``SERVER_EXIT_WAIT``)."""
    server = item.stash.get(SERVER_KEY, None)
    return server.exit_failure(deadlines.SERVER_EXIT_WAIT) if server is not None else None


def _masking_server(item: pytest.Item, deviation: Deviation) -> str | None:
    """The server of an interop cell that may have hidden its client's listed deviation:
    one not marked as a reference in the registry, or whose own file lists the case (a
    server that deviates there too may undo the client's deviation). None where the pass
    is the client's own: no server in the cell, the deviation is the server's, or the
    server is a reference for the case."""
    found = cell_of(item)
    if found is None or found.pairing.server is None:
        return None
    server = found.pairing.server
    if deviation.implementation != found.pairing.client:
        return None
    baseline = item.config.stash[BASELINE_KEY]
    reference = REGISTRY.get(Kind.SERVER, server).reference
    return None if reference and not baseline.lists(server, deviation.case) else server


def _judge_pass(item: pytest.Item, report: pytest.TestReport, deviation: Deviation) -> None:
    """A strict xfail that passed: fixed, or still known where a server may have masked it."""
    masking = _masking_server(item, deviation)
    if masking is not None:
        # A client's deviation that passed only because the server hid it: still known.
        text = (
            f"masked: {deviation.source} lists {deviation.case!r} as a known deviation of "
            f"{deviation.implementation} ({deviation.reason}); this cell passed with "
            f"{masking}, which is not a reference server for the case, so the pass shows "
            "nothing about the client: the entry stays (judged against the scripted or a "
            "reference server only)"
        )
        report.outcome = "skipped"
        report.wasxfail = text
        report.longrepr = None
        report.user_properties.append((properties.MESSAGE, text))
    else:
        # A strict xfail that passed: say plainly what to do about it.
        report.longrepr = (
            f"fixed: update the baseline. {deviation.source} lists {deviation.case!r} as a "
            f"known deviation of {deviation.implementation} ({deviation.reason}), "
            "but this cell passed. Remove the entry, or run with --update-baseline."
        )
        report.user_properties.append((properties.FIXED, "1"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    deviation = item.stash.get(DEVIATION_KEY, None)
    exited = item.stash.get(EXITED_KEY, None) if report.when == "call" else None
    broke = report.when == "setup" and call.excinfo is not None
    if hasattr(report, "wasxfail") and (broke or exited is not None):
        # The cell never ran its case, or its server exited during it, so a deviation listed
        # for the case cannot explain it: a setup that broke is an error, a crash a failure,
        # never a known deviation (pytest's xfail mark would turn it into XFAIL).
        report.outcome = "failed"
        del report.wasxfail
    if call.excinfo is not None and isinstance(call.excinfo.value, LaunchError):
        # Its one line, not the traceback: every cell of that server would repeat it.
        line = call.excinfo.value.line
        report.longrepr = line
        report.user_properties.append((properties.START_FAILURE, line))
    # A strict xfail whose call passed: pytest made it a failure.
    strict_pass = report.when == "call" and report.failed and call.excinfo is None
    if strict_pass and deviation is not None:
        _judge_pass(item, report, deviation)
    if call.excinfo is not None and not call.excinfo.errisinstance(pytest.skip.Exception):
        value = call.excinfo.value
        text = (
            str(value) if isinstance(value, CheckFailed | LaunchError) else call.excinfo.exconly()
        )
        if exited is not None:
            text += "\n" + str(exited)
            report.sections.append(("server exited", str(exited)))
        verdict = item.stash.get(VERDICT_KEY, None) if report.when == "call" else None
        if verdict is not None:
            text += "\n" + verdict.line()
            report.sections.append(("blame", verdict.line()))
            report.user_properties.append((properties.BLAME, str(verdict.side)))
        report.user_properties.append((properties.MESSAGE, results.truncate(text)))
    return report


def pytest_report_teststatus(
    report: pytest.TestReport, config: pytest.Config
) -> tuple[str, str, tuple[str, dict[str, bool]]] | None:
    """A pass the RFC advises against is its own category: "W", "WARN", "N warned"."""
    # A collection report (a module that failed to import) has no user properties.
    warned = any(key == properties.WARN for key, _ in getattr(report, "user_properties", ()))
    if report.when == "call" and report.passed and warned and not hasattr(report, "wasxfail"):
        return "warned", "W", ("WARN", {"yellow": True})
    return None


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Each server that could not start, once, with the number of its cells in error."""
    lines = collections.Counter(
        str(value)
        for report in terminalreporter.stats.get("error", [])
        for key, value in getattr(report, "user_properties", ())
        if key == properties.START_FAILURE
    )
    if lines:
        terminalreporter.section("servers that did not start or answer", sep="=", red=True)
        for line, cells in lines.items():
            terminalreporter.write_line(f"{line} ({cells} cell{'s' if cells > 1 else ''}: error)")
