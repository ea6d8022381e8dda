"""Client cases of the opening handshake (RFC 6455 §4.1): a server's handshake a scripted
server plays to the client, its accept value computed from the client's random key, and
whether the client may open the connection on it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.cases import Case, Level
from harness.websocket import handshake
from harness.websocket.clients import Failed, Opened, Outcome

from . import OUTSIDE, SUBPROTOCOL, WEBSOCKET

MUST = Level.MUST


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
