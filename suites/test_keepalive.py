"""Keep-alive suite: persistent connections, their tear-down and pipelining.

RFC 9112 §9 (connection management). Interop cells see reuse from both ends: the server's
``/conn`` reports the client's address and port, so the same peer on two requests means one
connection (docs/contract.md), and the client reports ``Exchange.reused``. Server probes send
exact bytes and watch how the connection ends; the client case closes a kept-alive
connection under the client.

Which connection a response leaves behind is read with the recipient's rules of RFC 9112
§9.3 (``announces_close``), so an HTTP/1.0 response without "keep-alive" counts as announcing
its close as much as "Connection: close" does.
"""

from __future__ import annotations

import itertools
import json
import time

import pytest

from harness import contract, deadlines
from harness.cases import Case, Level, RecordProperty
from harness.cells import SCRIPTED_TIMEOUTS, Conversation, ScriptedClient, ScriptedExchange
from harness.deadlines import SCALE
from harness.errors import ClientError, ErrorKind
from harness.implementation import Capability
from harness.model import Exchange, Headers, Pairing, RequestSpec
from harness.probe import Ending, ProbeResult, Response, ServerProbe
from harness.report.keepalive_table import CASE, DOCUMENTED, LONG_CASE
from harness.requirements import INTERPRET
from harness.scripted import Close, Pause, Receive, ScriptedServer, Send

from .keepalive_timers import TIMERS, DocumentedTimer

MUST, SHOULD, MAY = Level.MUST, Level.SHOULD, Level.MAY
PERSISTENT = (Capability.PERSISTENT_CONNECTIONS,)

# How long to watch a connection after a complete response to see whether the server closes
# it. Servers that close do so at once; this only has to outlast scheduling delays.
LINGER = 0.5 * SCALE
# How long a probe waits for a response that a server may never send (a pipelined request it
# dropped, one after "close"): long enough for /delay/100, short enough to keep cells fast.
PROBE_WAIT = 2.0 * SCALE
# How long an idle connection is watched for the manner of the server's idle close (its
# time is keepalive.server.idle_timer's, with a longer watch).
IDLE_WAIT = 2.0 * SCALE
# Pause between two requests that must not be pipelined, and the client case's wait after
# the scripted server's close: generous next to the server's own pause.
SETTLE = 0.5 * SCALE


def connection_options(values: list[str]) -> set[str]:
    """The connection options in a message's Connection field values, lower-cased
    (RFC 9110 §7.6.1: a comma-separated list)."""
    return {option.strip().lower() for value in values for option in value.split(",")} - {""}


def announces_close(version: str, connection: list[str]) -> bool:
    """Whether a response tells its recipient that the connection ends after it.

    RFC 9112 §9.3: with the "close" option the connection "will not persist after the
    current response"; else an HTTP/1.1 (or later) message persists, and an HTTP/1.0 one
    persists only with the "keep-alive" option.
    """
    options = connection_options(connection)
    if "close" in options:
        return True
    return version < "HTTP/1.1" and "keep-alive" not in options


def _announces_close(response: Response) -> bool:
    return announces_close(response.version, response.header_values("Connection"))


def _describe(response: Response) -> str:
    """A response's version and Connection fields, for messages."""
    connection = response.header_values("Connection")
    return f"{response.version} {response.status} with Connection {connection}"


# --- interop: reuse as both ends see it ---------------------------------------------------


def _send(case: Case, conversation: Conversation, spec: RequestSpec, what: str) -> Exchange:
    """Send ``spec``; a client error fails ``case`` (the verdict, not a crash of the test)."""
    try:
        return conversation.send(spec)
    except ClientError as exc:
        raise case.failure(f"{what} to succeed", f"client error {exc}") from exc


def _conn(
    case: Case, conversation: Conversation, what: str, headers: Headers | None = None
) -> tuple[Exchange, str]:
    """GET /conn: the exchange and the peer (client address:port) the server saw."""
    exchange = _send(case, conversation, RequestSpec("GET", "/conn", headers=headers or []), what)
    case.expect(f"status of {what}", 200, exchange.status)
    try:
        return exchange, json.loads(exchange.body)["peer"]
    except (ValueError, KeyError, TypeError):
        raise case.failure(f"/conn's JSON document for {what}", exchange.body[:200]) from None


def _describe_exchange(exchange: Exchange) -> str:
    return f"{exchange.http_version} with Connection {exchange.header_values('Connection')}"


def _closes(exchange: Exchange) -> bool:
    return announces_close(exchange.http_version, exchange.header_values("Connection"))


REUSE = Case(
    "keepalive.reuse.same_connection",
    "RFC 9112 §9.3",
    SHOULD,
    "Requests through one client go over one persistent connection (one peer, reused)",
    requires=PERSISTENT,
    requirement_ids=("9112-9.3-1",),
)


@REUSE
def test_requests_share_one_connection(
    interop: Conversation, record_property: RecordProperty
) -> None:
    # "HTTP implementations SHOULD support persistent connections" (RFC 9112 §9.3): a SHOULD
    # for both ends, not a MUST. A server that does not support them may close after every
    # response if it announces it (keepalive.server.close_announced holds it to that MUST), as
    # Werkzeug's development server does; reuse is then impossible, and this SHOULD is what
    # it misses. The message says which end gave up the connection.
    exchanges = [_conn(REUSE, interop, f"GET /conn #{n}") for n in (1, 2, 3)]
    peers = [peer for _, peer in exchanges]
    record_property("observed", f"{len(set(peers))} connection(s) for {len(peers)} requests")
    for (previous, _), (exchange, peer) in itertools.pairwise(exchanges):
        if peer != peers[0]:
            who = (
                f"the server closed it, announcing close ({_describe_exchange(previous)})"
                if _closes(previous)
                else f"the client opened a new one after {_describe_exchange(previous)}"
            )
            raise REUSE.failure("every request on the first connection", f"peers {peers}: {who}")
        REUSE.expect_that(
            exchange.reused is not False,
            "the client to report the connection reused",
            f"reused {exchange.reused} while the server saw the same peer {peer}",
        )


# Large and small bodies in turn: a side that reads a body short, or past its end, leaves the
# next response on the connection misframed (RFC 9112 §9.3: "all messages on a connection need
# to have a self-defined message length").
BODY_SIZES = (1024 * 1024, 0, 64 * 1024, 1)

REUSE_BODIES = Case(
    "keepalive.reuse.bodies",
    "RFC 9112 §9.3",
    MUST,
    "Bodies of 0 B to 1 MiB are read in full, so every later response on the connection is intact",
    requires=PERSISTENT,
    requirement_ids=("9112-9.3-6",),
)


@REUSE_BODIES
def test_bodies_of_every_size_keep_reuse_intact(
    interop: Conversation, record_property: RecordProperty
) -> None:
    # RFC 9112 §9.3: "A server MUST read the entire request message body or close the
    # connection ... a client MUST read the entire response message body if it intends to
    # reuse the same connection". /conn after each body shows the connection it went over.
    # Where the server closes after every response nothing is reused, and the observation
    # says so: whether reuse happens is keepalive.reuse.same_connection's verdict, not this.
    peers: list[str] = []
    for size in BODY_SIZES:
        target = f"/bytes/{size}"
        exchange = _send(REUSE_BODIES, interop, RequestSpec("GET", target), f"GET {target}")
        REUSE_BODIES.expect(f"status of GET {target}", 200, exchange.status)
        REUSE_BODIES.expect_that(
            exchange.body == contract.deterministic_bytes(size),
            f"the {size} bytes of {target}, byte for byte",
            f"{len(exchange.body)} bytes that differ",
        )
        peers.append(_conn(REUSE_BODIES, interop, f"GET /conn after {target}")[1])
    record_property(
        "observed",
        f"{len(set(peers))} connection(s) seen by the {len(peers)} GET /conn, one per body",
    )


CLOSE_RESPONSE = Case(
    "keepalive.close.response",
    "RFC 9112 §9.6",
    MUST,
    "After a response with Connection: close the next request succeeds on a new connection",
    requires=(Capability.CLOSE_FROM_APPLICATION,),
    requirement_ids=("9112-9.6-8",),
)


@CLOSE_RESPONSE
def test_response_close_is_honoured(interop: Conversation) -> None:
    # RFC 9112 §9.6: "A client that receives a "close" connection option MUST cease sending
    # requests on that connection", and the server "MUST initiate closure" after it.
    _, before = _conn(CLOSE_RESPONSE, interop, "GET /conn before /close")
    closing = _send(CLOSE_RESPONSE, interop, RequestSpec("GET", "/close"), "GET /close")
    CLOSE_RESPONSE.expect_that(
        "close" in connection_options(closing.header_values("Connection")),
        "Connection: close on the response to GET /close, which the application sets",
        _describe_exchange(closing),
    )
    after, peer = _conn(CLOSE_RESPONSE, interop, "GET /conn after /close")
    CLOSE_RESPONSE.expect_that(
        peer != before and after.reused is not True,
        "the request after Connection: close on a new connection",
        f"peer {peer} (before /close: {before}), client reused {after.reused}",
    )


# --- server probes --------------------------------------------------------------------------


def _only_response(case: Case, result: ProbeResult, what: str) -> Response:
    """The one complete, well-formed final response of ``result``; fails ``case`` otherwise."""
    case.expect_that(
        len(result.final) == 1 and result.malformed is None,
        f"one complete response to {what}",
        result.describe(),
    )
    return result.final[0]


PERSISTENT_SERVER = Case(
    "keepalive.server.persistent",
    "RFC 9112 §9.3",
    SHOULD,
    "An HTTP/1.1 connection stays open after a response and serves the next request",
    requires=PERSISTENT,
    requirement_ids=("9112-9.3-1",),
)


@PERSISTENT_SERVER
def test_http11_connection_persists(server_probe: ServerProbe) -> None:
    # "HTTP/1.1 defaults to the use of persistent connections ... HTTP implementations SHOULD
    # support persistent connections" (RFC 9112 §9.3). The second request is sent after a
    # pause, so this is reuse in sequence, not pipelining (keepalive.server.pipelining).
    first, second = "/bytes/5", "/bytes/7"
    result = server_probe.send(
        [server_probe.request("GET", first), SETTLE, server_probe.request("GET", second)],
        responses=2,
        linger=LINGER,
        idle_timeout=PROBE_WAIT,
    )
    PERSISTENT_SERVER.expect_that(
        bool(result.final), f"a response to GET {first}", result.describe()
    )
    PERSISTENT_SERVER.expect_that(
        not _announces_close(result.final[0]),
        "the first response to leave the connection open (HTTP/1.1, no close option)",
        _describe(result.final[0]),
    )
    PERSISTENT_SERVER.expect_that(
        [r.body for r in result.final] == [contract.deterministic_bytes(n) for n in (5, 7)]
        and result.malformed is None,
        f"GET {first} and GET {second} both answered on one connection",
        result.describe(),
    )
    PERSISTENT_SERVER.expect(
        "the connection open after the second response", Ending.OPEN, result.ending
    )


CLOSE_ANNOUNCED = Case(
    "keepalive.server.close_announced",
    "RFC 9112 §9.3",
    MUST,
    "A server that closes the connection after a response to HTTP/1.1 announces it (close)",
    requirement_ids=(
        "9112-9.3-3",
        "9112-9.6-1",
    ),
)


@CLOSE_ANNOUNCED
def test_server_announces_its_close(
    server_probe: ServerProbe, record_property: RecordProperty
) -> None:
    # "A server that does not support persistent connections MUST send the "close"
    # connection option in every response message that does not have a 1xx status code"
    # (RFC 9112 §9.3). An HTTP/1.0 response without "keep-alive" already tells the client
    # that the connection closes (the recipient's rules in §9.3), so it counts as announced.
    result = server_probe.send(
        server_probe.request("GET", "/bytes/5"), linger=LINGER, idle_timeout=PROBE_WAIT
    )
    response = _only_response(CLOSE_ANNOUNCED, result, "GET /bytes/5")
    record_property("observed", f"{_describe(response)}, then connection {result.ending}")
    if result.ending is not Ending.OPEN:
        CLOSE_ANNOUNCED.expect_that(
            _announces_close(response),
            "the close option on a response after which the server closes",
            f"{_describe(response)}, then connection {result.ending}",
        )


REQUEST_CLOSE = Case(
    "keepalive.server.request_close",
    "RFC 9112 §9.6",
    MUST,
    "After answering a request with Connection: close the server closes, answering no more",
    requirement_ids=(
        "9112-9.6-3",
        "9112-9.6-5",
    ),
)


@REQUEST_CLOSE
def test_server_closes_after_request_close(server_probe: ServerProbe) -> None:
    # RFC 9112 §9.6: "A server that receives a "close" connection option MUST initiate
    # closure of the connection ... after it sends the final response to the request that
    # contained the "close" connection option. ... The server MUST NOT process any further
    # requests received on that connection." A second request is pipelined behind it to see
    # that it goes unanswered.
    pipelined = server_probe.request(
        "GET", "/bytes/5", headers=[("Connection", "close")]
    ) + server_probe.request("GET", "/bytes/7")
    result = server_probe.send(pipelined, responses=2, idle_timeout=PROBE_WAIT)
    REQUEST_CLOSE.expect_that(
        len(result.final) == 1 and result.final[0].body == contract.deterministic_bytes(5),
        "the request with Connection: close answered and the one after it not",
        result.describe(),
    )
    REQUEST_CLOSE.expect_that(
        result.ending in (Ending.CLOSED, Ending.RESET),
        "the connection closed after the response",
        f"the connection still open {PROBE_WAIT:.1f} s later ({result.ending})",
    )


REQUEST_CLOSE_ANNOUNCED = Case(
    "keepalive.server.request_close_announced",
    "RFC 9112 §9.6",
    SHOULD,
    "The response to a request with Connection: close carries the close option",
    requirement_ids=("9112-9.6-4",),
)


@REQUEST_CLOSE_ANNOUNCED
def test_server_echoes_request_close(server_probe: ServerProbe) -> None:
    # RFC 9112 §9.6: "The server SHOULD send a "close" connection option in its final response
    # on that connection." A client that reads only the response (as http.client does) needs it
    # to know the connection is gone.
    result = server_probe.send(
        server_probe.request("GET", "/bytes/5", headers=[("Connection", "close")]),
        idle_timeout=PROBE_WAIT,
    )
    response = _only_response(REQUEST_CLOSE_ANNOUNCED, result, "GET with Connection: close")
    REQUEST_CLOSE_ANNOUNCED.expect_that(
        _announces_close(response), "the close option in the final response", _describe(response)
    )


RESPONSE_CLOSE = Case(
    "keepalive.server.response_close",
    "RFC 9112 §9.6",
    MUST,
    "A server that sends Connection: close closes the connection, answering no more",
    requires=(Capability.CLOSE_FROM_APPLICATION,),
    requirement_ids=(
        "9112-9.6-6",
        "9112-9.6-7",
    ),
)


@RESPONSE_CLOSE
def test_server_closes_after_sending_close(server_probe: ServerProbe) -> None:
    # RFC 9112 §9.6: "A server that sends a "close" connection option MUST initiate closure
    # of the connection ... after it sends the response containing the "close" connection
    # option. The server MUST NOT process any further requests received on that connection."
    # /close makes the application set the field; closing after it is the implementation's.
    pipelined = server_probe.request("GET", "/close") + server_probe.request("GET", "/bytes/7")
    result = server_probe.send(pipelined, responses=2, idle_timeout=PROBE_WAIT)
    RESPONSE_CLOSE.expect_that(
        len(result.final) == 1 and result.final[0].body == b"closing\n",
        "GET /close answered and the request after it not",
        result.describe(),
    )
    RESPONSE_CLOSE.expect_that(
        "close" in connection_options(result.final[0].header_values("Connection")),
        "Connection: close on the response to GET /close, which the application sets",
        _describe(result.final[0]),
    )
    RESPONSE_CLOSE.expect_that(
        result.ending in (Ending.CLOSED, Ending.RESET),
        "the connection closed after the response",
        f"the connection still open {PROBE_WAIT:.1f} s later ({result.ending})",
    )


HTTP10_CLOSE = Case(
    "keepalive.http10.default_close",
    "RFC 9112 §9.3, Appendix C.2.2",
    MUST,
    "The server closes the connection after answering an HTTP/1.0 request without keep-alive",
    requirement_ids=(INTERPRET,),
)


@HTTP10_CLOSE
def test_http10_request_closes_by_default(
    server_probe: ServerProbe, record_property: RecordProperty
) -> None:
    # RFC 9112 §9.3: for an HTTP/1.0 message without "keep-alive", "the connection will close
    # after the current response"; Appendix C.2.2: in HTTP/1.0 the connection is "closed by
    # the server after sending the response". A client of HTTP/1.0 may read until that close,
    # so a server that keeps the connection open leaves it waiting.
    # The close is expected, so waiting for it as long as for a response costs a conforming
    # server nothing, and keeps a busy server's late close from reading as "open".
    result = server_probe.send(
        server_probe.request("GET", "/bytes/5", version="HTTP/1.0"),
        linger=PROBE_WAIT,
        idle_timeout=PROBE_WAIT,
    )
    response = _only_response(HTTP10_CLOSE, result, "an HTTP/1.0 GET")
    record_property("observed", f"{_describe(response)}, then connection {result.ending}")
    HTTP10_CLOSE.expect_that(
        result.ending in (Ending.CLOSED, Ending.RESET),
        "the connection closed after the response",
        f"connection {result.ending} {PROBE_WAIT:.1f} s after the response",
    )


HTTP10_KEEP_ALIVE = Case(
    "keepalive.http10.keep_alive",
    "RFC 9112 §9.3, Appendix C.2.2",
    MAY,
    "HTTP/1.0 keep-alive may be honoured; a connection kept open is announced as persistent",
    requirement_ids=(INTERPRET,),
)


@HTTP10_KEEP_ALIVE
def test_http10_keep_alive(server_probe: ServerProbe, record_property: RecordProperty) -> None:
    # Honouring "Connection: keep-alive" from an HTTP/1.0 client is optional: the connection
    # persists if "the recipient wishes to honor the HTTP/1.0 keep-alive mechanism" (RFC 9112
    # §9.3). What is recorded is whether it does. The check fails only when the server keeps
    # the connection open after a response that, by the rules of §9.3, told the client it
    # would close (an HTTP/1.0 response without "keep-alive", or "close"): the client then
    # waits for a close that does not come. An HTTP/1.1 response without "close" announces
    # persistence by those rules, though an HTTP/1.0 client reads it as HTTP/1.0 (RFC 9110
    # §2.5), where only "keep-alive" would; that is recorded, not failed.
    request = server_probe.request(
        "GET", "/bytes/5", version="HTTP/1.0", headers=[("Connection", "keep-alive")]
    )
    result = server_probe.send(request, linger=LINGER, idle_timeout=PROBE_WAIT)
    response = _only_response(HTTP10_KEEP_ALIVE, result, "an HTTP/1.0 keep-alive GET")
    kept = "kept open" if result.ending is Ending.OPEN else f"connection {result.ending}"
    record_property("observed", f"{kept} after {_describe(response)}")
    if result.ending is Ending.OPEN:
        HTTP10_KEEP_ALIVE.expect_that(
            not _announces_close(response),
            "a response announcing persistence (keep-alive, or HTTP/1.1 without close) "
            "on a connection kept open",
            f"{_describe(response)}, then kept open",
        )


# Three different answers, the slow one first: a server that processes pipelined requests in
# parallel (RFC 9112 §9.3.2 allows that for safe methods) is tempted to answer it last.
PIPELINE = (
    ("/delay/100", 200, b"delayed 100 ms\n"),
    ("/bytes/7", 200, contract.deterministic_bytes(7)),
    ("/status/201", 201, contract.status_body(201)),
)

PIPELINING = Case(
    "keepalive.server.pipelining",
    "RFC 9112 §9.3.2",
    MUST,
    "Pipelined requests are answered in order; a server that stops early announces its close",
    requirement_ids=("9112-9.3.2-2",),
)


@PIPELINING
def test_pipelined_requests_answered_in_order(
    server_probe: ServerProbe, record_property: RecordProperty
) -> None:
    # "A server MAY process a sequence of pipelined requests in parallel if they all have
    # safe methods ..., but it MUST send the corresponding responses in the same order that
    # the requests were received" (RFC 9112 §9.3.2). A server may also stop after any response
    # that announces close (§9.6): the client then retries the rest (§9.3.2).
    pipelined = b"".join(server_probe.request("GET", target) for target, _, _ in PIPELINE)
    result = server_probe.send(pipelined, responses=len(PIPELINE), idle_timeout=PROBE_WAIT)
    final = result.final
    record_property("observed", f"{len(final)} of {len(PIPELINE)} answered: {result.describe()}")
    for response, (target, status, body) in zip(final, PIPELINE, strict=False):
        PIPELINING.expect_that(
            (response.status, response.body) == (status, body),
            f"the response to GET {target} ({status}, {body[:16]!r}) in its place",
            f"{response.status}, {response.body[:16]!r} ({result.describe()})",
        )
    # A response announcing close must be the last one (§9.6: the server "MUST NOT process
    # any further requests"), and only such a response may end the answers early.
    closing = [n for n, response in enumerate(final, 1) if _announces_close(response)]
    stopped_early = len(final) < len(PIPELINE)
    PIPELINING.expect_that(
        result.malformed is None
        and closing in ([], [len(final)])
        and (not stopped_early or (bool(closing) and result.ending is not Ending.OPEN)),
        f"all {len(PIPELINE)} answered, or the answers up to one announcing close and no more",
        result.describe(),
    )


IDLE = Case(
    "keepalive.server.idle",
    "RFC 9112 §9.5",
    SHOULD,
    "An idle connection is closed, if at all, gracefully after a complete response",
    requires=PERSISTENT,
    requirement_ids=("9112-9.5-1",),
)


@IDLE
def test_idle_connection(server_probe: ServerProbe, record_property: RecordProperty) -> None:
    # No idle timeout is required: "A client, server, or proxy MAY close the transport
    # connection at any time" (RFC 9112 §9.5), so the timeout is recorded as data. What is
    # checked is the manner: "A client or server that wishes to time out SHOULD issue a
    # graceful close on the connection" (§9.5), which is a FIN after a complete response, not
    # a reset and not a close in the middle of one.
    result = server_probe.send(
        server_probe.request("GET", "/bytes/5"), linger=IDLE_WAIT, idle_timeout=PROBE_WAIT
    )
    record_property("observed", _idle_observation(result))
    response = _only_response(IDLE, result, "GET /bytes/5")
    IDLE.expect("the response's content", contract.deterministic_bytes(5), response.body)
    IDLE.expect_that(
        result.ending is not Ending.RESET,
        "a graceful close (FIN) of the idle connection",
        "a reset (RST)",
    )


def _idle_observation(result: ProbeResult) -> str:
    if result.ending is Ending.OPEN:
        return f"open through the {IDLE_WAIT:.1f} s watch (timed by keepalive.server.idle_timer)"
    if result.final and _announces_close(result.final[-1]):
        return f"{result.ending} after the response, which announced close"
    return f"{result.ending} about {result.elapsed:.1f} s after the request"


IDLE_TIMER = Case(
    CASE,
    "RFC 9112 §9.5",
    MAY,
    "An idle kept-alive connection is closed when the server's documentation says (observed: "
    "the seconds until the close, within a bounded watch)",
    requires=PERSISTENT,
    outside_index="a server's idle timeout as its documentation states it; RFC 9112 §9.5 "
    "leaves it to the implementation",
)


@pytest.fixture
def documented_timer(request: pytest.FixtureRequest) -> DocumentedTimer | None:
    """The idle timer the cell's server documents (suites/keepalive_timers.py), or None."""
    pairing: Pairing = request.node.callspec.params["server_probe"]
    return TIMERS.get(pairing.server or "")


@IDLE_TIMER
def test_idle_timer(
    server_probe: ServerProbe,
    documented_timer: DocumentedTimer | None,
    record_property: RecordProperty,
) -> None:
    # "Servers will usually have some timeout value beyond which they will no longer
    # maintain an inactive connection" (RFC 9112 §9.5), and the value is the server's to
    # choose: the verdict is against its own documentation, and the time is data.
    watch_idle_timer(server_probe, documented_timer, record_property, deadlines.KEEPALIVE_WATCH)


IDLE_TIMER_LONG = Case(
    LONG_CASE,
    "RFC 9112 §9.5",
    MAY,
    "An idle kept-alive connection is closed when the server's documentation says, for a "
    "timer longer than keepalive.server.idle_timer's watch (observed in the slow run only)",
    requires=PERSISTENT,
    outside_index="a server's idle timeout as its documentation states it; RFC 9112 §9.5 "
    "leaves it to the implementation",
)


def _documented(timer: DocumentedTimer) -> str:
    """The observed entry the report's table reads the documented timer from."""
    return f"{DOCUMENTED}{timer.describe()}: {timer.source}"


def latest_close(timer: DocumentedTimer) -> float:
    """The latest on-time close of a documented timer, in seconds after the request."""
    return (timer.seconds or 0.0) + timer.late + deadlines.KEEPALIVE_TOLERANCE


def long_watch(timer: DocumentedTimer, beyond: float = deadlines.KEEPALIVE_WATCH) -> float | None:
    """The slow run's watch for ``timer``: None where it documents no idle close, or where a
    watch of ``beyond`` seconds (keepalive.server.idle_timer's) already sees its close."""
    if timer.seconds is None or latest_close(timer) <= beyond:
        return None
    return latest_close(timer) + deadlines.KEEPALIVE_LONG_MARGIN


@pytest.mark.slow
@IDLE_TIMER_LONG
def test_idle_timer_long(
    server_probe: ServerProbe,
    documented_timer: DocumentedTimer | None,
    record_property: RecordProperty,
) -> None:
    # Out of the default run (marker slow: ``pytest -m slow``): the timers it times are a
    # minute or more, and each cell waits for its whole timer.
    if documented_timer is None:
        pytest.skip("the server documents no idle timer known here")
    watch_long_timer(server_probe, documented_timer, record_property)


def watch_long_timer(
    probe: ServerProbe,
    timer: DocumentedTimer,
    record: RecordProperty,
    beyond: float = deadlines.KEEPALIVE_WATCH,
) -> None:
    """watch_idle_timer for a timer longer than ``beyond``, within the slow run's bound;
    a timer past the bound is recorded from its source, not measured (a skip)."""
    watch = long_watch(timer, beyond)
    if watch is None:
        pytest.skip(f"{timer.describe()}: keepalive.server.idle_timer's watch times it")
    if watch > deadlines.KEEPALIVE_LONG_LIMIT:
        record(
            "observed",
            f"not measured: recorded from its source (a watch of {watch:g} s is past the slow "
            f"run's {deadlines.KEEPALIVE_LONG_LIMIT:g} s bound)",
        )
        record("observed", _documented(timer))
        pytest.skip(f"{timer.describe()}: longer than the slow run watches")
    watch_idle_timer(probe, timer, record, watch, IDLE_TIMER_LONG)


def watch_idle_timer(
    probe: ServerProbe,
    timer: DocumentedTimer | None,
    record: RecordProperty,
    watch: float,
    case: Case = IDLE_TIMER,
) -> None:
    """One request, then the connection watched idle for up to ``watch`` seconds; the close
    (or none) recorded and, where ``timer`` documents it, held to it."""
    result = probe.send(probe.request("GET", "/bytes/5"), linger=watch, idle_timeout=PROBE_WAIT)
    _only_response(case, result, "GET /bytes/5")
    # The time counts from the request: on loopback the response follows within milliseconds.
    closed = None if result.ending is Ending.OPEN else result.elapsed
    observed = (
        f"open through the {watch:g} s watch"
        if closed is None
        else f"{result.ending} {closed:.1f} s after the request"
    )
    record("observed", observed)
    if timer is None:
        pytest.skip(f"observed: {observed}; the server documents no idle timer known here")
    record("observed", _documented(timer))
    tolerance = deadlines.KEEPALIVE_TOLERANCE
    if timer.seconds is None:
        on_time, expected = closed is None, "no idle close"
    else:
        latest = latest_close(timer)
        # Open through the watch agrees with a timer that fires after the watch ends.
        on_time = (
            latest > watch if closed is None else timer.seconds - tolerance <= closed <= latest
        )
        expected = f"the idle close after {timer.describe()}, within {tolerance:g} s"
    case.expect_that(on_time, f"{expected}, as documented: {timer.source}", observed)


# --- client case ----------------------------------------------------------------------------

KEPT_ALIVE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
SERVER_IDLE_TIMEOUT = 0.1  # the scripted server's idle timeout, well inside SETTLE
# A response that leaves the connection open, then a close once the client has read it: an
# idle timeout as the client meets it, before its next request.
CLOSE_WHEN_IDLE = [Send(KEPT_ALIVE), Pause(SERVER_IDLE_TIMEOUT), Close()]
CONNECTION_ERRORS = (ErrorKind.CONNECTION_CLOSED, ErrorKind.CONNECTION_RESET)

SERVER_CLOSED = Case(
    "keepalive.client.server_closed",
    "RFC 9112 §9.3.1, §8",
    MUST,
    "A kept-alive connection closed between requests: the GET is retried or fails as a "
    "connection error, never a wrong response",
    requirement_ids=(
        "9110-9.2.2-1",
        "9112-8-2",
    ),
)


def request_after_close(cell: ScriptedClient) -> tuple[Exchange | ClientError, ScriptedExchange]:
    """GET / twice from the cell's client to a server playing CLOSE_WHEN_IDLE, the second
    well after the server closed the first connection; returns the first result and the
    second exchange."""
    spec = RequestSpec("GET", "/", timeouts=SCRIPTED_TIMEOUTS)
    with ScriptedServer(CLOSE_WHEN_IDLE, certificate=cell.certificate) as server:
        first = _outcome(cell, spec, server)
        time.sleep(SETTLE)
        second = _outcome(cell, spec, server)
        return first, ScriptedExchange(second, list(server.received))


def _outcome(
    cell: ScriptedClient, spec: RequestSpec, server: ScriptedServer
) -> Exchange | ClientError:
    try:
        return cell.client.send(spec, server.target)
    except ClientError as exc:
        return exc


@SERVER_CLOSED
def test_client_after_server_closed_idle_connection(
    scripted_client: ScriptedClient, record_property: RecordProperty
) -> None:
    # "Connections can be closed at any time, with or without intention. Implementations
    # ought to anticipate the need to recover from asynchronous close events" (RFC 9112
    # §9.3.1); GET is idempotent, so retrying it automatically is allowed (RFC 9110 §9.2.2),
    # and so is failing with a connection error. What must not happen is a response that was
    # never received reported as success (a client "MUST record the message as incomplete",
    # RFC 9112 §8).
    first, second = request_after_close(scripted_client)
    SERVER_CLOSED.expect_that(
        isinstance(first, Exchange) and first.body == b"ok",
        "the first response, 'ok'",
        first if isinstance(first, ClientError) else f"body {first.body[:20]!r}",
    )
    result = second.result
    if isinstance(result, ClientError):
        record_property("observed", f"failed: {result.kind} ({result.original_type})")
        SERVER_CLOSED.expect_that(
            result.kind in CONNECTION_ERRORS,
            f"a retry, or a connection error ({', '.join(CONNECTION_ERRORS)})",
            second.describe(),
        )
        return
    connections = len(second.received)
    record_property(
        "observed", f"succeeded, reused {result.reused}, {connections} connection(s) at the server"
    )
    SERVER_CLOSED.expect_that(
        (result.status, result.body) == (200, b"ok") and connections >= 2,
        "the retried GET answered 'ok' on a second connection",
        f"{second.describe()}, body {result.body[:20]!r}, "
        f"{connections} connection(s) at the server",
    )


REQUEST_CLOSE = Case(
    "keepalive.client.request_close",
    "RFC 9112 §9.6",
    MUST,
    "A client that sent Connection: close sends no further request on that connection",
    requirement_ids=("9112-9.6-2",),
)
# The server answers without echoing "close" (only a SHOULD for it) and keeps listening on
# the connection, so a client that reuses it is seen doing so, whatever the timing.
SILENT_ON_CLOSE = [Send(KEPT_ALIVE), Receive(), Close()]


@REQUEST_CLOSE
def test_client_honours_its_own_close(
    scripted_client: ScriptedClient, record_property: RecordProperty
) -> None:
    # RFC 9112 §9.6: "A client that sends a "close" connection option MUST NOT send further
    # requests on that connection (after the one containing the "close") and MUST close the
    # connection after reading the final response message corresponding to this request."
    specs = [
        RequestSpec("GET", "/", headers=[("Connection", "close")], timeouts=SCRIPTED_TIMEOUTS),
        RequestSpec("GET", "/", timeouts=SCRIPTED_TIMEOUTS),
    ]
    exchange = scripted_client.against(SILENT_ON_CLOSE, specs)
    first = exchange.connections[0] if exchange.connections else []
    record_property("observed", f"{len(first)} request(s) on the 'close' connection")
    REQUEST_CLOSE.expect(
        "requests on the connection whose first request said Connection: close", 1, len(first)
    )
