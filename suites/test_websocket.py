"""WebSocket suite: the opening handshake (RFC 6455 §4), from both ends and between them.

Server probes send a client's handshake as exact bytes to each server's /ws (one row of
``SERVER_ROWS`` a case): a valid one is answered 101 with the right Sec-WebSocket-Accept
and a subprotocol only where one was offered; a handshake that is not one (a bad key, no
``Connection: Upgrade``, HTTP/1.0, POST) or of another version is refused. Client cases
(``CLIENT_ROWS``) play a server's handshake from a scripted server, its accept value
computed from the client's random key, and see whether the client's library fails the
connection where RFC 6455 §4.1 says it must. The interop case echoes a text and a binary
message between every WebSocket client and server over ws:// and wss://. Frames beyond that
echo are out of scope.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from harness import contract
from harness.cases import Case, Level
from harness.cells import Conversation, ScriptedClient
from harness.model import Pairing
from harness.probe import ProbeResult, ServerProbe
from harness.registry import Capability
from harness.scripted import Close, Reply, ScriptedServer
from harness.websocket import clients, handshake
from harness.websocket.clients import Failed, Opened, Outcome

MUST = Level.MUST
WEBSOCKET = (Capability.WEBSOCKET,)
# RFC 6455 is outside the requirements index of RFC 9110/9112.
OUTSIDE = "RFC 6455 (WebSocket) is not in the RFC 9110/9112 requirements index"
SUBPROTOCOL = contract.WEBSOCKET_SUBPROTOCOL

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


@dataclass(frozen=True)
class ClientRow:
    """A server handshake a scripted server plays to the client, and whether the client
    may open the connection on it."""

    id: str
    rfc: str
    requirement: str
    reply: Callable[[bytes], bytes]  # the scripted server's answer to the client's head
    opens: bool  # True: a valid handshake the client must accept; False: it must fail
    protocols: tuple[str, ...] = ()  # what the client offers
    level: Level = MUST

    @property
    def case(self) -> Case:
        return Case(
            self.id,
            self.rfc,
            self.level,
            self.requirement,
            requires=WEBSOCKET,
            outside_index=OUTSIDE,
        )

    def problem(self, outcome: Outcome) -> str | None:
        if self.opens and not isinstance(outcome, Opened):
            return "the connection opened"
        if not self.opens and not isinstance(outcome, Failed):
            return "the client to _Fail the WebSocket Connection_"
        return None


def _reply(**changes: Any) -> Callable[[bytes], bytes]:
    def reply(head: bytes) -> bytes:
        return handshake.server_reply(head, **changes)

    return reply


# RFC 6455 §4.1: "If the server's response is not valid, ... the client MUST _Fail the
# WebSocket Connection_", for each of the numbered checks quoted in the rows.
CLIENT_ROWS = (
    ClientRow(
        "websocket.client.accept",
        "RFC 6455 §4.1",
        "a valid server handshake (101, Upgrade, "
        "Connection and the right Sec-WebSocket-Accept) opens the connection",
        _reply(),
        opens=True,
    ),
    ClientRow(
        "websocket.client.wrong_accept",
        "RFC 6455 §4.1",
        '"If the response lacks a '
        "|Sec-WebSocket-Accept| header field or the |Sec-WebSocket-Accept| contains a value "
        "other than the base64-encoded SHA-1 of the concatenation of the |Sec-WebSocket-Key| "
        '... the client MUST _Fail the WebSocket Connection_."',
        _reply(accept_of=handshake.accept_without_guid),
        opens=False,
    ),
    ClientRow(
        "websocket.client.no_upgrade",
        "RFC 6455 §4.1",
        '"If the response lacks an |Upgrade| '
        "header field or the |Upgrade| header field contains a value that is not an ASCII "
        'case-insensitive match for the value "websocket", the client MUST _Fail the '
        'WebSocket Connection_."',
        _reply(drop=("Upgrade",)),
        opens=False,
    ),
    ClientRow(
        "websocket.client.status_200",
        "RFC 6455 §4.1",
        '"If the status code received from '
        'the server is not 101, the client handles the response per HTTP procedures": a 200 '
        "opens no WebSocket connection",
        _reply(status="200 OK"),
        opens=False,
    ),
    ClientRow(
        "websocket.client.unrequested_subprotocol",
        "RFC 6455 §4.1",
        '"If the response '
        "includes a |Sec-WebSocket-Protocol| header field and this header field indicates the "
        "use of a subprotocol that was not present in the client's handshake ..., the client "
        'MUST _Fail the WebSocket Connection_."',
        _reply(extra=(("Sec-WebSocket-Protocol", "other.proto"),)),
        opens=False,
        protocols=(SUBPROTOCOL,),
    ),
    ClientRow(
        "websocket.client.unrequested_extension",
        "RFC 6455 §4.1",
        '"If the response includes '
        "a |Sec-WebSocket-Extensions| header field and this header field indicates the use of "
        "an extension that was not present in the client's handshake ..., the client MUST "
        '_Fail the WebSocket Connection_."',
        _reply(extra=(("Sec-WebSocket-Extensions", "x-interop-unrequested"),)),
        opens=False,
    ),
)

# The interop case's messages: one text, one binary (RFC 6455 §5.6), each echoed as sent.
MESSAGES: tuple[str | bytes, ...] = ("héllo, interop", bytes(range(256)))
INTEROP = Case(
    "websocket.interop.echo",
    "RFC 6455 §4, §5.6",
    MUST,
    "a client and a server open a "
    "WebSocket connection with the opening handshake and exchange a text and a binary "
    "message, each echoed unchanged",
    requires=WEBSOCKET,
    outside_index=OUTSIDE,
)


def _params(rows: tuple[ServerRow, ...] | tuple[ClientRow, ...]) -> list[Any]:
    return [pytest.param(row.case, row, id=row.id) for row in rows]


def scripted_outcome(row: ClientRow, client: str, scripted: ScriptedClient) -> Outcome:
    """The client's verdict on the row's server handshake, played by a scripted server."""
    with ScriptedServer([Reply(row.reply), Close()], certificate=scripted.certificate) as server:
        return clients.exchange(client, server.target, protocols=row.protocols)


def _client_of(request: pytest.FixtureRequest, fixture: str) -> str:
    pairing: Pairing = request.node.callspec.params[fixture]
    assert pairing.client is not None
    return pairing.client


@pytest.mark.parametrize(("case", "row"), _params(SERVER_ROWS))
def test_server_handshake(case: Case, row: ServerRow, server_probe: ServerProbe) -> None:
    result = row.send(server_probe)
    problem = row.problem(result)
    case.expect_that(problem is None, str(problem), result.describe())


@pytest.mark.parametrize(("case", "row"), _params(CLIENT_ROWS))
def test_client_handshake(
    case: Case, row: ClientRow, scripted_client: ScriptedClient, request: pytest.FixtureRequest
) -> None:
    outcome = scripted_outcome(row, _client_of(request, "scripted_client"), scripted_client)
    problem = row.problem(outcome)
    case.expect_that(problem is None, str(problem), outcome)


@INTEROP
def test_echo(interop: Conversation, request: pytest.FixtureRequest) -> None:
    outcome = clients.exchange(_client_of(request, "interop"), interop.target, messages=MESSAGES)
    INTEROP.expect("the echoed messages", list(MESSAGES), getattr(outcome, "echoed", outcome))
