"""Watching a server shut down: SIGTERM while a slow request is in flight.

The server gets a request whose response takes about a second (``GET /drip``, its head first
and then a byte every 100 ms: once the head has arrived the request is surely in flight),
then SIGTERM to its process group, as the launcher and a process manager stop it. Three
things are seen: whether the in-flight response is completed or cut off, what a new
connection made during the shutdown meets (refused, answered, or accepted and left
unanswered), and when the process exits. ``observe`` only records; the verdict is the case's
(suites/test_lifecycle.py), against what the server documents.
"""

from __future__ import annotations

import enum
import signal
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass

from harness import deadlines
from harness.launcher import ServerProcess, signal_group
from harness.model import Target
from harness.probe import connect, parse_responses, request

# The in-flight request: DRIP_BYTES bytes, one every DRIP_INTERVAL_MS (about 1 s in all),
# shorter than every server's shutdown grace here (SERVER_SHUTDOWN_GRACE, 2 s).
DRIP_BYTES = 10
DRIP_INTERVAL_MS = 100
IN_FLIGHT = f"/drip/{DRIP_BYTES}?interval_ms={DRIP_INTERVAL_MS}"


class Arrival(enum.StrEnum):
    """What a new connection made during the shutdown met."""

    REFUSED = "refused"  # the listener was closed: connect failed
    ANSWERED = "answered"  # accepted and served, as if no shutdown had begun
    CLOSED = "closed unanswered"  # accepted, then closed (or reset) without a response
    UNANSWERED = "unanswered"  # accepted by the kernel, and left without a response


@dataclass(frozen=True)
class Shutdown:
    """What one SIGTERM during an in-flight request showed."""

    body_bytes: int  # of the in-flight response's DRIP_BYTES
    completed: bool  # the in-flight response arrived whole
    arrival: Arrival
    arrival_status: int | None  # the status a new connection got (ANSWERED)
    exit_after: float | None  # seconds from SIGTERM to the process's exit; None: not in the watch
    exit_status: int | None

    def lines(self) -> list[str]:
        """The observation in words, one line per thing seen (recorded as ``observed``)."""
        in_flight = (
            "completed"
            if self.completed
            else f"cut off after {self.body_bytes} of {DRIP_BYTES} body bytes"
        )
        arrival = self.arrival.value
        if self.arrival is Arrival.ANSWERED:
            arrival = f"answered {self.arrival_status}"
        exited = (
            f"exited {self.exit_after:.1f} s after SIGTERM with status {self.exit_status}"
            if self.exit_after is not None
            else f"still running {deadlines.SHUTDOWN_EXIT_WATCH:g} s after SIGTERM"
        )
        return [f"in-flight request: {in_flight}", f"new connection: {arrival}", exited]


def observe(server: ServerProcess) -> Shutdown:
    """SIGTERM ``server`` while GET /drip is in flight; what followed (``Shutdown``)."""
    target = server.target
    with connect(target, deadlines.CONNECT) as in_flight:
        in_flight.settimeout(deadlines.READ)
        in_flight.sendall(request("GET", IN_FLIGHT, host=target.authority))
        received = _read_head(in_flight)
        signal_group(server.process, signal.SIGTERM)
        exit_watch = _ExitWatch(server.process)
        time.sleep(deadlines.SHUTDOWN_SETTLE)
        arrival, status = _new_connection(target)
        received += _read_rest(in_flight, received)
    responses, _ = parse_responses(received, at_eof=True)
    body = len(received.partition(b"\r\n\r\n")[2])
    exit_after = exit_watch.result()
    return Shutdown(
        body_bytes=min(body, DRIP_BYTES),
        completed=bool(responses) and len(responses[0].body) == DRIP_BYTES,
        arrival=arrival,
        arrival_status=status,
        exit_after=exit_after,
        exit_status=server.process.returncode if exit_after is not None else None,
    )


def _read_head(sock: socket.socket) -> bytes:
    """Read until the response head has arrived (the request is then being served)."""
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(4096)
        if not piece:
            raise ConnectionError(f"the server closed before the head of GET {IN_FLIGHT}")
        data += piece
    return data


def _read_rest(sock: socket.socket, received: bytes) -> bytes:
    """The rest of the in-flight response, until it is whole, or the connection ends or goes
    quiet past the shutdown watch."""
    sock.settimeout(deadlines.SHUTDOWN_EXIT_WATCH)
    more = b""
    while len(received.partition(b"\r\n\r\n")[2]) + len(more) < DRIP_BYTES:
        try:
            piece = sock.recv(4096)
        except (OSError, ssl.SSLError):  # reset, or silent past the watch
            break
        if not piece:
            break
        more += piece
    return more


def _new_connection(target: Target) -> tuple[Arrival, int | None]:
    """GET /health on a new connection, during the shutdown."""
    try:
        sock = connect(target, deadlines.CONNECT)
    except ConnectionRefusedError:
        return Arrival.REFUSED, None
    except (OSError, ssl.SSLError):  # accepted by the kernel, then closed in the handshake
        return Arrival.CLOSED, None
    with sock:
        sock.settimeout(deadlines.SHUTDOWN_ANSWER)
        data = b""
        try:
            sock.sendall(request("GET", "/health", host=target.authority))
            while piece := sock.recv(4096):
                data += piece
                responses, _ = parse_responses(data)
                if responses:
                    return Arrival.ANSWERED, responses[0].status
        except TimeoutError:
            return Arrival.UNANSWERED, None
        except (OSError, ssl.SSLError):
            return Arrival.CLOSED, None
    return Arrival.CLOSED, None


class _ExitWatch:
    """Times a process's exit from now, in a thread, while the shutdown is observed."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process
        self._signalled = time.monotonic()
        self._exit_after: float | None = None
        self._thread = threading.Thread(target=self._wait, name="exit-watch", daemon=True)
        self._thread.start()

    def _wait(self) -> None:
        try:
            self._process.wait(timeout=deadlines.SHUTDOWN_EXIT_WATCH)
        except subprocess.TimeoutExpired:
            return
        self._exit_after = time.monotonic() - self._signalled

    def result(self) -> float | None:
        """Seconds from SIGTERM to the exit, or None if it did not exit within the watch."""
        self._thread.join(deadlines.SHUTDOWN_EXIT_WATCH + deadlines.POLL)
        return self._exit_after
