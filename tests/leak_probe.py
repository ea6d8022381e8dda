"""A pytest plugin for a run under test (``-p tests.leak_probe``): at its very end, what the
harness left of itself: threads, descendant processes and listening sockets, written as
JSON to the file $HTTP_INTEROP_LEAK_REPORT names (tests/test_hostile.py)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from harness import deadlines

REPORT = "HTTP_INTEROP_LEAK_REPORT"
_LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp's st column


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (Linux: /proc/<pid>/task/*/children)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # a task may end while it is read
            found += [int(child) for child in (task / "children").read_text().split()]
    return [p for child in found for p in (child, *descendants(child))]


def processes_with(marker: str, where: str = "cmdline") -> list[int]:
    """The pids whose /proc/<pid>/<where> (``cmdline``, or ``environ``: a run's processes
    whoever their parent) holds ``marker``; a zombie's are empty: it is gone."""
    pids = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):  # a process may end while it is read
            if entry.name.isdigit() and marker.encode() in (entry / where).read_bytes():
                pids.append(int(entry.name))
    return pids


def left_after_stop(marker: str, where: str = "cmdline") -> list[int]:
    """The processes of ``marker`` still there once a stop has had its deadline to act."""
    deadline = time.monotonic() + deadlines.SERVER_KILL_WAIT
    while (left := processes_with(marker, where)) and time.monotonic() < deadline:
        time.sleep(deadlines.POLL)
    return left


def kill_all(marker: str, where: str = "cmdline") -> None:
    """Kill what a failed check left running, so that it leaves nothing either."""
    for pid in processes_with(marker, where):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def listening_sockets(pids: list[int]) -> list[str]:
    """The TCP listening sockets the processes ``pids`` hold, as local addresses."""
    held = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    held.add(os.readlink(fd))
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for row in Path(table).read_text().splitlines()[1:]:
                fields = row.split()
                if fields[3] == _LISTEN and f"socket:[{fields[9]}]" in held:
                    listening.append(fields[1])
    return listening


def _other_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t is not threading.main_thread()]


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    # A thread whose work is done (a server's stdout reader) may still be ending.
    deadline = time.monotonic() + deadlines.SERVER_KILL_WAIT
    while _other_threads() and time.monotonic() < deadline:
        time.sleep(deadlines.POLL)
    pids = descendants(os.getpid())
    left = {
        "threads": _other_threads(),
        "descendants": pids,
        "listening": listening_sockets([os.getpid(), *pids]),
    }
    Path(os.environ[REPORT]).write_text(json.dumps(left), encoding="utf-8")
