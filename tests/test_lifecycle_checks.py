"""Self-tests of suites/test_lifecycle.py: each check fails on a server broken in the way it
checks and passes on a correct one.

lifecycle.health runs against tests/broken_server.py's reference and a scripted server that
answers 404; lifecycle.shutdown.graceful against tests/broken_shutdown_server.py, a fresh
process per run (the check stops it), held to a documentation written for the run.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.cases import CheckFailed, case_of
from harness.cells import OwnServer
from harness.launcher import ServerProcess, launch
from harness.probe import ServerProbe
from harness.report.shutdown_table import DOCUMENTED, shutdown_rows
from harness.scripted import Close, ScriptedServer, Send
from harness.shutdown import Arrival, Shutdown
from suites import test_lifecycle as lifecycle
from suites.shutdown_documented import DocumentedShutdown

BROKEN_SHUTDOWN = Path(__file__).with_name("broken_shutdown_server.py")

DRAINS = DocumentedShutdown(2.0, True, "the broken server's documentation: drains for 2 s")
# lifecycle.shutdown.graceful: the defect, the shutdown the server is said to document, and
# whether the check must pass.
SHUTDOWN_RUNS: list[tuple[str, DocumentedShutdown, bool]] = [
    ("none", DRAINS, True),
    ("cut-off", DRAINS, False),  # the request in flight is cut off
    ("accepts-late", DRAINS, False),  # a new connection is accepted and left unanswered
    # It documents no refusal, and its exit (after ACCEPTS_LATE s) is within 2 s + 1 s...
    ("accepts-late", DocumentedShutdown(2.0, False, "keeps accepting"), True),
    # ...but not within 0.5 s + 1 s.
    ("accepts-late", DocumentedShutdown(0.5, False, "exits within 0.5 s"), False),
]
NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 10\r\n\r\nnot found\n"


def test_every_lifecycle_case_has_a_breaking_defect_and_a_pass() -> None:
    checks = {case_of(obj) for obj in vars(lifecycle).values() if callable(obj) and case_of(obj)}
    assert checks == {lifecycle.HEALTH, lifecycle.GRACEFUL}, "a new case needs its self-test"
    assert {passes for _, _, passes in SHUTDOWN_RUNS} == {True, False}


def test_health_passes_on_the_reference_server(
    broken_server: Callable[..., ServerProcess],
) -> None:
    lifecycle.test_health(ServerProbe(broken_server("none").target))


def test_health_fails_on_a_server_without_it() -> None:
    failure = r"expected the status 200 \(RFC 9110 §15.3.1\)"
    with (
        ScriptedServer([Send(NOT_FOUND), Close()]) as server,
        pytest.raises(CheckFailed, match=failure),
    ):
        lifecycle.test_health(ServerProbe(server.target))


@pytest.mark.parametrize(("defect", "documented", "passes"), SHUTDOWN_RUNS)
def test_graceful_shutdown_check(defect: str, documented: DocumentedShutdown, passes: bool) -> None:
    process = launch(defect, [sys.executable, str(BROKEN_SHUTDOWN), defect])
    observed: list[str] = []
    try:
        cell = OwnServer(process)
        if passes:
            lifecycle.watch_shutdown(cell, documented, lambda _key, value: observed.append(value))
        else:
            with pytest.raises(CheckFailed) as failure:
                lifecycle.watch_shutdown(cell, documented, lambda _k, value: observed.append(value))
            assert f"({lifecycle.GRACEFUL.rfc})" in str(failure.value)
    finally:
        process.stop()
    assert len(observed) == 4 and observed[3].startswith(DOCUMENTED)
    assert cell.seen == observed[:3], "the transcript holds what was observed"


def test_an_undocumented_server_is_observed_only() -> None:
    process = launch("cut-off", [sys.executable, str(BROKEN_SHUTDOWN), "cut-off"])
    observed: list[str] = []
    try:
        with pytest.raises(pytest.skip.Exception, match="observed only"):
            lifecycle.watch_shutdown(OwnServer(process), None, lambda _k, v: observed.append(v))
    finally:
        process.stop()
    assert observed[0].startswith("in-flight request: cut off")


def test_the_table_reads_what_the_check_recorded() -> None:
    seen = Shutdown(10, True, Arrival.REFUSED, None, 1.2, 0)
    documented = f"{DOCUMENTED}{DRAINS.describe()}: {DRAINS.source}"
    cells = [
        {
            "case": lifecycle.GRACEFUL.id,
            "server": "b",
            "transport": "http",
            "observed": [*seen.lines(), documented],
            "outcome": "pass",
        },
        {
            "case": lifecycle.GRACEFUL.id,
            "server": "a",
            "transport": "http",
            "observed": Shutdown(3, False, Arrival.UNANSWERED, None, None, None).lines(),
            "outcome": "skip",
        },
        {"case": "other.case", "server": "a", "transport": "http", "observed": ["x"]},
    ]
    rows = shutdown_rows(cells, ["a", "b"])
    assert [(row.server, row.in_flight, row.new_connection) for row in rows] == [
        ("a", "cut off after 3 of 10 body bytes", "unanswered"),
        ("b", "completed", "refused"),
    ]
    assert rows[0].documented == "-" and rows[1].documented == DRAINS.describe()
    assert rows[1].exit == "exited 1.2 s after SIGTERM with status 0"
