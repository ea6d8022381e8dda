"""The long-lived external client programs of the ``json-lines`` protocol (docs/contract.md,
"External clients"): one process per command in each pytest worker, given a request
document per line on its stdin and answering a result document per line on its stdout.

A program leads its own process group, so that stopping it takes what it spawned (curl,
under the curl adapter). Its stderr goes to an unlinked temporary file, so that a chatty
program never fills a pipe nobody reads; the file is emptied before each exchange, so what
it holds is that exchange's. Every program is stopped at the end of the session
(``LINE_PROGRAMS.stop_all``, from the fixture layer), at interpreter exit, and, should the
worker die, by the end of its stdin, on which the program must exit.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import selectors
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence

from harness import deadlines, launcher

_READ_SIZE = 65536


class ProgramBroke(Exception):
    """The program broke the exchange (it is useless from now on); the message says how."""


class LineProgram:
    """One running program, in one exchange at a time."""

    def __init__(self, command: Sequence[str]) -> None:
        self.command = tuple(command)
        # Lives as long as the program; stop() closes it.
        self._stderr = tempfile.TemporaryFile(prefix="http-interop-client-")  # noqa: SIM115
        try:
            self.process = subprocess.Popen(
                self.command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                start_new_session=True,
            )
        except OSError:
            self._stderr.close()
            raise
        assert self.process.stdin is not None and self.process.stdout is not None
        self._stdin, self._stdout = self.process.stdin.fileno(), self.process.stdout.fileno()
        for fd in (self._stdin, self._stdout):
            os.set_blocking(fd, False)

    def exchange(self, line: bytes, timeout: float) -> bytes:
        """Write ``line`` (one request document and a newline) and read the program's one
        line back, without its newline, within ``timeout`` seconds; else ProgramBroke."""
        os.ftruncate(self._stderr.fileno(), 0)
        # The child writes at the file offset it shares with this process: from the start.
        os.lseek(self._stderr.fileno(), 0, os.SEEK_SET)
        self._nothing_unasked()
        deadline = time.monotonic() + timeout
        unsent, received = memoryview(line), bytearray()
        with selectors.DefaultSelector() as selector:
            selector.register(self._stdin, selectors.EVENT_WRITE)
            selector.register(self._stdout, selectors.EVENT_READ)
            while b"\n" not in received:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ProgramBroke(f"did not answer within {timeout:.1f}s")
                for key, _ in selector.select(left):
                    if key.fd == self._stdout:
                        received += self._read()
                        continue
                    try:
                        unsent = unsent[os.write(self._stdin, unsent) :]
                    except BrokenPipeError:
                        raise ProgramBroke(self._ended("closed its stdin")) from None
                    if not unsent:
                        selector.unregister(self._stdin)
        if unsent:
            raise ProgramBroke("answered before it had read the whole request")
        answer, _, rest = bytes(received).partition(b"\n")
        if rest:
            raise ProgramBroke(f"printed more than one line for one request (then {rest[:100]!r})")
        return answer

    def _nothing_unasked(self) -> None:
        """Between exchanges a program prints nothing and stays up."""
        try:
            early = self._read()
        except BlockingIOError:
            return
        raise ProgramBroke(f"printed {early[:100]!r} before it was given a request")

    def _read(self) -> bytes:
        chunk = os.read(self._stdout, _READ_SIZE)
        if not chunk:
            raise ProgramBroke(self._ended("closed its stdout"))
        return chunk

    def _ended(self, what: str) -> str:
        """Why the program is of no more use: it has closed a pipe, so it is exiting (its
        exit status, as the one-shot protocol reports it), or it should be."""
        try:
            return f"exited with status {self.process.wait(deadlines.SERVER_EXIT_WAIT)}"
        except subprocess.TimeoutExpired:
            return f"{what} but did not exit"

    def stderr_tail(self, limit: int) -> bytes:
        """The last ``limit`` bytes the program wrote to stderr during this exchange."""
        size = os.fstat(self._stderr.fileno()).st_size
        return os.pread(self._stderr.fileno(), limit, max(size - limit, 0))

    def stop(self) -> None:
        """Kill the program's process group and reap it; a second call does nothing."""
        if self._stderr.closed:
            return
        launcher.signal_group(self.process, signal.SIGKILL)
        for stream in (self.process.stdin, self.process.stdout, self._stderr):
            assert stream is not None
            with contextlib.suppress(BrokenPipeError):  # unsent bytes of a dead program
                stream.close()
        self.process.wait(deadlines.SERVER_KILL_WAIT)


class LinePrograms:
    """This process's running programs; an exchange takes an idle one for its command, or
    starts one (two at once only when two threads send at once)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: dict[tuple[str, ...], list[LineProgram]] = {}
        self._running: set[LineProgram] = set()

    def take(self, command: Sequence[str]) -> LineProgram:
        """An idle program of ``command``, or a new one (OSError if it cannot start)."""
        with self._lock:
            idle = self._idle.get(tuple(command))
            if idle:
                return idle.pop()
        program = LineProgram(command)
        with self._lock:
            self._running.add(program)
        return program

    def give_back(self, program: LineProgram) -> None:
        with self._lock:
            if program in self._running:  # not stopped by stop_all meanwhile
                self._idle.setdefault(program.command, []).append(program)

    def discard(self, program: LineProgram) -> None:
        with self._lock:
            self._running.discard(program)
        program.stop()

    def stop_all(self) -> None:
        with self._lock:
            running, self._running, self._idle = self._running, set(), {}
        for program in running:
            program.stop()


LINE_PROGRAMS = LinePrograms()
atexit.register(LINE_PROGRAMS.stop_all)
