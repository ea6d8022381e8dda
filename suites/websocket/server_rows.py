"""Server probes of the opening handshake (RFC 6455 §4.2.1, §4.2.2, §4.4): a client's
handshake sent to a server's /ws as exact bytes, one row a case, and what must come back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness import contract
from harness.cases import Case, Level
from harness.probe import ProbeResult, ServerProbe
from harness.websocket import handshake

from . import OUTSIDE, SUBPROTOCOL, WEBSOCKET

MUST = Level.MUST

# RFC 6455 §4.2.1: "If the server, while reading the handshake, finds that the client did not
# send a handshake that matches the description below (note that as per [RFC2616], the order
# of the header fields is not important), including but not limited to any violations of the
# ABNF grammar specified for the components of the handshake, the server MUST stop processing
# the client's handshake and return an HTTP response with an appropriate error code (such as
# 400 Bad Request)."
NOT_A_HANDSHAKE = (
    "a server MUST stop processing a handshake that does not match §4.2.1's description and "
    "return an HTTP response with an appropriate error code (such as 400 Bad Request)"
)


@dataclass(frozen=True)
class Accepted:
    """101 with the upgrade fields and the accept value for the key sent (RFC 6455 §4.2.2,
    step 5), and the subprotocol ``protocol`` in Sec-WebSocket-Protocol (None: no field)."""

    protocol: str | None = None

    def problem(self, response: Any, key: str) -> str | None:
        if response.status != 101:
            return "status 101 Switching Protocols"
        if [v.lower() for v in response.header_values("Upgrade")] != ["websocket"]:
            return "'Upgrade: websocket'"
        tokens = {
            t.strip().lower() for v in response.header_values("Connection") for t in v.split(",")
        }
        if "upgrade" not in tokens:
            return "'Connection: Upgrade'"
        if response.header_values("Sec-WebSocket-Accept") != [handshake.accept(key)]:
            return f"Sec-WebSocket-Accept {handshake.accept(key)!r}"
        protocols = response.header_values("Sec-WebSocket-Protocol")
        if protocols != ([self.protocol] if self.protocol else []):
            return (
                f"Sec-WebSocket-Protocol {self.protocol!r}"
                if self.protocol
                else "no Sec-WebSocket-Protocol"
            )
        return None


@dataclass(frozen=True)
class Refused:
    """A 4xx response, no 101; with ``versions``, a Sec-WebSocket-Version field naming
    version 13 (RFC 6455 §4.4)."""

    versions: bool = False

    def problem(self, response: Any, key: str) -> str | None:
        if not 400 <= response.status < 500:
            return "a 4xx refusal"
        offered = {
            t.strip() for v in response.header_values("Sec-WebSocket-Version") for t in v.split(",")
        }
        if self.versions and handshake.VERSION not in offered:
            return f"a Sec-WebSocket-Version field naming {handshake.VERSION}"
        return None


@dataclass(frozen=True)
class ServerRow:
    """A client handshake sent to a server's /ws as exact bytes, and what must come back."""

    id: str
    rfc: str
    requirement: str
    fields: tuple[tuple[str, str], ...]
    expected: Accepted | Refused
    method: str = "GET"
    version: str = "HTTP/1.1"
    level: Level = MUST

    @property
    def key(self) -> str:
        return dict(self.fields).get("Sec-WebSocket-Key", "")

    @property
    def case(self) -> Case:
        return Case(
            self.id,
            self.rfc,
            self.level,
            self.requirement,
            requires=WEBSOCKET,
            uses_contract=False,
            outside_index=OUTSIDE,
        )

    def send(self, probe: ServerProbe) -> ProbeResult:
        """The handshake's bytes to ``probe``'s server; reading stops at the first response
        (a 101 is final: the probe does not wait past it)."""
        data = handshake.upgrade_request(
            probe.target.authority,
            contract.WEBSOCKET_PATH,
            self.fields,
            method=self.method,
            version=self.version,
        )
        return probe.send(data, methods=[self.method])

    def problem(self, result: ProbeResult) -> str | None:
        """What was expected and did not come, or None."""
        if result.malformed or not result.final:
            return "a complete response"
        return self.expected.problem(result.final[0], self.key)


def _without(*names: str) -> tuple[tuple[str, str], ...]:
    return tuple(f for f in handshake.upgrade_fields() if f[0] not in names)


def _with(*extra: tuple[str, str], drop: tuple[str, ...] = ()) -> tuple[tuple[str, str], ...]:
    return (*_without(*drop, *(name for name, _ in extra)), *extra)


SERVER_ROWS = (
    ServerRow(
        "websocket.server.accept",
        "RFC 6455 §4.2.2",
        "a server accepting a valid handshake "
        "MUST reply 101 with 'Upgrade: websocket', 'Connection: Upgrade' and the "
        "Sec-WebSocket-Accept derived from the client's key",
        _without(),
        Accepted(),
    ),
    ServerRow(
        "websocket.server.subprotocol_offered",
        "RFC 6455 §4.2.2",
        "the subprotocol the server "
        "selects MUST be one of those in the client's Sec-WebSocket-Protocol field (/ws "
        f"supports {SUBPROTOCOL!r})",
        _with(("Sec-WebSocket-Protocol", f"other.proto, {SUBPROTOCOL}")),
        Accepted(SUBPROTOCOL),
    ),
    ServerRow(
        "websocket.server.subprotocol_not_offered",
        "RFC 6455 §4.2.2",
        "a server MUST NOT send "
        "a Sec-WebSocket-Protocol field when the client offered none it agrees to",
        _with(("Sec-WebSocket-Protocol", "other.proto")),
        Accepted(),
    ),
    ServerRow(
        "websocket.server.version_unsupported",
        "RFC 6455 §4.4",
        "a version the server does not "
        "understand (99): it MUST abort the handshake with an HTTP error code (such as 426) and a "
        "Sec-WebSocket-Version field naming the versions it understands",
        _with(("Sec-WebSocket-Version", "99")),
        Refused(versions=True),
    ),
    ServerRow(
        "websocket.server.version_missing",
        "RFC 6455 §4.2.1, §4.4",
        "no Sec-WebSocket-Version "
        "(§4.2.1 item 6 requires 13): an HTTP error code and the versions it understands",
        _without("Sec-WebSocket-Version"),
        Refused(versions=True),
    ),
    ServerRow(
        "websocket.server.key_short",
        "RFC 6455 §4.2.1",
        NOT_A_HANDSHAKE + "; item 5: a "
        "Sec-WebSocket-Key that, when decoded, is 16 bytes (this one decodes to 10)",
        _with(("Sec-WebSocket-Key", "dGhlIHNhbXBsZQ==")),
        Refused(),
    ),
    ServerRow(
        "websocket.server.key_not_base64",
        "RFC 6455 §4.2.1",
        NOT_A_HANDSHAKE + "; item 5: a base64-encoded Sec-WebSocket-Key",
        _with(("Sec-WebSocket-Key", "not base64 at all!!!!!!")),
        Refused(),
    ),
    ServerRow(
        "websocket.server.no_connection_upgrade",
        "RFC 6455 §4.2.1",
        NOT_A_HANDSHAKE + "; item 4: a Connection field including the token 'Upgrade'",
        _without("Connection"),
        Refused(),
    ),
    ServerRow(
        "websocket.server.no_upgrade",
        "RFC 6455 §4.2.1",
        NOT_A_HANDSHAKE + "; item 3: an Upgrade field including 'websocket'",
        _without("Upgrade"),
        Refused(),
    ),
    ServerRow(
        "websocket.server.http10",
        "RFC 6455 §4.2.1",
        NOT_A_HANDSHAKE + "; item 1: an HTTP/1.1 or higher GET request",
        _without(),
        Refused(),
        version="HTTP/1.0",
    ),
    ServerRow(
        "websocket.server.post",
        "RFC 6455 §4.2.1",
        NOT_A_HANDSHAKE + "; item 1: an HTTP/1.1 or higher GET request",
        _with(("Content-Length", "0")),
        Refused(),
        method="POST",
    ),
)
