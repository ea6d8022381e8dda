"""One interop cell's conversation: a client talking to a running server."""

from __future__ import annotations

from dataclasses import dataclass, field

from harness import contract
from harness.cases import CheckFailed
from harness.clients import Client
from harness.model import Exchange, RequestSpec, Target


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
