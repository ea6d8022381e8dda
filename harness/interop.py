"""What a cell talks through: a client and a running server (interop), or a client and a
scripted server (client cases)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from harness import contract, deadlines
from harness.cases import CheckFailed
from harness.clients import Client
from harness.errors import ClientError
from harness.launcher import ServerProcess
from harness.model import Exchange, RequestSpec, Target, Timeouts
from harness.scripted import Action, ScriptedServer, ServerTls
from harness.tls import Handshake

# A scripted server answers at once or never: waiting longer tells nothing more.
SCRIPTED_TIMEOUTS = Timeouts(connect=deadlines.CONNECT, read=2.0 * deadlines.SCALE)


@dataclass
class Conversation:
    """Sends requests through one client to one target and keeps what was exchanged."""

    target: Target
    client: Client
    exchanges: list[tuple[RequestSpec, Exchange]] = field(default_factory=list)

    def send(self, spec: RequestSpec) -> Exchange:
        exchange = self.client.send(spec, self.target)
        self.exchanges.append((spec, exchange))
        return exchange

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

    def describe(self) -> str:
        if isinstance(self.result, ClientError):
            return f"client error {self.result.kind} ({self.result.original_type})"
        return f"success: status {self.result.status}, {len(self.result.body)} body bytes"


@dataclass
class ScriptedClient:
    """A client under test, facing a scripted server over the cell's transport."""

    client: Client
    certificate: ServerTls | None = None  # set for the https transport

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
        return ScriptedExchange(
            result, list(server.received), list(server.connections), list(server.handshakes)
        )


@dataclass(frozen=True)
class HttpsServer:
    """An HTTPS server of the matrix as the TLS suite's server cases see it: the running
    instance, and how to start another with other certificate files."""

    name: str
    target: Target
    # (certfile, keyfile, ca_file) -> another running instance; raises LaunchError
    start: Callable[[str, str, str], ServerProcess]
