"""WebSocket suite: the opening handshake (RFC 6455 §4), from both ends and between them.

Server probes send a client's handshake as exact bytes to each server's /ws (one row of
``SERVER_ROWS`` a case): a valid one is answered 101 with the right Sec-WebSocket-Accept
and a subprotocol only where one was offered; a handshake that is not one (a bad key, no
``Connection: Upgrade``, HTTP/1.0, POST) or of another version is refused. Client cases
(``CLIENT_ROWS``) play a server's handshake from a scripted server, its accept value
computed from the client's random key, and see whether the client's library fails the
connection where RFC 6455 §4.1 says it must. The interop case echoes a text and a binary
message between every WebSocket client and server over ws:// and wss://. Frames beyond that
echo are out of scope. The tables are in suites/websocket/.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.cases import Case
from harness.cells import WebSocketClient
from harness.probe import ServerProbe

from .websocket.client_rows import CLIENT_ROWS, ClientRow
from .websocket.interop import INTEROP, MESSAGES
from .websocket.server_rows import SERVER_ROWS, ServerRow


def _params(rows: tuple[ServerRow, ...] | tuple[ClientRow, ...]) -> list[Any]:
    return [pytest.param(row.case, row, id=row.id) for row in rows]


@pytest.mark.parametrize(("case", "row"), _params(SERVER_ROWS))
def test_server_handshake(case: Case, row: ServerRow, server_probe: ServerProbe) -> None:
    result = row.send(server_probe)
    problem = row.problem(result)
    case.expect_that(problem is None, str(problem), result.describe())


@pytest.mark.parametrize(("case", "row"), _params(CLIENT_ROWS))
def test_client_handshake(case: Case, row: ClientRow, websocket_client: WebSocketClient) -> None:
    outcome = websocket_client.against(row.reply, row.protocols)
    problem = row.problem(outcome)
    case.expect_that(problem is None, str(problem), outcome)


@INTEROP
def test_echo(websocket_interop: WebSocketClient) -> None:
    outcome = websocket_interop.open(MESSAGES)
    INTEROP.expect("the echoed messages", list(MESSAGES), getattr(outcome, "echoed", outcome))
