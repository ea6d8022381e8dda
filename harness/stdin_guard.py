"""``python -m harness.stdin_guard PROGRAM [ARG...]``: run a program that does not watch its
standard input, and stop it when that input ends.

The launcher holds every server's stdin open and never writes to it, so that a harness that
dies, even by SIGKILL, closes it; the harness's own servers then stop (--stop-on-stdin-eof).
A third-party program started the same way (tinyproxy, harness/forward_proxy.py) has no such
option and outlived a killed pytest; run under this guard, it gets SIGTERM when stdin ends,
and SIGKILL after SERVER_SHUTDOWN_GRACE. It stays in the guard's process group, which the
launcher's own SIGTERM and SIGKILL reach; the guard exits with its status.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

from harness import deadlines


def _stop_at_end_of_input(program: subprocess.Popen[bytes]) -> None:
    # Until the harness closes it, or dies. os.read, not sys.stdin: a daemon thread blocked in
    # a buffered read aborts the interpreter's shutdown when the program exits first.
    while os.read(0, 4096):
        pass
    program.terminate()
    try:
        program.wait(deadlines.SERVER_SHUTDOWN_GRACE)
    except subprocess.TimeoutExpired:
        program.kill()


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m harness.stdin_guard PROGRAM [ARG...]", file=sys.stderr)
        return 2
    program = subprocess.Popen(argv, stdin=subprocess.DEVNULL)
    threading.Thread(target=_stop_at_end_of_input, args=(program,), daemon=True).start()
    status = program.wait()
    # A program ended by a signal exits as a shell reports it: 128 + the signal's number.
    return 128 + signal.Signals(-status) if status < 0 else status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
