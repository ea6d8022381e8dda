"""Start servers out of process, wait for their ready line with a deadline, stop them surely.

The protocol (docs/contract.md, "Launching"; harness/servers/command.py): the command prints
``LISTENING <host> <port>`` on stdout once it accepts connections and serves until SIGTERM.
The process gets its own process group, so stopping it also stops anything it spawned.
"""

from __future__ import annotations

import collections
import contextlib
import errno
import http.client
import os
import queue
import resource
import shlex
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO

from harness import deadlines
from harness.implementation import Kind, Ready
from harness.model import Target
from harness.registry import REGISTRY
from harness.servers.command import READY_PREFIX

# Spawns happen one at a time (the waits for ready lines still overlap). Once, CPython
# 3.12.1 failed one of four Popen calls made at the same moment from the ServerPool's
# threads with "[Errno 14] Bad address" (EFAULT from its vfork/exec path); a loop of 400
# concurrent spawns did not reproduce it, but a spawn takes milliseconds, so the lock costs
# nothing measurable. With the lock, 3.11.7 still failed one spawn of an interpreter that
# exists in about 1 of 15 loaded runs of tests/test_extensions.py (other threads spawn
# client programs): an exec that fails so is the machine's, not the server's, so it is
# tried once more before the server is blamed.
_SPAWN_LOCK = threading.Lock()
_TRANSIENT_SPAWN_ERRORS = (errno.EFAULT, errno.EAGAIN)
SERVER_MEMORY = 4 * 1024**3  # bytes of address space a server may map (Node.js needs ~1 GiB)
_STDOUT_TAIL_LINES = 50
_STDERR_TAIL_BYTES = 4000
_PF_EXITING = 0x00000004  # include/linux/sched.h: "Getting shut down"
_LAST_LINE_CHARS = 200  # of stderr's last line, in the one-line reason


class LaunchError(RuntimeError):
    """A server the run needs is not there: its command could not be run, exited, or never
    printed its ready line in time (or a --target does not answer).

    ``line`` says so in one line, ending with the last line of its stderr; it is the repr,
    and what the terminal shows for each of its cells. ``str()`` adds the command and the
    ends of its output, for the reports.
    """

    def __init__(self, line: str, details: str = "") -> None:
        super().__init__(line + details)
        self.line = line

    def __repr__(self) -> str:
        return self.line


class ServerExited(LaunchError):
    """A server that started, then exited while the run still needed it (crashed, or stopped
    by itself): its exit status and the ends of its output, for the cells that needed it."""


@dataclass
class ServerProcess:
    """A running server process and the target clients use to reach it."""

    name: str
    command: list[str]
    target: Target
    process: subprocess.Popen[bytes]
    _stderr: IO[bytes] = field(repr=False)
    _stdout_tail: collections.deque[str] = field(repr=False)

    def stderr_tail(self) -> str:
        return _tail(self._stderr)

    def exit_failure(self, wait: float = 0.0) -> ServerExited | None:
        """Why the server is gone, if its process exited by itself (waiting up to ``wait``
        for one that is exiting): its status and the ends of its stdout and stderr."""
        if self._stderr.closed:  # stop() ended it: that is no failure
            return None
        try:
            # Waiting is for a process already on its way out; a running one costs nothing.
            status = self.process.wait(timeout=wait if _exiting(self.process.pid) else 0.0)
        except subprocess.TimeoutExpired:
            return None
        errors = self.stderr_tail()
        line = f"server {self.name!r} exited with status {status} during the run"
        details = _details(self.command, self._stdout_tail, errors)
        return ServerExited(line + _last_line(errors), details)

    def stop(
        self,
        grace: float = deadlines.SERVER_STOP_GRACE,
        kill_wait: float = deadlines.SERVER_KILL_WAIT,
    ) -> int | None:
        """SIGTERM, wait up to ``grace``, then SIGKILL the whole process group.

        Returns the exit status, or None if even SIGKILL did not reap it in ``kill_wait``.
        """
        if self._stderr.closed:  # stopped before: the group may be gone and its id reused
            return self.process.returncode
        try:
            return _terminate(self.process, grace, kill_wait)
        finally:
            self._stderr.close()
            _close_stdin(self.process)


def server_command(
    name: str, *, port: int = 0, certfile: str | None = None, keyfile: str | None = None
) -> list[str]:
    """The command that runs the registered server ``name``, on ``port`` (0: it picks one),
    serving HTTPS when ``certfile`` is given."""
    impl = REGISTRY.get(Kind.SERVER, name)
    try:
        return impl.argv(port=port, certfile=certfile, keyfile=keyfile)
    except ValueError as exc:
        raise LaunchError(f"server {name!r} could not start: {exc}") from None


def launch(
    name: str,
    command: Sequence[str],
    *,
    scheme: str = "http",
    ca_file: str | None = None,
    ready_timeout: float = deadlines.SERVER_READY,
    env: dict[str, str] | None = None,
    ready_port: int | None = None,
    ready: Ready = Ready.LINE,
) -> ServerProcess:
    """Start ``command`` and return once it printed its ready line, or, with
    ``ready_port``, once 127.0.0.1:``ready_port`` accepts a connection (``Ready.PORT``) or
    answers GET /health with 200 (``Ready.HEALTH``), for a program that cannot print the
    line (docs/contract.md, "Ready line").

    Raises LaunchError naming the implementation, the command, its exit status and the end
    of its stderr when it exits first or is not ready within ``ready_timeout``.
    """
    stderr = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the server; stop() closes it)
    try:
        process = _spawn(command, stderr, env)
    except OSError as exc:
        stderr.close()
        raise LaunchError(
            f"server {name!r} could not start: {exc}", f"\n(command: {shlex.join(command)})"
        ) from exc
    _cap_memory(process.pid)

    lines: queue.Queue[str | None] = queue.Queue()
    tail: collections.deque[str] = collections.deque(maxlen=_STDOUT_TAIL_LINES)
    threading.Thread(
        target=_pump_stdout, args=(process.stdout, lines, tail), name=f"stdout-{name}", daemon=True
    ).start()

    def failure(why: str) -> LaunchError:
        errors = _tail(stderr)
        line = f"server {name!r} could not start: {why}" + _last_line(errors)
        details = _details(command, tail, errors)
        stderr.close()
        _close_stdin(process)
        return LaunchError(line, details)

    deadline = time.monotonic() + ready_timeout
    if ready_port is not None:
        target = Target(scheme=scheme, host="127.0.0.1", port=ready_port, ca_file=ca_file)
        why = _wait_for_port(process, target, deadline, health=ready is Ready.HEALTH)
        if why:
            if process.poll() is None:
                _terminate(process, deadlines.SERVER_FAILED_STOP_GRACE, deadlines.SERVER_KILL_WAIT)
            raise failure(f"{why} within {ready_timeout:.1f}s")
        return ServerProcess(name, list(command), target, process, stderr, tail)
    try:
        while True:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.0))
            if line is None:  # stdout closed: the process is exiting
                status = _reap(process)
                raise failure(f"exited with status {status} before printing its ready line")
            if line.startswith(READY_PREFIX):
                break
    except queue.Empty:
        _terminate(process, deadlines.SERVER_FAILED_STOP_GRACE, deadlines.SERVER_KILL_WAIT)
        raise failure(f"did not print its ready line within {ready_timeout:.1f}s") from None
    try:
        host, port = _parse_ready(line)
    except ValueError as exc:
        _terminate(process, deadlines.SERVER_FAILED_STOP_GRACE, deadlines.SERVER_KILL_WAIT)
        raise failure(str(exc)) from None
    # A wrong port in the ready line would otherwise show only as every cell's
    # connect.refused, blamed on the clients.
    target = Target(scheme=scheme, host=host, port=port, ca_file=ca_file)
    grace = min(deadlines.SERVER_READY_PORT, max(deadline - time.monotonic(), 0.0))
    why = _wait_for_port(process, target, time.monotonic() + grace, health=False)
    if why:
        if process.poll() is not None:
            raise failure(why)
        _terminate(process, deadlines.SERVER_FAILED_STOP_GRACE, deadlines.SERVER_KILL_WAIT)
        raise failure(
            f"ready line names port {port} but nothing listens there ({host}:{port} accepted "
            f"no connection within {grace:.1f}s)"
        )
    return ServerProcess(name, list(command), target, process, stderr, tail)


def _spawn(
    command: Sequence[str], stderr: IO[bytes], env: dict[str, str] | None
) -> subprocess.Popen[bytes]:
    def popen() -> subprocess.Popen[bytes]:
        with _SPAWN_LOCK:
            return subprocess.Popen(
                list(command),
                # Held open and never written: a server that watches it
                # (--stop-on-stdin-eof) stops when the harness dies, even by SIGKILL.
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                start_new_session=True,  # its own process group: stop() kills descendants
                env=env,
            )

    try:
        return popen()
    except OSError as exc:
        if exc.errno not in _TRANSIENT_SPAWN_ERRORS:
            raise
    time.sleep(deadlines.POLL)
    return popen()


def _cap_memory(pid: int) -> None:
    """Cap the server's address space (its children inherit the cap): a server that tries
    to allocate without bound fails its own requests with an out-of-memory error instead of
    making the kernel kill processes at random, the harness's among them. Werkzeug's HTTPS
    server once grew to 22 GB during a run."""
    if hasattr(resource, "prlimit"):  # Linux
        with contextlib.suppress(OSError):  # the process may already have exited
            resource.prlimit(pid, resource.RLIMIT_AS, (SERVER_MEMORY, SERVER_MEMORY))


def _wait_for_port(
    process: subprocess.Popen[bytes], target: Target, deadline: float, *, health: bool
) -> str | None:
    """None once the target's port accepts a connection (with ``health``: once it answers
    GET /health with 200); otherwise why not, by the deadline (looked at once at least)."""
    port, answer = target.port, "no answer"
    while True:
        if process.poll() is not None:
            return f"exited with status {process.returncode} before port {port} accepted"
        if not health:
            with socket.socket() as probe:
                probe.settimeout(deadlines.POLL)
                if probe.connect_ex((target.host, port)) == 0:
                    return None
        else:
            answer = _health(target)
            if answer == "200":
                return None
        if time.monotonic() >= deadline:
            break
        time.sleep(deadlines.POLL)
    if health:
        return f"did not answer GET /health on port {port} with 200 (last: {answer})"
    return f"did not accept connections on port {port}"


def _health(target: Target) -> str:
    """The status of GET /health at ``target``, or why there is none (readiness only: the
    harness's own look, not a cell)."""
    if target.scheme == "https":
        context = ssl.create_default_context(cafile=target.ca_file)
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            target.host, target.port, timeout=deadlines.HEALTH_CHECK, context=context
        )
    else:
        connection = http.client.HTTPConnection(
            target.host, target.port, timeout=deadlines.HEALTH_CHECK
        )
    try:
        connection.request("GET", "/health")
        return str(connection.getresponse().status)
    except (OSError, http.client.HTTPException) as exc:
        return type(exc).__name__
    finally:
        connection.close()


def free_port() -> int:
    """A loopback port nothing listens on now (the kernel's pick), for {port} templates."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(
    name: str,
    *,
    certfile: str | None = None,
    keyfile: str | None = None,
    ca_file: str | None = None,
) -> ServerProcess:
    """Start the registered server ``name`` (HTTPS when ``certfile`` is given)."""
    ready = REGISTRY.get(Kind.SERVER, name).ready
    ready_port = None if ready is Ready.LINE else free_port()
    command = server_command(name, port=ready_port or 0, certfile=certfile, keyfile=keyfile)
    scheme = "https" if certfile else "http"
    return launch(name, command, scheme=scheme, ca_file=ca_file, ready_port=ready_port, ready=ready)


def _parse_ready(line: str) -> tuple[str, int]:
    parts = line.split()
    if len(parts) != 3 or not parts[2].isdigit():
        raise ValueError(
            f"printed a malformed ready line {line!r}; expected '{READY_PREFIX}<host> <port>'"
        )
    return parts[1], int(parts[2])


def _pump_stdout(
    stream: IO[bytes], lines: queue.Queue[str | None], tail: collections.deque[str]
) -> None:
    """Read stdout to its end, so a chatty server never blocks on a full pipe."""
    with stream:
        for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            tail.append(line)
            lines.put(line)
    lines.put(None)


def _reap(process: subprocess.Popen[bytes]) -> int | None:
    """Wait for a leader that is exiting by itself, then clear its group: descendants may
    live on after it."""
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=deadlines.SERVER_KILL_WAIT)
    return _terminate(process, 0, deadlines.SERVER_KILL_WAIT)


def _terminate(process: subprocess.Popen[bytes], grace: float, kill_wait: float) -> int | None:
    """SIGTERM the group, give the leader ``grace``, then SIGKILL the group regardless:
    a descendant may ignore SIGTERM and outlive a leader that obeyed it."""
    status = None
    if process.poll() is None:
        signal_group(process, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            status = process.wait(timeout=grace)
    signal_group(process, signal.SIGKILL)
    if status is not None:
        return status
    try:
        return process.wait(timeout=kill_wait)
    except subprocess.TimeoutExpired:
        return None


def _exiting(pid: int) -> bool:
    """Whether the process is exiting or has exited (True where /proc cannot tell: not
    Linux). The kernel flags a task PF_EXITING (include/linux/sched.h) first thing in
    do_exit(), before exit_files() closes its sockets (kernel/exit.c), so a server whose
    connections closed because it is dying is seen exiting from that moment on."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            # "pid (comm) state ppid pgrp session tty_nr tpgid flags ...": comm may hold ")"
            fields = stat.read().rsplit(b")", 1)[1].split()
    except OSError:
        return True
    state, flags = fields[0], int(fields[6])
    return state in (b"Z", b"X") or bool(flags & _PF_EXITING)


def _close_stdin(process: subprocess.Popen[bytes]) -> None:
    """Close the pipe the server watches (--stop-on-stdin-eof)."""
    if process.stdin is not None:  # always a pipe here (launch)
        process.stdin.close()


def signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    """Signal the process group ``process`` leads (started with ``start_new_session``)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def _tail(stream: IO[bytes]) -> str:
    if stream.closed:
        return ""
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(max(size - _STDERR_TAIL_BYTES, 0))
    return stream.read().decode("utf-8", "replace")


def _last_line(text: str) -> str:
    """The last line a server wrote to stderr, for the one-line reason (it usually says
    why: "Error: Cannot find module", "Address already in use")."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    last = lines[-1]
    return f"; stderr ends {last[:_LAST_LINE_CHARS]!r}" + (
        "..." if len(last) > _LAST_LINE_CHARS else ""
    )


def _details(command: Sequence[str], stdout_tail: Iterable[str], stderr_tail: str) -> str:
    """The command and the ends of its output, below a failure's one line."""
    details = f"\n(command: {shlex.join(command)})"
    return details + _section("stdout", "\n".join(stdout_tail)) + _section("stderr", stderr_tail)


def _section(title: str, text: str) -> str:
    text = text.strip()
    return f"\n--- {title} (last lines) ---\n{text}" if text else f"\n--- {title}: empty ---"
