"""Run one server implementation out of process.

    python -m harness.serve NAME --host 127.0.0.1 --port 0 [--certfile F --keyfile F]

Prints one ready line, ``LISTENING <host> <port>``, once the socket accepts connections,
and serves until SIGTERM (or SIGINT), then exits with status 0. Any server in any language
that follows this protocol can be driven by the harness's launcher.
"""

from __future__ import annotations

import argparse
import os
import signal
import socketserver
import sys
import threading

from harness import extensions
from harness.registry import REGISTRY, Kind, UnknownImplementation
from harness.servers import command

SHUTDOWN_GRACE = 2.0  # seconds to let in-flight requests finish after SIGTERM


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m harness.serve", description=__doc__)
    parser.add_argument(
        "name", help="server implementation: " + ", ".join(REGISTRY.names(Kind.SERVER))
    )
    command.add_arguments(parser)  # the options every server command takes
    return command.parse(parser, argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        # Servers of installed packages too: their entry points name them.
        extensions.register_all(REGISTRY, [], {})
        impl = REGISTRY.get(Kind.SERVER, args.name)
    except (UnknownImplementation, extensions.ExtensionError) as exc:
        print(f"harness.serve: {exc}", file=sys.stderr)
        return 2
    if impl.command:
        print(f"harness.serve: {impl.name} is run by its own command, not here", file=sys.stderr)
        return 2
    server = impl.load()(args.host, args.port, args.certfile, args.keyfile)
    return run(server, stop_on_stdin_eof=args.stop_on_stdin_eof)


def run(server: socketserver.BaseServer, *, stop_on_stdin_eof: bool = False) -> int:
    """Serve until SIGTERM or SIGINT (or the end of stdin), after printing the ready line;
    returns the exit status."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    if stop_on_stdin_eof:
        threading.Thread(target=_stop_at_eof, args=(stop,), name="stdin", daemon=True).start()
    # A short poll interval lets shutdown() return promptly (the default waits up to 0.5 s).
    serve = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="serve", daemon=True
    )
    serve.start()

    host, port = server.server_address[:2]
    print(f"LISTENING {host} {port}", flush=True)
    stop.wait()

    # shutdown() waits for the serve loop, which a single-threaded server may not reach
    # while a client holds a connection open: give it a bounded time, then leave anyway.
    stopper = threading.Thread(target=server.shutdown, name="shutdown", daemon=True)
    stopper.start()
    stopper.join(SHUTDOWN_GRACE)
    server.server_close()
    return 0


def _stop_at_eof(stop: threading.Event) -> None:
    # os.read, not sys.stdin: a daemon thread blocked inside a buffered reader aborts the
    # interpreter at exit ("could not acquire lock ... at interpreter shutdown").
    while os.read(sys.stdin.fileno(), 4096):
        pass
    stop.set()


if __name__ == "__main__":
    sys.exit(main())
