"""The interop case: every WebSocket client with every WebSocket server (RFC 6455 §4, §5.6)."""

from __future__ import annotations

from harness.cases import Case, Level

from . import OUTSIDE, WEBSOCKET

# The interop case's messages: one text, one binary (RFC 6455 §5.6), each echoed as sent.
MESSAGES: tuple[str | bytes, ...] = ("héllo, interop", bytes(range(256)))
INTEROP = Case(
    "websocket.interop.echo",
    "RFC 6455 §4, §5.6",
    Level.MUST,
    "a client and a server open a "
    "WebSocket connection with the opening handshake and exchange a text and a binary "
    "message, each echoed unchanged",
    requires=WEBSOCKET,
    outside_index=OUTSIDE,
)
