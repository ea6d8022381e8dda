"""Every timeouts check fails on an implementation broken in the way it checks, and passes
without.

The suite's test functions are called directly. Client checks get http.client with one
defect switched on (``Defective``), facing the suite's scripted peers; the drip check also
gets a correct client of the other kind (``TotalDeadlineClient``) and a server that does not
drip; the idle-request probe faces scripted servers that answer a request that never ended,
and the real single-threaded server, which it must leave free for the next cell.
"""

from __future__ import annotations

import http.client
import time
from collections.abc import Callable
from dataclasses import replace

import pytest

from harness import contract
from harness.cases import CheckFailed, case_of
from harness.cells import Conversation, ScriptedClient
from harness.clients import Client
from harness.clients.http_client import HttpClientClient
from harness.errors import ClientError, ErrorKind
from harness.fixtures.servers import ServerPool
from harness.model import Exchange, RequestSpec, Target, Timeouts
from harness.probe import ServerProbe
from harness.scripted import Action, Close, Reset, ScriptedServer, Send
from suites import test_timeouts as timeouts

# How each defect changes a deadline the client is given.
STRETCH = {
    "late": lambda seconds: 3 * seconds + timeouts.SLACK,  # past twice it, plus slack
    "early": lambda seconds: seconds / 10,
}
SWAPPED = {
    ErrorKind.TIMEOUT_CONNECT: ErrorKind.TIMEOUT_READ,
    ErrorKind.TIMEOUT_READ: ErrorKind.TIMEOUT_CONNECT,
}


class Defective:
    """A working client with one defect:

    - "late": keeps deadlines longer than it was given;
    - "early": gives up at a tenth of them;
    - "misnamed": reports a connect timeout as a read timeout, and the other way round;
    - "swallow": returns a read timeout as a success with an empty body;
    - "truncate": drops the last byte of every body;
    - "stalled-connect": every exchange ends in timeout.connect, as where no connection can
      be set up within the timeout ("stalled-connect-once": the first exchange only).
    """

    def __init__(self, inner: Client, defect: str) -> None:
        self.inner, self.defect = inner, defect
        self.sent = 0

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        self.sent += 1
        stalled = self.defect == "stalled-connect"
        if stalled or (self.defect, self.sent) == ("stalled-connect-once", 1):
            raise ClientError(ErrorKind.TIMEOUT_CONNECT, TimeoutError("handshake timed out"))
        stretch = STRETCH.get(self.defect)
        if stretch is not None:
            given = spec.timeouts
            spec = replace(spec, timeouts=Timeouts(stretch(given.connect), stretch(given.read)))
        try:
            exchange = self.inner.send(spec, target)
        except ClientError as exc:
            if self.defect == "misnamed":
                raise ClientError(SWAPPED.get(exc.kind, exc.kind), exc) from exc
            if self.defect == "swallow" and exc.kind is ErrorKind.TIMEOUT_READ:
                return Exchange(200, "OK", "HTTP/1.1", [], b"", None, 0.0)
            raise
        if self.defect == "truncate":
            exchange.body = exchange.body[:-1]
        return exchange

    def close(self) -> None:
        self.inner.close()


class TotalDeadlineClient:
    """A correct client of the other kind: its read timeout bounds the whole response, as an
    application builds it on a streaming read and a clock. Plain HTTP only."""

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        started = time.monotonic()
        connection = http.client.HTTPConnection(
            target.host, target.port, timeout=spec.timeouts.read
        )
        try:
            connection.request(spec.method, spec.target)
            response = connection.getresponse()
            body = b""
            while not response.isclosed():
                if time.monotonic() - started > spec.timeouts.read:
                    deadline = TimeoutError("the deadline on the whole response passed")
                    raise ClientError(ErrorKind.TIMEOUT_READ, deadline)
                body += response.read(1)
        finally:
            connection.close()
        return Exchange(
            status=response.status,
            reason=response.reason,
            http_version="HTTP/1.1",
            headers=response.getheaders(),
            body=body,
            reused=False,
            elapsed=time.monotonic() - started,
        )

    def close(self) -> None:
        """Each send closes its own connection."""


Recorded = list[tuple[str, object]]


def _recorder(recorded: Recorded) -> Callable[[str, object], None]:
    """A stand-in for pytest's record_property that keeps what the check records."""
    return lambda name, value: recorded.append((name, value))


def _expect_check_failed(check: Callable[..., None], cell: object, because: str) -> None:
    """``check`` fails on ``cell``, and ``because`` (a part of its message) says which of its
    expectations caught the defect."""
    case = case_of(check)
    with pytest.raises(CheckFailed) as failure:
        check(cell, _recorder([]))
    message = str(failure.value)
    assert f"({case.rfc})" in message, "a failure names the RFC section"
    assert message.startswith("expected "), "a failure reads 'expected X (RFC), got Y'"
    assert because in message, f"caught by another expectation than {because!r}"


def _expect_check_passed(check: Callable[..., None], cell: object) -> None:
    recorded: Recorded = []
    check(cell, _recorder(recorded))
    assert [name for name, _ in recorded] == ["observed"], "a cell records what it observed"


# Client checks against scripted peers, the defects that must make each fail, and the part
# of the failure message that shows which expectation caught each defect.
CLIENT_CHECKS = (
    timeouts.test_connect_timeout,
    timeouts.test_read_timeout_without_response,
    timeouts.test_read_timeout_after_head,
)
CLIENT_BREAKS = [
    *((check, defect) for check in CLIENT_CHECKS for defect in ("late", "early", "misnamed")),
    (timeouts.test_read_timeout_without_response, "swallow"),
    (timeouts.test_read_timeout_after_head, "swallow"),
]
CAUGHT_BY = {
    "late": "within",
    "early": "no sooner than",
    "misnamed": "the error kind",
    "swallow": "got success",
}
# The drip check with a per-read client (http.client) and a total-deadline client.
DRIP_BREAKS = [
    (HttpClientClient, "truncate", "5 body bytes"),
    (HttpClientClient, "early", "no sooner than"),
    (TotalDeadlineClient, "misnamed", "the error kind"),
    (TotalDeadlineClient, "swallow", "0 body bytes"),
    # Made again while it ends at connect, but not for ever.
    (HttpClientClient, "stalled-connect", "the error kind timeout.read"),
]
# Scripted servers answering the idle probe's unfinished request: wrongly, then rightly.
IDLE_BREAKS = {
    "success": ([Send(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), Close()], "got 200"),
    "garbage": ([Send(b"garbage\r\n\r\n"), Close()], "well-formed"),
    "half-a-success": ([Send(b"HTTP/1.1 200 OK\r\n"), Close()], "no complete response"),
}
IDLE_ANSWERS = {
    "408": [Send(b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n"), Close()],
    "400": [Send(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"), Close()],
    "close": [Close()],
    "reset": [Reset()],
}
# The scripted servers' header timeout: the head the idle probe sends never ends.
SCRIPTED_HEAD_TIMEOUT = 0.3


def test_every_timeouts_case_has_a_breaking_defect() -> None:
    cases = {name: obj for name, obj in vars(timeouts).items() if case_of(obj) and callable(obj)}
    covered = {check for check, _ in CLIENT_BREAKS}
    covered |= {
        timeouts.test_read_deadline_per_read_or_total,
        timeouts.test_idle_incomplete_request,
    }
    missing = sorted(name for name, check in cases.items() if check not in covered)
    assert not missing, f"timeouts checks without a self-test defect: {missing}"


@pytest.mark.parametrize(
    ("check", "defect"),
    CLIENT_BREAKS,
    ids=[f"{case_of(check).id}-{defect}" for check, defect in CLIENT_BREAKS],
)
def test_client_check_fails_on_defective_client(check: Callable[..., None], defect: str) -> None:
    client = Defective(HttpClientClient(), defect)
    try:
        _expect_check_failed(check, ScriptedClient(client), CAUGHT_BY[defect])
    finally:
        client.close()


@pytest.mark.parametrize("check", CLIENT_CHECKS, ids=lambda check: case_of(check).id)
def test_client_check_passes_on_working_client(check: Callable[..., None]) -> None:
    client = HttpClientClient()
    try:
        _expect_check_passed(check, ScriptedClient(client))
    finally:
        client.close()


@pytest.fixture
def drip_server(server_pool: ServerPool) -> Target:
    return server_pool.get(("stdlib-threading", "http")).target


@pytest.mark.parametrize(
    ("kind", "defect", "because"),
    DRIP_BREAKS,
    ids=[f"{kind.__name__}-{defect}" for kind, defect, _ in DRIP_BREAKS],
)
def test_drip_check_fails_on_defective_client(
    kind: Callable[[], Client], defect: str, because: str, drip_server: Target
) -> None:
    client = Defective(kind(), defect)
    try:
        _expect_check_failed(
            timeouts.test_read_deadline_per_read_or_total,
            Conversation(drip_server, client),
            because,
        )
    finally:
        client.close()


def test_drip_check_fails_on_server_that_does_not_drip() -> None:
    body = contract.deterministic_bytes(timeouts.DRIP_BYTES)
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    client = HttpClientClient()
    try:
        with ScriptedServer([Send(head + body), Close()]) as server:
            _expect_check_failed(
                timeouts.test_read_deadline_per_read_or_total,
                Conversation(server.target, client),
                "to take about",
            )
    finally:
        client.close()


def test_drip_check_makes_an_exchange_that_ended_at_connect_again(drip_server: Target) -> None:
    client = Defective(HttpClientClient(), "stalled-connect-once")
    recorded: Recorded = []
    try:
        check = timeouts.test_read_deadline_per_read_or_total
        check(Conversation(drip_server, client), _recorder(recorded))
    finally:
        client.close()
    assert client.sent == 2
    assert [name for name, _ in recorded] == ["observed", "observed"]
    assert str(recorded[0][1]).startswith("attempt 1 ended setting up the connection")


@pytest.mark.parametrize("kind", [HttpClientClient, TotalDeadlineClient], ids=lambda k: k.__name__)
def test_drip_check_passes_on_either_deadline(
    kind: Callable[[], Client], drip_server: Target
) -> None:
    client = kind()
    try:
        _expect_check_passed(
            timeouts.test_read_deadline_per_read_or_total, Conversation(drip_server, client)
        )
    finally:
        client.close()


@pytest.mark.parametrize(("script", "because"), IDLE_BREAKS.values(), ids=IDLE_BREAKS)
def test_idle_check_fails_on_server_answering_wrongly(script: list[Action], because: str) -> None:
    with ScriptedServer(script, head_timeout=SCRIPTED_HEAD_TIMEOUT) as server:
        _expect_check_failed(
            timeouts.test_idle_incomplete_request, ServerProbe(server.target), because
        )


@pytest.mark.parametrize("script", IDLE_ANSWERS.values(), ids=IDLE_ANSWERS)
def test_idle_check_passes_on_server_giving_up(script: list[Action]) -> None:
    with ScriptedServer(script, head_timeout=SCRIPTED_HEAD_TIMEOUT) as server:
        _expect_check_passed(timeouts.test_idle_incomplete_request, ServerProbe(server.target))


def test_idle_probe_leaves_the_single_threaded_server_free(server_pool: ServerPool) -> None:
    # stdlib-http11 serves one connection at a time and has no timeout: it is silent for the
    # whole window, and must serve the next connection once the probe has closed its own.
    probe = ServerProbe(server_pool.get(("stdlib-http11", "http")).target)
    _expect_check_passed(timeouts.test_idle_incomplete_request, probe)
    result = probe.send(probe.request("GET", "/bytes/1"), idle_timeout=timeouts.SLACK)
    assert [response.status for response in result.final] == [200], result.describe()
