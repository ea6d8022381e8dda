"""The launch protocol of every server command (docs/contract.md, "Launching"), in one place.

    python -m harness.servers.<module> --host 127.0.0.1 --port 0 [--certfile F --keyfile F]
        [--stop-on-stdin-eof]

Each command (these modules, ``python -m harness.serve NAME`` and the broken servers of the
self-tests) hands its implementation the parsed options and lets it run its own way: the
implementation binds, prints the ready line (``announce``) once the socket accepts
connections, and SIGTERM or SIGINT stops it with status 0. Most implementations handle
those signals themselves; until one installs its handlers, and for one that has none, they
exit with status 0 here (``run`` serves a socketserver-based server that way). The end of
stdin is turned into a SIGTERM to the process itself, so every implementation stops by the
one path it already has.
"""

from __future__ import annotations

import argparse
import os
import signal
import socketserver
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import NoReturn

from harness import deadlines

READY_PREFIX = "LISTENING "  # the ready line: LISTENING <host> <port>
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@dataclass(frozen=True)
class Options:
    """Where to listen, and the certificate files when serving HTTPS."""

    host: str
    port: int
    certfile: str | None
    keyfile: str | None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every server command takes (docs/contract.md, "Command line")."""
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--certfile", help="PEM certificate chain: serve HTTPS")
    parser.add_argument("--keyfile", help="PEM private key for --certfile")
    parser.add_argument(
        "--stop-on-stdin-eof",
        action="store_true",
        help="also stop when standard input closes (the harness's launcher holds it open, "
        "so a server never outlives a harness that was killed)",
    )


def parse(
    parser: argparse.ArgumentParser, argv: list[str] | None, *, tls: bool = True
) -> argparse.Namespace:
    """Parse ``argv`` with a parser built by ``add_arguments``; exits 2 on a usage error.

    ``tls=False`` is for an implementation that cannot serve HTTPS: --certfile is then a
    usage error, before any ready line.
    """
    args = parser.parse_args(argv)
    if args.keyfile and not args.certfile:
        parser.error("--keyfile needs --certfile")
    if args.certfile and not tls:
        parser.error(f"--certfile: {parser.prog} cannot serve HTTPS")
    return args


def serve_until_stopped(serve: Callable[[Options], None], args: argparse.Namespace) -> int:
    """Install the stop signals (and the end-of-stdin watch), then ``serve`` the parsed
    options until stopped; returns the exit status."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, _exit)
    if args.stop_on_stdin_eof:
        threading.Thread(target=_terminate_at_eof, name="stdin", daemon=True).start()
    serve(Options(args.host, args.port, args.certfile, args.keyfile))
    return 0


def main(
    serve: Callable[[Options], None],
    *,
    prog: str,
    description: str | None,
    tls: bool = True,
    argv: list[str] | None = None,
) -> int:
    """A server command: parse the command line, then ``serve`` until stopped."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    add_arguments(parser)
    return serve_until_stopped(serve, parse(parser, argv, tls=tls))


def announce(address: tuple[object, ...]) -> None:
    """Print the ready line for a bound socket's address (host, port[, IPv6 fields])."""
    host, port = address[:2]
    print(f"{READY_PREFIX}{host} {port}", flush=True)


def run(server: socketserver.TCPServer) -> None:
    """Serve a bound socketserver server, after the ready line, until a stop signal."""
    # A short poll interval lets shutdown() return promptly (the default waits up to 0.5 s).
    threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": deadlines.POLL},
        name="serve",
        daemon=True,
    ).start()
    try:
        announce(server.socket.getsockname())
        while True:
            signal.pause()  # until a stop signal raises SystemExit (serve_until_stopped)
    finally:
        # shutdown() waits for the serve loop, which a single-threaded server may not reach
        # while a client holds a connection open: give it a bounded time, then leave anyway.
        stopper = threading.Thread(target=server.shutdown, name="shutdown", daemon=True)
        stopper.start()
        stopper.join(deadlines.SERVER_SHUTDOWN_GRACE)
        server.server_close()


def _terminate_at_eof() -> None:
    # os.read, not sys.stdin: a daemon thread blocked inside a buffered reader aborts the
    # interpreter at exit ("could not acquire lock ... at interpreter shutdown").
    while os.read(sys.stdin.fileno(), 4096):
        pass
    os.kill(os.getpid(), signal.SIGTERM)


def _exit(signum: int, frame: FrameType | None) -> NoReturn:
    raise SystemExit(0)
