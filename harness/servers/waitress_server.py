"""waitress serving the plain WSGI contract app (harness/servers/wsgi_app.py).

    python -m harness.servers.waitress_server --host 127.0.0.1 --port 0

waitress has no TLS of its own (it is meant to sit behind a proxy that terminates it), so
this command serves HTTP only: --certfile is a usage error (status 2).
"""

from __future__ import annotations

import sys

import waitress

from harness.servers import command, wsgi_app


def serve(options: command.Options) -> None:
    # create_server binds and listens; run() serves until SystemExit (SIGTERM, by
    # harness/servers/command.py), then shuts down waitress's worker threads itself.
    server = waitress.create_server(wsgi_app.application, host=options.host, port=options.port)
    command.announce((server.effective_host, server.effective_port))
    server.run()


if __name__ == "__main__":
    sys.exit(
        command.main(
            serve, prog="python -m harness.servers.waitress_server", description=__doc__, tls=False
        )
    )
