"""Timeouts suite: connect, read and idle deadlines, on both sides of the connection.

The RFCs leave deadlines to implementations: how a connection is set up is out of HTTP's
scope (RFC 9112 §9.1), and "Servers will usually have some timeout value beyond which they
will no longer maintain an inactive connection" (RFC 9112 §9.5) sets no value. So much of
what this suite measures is data (which deadline a client keeps, whether and when a server
gives up on an idle request), recorded as the cell's "observed" property. The verdicts are
what must hold whatever the deadline: a client keeps the deadline it was given and reports
the right kind of failure (harness/errors.py); a response cut short is never presented as
complete (RFC 9112 §8); a server that answers a request that never ended does not answer it
with a success.

Every wait is short and named here, scaled on CI (harness/deadlines.py); no case relies on
pytest-timeout to end it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from harness import contract, deadlines
from harness.cases import Case, Level
from harness.cells import Conversation, ScriptedClient
from harness.errors import ClientError, ErrorKind
from harness.model import Exchange, RequestSpec, Timeouts
from harness.probe import Ending, ProbeResult, ServerProbe
from harness.scripted import Action, Hang, ScriptedServer, Send, full_backlog_listener

MUST, MAY = Level.MUST, Level.MAY

# The deadlines given to clients: short, so that a case waits about a second at most.
CONNECT_TIMEOUT = 0.5 * deadlines.SCALE
READ_TIMEOUT = 0.5 * deadlines.SCALE
# Added to every upper bound: scheduling and start-up noise on a busy 2-core machine.
SLACK = 1.0 * deadlines.SCALE
# A deadline counts as kept, not cut short, once this fraction of it has passed (timers round).
KEPT = 0.9

# /drip sends its bytes one at a time, DRIP_INTERVAL apart (docs/contract.md, GET /drip).
# The read timeout is three gaps long and half the body's time: a deadline per read is
# never reached, a deadline on the whole response always is.
DRIP_BYTES = 6
DRIP_INTERVAL = 0.1 * deadlines.SCALE
DRIP_READ_TIMEOUT = 3 * DRIP_INTERVAL
DRIP_TARGET = f"/drip/{DRIP_BYTES}?interval_ms={round(DRIP_INTERVAL * 1000)}"
# The drip check judges reads. An exchange that ended setting up its connection is no sample
# of them, and is made again, up to this many times in all: urllib.request's one timeout
# bounds the TLS handshake too, and Werkzeug shakes hands in its accept loop (the listening
# socket is wrapped, werkzeug/serving.py:809), which a loaded machine once held past the
# 0.3 s (in one full run of 2026-12-06: flask x urllib.request over https).
DRIP_ATTEMPTS = 3

# How long a half-sent request is watched, and how long after an answer to see a close.
IDLE_WINDOW = 2.0 * deadlines.SCALE
IDLE_LINGER = 0.5 * deadlines.SCALE
# RFC 9110 §15.5.9: 408 is the status for a request not received in time; 400 (§15.5.1)
# for one the server judged malformed. A success would mean it served what never arrived.
ANSWERS_TO_INCOMPLETE = (400, 408)

STALLED_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n\r\n"

RecordProperty = Callable[[str, object], None]  # pytest's record_property fixture
Outcome = Exchange | ClientError


def _timed(send: Callable[[], Exchange]) -> tuple[Outcome, float]:
    """What ``send`` returned or raised as a ClientError, and how many seconds it took."""
    started = time.monotonic()
    try:
        outcome: Outcome = send()
    except ClientError as exc:
        outcome = exc
    return outcome, time.monotonic() - started


def _expect_gave_up(
    case: Case, outcome: Outcome, elapsed: float, kind: ErrorKind, timeout: float
) -> None:
    """The client failed with ``kind``, not before ``timeout`` and within twice it (plus
    SLACK): it kept the deadline it was given."""
    if not isinstance(outcome, ClientError):
        raise case.failure(
            f"{kind} after about {timeout:.2f} s",
            f"success after {elapsed:.2f} s: status {outcome.status}, "
            f"{len(outcome.body)} body bytes",
        )
    case.expect_that(
        outcome.kind == kind,
        f"the error kind {kind}",
        f"{outcome.kind} ({outcome.original_type}: {outcome.original_text})",
    )
    case.expect_that(
        elapsed >= KEPT * timeout,
        f"{kind} no sooner than the {timeout:.2f} s timeout",
        f"{kind} after {elapsed:.2f} s",
    )
    limit = 2 * timeout + SLACK
    case.expect_that(
        elapsed <= limit,
        f"{kind} within {limit:.2f} s (twice the {timeout:.2f} s timeout, plus slack)",
        f"{kind} after {elapsed:.2f} s",
    )


CONNECT = Case(
    "timeouts.client.connect",
    "RFC 9112 §9.1, §9.5",
    MAY,
    "A client given a connect timeout gives up within it, reporting timeout.connect",
    requirement_ids=("9112-9.5-3",),
)


@CONNECT
def test_connect_timeout(scripted_client: ScriptedClient, record_property: RecordProperty) -> None:
    # HTTP leaves connecting to the transport (RFC 9112 §9.1) and allows giving up at any
    # time (§9.5); the deadline is the client's own promise: http.client's timeout bounds
    # "blocking operations (like connection attempts)", requests takes (connect, read).
    spec = RequestSpec("GET", "/", timeouts=Timeouts(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT))
    certificate = scripted_client.certificate
    with full_backlog_listener() as listener:
        target = listener
        if certificate is not None:
            target = replace(listener, scheme="https", ca_file=certificate.ca_file)
        outcome, elapsed = _timed(lambda: scripted_client.client.send(spec, target))
    _expect_gave_up(CONNECT, outcome, elapsed, ErrorKind.TIMEOUT_CONNECT, CONNECT_TIMEOUT)
    record_property("observed", f"gave up after {elapsed:.2f} s, given {CONNECT_TIMEOUT:.2f} s")


def _against_stalled_server(
    scripted_client: ScriptedClient, script: list[Action]
) -> tuple[Outcome, float]:
    """Send one GET with READ_TIMEOUT to a scripted server playing ``script``; time the client
    alone (ScriptedClient.against would add the scripted server's start and stop)."""
    spec = RequestSpec("GET", "/", timeouts=Timeouts(connect=deadlines.CONNECT, read=READ_TIMEOUT))
    with ScriptedServer(script, certificate=scripted_client.certificate) as server:
        return _timed(lambda: scripted_client.client.send(spec, server.target))


READ_NO_RESPONSE = Case(
    "timeouts.client.read.no_response",
    "RFC 9112 §9.5",
    MAY,
    "A client whose request gets no answer gives up within its read timeout, with timeout.read",
    requirement_ids=("9112-9.5-3",),
)


@READ_NO_RESPONSE
def test_read_timeout_without_response(
    scripted_client: ScriptedClient, record_property: RecordProperty
) -> None:
    outcome, elapsed = _against_stalled_server(scripted_client, [Hang()])
    _expect_gave_up(READ_NO_RESPONSE, outcome, elapsed, ErrorKind.TIMEOUT_READ, READ_TIMEOUT)
    record_property("observed", f"gave up after {elapsed:.2f} s, given {READ_TIMEOUT:.2f} s")


READ_STALLED_BODY = Case(
    "timeouts.client.read.stalled_body",
    "RFC 9112 §8, §9.5",
    MUST,
    "A response that stalls after its head ends in timeout.read within the read timeout, "
    "never in a success with part of the body",
    requirement_ids=("9112-8-2",),
)


@READ_STALLED_BODY
def test_read_timeout_after_head(
    scripted_client: ScriptedClient, record_property: RecordProperty
) -> None:
    # RFC 9112 §8: "A client that receives an incomplete response message ... MUST record
    # the message as incomplete"; a body shorter than its Content-Length is incomplete.
    outcome, elapsed = _against_stalled_server(scripted_client, [Send(STALLED_HEAD), Hang()])
    _expect_gave_up(READ_STALLED_BODY, outcome, elapsed, ErrorKind.TIMEOUT_READ, READ_TIMEOUT)
    record_property("observed", f"gave up after {elapsed:.2f} s, given {READ_TIMEOUT:.2f} s")


DRIP = Case(
    "timeouts.client.read.per_read_or_total",
    "RFC 9112 §8, §9.5",
    MUST,
    "A body that arrives slowly, each gap shorter than the read timeout, either arrives whole "
    "or ends in timeout.read at the deadline; never a success with part of it",
    requirement_ids=("9112-8-2",),
)


@DRIP
def test_read_deadline_per_read_or_total(
    interop: Conversation, record_property: RecordProperty
) -> None:
    # Both deadlines are allowed: the RFCs set none (§9.5). http.client's timeout is the
    # socket's, which bounds each blocking operation; requests documents that "timeout is not
    # a time limit on the entire response download" (Quickstart, Timeouts). What must hold
    # either way is §8: an incomplete body is never presented as complete.
    spec = RequestSpec(
        "GET", DRIP_TARGET, timeouts=Timeouts(connect=deadlines.CONNECT, read=DRIP_READ_TIMEOUT)
    )
    for attempt in range(1, DRIP_ATTEMPTS + 1):
        outcome, elapsed = _timed(lambda: interop.send(spec))
        if not isinstance(outcome, ClientError) or outcome.kind is not ErrorKind.TIMEOUT_CONNECT:
            break
        record_property(
            "observed",
            f"attempt {attempt} ended setting up the connection after {elapsed:.2f} s "
            f"({outcome.original_text}): no sample of a read deadline",
        )
    body_time = DRIP_BYTES * DRIP_INTERVAL
    if isinstance(outcome, ClientError):
        _expect_gave_up(DRIP, outcome, elapsed, ErrorKind.TIMEOUT_READ, DRIP_READ_TIMEOUT)
        record_property(
            "observed",
            f"deadline on the whole response: gave up after {elapsed:.2f} s, given "
            f"{DRIP_READ_TIMEOUT:.2f} s for a body due over {body_time:.2f} s",
        )
        return
    DRIP.expect("status", 200, outcome.status)
    DRIP.expect_that(
        outcome.body == contract.deterministic_bytes(DRIP_BYTES),
        f"the {DRIP_BYTES} bytes of {DRIP_TARGET}, whole",
        f"a success with {len(outcome.body)} body bytes {outcome.body!r}",
    )
    # Otherwise the server did not drip (docs/contract.md, GET /drip), and a success says
    # nothing about which deadline the client keeps.
    DRIP.expect_that(
        elapsed >= KEPT * body_time,
        f"the body to take about {body_time:.2f} s, one byte every {DRIP_INTERVAL:.2f} s",
        f"the whole response after {elapsed:.2f} s",
    )
    record_property(
        "observed",
        f"deadline per read: the whole body after {elapsed:.2f} s, given "
        f"{DRIP_READ_TIMEOUT:.2f} s with gaps of {DRIP_INTERVAL:.2f} s",
    )


IDLE = Case(
    "timeouts.server.idle_request",
    "RFC 9112 §8, RFC 9110 §15.5.9",
    MAY,
    "A server may give up on a request that stops half-way; if it answers, with 408 (or 400), "
    "never with a success",
    requirement_ids=("9112-8-1",),
)


def _idle_observation(result: ProbeResult) -> str:
    if result.final:
        statuses = " ".join(str(response.status) for response in result.final)
        return f"answered {statuses}, then connection {result.ending}, {result.elapsed:.2f} s"
    if result.ending is Ending.TIMEOUT:
        return f"no idle timeout: silent and open for the whole {IDLE_WINDOW:.1f} s window"
    return f"connection {result.ending} after {result.elapsed:.2f} s, without a response"


@IDLE
def test_idle_incomplete_request(
    server_probe: ServerProbe, record_property: RecordProperty
) -> None:
    # The request line and two field lines, without the empty line that ends the header
    # section (RFC 9112 §2.1): the server is left waiting for the rest, as by a slowloris.
    # §8: "A server that receives an incomplete request message, usually due to a canceled
    # request or a triggered timeout exception, MAY send an error response prior to closing
    # the connection." The probe watches for IDLE_WINDOW of silence at most. The stdlib
    # servers set no timeout (Lib/socketserver.py: StreamRequestHandler.timeout = None), nor
    # does Werkzeug's handler; the single-threaded stdlib-http11 serves no one else meanwhile,
    # and is freed when the probe closes its connection on return.
    partial = server_probe.request("GET", "/bytes/1", headers=[("X-Interop-Slow", "1")])
    result = server_probe.send(
        partial.removesuffix(b"\r\n"), idle_timeout=IDLE_WINDOW, linger=IDLE_LINGER
    )
    record_property("observed", _idle_observation(result))
    IDLE.expect_that(result.malformed is None, "a well-formed response, or none", result.describe())
    IDLE.expect_that(
        bool(result.responses) or not result.received,
        "a complete response, or none",
        f"{len(result.received)} bytes of no complete response: {result.received[:80]!r}",
    )
    for response in result.final:
        IDLE.expect_that(
            response.status in ANSWERS_TO_INCOMPLETE,
            "408 (or 400) for a request that never ended, if anything",
            f"{response.status} {response.reason}",
        )
