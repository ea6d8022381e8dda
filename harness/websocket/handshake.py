"""The opening handshake's values and bytes (RFC 6455 §4.1, §4.2.2), for the raw probes
and the scripted servers of suites/test_websocket.py."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Sequence

from harness import probe

# RFC 6455 §1.3: "the server would append the Globally Unique Identifier (GUID,
# [RFC4122]) "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" in string form"
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
VERSION = "13"  # RFC 6455 §4.1: "The value of this header field MUST be 13."
# RFC 6455 §4.1's own example nonce: 16 bytes, base64-encoded.
KEY = "dGhlIHNhbXBsZSBub25jZQ=="

Fields = Sequence[tuple[str, str]]


def accept(key: str) -> str:
    """Sec-WebSocket-Accept for a key (RFC 6455 §4.2.2, step 5.4): "a base64-encoded SHA-1
    of the concatenation of the |Sec-WebSocket-Key| (as a string, not base64-decoded) with
    the string "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"."""
    return base64.b64encode(hashlib.sha1((key + GUID).encode("ascii")).digest()).decode()


def accept_without_guid(key: str) -> str:
    """A wrong accept value, as a server that forgets the GUID computes it."""
    return base64.b64encode(hashlib.sha1(key.encode("ascii")).digest()).decode()


def upgrade_fields(key: str = KEY) -> list[tuple[str, str]]:
    """The fields of a valid client handshake (RFC 6455 §4.1), Host aside."""
    return [
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Key", key),
        ("Sec-WebSocket-Version", VERSION),
    ]


def upgrade_request(
    host: str,
    path: str,
    fields: Fields,
    *,
    method: str = "GET",
    version: str = "HTTP/1.1",
) -> bytes:
    """A client's opening handshake with exactly ``fields`` after Host."""
    return probe.request(method, path, host=host, headers=fields, version=version)


def field_value(head: bytes, name: str) -> str | None:
    """The first value of ``name`` in a request head as a scripted server received it."""
    request, _ = probe.parse_request(head)
    if request is None:
        return None
    values = request.header_values(name)
    return values[0] if values else None


def server_reply(
    head: bytes,
    *,
    status: str = "101 Switching Protocols",
    drop: Sequence[str] = (),
    extra: Fields = (),
    accept_of: Callable[[str], str] | None = None,
) -> bytes:
    """A server's answer to the client handshake in ``head``: by default a valid 101 (RFC
    6455 §4.2.2, step 5), its Sec-WebSocket-Accept computed from the client's key; ``drop``
    leaves fields out, ``extra`` adds some, ``accept_of`` computes the accept value
    from the key in another way."""
    key = field_value(head, "Sec-WebSocket-Key") or ""
    fields = [
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Accept", (accept_of or accept)(key)),
        *extra,
    ]
    lines = [f"HTTP/1.1 {status}"]
    lines += [f"{name}: {value}" for name, value in fields if name not in drop]
    if not status.startswith("101"):
        lines.append("Content-Length: 0")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
