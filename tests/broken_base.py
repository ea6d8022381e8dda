"""What every deliberately broken server program shares: its command line and its serving.

    python tests/broken_<x>_server.py DEFECT [--certfile F --keyfile F]

Each program is the reference ThreadingHTTPServer with one defect switched on; DEFECT
"none" is the unbroken reference. They follow the launch protocol of
harness/servers/command.py (its options, ready line, SIGTERM).
"""

from __future__ import annotations

import argparse
import http.server
from collections.abc import Callable, Iterable

from harness.servers import command, stdlib

HandlerFactory = Callable[[str], type[http.server.BaseHTTPRequestHandler]]
ServerFactory = Callable[[str], type[http.server.ThreadingHTTPServer]]


def serve_defect(
    description: str | None,
    defects: Iterable[str],
    handler: HandlerFactory,
    server: ServerFactory = lambda _defect: http.server.ThreadingHTTPServer,
) -> int:
    """Parse the command line, then serve the broken server until SIGTERM (a defect of the
    handler's, or of the server's: its threads, its close)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("defect", choices=list(defects))
    command.add_arguments(parser)
    args = command.parse(parser, None)

    def serve(options: command.Options) -> None:
        built = stdlib.build_server(
            server(args.defect),
            handler(args.defect),
            options.host,
            options.port,
            options.certfile,
            options.keyfile,
        )
        command.run(built)

    return command.serve_until_stopped(serve, args)
