"""The deadline on a whole exchange, kept for the in-process client adapters.

A library's own timeouts bound each blocking operation (connect, one read): a server that
sends one byte a second never trips them, and held a cell until pytest-timeout's backstop.
So every exchange also has a total deadline (``Timeouts.exchange``). aiohttp keeps it with
asyncio's own ``asyncio.timeout``; the synchronous libraries have no such facility (urllib3's
``Timeout(total=...)`` bounds each read only by what is left after connecting, requests and
httpx have none), so :class:`Watchdog` keeps it for them: at the deadline it shuts the
client's sockets down, the library's blocked read returns, and the exchange ends as
``timeout.total``, whatever the library made of the shut-down connection (even a success:
a body delimited by the close would look whole). It does no protocol work.

Which sockets are the client's: those created in the thread running an exchange while it
runs, seen through the interpreter's audit event ``socket.__new__`` (raised for every
socket object, TLS sockets included, whatever library creates it), and kept per client so
that a pooled connection made by an earlier exchange is reached too. An audit hook cannot be
removed; it is installed once and does nothing outside an exchange.
"""

from __future__ import annotations

import contextlib
import enum
import socket
import ssl
import sys
import threading
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from harness import deadlines
from harness.errors import ClientError, ErrorKind
from harness.model import Exchange, RequestSpec, Target


class Stage(enum.StrEnum):
    """How far an exchange got: setting up the connection (TCP and TLS), waiting for the
    response head (the request sent, or being sent), or reading the body."""

    CONNECT = "connect"
    HEAD = "head"
    BODY = "body"


class DeadlineExceeded(TimeoutError):
    """The whole exchange outlasted its deadline: the original of a ``timeout.total``."""


@dataclass
class Progress:
    """What an adapter tells of its exchange: the stage, and after the head a count of the
    body bytes received where its library keeps one."""

    target: Target
    total: float
    library: str
    stage: Stage = Stage.CONNECT
    received: Callable[[], int] | None = None

    def reached_body(self, received: Callable[[], int] | None = None) -> None:
        """The library handed over the response head; ``received`` counts body bytes."""
        self.stage = Stage.BODY
        self.received = received

    def failure(self) -> ClientError:
        """The ``timeout.total`` error naming the server, the stage and the bytes so far."""
        received = (
            f"{self.received()} body bytes received"
            if self.received is not None
            else f"bytes received so far not exposed by {self.library}"
        )
        return ClientError(
            ErrorKind.TIMEOUT_TOTAL,
            DeadlineExceeded(
                f"{self.target.base_url} had not sent a whole response within the "
                f"{self.total:.2f} s deadline on the exchange; stage: {self.stage}; {received}"
            ),
        )


_exchange = threading.local()  # .sockets: the list the running exchange's sockets go in
_hook_lock = threading.Lock()
_hook_installed = False


def _note_socket(event: str, args: tuple[object, ...]) -> None:
    if event == "socket.__new__":
        sockets: list[socket.socket] | None = getattr(_exchange, "sockets", None)
        if sockets is not None and isinstance(args[0], socket.socket):
            sockets.append(args[0])


def _install_hook() -> None:
    global _hook_installed
    with _hook_lock:
        if not _hook_installed:
            sys.addaudithook(_note_socket)
            _hook_installed = True


def _connected(sock: socket.socket) -> bool:
    """Past the connect stage: TCP connected and, over TLS, the handshake done (an
    SSLSocket's version() is None until then)."""
    try:
        sock.getpeername()
    except OSError:
        return False
    return not isinstance(sock, ssl.SSLSocket) or sock.version() is not None


def _shut_down(sock: socket.socket) -> None:
    # The plain socket's shutdown, also for an SSLSocket: its own shutdown() would reset the
    # TLS state under the thread reading from it. A shut-down socket makes a blocked read
    # return at once (close() would not); the library closes it as after any failure.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class Watchdog:
    """One synchronous client's keeper of total deadlines: its ``send`` runs each exchange
    through ``Watchdog.send`` (see the module's docstring)."""

    def __init__(self, library: str) -> None:
        self.library = library
        # Every socket created in this client's exchanges, while it lives: pooled ones too.
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()

    def send(
        self,
        spec: RequestSpec,
        target: Target,
        exchange: Callable[[RequestSpec, Target, Progress], Exchange],
    ) -> Exchange:
        """``exchange(spec, target, progress)`` under the spec's total deadline (none for the
        client as shipped, RequestSpec.defaults)."""
        with self.exchange(target, None if spec.defaults else spec.timeouts.exchange) as progress:
            return exchange(spec, target, progress)

    @contextlib.contextmanager
    def exchange(self, target: Target, total: float | None) -> Iterator[Progress]:
        """Run one exchange under ``total`` seconds (None: no deadline, the client as
        shipped); past it, the exchange raises ``timeout.total`` instead of what it made."""
        progress = Progress(target, total or 0.0, self.library)
        if total is None:
            yield progress
            return
        _install_hook()
        created: list[socket.socket] = []
        ended = threading.Event()
        expired = threading.Event()

        def keep() -> None:
            if ended.wait(total):
                return
            expired.set()
            live = [sock for sock in created if sock.fileno() != -1]
            if progress.stage is not Stage.BODY:
                # A socket of this exchange not yet connected: still connecting. None, or all
                # connected: sending the request or awaiting the head (on a pooled connection,
                # or this one).
                connecting = any(not _connected(sock) for sock in live)
                progress.stage = Stage.CONNECT if connecting else Stage.HEAD
            # Again until the exchange ends: a socket still connecting cannot be shut down
            # (its connect deadline ends it) and one connected later must be.
            while True:
                for sock in [*self._sockets, *created]:
                    _shut_down(sock)
                if ended.wait(deadlines.POLL):
                    return

        keeper = threading.Thread(target=keep, name="exchange-deadline", daemon=True)
        _exchange.sockets = created
        keeper.start()

        def end() -> bool:
            del _exchange.sockets
            ended.set()
            keeper.join()
            self._sockets.update(created)
            return expired.is_set()

        try:
            yield progress
        except Exception as exc:
            if end():
                raise progress.failure() from exc
            raise
        except BaseException:
            end()
            raise
        if end():
            raise progress.failure()
