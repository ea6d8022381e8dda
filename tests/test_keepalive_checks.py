"""Every keep-alive check fails on an implementation broken in the way it checks, and passes
on a correct one.

The suite's test functions are called directly: interop checks with a Conversation to
tests/broken_keepalive_server.py, server probes with a ServerProbe aimed at a scripted server
that sends exactly the wrong bytes (and, to pass, at a reference server), and the client case
with fake clients that mishandle the server's close (and, to pass, with the real clients).
"""

from __future__ import annotations

import functools
import http.client
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness import contract, deadlines
from harness.cases import CheckFailed, case_of
from harness.cells import Conversation, ScriptedClient
from harness.clients import Client
from harness.clients.http_client import HttpClientClient
from harness.clients.requests_client import RequestsClient
from harness.errors import ClientError, ErrorKind
from harness.fixtures.servers import ServerPool
from harness.launcher import ServerProcess
from harness.model import Exchange, RequestSpec, Target
from harness.probe import ServerProbe
from harness.report.keepalive_table import CASE, LONG_CASE, TimerRow, keepalive_timers
from harness.scripted import Action, Close, Hang, Pause, Reset, ScriptedServer, Send
from harness.tls import ServerCertificate
from suites import test_keepalive as keepalive
from suites.keepalive_timers import TIMERS, DocumentedTimer

BROKEN_SERVER = Path(__file__).with_name("broken_keepalive_server.py")

Check = Callable[..., None]


def response(
    body: bytes, status: bytes = b"200 OK", version: bytes = b"HTTP/1.1", fields: bytes = b""
) -> bytes:
    """The bytes of one response with a Content-Length, for scripted servers."""
    head = b"%s %s\r\n%sContent-Length: %d\r\n\r\n" % (version, status, fields, len(body))
    return head + body


OK5 = response(contract.deterministic_bytes(5))
OK7 = response(contract.deterministic_bytes(7))
HTTP10_OK5 = response(contract.deterministic_bytes(5), version=b"HTTP/1.0")
CLOSING = response(b"closing\n", fields=b"Connection: close\r\n")
DELAYED = response(b"delayed 100 ms\n")
CREATED = response(contract.status_body(201), status=b"201 Created")

# Server probes: each check, a name for the defect, and a scripted server with that defect.
PROBE_BREAKS: list[tuple[Check, str, list[Action]]] = [
    (keepalive.test_http11_connection_persists, "closes-after-first", [Send(OK5), Close()]),
    (keepalive.test_server_announces_its_close, "closes-unannounced", [Send(OK5), Close()]),
    (
        keepalive.test_server_closes_after_request_close,
        "answers-after-close",
        [Send(OK5 + OK7), Close()],
    ),
    (keepalive.test_server_closes_after_request_close, "keeps-open", [Send(OK5), Hang()]),
    (keepalive.test_server_echoes_request_close, "no-close-option", [Send(OK5), Close()]),
    (
        keepalive.test_server_closes_after_sending_close,
        "answers-after-close",
        [Send(CLOSING + OK7), Close()],
    ),
    (keepalive.test_server_closes_after_sending_close, "keeps-open", [Send(CLOSING), Hang()]),
    (keepalive.test_http10_request_closes_by_default, "keeps-open", [Send(HTTP10_OK5), Hang()]),
    (keepalive.test_http10_keep_alive, "open-after-http10-close", [Send(HTTP10_OK5), Hang()]),
    (
        keepalive.test_pipelined_requests_answered_in_order,
        "out-of-order",
        [Send(OK7 + DELAYED + CREATED), Hang()],
    ),
    (
        keepalive.test_pipelined_requests_answered_in_order,
        "answers-after-close",
        [Send(response(b"delayed 100 ms\n", fields=b"Connection: close\r\n") + OK7), Close()],
    ),
    (
        keepalive.test_pipelined_requests_answered_in_order,
        "drops-the-rest",
        [Send(DELAYED), Hang()],
    ),
    (keepalive.test_idle_connection, "resets", [Send(OK5), Pause(0.2), Reset()]),
    (keepalive.test_idle_connection, "closes-mid-response", [Send(OK5[:-2]), Close()]),
]
# The reference server each probe check passes on: the stdlib one, but for the close option
# that only Werkzeug echoes (stdlib's deviation, suites/expectations/stdlib-*.toml).
PROBE_PASSES_ON = {keepalive.test_server_echoes_request_close: "flask"}
REFERENCE_SERVER = "stdlib-threading"


class _IgnoresClose(http.client.HTTPResponse):
    def _check_close(self) -> bool:
        return False  # the defect: "Connection: close" and HTTP/1.0 both read as persistent


class IgnoresCloseClient(HttpClientClient):
    """http.client made to keep every connection, whatever the response says."""

    def _connection(self, spec: RequestSpec, target: Target) -> http.client.HTTPConnection:
        connection = super()._connection(spec, target)
        connection.response_class = _IgnoresClose
        return connection


# Interop: each check, the broken server's defect and the client that shows it.
INTEROP_BREAKS: list[tuple[Check, str, type[Client]]] = [
    (keepalive.test_requests_share_one_connection, "close-always", HttpClientClient),
    (keepalive.test_bodies_of_every_size_keep_reuse_intact, "extra-byte", HttpClientClient),
    (keepalive.test_response_close_is_honoured, "close-unannounced", HttpClientClient),
    (keepalive.test_response_close_is_honoured, "none", IgnoresCloseClient),
    (keepalive.test_response_close_is_honoured, "close-keeps-open", IgnoresCloseClient),
]
# The clients each interop check passes with on the reference server. http.client reuses a
# connection after its own "Connection: close" unless the response repeats it, which the
# stdlib server does not (http.client's deviation, suites/expectations/http.client.toml).
BOTH_CLIENTS = (HttpClientClient, RequestsClient)
INTEROP_PASSES_WITH: dict[Check, tuple[type[Client], ...]] = {
    keepalive.test_requests_share_one_connection: BOTH_CLIENTS,
    keepalive.test_bodies_of_every_size_keep_reuse_intact: BOTH_CLIENTS,
    keepalive.test_response_close_is_honoured: BOTH_CLIENTS,
}


class SwallowsErrorsClient(HttpClientClient):
    """Reports a failed exchange as an empty 200: a response never received, as success."""

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        try:
            return super().send(spec, target)
        except ClientError:
            return Exchange(200, "OK", "HTTP/1.1", [], b"", None, 0.0)


class StaleResponseClient(HttpClientClient):
    """Answers a failed exchange with the previous response, as a broken cache would."""

    def __init__(self) -> None:
        super().__init__()
        self._last: Exchange | None = None

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        try:
            self._last = super().send(spec, target)
        except ClientError:
            if self._last is None:
                raise
        return self._last


class HangsClient(HttpClientClient):
    """Fails on the closed connection with a read timeout instead of a connection error."""

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        try:
            return super().send(spec, target)
        except ClientError as exc:
            raise ClientError(ErrorKind.TIMEOUT_READ, TimeoutError("timed out")) from exc


class HonoursOwnCloseClient(HttpClientClient):
    """http.client that closes the connection after a request saying Connection: close."""

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        exchange = super().send(spec, target)
        if ("Connection", "close") in spec.headers:
            self.close()
        return exchange


CLIENT_BREAKS: list[tuple[Check, type[Client]]] = [
    (keepalive.test_client_after_server_closed_idle_connection, SwallowsErrorsClient),
    (keepalive.test_client_after_server_closed_idle_connection, StaleResponseClient),
    (keepalive.test_client_after_server_closed_idle_connection, HangsClient),
    # Both real clients reuse the connection after their own "close" (their expectation
    # files say so); the fake that closes it is the conforming one.
    (keepalive.test_client_honours_its_own_close, HttpClientClient),
    (keepalive.test_client_honours_its_own_close, RequestsClient),
]
# The clients each client check passes with.
CLIENT_PASSES_WITH: dict[Check, tuple[type[Client], ...]] = {
    keepalive.test_client_after_server_closed_idle_connection: (HttpClientClient, RequestsClient),
    keepalive.test_client_honours_its_own_close: (HonoursOwnCloseClient,),
}


# keepalive.server.idle_timer against tests/broken_keepalive_server.py: the defect, the timer
# the server is said to document, and whether the check must pass. "idle-1s" closes an idle
# connection after 1 s, "none" never does. A timer off by more than the tolerance is a
# deviation from the documentation, early or late.
TOLERANCE = deadlines.KEEPALIVE_TOLERANCE
ONE_SECOND = DocumentedTimer(1.0, "the broken server's own 1 s")
IDLE_TIMER_RUNS: list[tuple[str, DocumentedTimer, bool]] = [
    ("idle-1s", ONE_SECOND, True),
    ("idle-1s", DocumentedTimer(1.0 + 2 * TOLERANCE, "a timer longer than its own"), False),
    ("idle-1s", DocumentedTimer(None, "no idle timeout"), False),
    ("none", DocumentedTimer(None, "no idle timeout"), True),
    ("none", ONE_SECOND, False),
]
# Past ONE_SECOND's latest close, so that a server still open then is late.
IDLE_TIMER_WATCH = 1.0 + 2 * TOLERANCE
# keepalive.server.idle_timer_long (marker slow) the same way, its watch taken from the timer
# as in the slow run, but short: ``beyond`` 0 s stands for the default run's watch. A server
# whose timer differs from the documented one fails it, early ("idle-1s" said to wait 3 s)
# or late ("none" said to close after 1 s).
LONG_TIMER_RUNS: list[tuple[str, DocumentedTimer, bool]] = [
    ("idle-1s", ONE_SECOND, True),
    ("idle-1s", DocumentedTimer(3.0, "a timer longer than its own"), False),
    ("none", ONE_SECOND, False),
]


def _run(check: Check, cell: Any) -> list[str]:
    """Call a suite check on ``cell``; returns what it recorded as observed."""
    observed: list[str] = []
    if "record_property" in inspect.signature(check).parameters:
        check(cell, lambda _key, value: observed.append(str(value)))
    else:
        check(cell)
    return observed


def _expect_failure(check: Check, cell: Any) -> None:
    case = case_of(check)
    with pytest.raises(CheckFailed) as failure:
        _run(check, cell)
    message = str(failure.value)
    assert message.startswith("expected "), "a failure reads 'expected X (RFC), got Y'"
    assert f"({case.rfc})" in message, "a failure names the RFC section"


def _expect_pass(check: Check, cell: Any) -> None:
    observed = _run(check, cell)
    if "record_property" in inspect.signature(check).parameters:
        assert observed, "a case that observes records what it saw"


def _id(check: Check, detail: str) -> str:
    return f"{case_of(check).id}:{detail}"


@pytest.fixture(scope="session")
def broken_keepalive_server(
    broken_server: Callable[..., ServerProcess],
) -> Callable[[str], ServerProcess]:
    """tests/broken_keepalive_server.py with the given defect, running."""
    return functools.partial(broken_server, program="broken_keepalive_server.py")


def test_every_keepalive_case_has_a_breaking_defect_and_a_pass() -> None:
    checks = {obj for obj in vars(keepalive).values() if callable(obj) and case_of(obj)}
    broken = {row[0] for table in (PROBE_BREAKS, INTEROP_BREAKS, CLIENT_BREAKS) for row in table}
    passing = {row[0] for row in PROBE_BREAKS} | set(INTEROP_PASSES_WITH) | set(CLIENT_PASSES_WITH)
    # The idle timer's check runs through watch_idle_timer (test_timer_check below, "idle").
    outcomes = {passes for _, _, passes in IDLE_TIMER_RUNS}
    broken |= {keepalive.test_idle_timer} if False in outcomes else set()
    passing |= {keepalive.test_idle_timer} if True in outcomes else set()
    # The slow one's runs through watch_long_timer (test_timer_check below, "long").
    outcomes = {passes for _, _, passes in LONG_TIMER_RUNS}
    broken |= {keepalive.test_idle_timer_long} if False in outcomes else set()
    passing |= {keepalive.test_idle_timer_long} if True in outcomes else set()
    assert not sorted(case_of(c).id for c in checks - broken), "checks without a defect"
    assert not sorted(case_of(c).id for c in checks - passing), "checks without a passing run"


@pytest.mark.parametrize(
    ("check", "script"),
    [pytest.param(check, script, id=_id(check, name)) for check, name, script in PROBE_BREAKS],
)
def test_probe_check_fails_on_broken_server(check: Check, script: list[Action]) -> None:
    with ScriptedServer(script) as server:
        _expect_failure(check, ServerProbe(server.target))


@pytest.mark.parametrize(
    "check",
    list(dict.fromkeys(check for check, _, _ in PROBE_BREAKS)),
    ids=lambda check: case_of(check).id,
)
def test_probe_check_passes_on_reference_server(check: Check, server_pool: ServerPool) -> None:
    server = server_pool.get((PROBE_PASSES_ON.get(check, REFERENCE_SERVER), "http"))
    _expect_pass(check, ServerProbe(server.target))


@pytest.mark.parametrize(
    ("check", "defect", "client_class"),
    [
        pytest.param(check, defect, client, id=_id(check, f"{defect}-{client.__name__}"))
        for check, defect, client in INTEROP_BREAKS
    ],
)
def test_interop_check_fails_on_broken_pair(
    check: Check,
    defect: str,
    client_class: type[Client],
    broken_keepalive_server: Callable[[str], ServerProcess],
) -> None:
    conversation = Conversation(broken_keepalive_server(defect).target, client_class())
    try:
        _expect_failure(check, conversation)
    finally:
        conversation.client.close()


@pytest.mark.parametrize(
    ("check", "client_class"),
    [
        pytest.param(check, client, id=_id(check, client.__name__))
        for check, clients in INTEROP_PASSES_WITH.items()
        for client in clients
    ],
)
def test_interop_check_passes_on_reference_server(
    check: Check,
    client_class: type[Client],
    broken_keepalive_server: Callable[[str], ServerProcess],
) -> None:
    conversation = Conversation(broken_keepalive_server("none").target, client_class())
    try:
        _expect_pass(check, conversation)
    finally:
        conversation.client.close()


@pytest.mark.parametrize(
    ("check", "client_class"),
    [
        pytest.param(check, client, id=_id(check, client.__name__))
        for check, client in CLIENT_BREAKS
    ],
)
def test_client_check_fails_on_broken_client(check: Check, client_class: type[Client]) -> None:
    client = client_class()
    try:
        _expect_failure(check, ScriptedClient(client))
    finally:
        client.close()


@pytest.mark.parametrize("transport", ["http", "https"])
@pytest.mark.parametrize(
    ("check", "client_class"),
    [
        pytest.param(check, client, id=_id(check, client.__name__))
        for check, clients in CLIENT_PASSES_WITH.items()
        for client in clients
    ],
)
def test_client_check_passes_with_conforming_clients(
    check: Check,
    client_class: type[Client],
    transport: str,
    session_certificate: ServerCertificate,
) -> None:
    client = client_class()
    certificate = session_certificate if transport == "https" else None
    try:
        _expect_pass(check, ScriptedClient(client, certificate))
    finally:
        client.close()


Record = Callable[[str, object], None]
# Each watch of a documented timer: how it is started, and how its record of a passing run
# begins (the default run's watch may see a timer it does not document run out, or none).
WATCHES: dict[str, tuple[Callable[[ServerProbe, DocumentedTimer, Record], None], tuple[str, ...]]]
WATCHES = {
    "idle": (
        lambda probe, timer, record: keepalive.watch_idle_timer(
            probe, timer, record, IDLE_TIMER_WATCH
        ),
        ("closed", "open through"),
    ),
    "long": (
        lambda probe, timer, record: keepalive.watch_long_timer(probe, timer, record, beyond=0.0),
        ("closed 1.",),
    ),
}


@pytest.mark.parametrize(
    ("watch", "defect", "timer", "passes"),
    [
        pytest.param(watch, defect, timer, passes, id=f"{watch}-{defect}-{timer.describe()}")
        for watch, runs in (("idle", IDLE_TIMER_RUNS), ("long", LONG_TIMER_RUNS))
        for defect, timer, passes in runs
    ],
)
def test_timer_check(
    watch: str,
    defect: str,
    timer: DocumentedTimer,
    passes: bool,
    broken_keepalive_server: Callable[[str], ServerProcess],
) -> None:
    probe = ServerProbe(broken_keepalive_server(defect).target)
    observed: list[str] = []
    start, passing = WATCHES[watch]

    def record(_key: str, value: object) -> None:
        observed.append(str(value))

    if passes:
        start(probe, timer, record)
        assert observed[0].startswith(passing), observed
        return
    with pytest.raises(CheckFailed) as failure:
        start(probe, timer, record)
    message = str(failure.value)
    assert message.startswith("expected ") and "(RFC 9112 §9.5)" in message
    assert timer.source in message, "the failure quotes the documentation it holds the server to"


def test_the_slow_run_times_the_long_timers_and_records_aiohttps() -> None:
    watches = {name: keepalive.long_watch(timer) for name, timer in TIMERS.items()}
    timed = {name for name, watch in watches.items() if watch is not None}
    assert timed == {"twisted", "waitress", "aiohttp.web"}
    measured = {name for name in timed if (watches[name] or 0) <= deadlines.KEEPALIVE_LONG_LIMIT}
    assert measured == {"twisted", "waitress"}
    # aiohttp.web's hour: recorded from its source, the table saying it was not measured.
    observed: list[str] = []
    with pytest.raises(pytest.skip.Exception):
        keepalive.watch_long_timer(
            ServerProbe(Target("http", "127.0.0.1", 9)),  # never sent to: nothing is measured
            TIMERS["aiohttp.web"],
            lambda _key, value: observed.append(str(value)),
        )
    assert observed[0].startswith("not measured: recorded from its source")
    assert observed[1] == f"documented: 3630 s: {TIMERS['aiohttp.web'].source}"


def test_the_report_table_reads_what_the_check_records(
    broken_keepalive_server: Callable[[str], ServerProcess],
) -> None:
    observed: list[str] = []
    keepalive.watch_idle_timer(
        ServerProbe(broken_keepalive_server("idle-1s").target),
        ONE_SECOND,
        lambda _key, value: observed.append(str(value)),
        IDLE_TIMER_WATCH,
    )

    def cell(server: str, case: str, outcome: str, seen: list[str]) -> dict[str, Any]:
        return {"case": case, "server": server, "transport": "http", "outcome": outcome} | {
            "client": None,
            "observed": seen,
        }

    cells = [
        cell("b", CASE, "pass", observed),
        cell("a", CASE, "skip", ["open through the 8 s watch"]),
        cell("c", CASE, "skip", []),  # skipped before it observed: no row
        cell("a", "methods.get", "pass", ["x"]),
        cell("b", LONG_CASE, "pass", ["closed 60.1 s after the request"]),
    ]
    assert keepalive_timers(cells, ["a", "b", "c"]) == [
        TimerRow("a", "http", "-", "", "open through the 8 s watch", "skip"),
        TimerRow("b", "http", "1 s", ONE_SECOND.source, observed[0], "pass"),
        TimerRow("b", "http", "-", "", "closed 60.1 s after the request", "pass"),
    ]
    assert observed[0].startswith("closed 1.")
