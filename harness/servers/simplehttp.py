"""``python -m http.server`` as a server under test: SimpleHTTPRequestHandler over a folder.

    python -m harness.servers.simplehttp --host 127.0.0.1 --port 0 [--certfile F [--keyfile F]]
                                         [--stop-on-stdin-eof]

Serves a folder generated at start in a temporary directory (``make_tree``) with what
``python -m http.server`` uses: ThreadingHTTPServer and SimpleHTTPRequestHandler with its
defaults (protocol_version HTTP/1.0). No adapter code at all: the handler is the stdlib's,
so it serves files, not the behaviour contract's endpoints. The static suite
(suites/test_static.py) probes it; the layout below is what that suite relies on. Follows
the launch protocol of harness/servers/command.py (ready line, SIGTERM, end of stdin).
"""

from __future__ import annotations

import functools
import http.server
import socketserver
import sys
import tempfile
from pathlib import Path

from harness import contract
from harness.servers import command, stdlib

ROOT_NAME = "public"  # the served folder, inside the temporary directory
# Files under the served root, by the URL path that reaches them (after the leading "/").
FILES = {
    "hello.txt": b"hello, static files\n",
    "data.bin": contract.deterministic_bytes(5000),
    "sub/inner.txt": b"a file in a subdirectory\n",
}
DIRECTORY = "sub"  # a folder under the root, for the trailing-slash redirect
# A file beside the served root, never to be served: "/../secret.txt" names it.
SECRET_NAME = "secret.txt"
SECRET = b"http-interop secret: this file lies outside the served root\n"


def make_tree(parent: Path) -> Path:
    """Write the served folder (FILES) and the secret beside it under ``parent``; returns
    the folder to serve."""
    root = parent / ROOT_NAME
    for name, content in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    (parent / SECRET_NAME).write_bytes(SECRET)
    return root


def build(
    root: Path,
    host: str,
    port: int,
    certfile: str | None,
    keyfile: str | None,
    handler: type[http.server.SimpleHTTPRequestHandler] = http.server.SimpleHTTPRequestHandler,
) -> socketserver.TCPServer:
    """``handler`` serving ``root`` on a ThreadingHTTPServer, as ``python -m http.server
    --directory root`` runs it (its DualStackServer passes ``directory`` the same way)."""
    serving = functools.partial(handler, directory=str(root))
    return stdlib.build_server(
        http.server.ThreadingHTTPServer, serving, host, port, certfile, keyfile
    )


def serve(options: command.Options) -> None:
    with tempfile.TemporaryDirectory(prefix="http-interop-static-") as folder:
        root = make_tree(Path(folder))
        command.run(build(root, options.host, options.port, options.certfile, options.keyfile))


if __name__ == "__main__":
    sys.exit(command.main(serve, prog="python -m harness.servers.simplehttp", description=__doc__))
