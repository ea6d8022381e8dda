"""What every deliberately broken server program shares: its command line and its serving.

    python tests/broken_<x>_server.py DEFECT [--certfile F --keyfile F]

Each program is the reference ThreadingHTTPServer with one defect switched on; DEFECT
"none" is the unbroken reference. They follow the launch protocol (ready line, SIGTERM).
"""

from __future__ import annotations

import argparse
import http.server
from collections.abc import Callable, Iterable

from harness import serve
from harness.servers import stdlib

HandlerFactory = Callable[[str], type[http.server.BaseHTTPRequestHandler]]


def serve_defect(description: str | None, defects: Iterable[str], handler: HandlerFactory) -> int:
    """Parse the command line, build the broken server and serve until SIGTERM."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("defect", choices=list(defects))
    parser.add_argument("--certfile")
    parser.add_argument("--keyfile")
    args = parser.parse_args()
    server = stdlib.build_server(
        http.server.ThreadingHTTPServer,
        handler(args.defect),
        "127.0.0.1",
        0,
        args.certfile,
        args.keyfile,
    )
    return serve.run(server)
