"""A scripted loopback server: answers every connection with exact bytes and actions.

Used to see how clients handle what no well-behaved server sends (garbage status lines,
truncated bodies, resets). It reads the request head, then plays the script; it records
what each client sent. Every socket operation has a deadline.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Protocol

from harness import deadlines, probe
from harness.model import Target
from harness.tls import Handshake

HEAD_LIMIT = 256 * 1024  # stop reading a request head past this many bytes
WHOLE_LIMIT = 4 * 1024 * 1024  # a whole request (the largest a suite sends is 1 MiB)
MAX_FILLERS = 64  # give up filling an accept queue after this many connects


@dataclass(frozen=True)
class Send:
    data: bytes


@dataclass(frozen=True)
class Pause:
    seconds: float


@dataclass(frozen=True)
class Close:
    """Close the connection normally (FIN)."""


@dataclass(frozen=True)
class Reset:
    """Abort the connection (RST, via SO_LINGER with a zero timeout)."""


@dataclass(frozen=True)
class Receive:
    """Read the next request head on the same connection (the first is read before the
    script starts)."""


@dataclass(frozen=True)
class Answer:
    """Answer each request on the connection with what ``respond`` makes of it, until the
    client closes the connection or ``limit`` requests have been answered: a server whose
    replies depend on the request (a redirect, a challenge, a cookie)."""

    respond: Callable[[bytes], bytes]
    limit: int


@dataclass(frozen=True)
class Hang:
    """Say nothing until the server stops (or deadlines.SCRIPTED_HANG passes)."""


@dataclass(frozen=True)
class Listen:
    """Keep whatever the client sends for ``seconds`` (content it sends without being asked
    to go on, as after ``Expect: 100-continue``), in ``ScriptedServer.listened``."""

    seconds: float


@dataclass(frozen=True)
class Reply:
    """Send the bytes ``reply`` makes of the connection's last request head: an answer that
    depends on what the client sent (a WebSocket Sec-WebSocket-Accept, from its random key)."""

    reply: Callable[[bytes], bytes]


Action = Send | Pause | Close | Reset | Receive | Answer | Hang | Listen | Reply


class ServerTls(Protocol):
    """What a scripted server needs to serve TLS: harness.tls's ServerCertificate or ZooEntry."""

    @property
    def ca_file(self) -> str: ...

    def server_context(self) -> ssl.SSLContext: ...


@dataclass
class ScriptedServer:
    """Use as ``with ScriptedServer([Send(b"..."), Close()]) as server:``, then send to
    ``server.target``; ``received`` holds each connection's request head."""

    script: list[Action]
    certificate: ServerTls | None = None  # serve TLS with it (the session's, or a zoo entry)
    received: list[bytes] = field(default_factory=list)
    handshakes: list[Handshake] = field(default_factory=list)  # TLS only, in accept order
    # The request heads of each connection, in the order connections were accepted.
    connections: list[list[bytes]] = field(default_factory=list)
    # What each Listen kept, in the order played (every connection's).
    listened: list[bytes] = field(default_factory=list)
    # The client address of each connection, in accept order (who connected: a proxy or not).
    peers: list[str] = field(default_factory=list)
    # Play the script once this long has passed without the end of the request head, as a
    # server with a header timeout does.
    head_timeout: float = deadlines.SCRIPTED_IO
    # Read each request whole, its content too (as its framing says), not only its head:
    # ``received`` then holds what the client sent (harness/blame.py's witness).
    whole_requests: bool = False

    def __post_init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._tls: ssl.SSLContext | None = None
        if self.certificate is not None:
            self._tls = self.certificate.server_context()
            self._tls.sni_callback = _note_sni
        self._listener.settimeout(deadlines.POLL)  # so the accept loop notices stop() promptly
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._accept_thread = threading.Thread(target=self._accept_loop, daemon=True)

    @property
    def target(self) -> Target:
        host, port = self._listener.getsockname()[:2]
        if self.certificate is None:
            return Target("http", host, port)
        return Target("https", host, port, self.certificate.ca_file)

    def __enter__(self) -> ScriptedServer:
        self._accept_thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._accept_thread.join(deadlines.SCRIPTED_IO)
        for thread in self._threads:
            thread.join(deadlines.SCRIPTED_IO)
        self._listener.close()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, peer = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.peers.append(peer[0])
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, raw: socket.socket) -> None:
        raw.settimeout(deadlines.SCRIPTED_IO)
        try:
            conn = raw if self._tls is None else self._handshake(raw, self._tls)
        except (OSError, ssl.SSLError):
            raw.close()  # the handshake failed (the client refused, or gave up): nothing to script
            return
        heads: list[bytes] = []
        self.connections.append(heads)
        with conn, contextlib.suppress(OSError):  # the client may leave at any point
            last = self._note(heads, self._read_head(conn))
            for action in self.script:
                if isinstance(action, Receive):
                    last = self._note(heads, self._read_head(conn))
                elif isinstance(action, Answer):
                    for _ in range(action.limit):
                        if not last:
                            return
                        conn.sendall(action.respond(last))
                        last = self._note(heads, self._read_head(conn))
                elif isinstance(action, Send):
                    conn.sendall(action.data)
                elif isinstance(action, Reply):
                    conn.sendall(action.reply(heads[-1] if heads else b""))
                elif isinstance(action, Pause):
                    self._stop.wait(action.seconds)
                elif isinstance(action, Close):
                    return
                elif isinstance(action, Reset):
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return
                elif isinstance(action, Listen):
                    self.listened.append(self._listen(conn, action.seconds))
                elif isinstance(action, Hang):
                    self._stop.wait(deadlines.SCRIPTED_HANG)
                    return

    def _handshake(self, raw: socket.socket, context: ssl.SSLContext) -> ssl.SSLSocket:
        conn = context.wrap_socket(raw, server_side=True, do_handshake_on_connect=False)
        try:
            conn.do_handshake()
        except (OSError, ssl.SSLError) as exc:
            self.handshakes.append(Handshake(getattr(conn, _SNI_ATTRIBUTE, None), error=str(exc)))
            self._linger(conn)
            raise
        cipher = conn.cipher()
        self.handshakes.append(
            Handshake(
                sni=getattr(conn, _SNI_ATTRIBUTE, None),
                version=conn.version(),
                cipher=cipher[0] if cipher else None,
                alpn=conn.selected_alpn_protocol(),
            )
        )
        return conn

    def _linger(self, conn: ssl.SSLSocket) -> None:
        """Close after a failed handshake without resetting: OpenSSL has sent its alert, and
        under TLS 1.3 the client may already have sent its request. Closing with that unread
        would send RST, which can overtake the alert and leave the client with a bare reset
        instead of the reason (the lingering close of RFC 9112 §9.6, for the same cause)."""
        with contextlib.suppress(OSError):
            conn.shutdown(socket.SHUT_WR)  # drops the TLS layer; the TCP socket stays
            deadline = time.monotonic() + deadlines.SCRIPTED_LINGER
            while (remaining := deadline - time.monotonic()) > 0 and not self._stop.is_set():
                conn.settimeout(min(remaining, deadlines.POLL))
                with contextlib.suppress(TimeoutError):
                    if not conn.recv(65536):
                        break
        conn.close()

    def _note(self, heads: list[bytes], head: bytes) -> bytes:
        self.received.append(head)
        if head:
            heads.append(head)
        return head

    def _listen(self, conn: socket.socket, seconds: float) -> bytes:
        data = b""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0 and not self._stop.is_set():
            conn.settimeout(min(remaining, deadlines.POLL))
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                break
            data += chunk
        conn.settimeout(deadlines.SCRIPTED_IO)
        return data

    def _complete(self, data: bytes) -> bool:
        if not self.whole_requests:
            return b"\r\n\r\n" in data
        request, malformed = probe.parse_request(data)
        return request is not None or malformed is not None  # nothing more makes it one

    def _read_head(self, conn: socket.socket) -> bytes:
        data = b""
        deadline = time.monotonic() + self.head_timeout
        limit = WHOLE_LIMIT if self.whole_requests else HEAD_LIMIT
        while not self._complete(data) and len(data) < limit and not self._stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            # Short waits, so that a server being stopped does not sit out a client's silence.
            conn.settimeout(min(remaining, deadlines.POLL))
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if not chunk:
                break
            data += chunk
        conn.settimeout(deadlines.SCRIPTED_IO)
        return data


_SNI_ATTRIBUTE = "http_interop_sni"


def _note_sni(conn: ssl.SSLSocket | ssl.SSLObject, name: str | None, _: ssl.SSLContext) -> None:
    """The server-side SNI callback (RFC 6066 §3): keep the name the client sent on its socket,
    where _handshake reads it. Returning None lets the handshake go on."""
    setattr(conn, _SNI_ATTRIBUTE, name)


@contextlib.contextmanager
def full_backlog_listener() -> Iterator[Target]:
    """A loopback listener that never accepts and whose accept queue is full, so a further
    connect gets no answer (the kernel drops its SYN) and times out, without leaving
    loopback."""
    listener = socket.socket()
    fillers: list[socket.socket] = []
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        target = Target("http", "127.0.0.1", listener.getsockname()[1])
        while True:
            filler = socket.socket()
            filler.settimeout(deadlines.BACKLOG_FILLER_CONNECT)
            fillers.append(filler)
            try:
                filler.connect((target.host, target.port))
            except TimeoutError:
                break
            if len(fillers) >= MAX_FILLERS:
                raise RuntimeError(f"the accept queue never filled up ({MAX_FILLERS} connects)")
        yield target
    finally:
        for filler in fillers:
            filler.close()
        listener.close()
