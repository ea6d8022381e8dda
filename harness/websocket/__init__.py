"""The WebSocket opening handshake (RFC 6455 §4): its bytes (handshake.py) and the clients
that open WebSocket connections (clients.py). Frames beyond one echo are out of scope."""
