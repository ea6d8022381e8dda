"""Lifecycle suite: what a server promises beyond one response, its health check and its
graceful shutdown.

``GET /health`` is the behaviour contract's health check (docs/contract.md), answered by
every server: a server-probe cell, since what clients make of a 200 the other suites show.
The shutdown case starts the server for the cell alone (an ``own_server`` cell), sends
SIGTERM while a slow request is in flight and records what followed (harness/shutdown.py):
RFC 9112 §9.6 lets a server close "at any time", so the verdict is against the server's own
documentation (suites/shutdown_documented.py), and a server that documents nothing is
observed only.
"""

from __future__ import annotations

import pytest

from harness import contract
from harness.cases import Case, Level, RecordProperty
from harness.cells import OwnServer
from harness.model import Pairing
from harness.probe import ServerProbe
from harness.report.shutdown_table import DOCUMENTED
from harness.shutdown import DRIP_BYTES, Arrival, Shutdown, observe

from .shutdown_documented import SHUTDOWNS, DocumentedShutdown

# How much later than its documented grace a server's exit may come: the interpreter's own
# exit after the last connection closes. Not scaled, like KEEPALIVE_TOLERANCE: the grace
# itself grows on CI where the adapters set it.
EXIT_TOLERANCE = 1.0

HEALTH = Case(
    "lifecycle.health",
    "RFC 9110 §15.3.1",
    Level.MUST,
    "GET /health answers 200 with the contract's body ok\\n (docs/contract.md)",
    outside_index="the behaviour contract's health check, not an RFC sentence",
)


@HEALTH
def test_health(server_probe: ServerProbe) -> None:
    result = server_probe.send(server_probe.request("GET", "/health"))
    HEALTH.expect_that(
        len(result.final) == 1 and not result.malformed,
        "one well-formed response to GET /health",
        result.describe(),
    )
    HEALTH.expect("the status", 200, result.final[0].status)
    HEALTH.expect("the body", contract.HEALTH_BODY, result.final[0].body)


GRACEFUL = Case(
    "lifecycle.shutdown.graceful",
    "RFC 9112 §9.6",
    Level.MAY,
    "On SIGTERM, a request in flight completes, new connections are refused and the process "
    "exits in time, where the server documents so (observed: each of the three)",
    outside_index="a server's shutdown as its documentation states it; RFC 9112 §9.6 lets a "
    "server close a connection at any time",
)


@pytest.fixture
def documented_shutdown(request: pytest.FixtureRequest) -> DocumentedShutdown | None:
    """The shutdown the cell's server documents (suites/shutdown_documented.py), or None."""
    pairing: Pairing = request.node.callspec.params["own_server"]
    return SHUTDOWNS.get(pairing.server or "")


@GRACEFUL
def test_graceful_shutdown(
    own_server: OwnServer,
    documented_shutdown: DocumentedShutdown | None,
    record_property: RecordProperty,
) -> None:
    watch_shutdown(own_server, documented_shutdown, record_property)


def watch_shutdown(
    server: OwnServer, documented: DocumentedShutdown | None, record: RecordProperty
) -> None:
    """SIGTERM during GET /drip; what followed recorded and, where ``documented``, held to
    it."""
    seen = observe(server.process)
    server.seen.extend(seen.lines())
    for line in seen.lines():
        record("observed", line)
    if documented is None:
        pytest.skip("observed only: no documented shutdown known for this server")
    record("observed", f"{DOCUMENTED}{documented.describe()}: {documented.source}")
    _hold_to(documented, seen)


def _hold_to(documented: DocumentedShutdown, seen: Shutdown) -> None:
    GRACEFUL.expect_that(
        seen.completed,
        f"the request in flight completed ({documented.describe()}: {documented.source})",
        f"it was cut off after {seen.body_bytes} of {DRIP_BYTES} body bytes",
    )
    if documented.refuses_new:
        GRACEFUL.expect_that(
            seen.arrival is Arrival.REFUSED,
            f"a new connection refused once the shutdown began ({documented.source})",
            f"a new connection {seen.lines()[1].removeprefix('new connection: ')}",
        )
    bound = documented.grace + EXIT_TOLERANCE
    GRACEFUL.expect_that(
        seen.exit_after is not None and seen.exit_after <= bound,
        f"the process to exit within {bound:g} s of SIGTERM (its {documented.grace:g} s grace)",
        seen.lines()[2],
    )
