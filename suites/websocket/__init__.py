"""The WebSocket suite's tables (suites/test_websocket.py runs them): the server handshakes
(server_rows.py), the client cases' server handshakes (client_rows.py) and the interop
case (interop.py). What they share is here."""

from __future__ import annotations

from harness import contract
from harness.implementation import Capability

WEBSOCKET = (Capability.WEBSOCKET,)
# RFC 6455 is outside the requirements index of RFC 9110/9112.
OUTSIDE = "RFC 6455 (WebSocket) is not in the RFC 9110/9112 requirements index"
SUBPROTOCOL = contract.WEBSOCKET_SUBPROTOCOL
