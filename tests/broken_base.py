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


def serve_defect(description: str | None, defects: Iterable[str], handler: HandlerFactory) -> int:
    """Parse the command line, then serve the broken server until SIGTERM."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("defect", choices=list(defects))
    command.add_arguments(parser)
    args = command.parse(parser, None)

    def serve(options: command.Options) -> None:
        server = stdlib.build_server(
            http.server.ThreadingHTTPServer,
            handler(args.defect),
            options.host,
            options.port,
            options.certfile,
            options.keyfile,
        )
        command.run(server)

    return command.serve_until_stopped(serve, args)
