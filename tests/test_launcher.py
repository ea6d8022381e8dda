"""The out-of-process launcher: start, readiness deadline, failure messages, sure teardown."""

from __future__ import annotations

import contextlib
import errno
import http.client
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import deadlines, extensions, forward_proxy
from harness.implementation import Kind
from harness.launcher import LaunchError, launch, server_command
from harness.registry import Registry

PROGRAMS = Path(__file__).parent / "programs"
STOP_GRACE = 0.5  # for helper programs that ignore SIGTERM: no point waiting longer
KILL_WAIT = deadlines.SERVER_KILL_WAIT
# A launch that fails should not wait for the deadline; a deadline this long makes the
# difference between "noticed" and "timed out" unmistakable.
LONG_READY_TIMEOUT = 30.0

needs_pidfd = pytest.mark.skipif(
    not hasattr(os, "pidfd_open"), reason="watching a grandchild's exit needs Linux pidfds"
)


@contextlib.contextmanager
def watched(pid: int) -> Iterator[int]:
    """A pidfd for ``pid``, which is killed on exit so that a failed test leaves nothing behind.

    A pidfd keeps naming this process after it exits, where a bare pid could be reused.
    """
    fd = os.pidfd_open(pid)
    try:
        yield fd
    finally:
        with contextlib.suppress(ProcessLookupError):
            signal.pidfd_send_signal(fd, signal.SIGKILL)
        os.close(fd)


def exits_within(pidfd: int, timeout: float) -> bool:
    """Whether the process behind ``pidfd`` exits within ``timeout``: it is readable once it has."""
    readable, _, _ = select.select([pidfd], [], [], timeout)
    return bool(readable)


def python(*args: str) -> list[str]:
    return [sys.executable, *args]


def test_builtin_server_answers_on_loopback_and_stops_with_status_0() -> None:
    server = launch("stdlib-http11", server_command("stdlib-http11"))
    try:
        connection = http.client.HTTPConnection(
            server.target.host, server.target.port, timeout=deadlines.READ
        )
        try:
            connection.request("GET", "/status/200")
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
    finally:
        status = server.stop()
    assert (server.target.scheme, server.target.host) == ("http", "127.0.0.1")
    assert (response.status, body) == (200, b"status 200\n")
    assert status == 0
    assert server.process.poll() is not None
    assert server.stop() == 0, "a second stop() reports the same status and signals nothing"


def test_server_that_crashes_at_start_fails_at_once_with_its_status_and_stderr() -> None:
    crashing = python("-c", "import sys; sys.stderr.write('boom: bad config\\n'); sys.exit(3)")
    started = time.monotonic()
    with pytest.raises(LaunchError) as failure:
        launch("crasher", crashing, ready_timeout=LONG_READY_TIMEOUT)
    # The exit is seen when stdout closes, not when the deadline passes.
    assert time.monotonic() - started < LONG_READY_TIMEOUT / 2
    message = str(failure.value)
    line = "server 'crasher' could not start: exited with status 3 before printing its ready line"
    assert repr(failure.value) == f"{line}; stderr ends 'boom: bad config'"
    assert message.startswith(repr(failure.value)) and "(command: " in message


def test_server_that_never_gets_ready_is_stopped_at_the_deadline(tmp_path: Path) -> None:
    pidfile = tmp_path / "server.pid"
    started = time.monotonic()
    with pytest.raises(
        LaunchError, match=r"'silent' could not start: did not print its ready line within 1\.0s"
    ):
        launch("silent", python(str(PROGRAMS / "never_ready.py"), str(pidfile)), ready_timeout=1.0)
    # The deadline, the launcher's short SIGTERM grace, and room for a busy machine.
    assert time.monotonic() - started < 5.0
    # The launcher reaped it, so its pid names no process at all.
    with pytest.raises(ProcessLookupError):
        os.kill(int(pidfile.read_text(encoding="utf-8")), 0)


def test_malformed_ready_line_is_named_in_the_error() -> None:
    garbled = python("-c", "import time; print('LISTENING nonsense', flush=True); time.sleep(300)")
    with pytest.raises(LaunchError, match="malformed ready line 'LISTENING nonsense'"):
        launch("garbled", garbled, ready_timeout=LONG_READY_TIMEOUT)


@needs_pidfd
@pytest.mark.parametrize(
    ("flags", "leader_status"),
    [
        pytest.param([], -signal.SIGKILL, id="leader-ignores-sigterm-too"),
        pytest.param(["--leader-obeys-sigterm"], -signal.SIGTERM, id="leader-obeys-sigterm"),
    ],
)
def test_stop_kills_a_child_that_ignores_sigterm(
    tmp_path: Path, flags: list[str], leader_status: int
) -> None:
    child_pidfile = tmp_path / "child.pid"
    command = python(str(PROGRAMS / "ignores_sigterm.py"), str(child_pidfile), *flags)
    server = launch("stubborn", command)
    with watched(int(child_pidfile.read_text(encoding="utf-8"))) as child:
        started = time.monotonic()
        status = server.stop(grace=STOP_GRACE, kill_wait=KILL_WAIT)
        elapsed = time.monotonic() - started
        child_exited = exits_within(child, KILL_WAIT)
    assert status == leader_status
    assert elapsed < STOP_GRACE + KILL_WAIT
    assert server.process.poll() is not None
    assert child_exited


@needs_pidfd
def test_server_that_crashes_at_start_leaves_no_child_behind(tmp_path: Path) -> None:
    child_pidfile = tmp_path / "child.pid"
    command = python(str(PROGRAMS / "crashes_leaving_a_child.py"), str(child_pidfile))
    with pytest.raises(LaunchError, match="exited with status 3"):
        launch("crasher", command, ready_timeout=LONG_READY_TIMEOUT)
    # A child already reaped cannot be watched (pidfd_open raises): it is gone.
    child_exited = True
    with (
        contextlib.suppress(ProcessLookupError),
        watched(int(child_pidfile.read_text(encoding="utf-8"))) as child,
    ):
        child_exited = exits_within(child, KILL_WAIT)
    assert child_exited


@needs_pidfd
def test_server_stops_by_itself_when_the_harness_is_killed() -> None:
    # The launcher holds the server's stdin open; SIGKILL closes it, and harness.serve
    # (--stop-on-stdin-eof) stops: a killed pytest leaves no server behind.
    done = subprocess.run(
        python(str(PROGRAMS / "orphaned_server.py")),
        capture_output=True,
        text=True,
        timeout=deadlines.SERVER_READY,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    server_exited = True
    with contextlib.suppress(ProcessLookupError), watched(int(done.stdout)) as server:
        server_exited = exits_within(server, KILL_WAIT)
    assert server_exited


@needs_pidfd
@pytest.mark.skipif(forward_proxy.missing() is not None, reason=str(forward_proxy.missing()))
def test_proxy_stops_by_itself_when_the_harness_is_killed(tmp_path: Path) -> None:
    # tinyproxy has no --stop-on-stdin-eof: harness.stdin_guard stops it for it.
    done = subprocess.run(
        python(str(PROGRAMS / "orphaned_proxy.py"), str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=deadlines.SERVER_READY,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    pids = [int(pid) for pid in done.stdout.split()]
    assert len(pids) == 2, done.stdout  # the guard and tinyproxy
    for pid in pids:
        exited = True
        with contextlib.suppress(ProcessLookupError), watched(pid) as process:
            exited = exits_within(process, KILL_WAIT)
        assert exited, f"process {pid} outlived the harness"


def test_stdin_guard_exits_with_its_program_status() -> None:
    guarded = python("-m", "harness.stdin_guard", sys.executable, "-c")
    pipe = subprocess.PIPE
    with subprocess.Popen([*guarded, "import sys; sys.exit(7)"], stdin=pipe) as guard:
        # stdin held open: the program's own exit
        assert guard.wait(deadlines.SERVER_READY) == 7
    with subprocess.Popen([*guarded, "import time; time.sleep(60)"], stdin=pipe) as guard:
        assert guard.stdin is not None
        guard.stdin.close()  # the program is stopped by SIGTERM: 128 + 15
        assert guard.wait(deadlines.SERVER_READY) == 128 + signal.SIGTERM


def test_command_that_does_not_exist_could_not_be_started(tmp_path: Path) -> None:
    with pytest.raises(LaunchError, match=r"server 'ghost' could not start: .*No such file"):
        launch("ghost", [str(tmp_path / "no-such-server")])


@pytest.mark.parametrize(
    ("failures", "started"), [([errno.EFAULT], True), ([errno.EFAULT, errno.EFAULT], False)]
)
def test_a_spawn_that_fails_with_efault_is_tried_once_more(
    monkeypatch: pytest.MonkeyPatch, failures: list[int], started: bool
) -> None:
    real_popen = subprocess.Popen
    left = list(failures)

    def flaky_popen(*args: object, **kwargs: object) -> subprocess.Popen[bytes]:
        if left:
            code = left.pop()
            raise OSError(code, os.strerror(code))
        return real_popen(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(subprocess, "Popen", flaky_popen)
    if not started:
        with pytest.raises(LaunchError, match=r"could not start: .*Bad address"):
            launch("stdlib-http11", server_command("stdlib-http11"))
        return
    server = launch("stdlib-http11", server_command("stdlib-http11"))
    assert server.stop() == 0


def test_serve_rejects_an_unknown_server_and_lists_the_known_ones() -> None:
    done = subprocess.run(
        python("-m", "harness.serve", "nosuchserver"),
        capture_output=True,
        text=True,
        timeout=deadlines.SERVER_READY,
        check=False,
    )
    # harness.serve knows the built-ins and the servers of installed entry points.
    known = Registry()
    extensions.register_all(known, [], {})
    assert done.returncode == 2
    assert f"known servers: {', '.join(known.names(Kind.SERVER))}" in done.stderr


def test_exit_failure_waits_only_for_a_server_on_its_way_out() -> None:
    """A failed cell asks whether its server exited, waiting for one that is exiting: a
    running server answers at once, however long the wait offered; a killed one is named."""
    server = launch("stdlib-http11", server_command("stdlib-http11"))
    try:
        started = time.monotonic()
        assert server.exit_failure(LONG_READY_TIMEOUT) is None
        assert time.monotonic() - started < 1.0, "a running server is not waited for"
        # As a cell sees a crash: its connection ends, then it asks.
        with socket.create_connection(
            (server.target.host, server.target.port), timeout=deadlines.READ
        ) as connection:
            server.process.kill()
            with contextlib.suppress(ConnectionResetError):
                connection.recv(1)
        exited = server.exit_failure(LONG_READY_TIMEOUT)
        assert exited is not None and f"status {-signal.SIGKILL}" in exited.line
    finally:
        server.stop()
