"""What a TLS client offers in its ClientHello, read off the wire before any certificate is
sent: a client that will refuse the server's certificate still says what it offers.

Only the ALPN extension is read (RFC 7301 §3.1); the record layout is RFC 8446 §5.1 and
§4.1.2 (TLS 1.2's ClientHello has the same layout).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from harness import deadlines
from harness.model import Target

HANDSHAKE_RECORD = 22  # ContentType handshake
CLIENT_HELLO = 1  # HandshakeType client_hello
ALPN_EXTENSION = 16  # application_layer_protocol_negotiation
RECORD_HEAD = 5  # type, legacy_record_version, length


class NotClientHello(ValueError):
    """The bytes are not a TLS ClientHello."""


def alpn_offered(hello: bytes) -> list[str] | None:
    """The protocols of a ClientHello's ALPN extension, in order; None without one."""
    body = _handshake_body(hello)
    at = 2 + 32  # legacy_version, random
    at += 1 + body[at]  # legacy_session_id
    at += 2 + struct.unpack_from("!H", body, at)[0]  # cipher_suites
    at += 1 + body[at]  # legacy_compression_methods
    if at >= len(body):
        return None  # no extensions at all
    end = at + 2 + struct.unpack_from("!H", body, at)[0]
    at += 2
    while at + 4 <= end:
        kind, length = struct.unpack_from("!HH", body, at)
        at += 4
        if kind == ALPN_EXTENSION:
            names, data = [], body[at + 2 : at + length]  # after the list's own length
            while data:
                names.append(data[1 : 1 + data[0]].decode("ascii", "replace"))
                data = data[1 + data[0] :]
            return names
        at += length
    return None


def _handshake_body(hello: bytes) -> bytes:
    """The ClientHello message's body, from the handshake records that carry it."""
    fragments, at = b"", 0
    while at + RECORD_HEAD <= len(hello) and hello[at] == HANDSHAKE_RECORD:
        length = struct.unpack_from("!H", hello, at + 3)[0]
        fragments += hello[at + RECORD_HEAD : at + RECORD_HEAD + length]
        at += RECORD_HEAD + length
    if len(fragments) < 4 or fragments[0] != CLIENT_HELLO:
        raise NotClientHello(f"not a TLS ClientHello: {hello[:16]!r}")
    length = int.from_bytes(fragments[1:4], "big")
    if len(fragments) < 4 + length:
        raise NotClientHello(f"a ClientHello cut short ({len(fragments) - 4} of {length} bytes)")
    return fragments[4 : 4 + length]


def _complete(data: bytes) -> bool:
    try:
        _handshake_body(data)
    except NotClientHello:
        return False
    return True


@dataclass
class HelloListener:
    """A loopback listener that reads the first connection's ClientHello and closes it
    without answering (the client then fails, which is not what is observed)."""

    hellos: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._thread = threading.Thread(target=self._read_one, daemon=True)
        self._stop = threading.Event()

    @property
    def target(self) -> Target:
        return Target("https", "127.0.0.1", self._listener.getsockname()[1])

    def _read_one(self) -> None:
        # Every connection is read and closed (a client may retry), until the block ends.
        self._listener.settimeout(deadlines.POLL)
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn, contextlib.suppress(OSError):
                data = b""
                deadline = time.monotonic() + deadlines.SCRIPTED_IO
                while not _complete(data) and (remaining := deadline - time.monotonic()) > 0:
                    conn.settimeout(remaining)
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                self.hellos.append(data)


@contextlib.contextmanager
def hello_listener() -> Iterator[HelloListener]:
    """A HelloListener running until the block ends."""
    listener = HelloListener()
    listener._thread.start()
    try:
        yield listener
    finally:
        listener._stop.set()
        listener._thread.join(deadlines.SCRIPTED_IO)
        listener._listener.close()
