"""The kinds of cells, and the objects a cell's test talks through, each keeping the record
its transcript is made of.

A cell is a case run with a ``Pairing``. Its kind is the fixture the test takes, which
decides the pairing's sides and what the test gets: a client and a running server
(``interop``), the raw probe and a server (``server_probe``), a client and scripted servers
(``scripted_client``, ``tls_client``), or an HTTPS server of the matrix (``tls_server``);
a WebSocket client and a server, or scripted servers (``websocket_interop``,
``websocket_client``).
``CELL_KINDS`` is the one table of them that the plugin, the fixtures and the transcripts
read.
"""

from __future__ import annotations

import contextlib
import gc
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from harness import contract, deadlines, transcript
from harness.cases import CheckFailed
from harness.clients import Client
from harness.errors import ClientError
from harness.implementation import Kind
from harness.launcher import ServerProcess
from harness.model import TRANSPORTS, Exchange, Pairing, RequestSpec, Target, Timeouts
from harness.probe import ProbeResult, ServerProbe
from harness.scripted import Action, Close, Reply, ScriptedServer, ServerTls
from harness.tls import Handshake
from harness.websocket import clients as websocket_clients
from harness.websocket.clients import Message, Outcome


@contextlib.contextmanager
def collecting_abandoned_sockets() -> Iterator[None]:
    """A client that gives up on a response may leave its socket in a reference cycle (urllib3
    raising InvalidHeader for differing Content-Length values), or never close it
    (urllib.request's HTTPBasicAuthHandler drops the 401 it answers: Lib/urllib/request.py:
    HTTPBasicAuthHandler.http_error_401): collect it at the end of the block, in this cell,
    where its ResourceWarning says nothing about the verdict, rather than let it fail
    whichever cell the garbage collector happens to run in next.

    A full collection walks every object of the process, pytest's thousands of items
    included (about 60 ms a cell in the full run). The cell's sockets are all made inside
    the block, so what exists before it is frozen (put where collections do not look, and
    back afterwards: both are O(1)) and the collection walks only what the cell made."""
    gc.freeze()
    try:
        yield
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()
        gc.unfreeze()


# A scripted server answers at once or never: waiting longer tells nothing more.
SCRIPTED_TIMEOUTS = Timeouts(connect=deadlines.CONNECT, read=deadlines.SCRIPTED_READ)


def replayable(spec: RequestSpec) -> RequestSpec:
    """``spec`` with streamed content (an iterable, consumed once) kept as a tuple."""
    if spec.body is None or isinstance(spec.body, bytes | tuple):
        return spec
    return replace(spec, body=tuple(spec.body))


def fresh(spec: RequestSpec) -> RequestSpec:
    """A replayable spec ready to send: its streamed content an iterator again (a client
    takes a tuple for form data, requests does)."""
    return replace(spec, body=iter(spec.body)) if isinstance(spec.body, tuple) else spec


@dataclass
class Conversation:
    """Sends requests through one client to one target and keeps what was exchanged."""

    target: Target
    client: Client
    exchanges: list[tuple[RequestSpec, Exchange]] = field(default_factory=list)
    # The last request sent (answered or not), its streamed content kept as a tuple of
    # pieces so that it can be sent again (harness/blame.py's witness).
    last: RequestSpec | None = None

    def send(self, spec: RequestSpec) -> Exchange:
        self.last = replayable(spec)
        exchange = self.client.send(fresh(self.last), self.target)
        self.exchanges.append((self.last, exchange))
        return exchange

    def transcript(self) -> str:
        """Each request as specified and its response as the client presented it."""
        return transcript.joined(
            transcript.interop_exchange(number, spec, exchange)
            for number, (spec, exchange) in enumerate(self.exchanges, 1)
        )

    def echo(self, spec: RequestSpec) -> tuple[Exchange, contract.Echo]:
        """Send ``spec`` to the server's ``/echo`` and read back what the server received."""
        exchange = self.send(spec)
        if exchange.status != 200:
            raise CheckFailed(
                f"expected status 200 from {spec.method} {spec.target} (docs/contract.md, "
                f"ANY /echo), got {exchange.status} {exchange.reason}"
            )
        try:
            return exchange, contract.parse_echo(exchange.body)
        except (ValueError, KeyError, TypeError) as exc:
            raise CheckFailed(
                f"expected /echo's JSON document (docs/contract.md), got {exchange.body[:200]!r} "
                f"({exc})"
            ) from None


@dataclass
class ScriptedExchange:
    """What a client made of a scripted server's bytes, and what the server received."""

    result: Exchange | ClientError
    received: list[bytes]  # the request heads, one per Receive (and the first)
    connections: list[list[bytes]] = field(default_factory=list)  # the heads, per connection
    handshakes: list[Handshake] = field(default_factory=list)  # TLS, as the server saw them
    peers: list[str] = field(default_factory=list)  # each connection's client address

    def describe(self) -> str:
        if isinstance(self.result, ClientError):
            return f"client error {self.result.kind} ({self.result.original_type})"
        return f"success: status {self.result.status}, {len(self.result.body)} body bytes"


@dataclass(frozen=True)
class RecordingProbe(ServerProbe):
    """The raw probe bound to the cell's server, keeping every result for the transcript."""

    results: list[ProbeResult] = field(default_factory=list, compare=False, repr=False)

    def send(self, pieces: Any, **options: Any) -> ProbeResult:
        result = super().send(pieces, **options)
        self.results.append(result)
        return result

    def transcript(self) -> str:
        """The exact bytes both ways, per connection."""
        return transcript.joined(
            transcript.probe_connection(number, result)
            for number, result in enumerate(self.results, 1)
        )


@dataclass
class ScriptedClient:
    """A client under test, facing a scripted server over the cell's transport; it keeps
    every script and exchange for the transcript."""

    client: Client
    certificate: ServerTls | None = None  # set for the https transport
    runs: list[tuple[list[Action], ScriptedExchange]] = field(default_factory=list)

    def against(
        self,
        script: list[Action],
        specs: list[RequestSpec] | None = None,
        *,
        tls: ServerTls | None = None,
        host: str | None = None,
    ) -> ScriptedExchange:
        """Send each spec (default: one GET /) to a fresh scripted server playing ``script``
        on every connection; the result is the last exchange or the first error.

        ``tls`` serves another TLS configuration than the cell's (a zoo entry); ``host`` is
        the name or address the client dials instead of the listening address (it must
        resolve to that address: ``localhost``)."""
        with ScriptedServer(script, certificate=tls or self.certificate) as server:
            target = server.target if host is None else replace(server.target, host=host)
            result: Exchange | ClientError | None = None
            for spec in specs or [RequestSpec("GET", "/", timeouts=SCRIPTED_TIMEOUTS)]:
                try:
                    result = self.client.send(spec, target)
                except ClientError as exc:
                    result = exc
                    break
            assert result is not None
        # After the server stopped: every connection's record is complete.
        exchange = ScriptedExchange(
            result,
            list(server.received),
            list(server.connections),
            list(server.handshakes),
            list(server.peers),
        )
        self.runs.append((script, exchange))
        return exchange

    def transcript(self) -> str:
        """Per scripted server: the client's result, what the server saw, its script."""
        return transcript.joined(
            transcript.scripted_run(
                number, script, exchange.describe(), exchange.handshakes, exchange.connections
            )
            for number, (script, exchange) in enumerate(self.runs, 1)
        )


@dataclass
class WebSocketClient:
    """A WebSocket client under test (by registry name, harness/websocket/clients.py),
    opening connections to the cell's server or to scripted servers; it keeps what each
    connection came to, for the transcript."""

    name: str
    target: Target | None = None  # the cell's server (websocket_interop)
    certificate: ServerTls | None = None  # the scripted servers' TLS, for https
    runs: list[str] = field(default_factory=list)

    def open(self, messages: Sequence[Message] = ()) -> Outcome:
        """A connection to the cell's server's /ws: the handshake, one echo per message."""
        assert self.target is not None, "a websocket_interop cell has a server"
        outcome = websocket_clients.exchange(self.name, self.target, messages=messages)
        address = websocket_clients.url(self.target, contract.WEBSOCKET_PATH)
        self.runs.append(
            f"--- {address}: {len(messages)} messages sent; the client's result: {outcome}"
        )
        return outcome

    def against(self, reply: Callable[[bytes], bytes], protocols: Sequence[str] = ()) -> Outcome:
        """A connection to a scripted server answering the client's handshake with
        ``reply(head)``, offering ``protocols``."""
        script: list[Action] = [Reply(reply), Close()]
        with ScriptedServer(script, certificate=self.certificate) as server:
            outcome = websocket_clients.exchange(self.name, server.target, protocols=protocols)
        self.runs.append(
            transcript.scripted_run(
                len(self.runs) + 1, script, str(outcome), server.handshakes, server.connections
            )
        )
        return outcome

    def transcript(self) -> str:
        return transcript.joined(self.runs)


@dataclass(frozen=True)
class HttpsServer:
    """An HTTPS server of the matrix as the TLS suite's server cases see it: the running
    instance, and how to start another with other certificate files."""

    name: str
    target: Target
    # (certfile, keyfile, ca_file) -> another running instance; raises LaunchError
    start: Callable[[str, str, str], ServerProcess]


@dataclass
class OwnServer:
    """A server of the matrix started for one cell alone (a case that stops it), and what the
    cell saw of it, for the transcript."""

    process: ServerProcess
    seen: list[str] = field(default_factory=list)

    def transcript(self) -> str:
        """What the cell saw, then the end of the server's stderr."""
        return "\n".join([*self.seen, "server stderr ends:", self.process.stderr_tail()])


@dataclass(frozen=True)
class CellKind:
    """One kind of cell: the fixture its test takes (the parameter its ``Pairing`` rides
    on), the sides that pairing has, the transports it runs over, and how the fixture's
    value renders its transcript (``None``: it keeps none)."""

    fixture: str
    sides: tuple[Kind, ...]
    transports: tuple[str, ...]
    transcript: Callable[[Any], str] | None
    # Its client opens WebSocket connections (harness/websocket/clients.py), not HTTP
    # requests: the only kinds a WebSocket-only client (Implementation.websocket_only) has.
    websocket: bool = False
    # Whether its cells use the session's server pool; False: each cell starts its own.
    pooled: bool = True

    @property
    def id_shape(self) -> str:
        """The shape of its cells' pytest ids, the case id first so that ``-k`` matches what
        the reports show, e.g. ``<case>-<server>-<transport>`` (``cell_id``)."""
        return "-".join(f"<{part}>" for part in ("case", *self.sides, "transport"))

    def pairings(
        self, servers: list[str], clients: list[str], transports: list[str]
    ) -> list[Pairing]:
        """Its cells' pairings among the selected implementations and transports."""
        return [
            Pairing(server, client, transport)
            for server in (servers if Kind.SERVER in self.sides else [None])
            for client in (clients if Kind.CLIENT in self.sides else [None])
            for transport in transports
            if transport in self.transports
        ]


def cell_id(case_id: str, pairing: Pairing) -> str:
    """A cell's pytest id: its case id, then its pairing's (``CellKind.id_shape``). A case id
    has no ``-`` (harness/cases.py), so the first one ends it."""
    return f"{case_id}-{pairing.id}"


CELL_KINDS = (
    # A real server and a real client.
    CellKind("interop", (Kind.SERVER, Kind.CLIENT), TRANSPORTS, Conversation.transcript),
    # The raw probe client against each server.
    CellKind("server_probe", (Kind.SERVER,), TRANSPORTS, RecordingProbe.transcript),
    # Each client against scripted servers.
    CellKind("scripted_client", (Kind.CLIENT,), TRANSPORTS, ScriptedClient.transcript),
    # Each client as shipped (RequestSpec.defaults) against scripted servers; its TLS
    # defaults are tls_client cells.
    CellKind("shipped_client", (Kind.CLIENT,), ("http",), ScriptedClient.transcript),
    # Each client against the certificate zoo's (scripted) servers.
    CellKind("tls_client", (Kind.CLIENT,), ("https",), ScriptedClient.transcript),
    # Each HTTPS server's TLS set-up.
    CellKind("tls_server", (Kind.SERVER,), ("https",), None),
    # A WebSocket client and a real server; a WebSocket client against scripted servers.
    CellKind(
        "websocket_interop",
        (Kind.SERVER, Kind.CLIENT),
        TRANSPORTS,
        WebSocketClient.transcript,
        websocket=True,
    ),
    CellKind(
        "websocket_client", (Kind.CLIENT,), TRANSPORTS, WebSocketClient.transcript, websocket=True
    ),
    # Each server, started for the cell alone: the case stops it (graceful shutdown). Plain
    # HTTP only: the shutdown is the process's, and a cell costs a server start.
    CellKind("own_server", (Kind.SERVER,), ("http",), OwnServer.transcript, pooled=False),
)
