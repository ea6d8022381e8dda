"""uvicorn, with its h11 HTTP implementation and wsproto for WebSocket, serving the ASGI
contract app (harness/servers/asgi_app.py).

    python -m harness.servers.uvicorn_server --host 127.0.0.1 --port 0 [--certfile F --keyfile F]

uvicorn binds, loads the certificate (Config.load, so a bad key pair fails before the ready
line) and handles SIGTERM itself: it stops accepting, gives connections
``timeout_graceful_shutdown`` to finish, then re-raises the signal, which
harness/servers/command.py turns into status 0.
"""

from __future__ import annotations

import math
import socket
import sys

import uvicorn

from harness import deadlines
from harness.servers import asgi_app, command


class ContractServer(uvicorn.Server):
    """uvicorn's server, printing the ready line once its listening socket is up."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            command.announce(self.servers[0].sockets[0].getsockname())


def serve(options: command.Options) -> None:
    config = uvicorn.Config(
        asgi_app.application,
        host=options.host,
        port=options.port,
        http="h11",
        loop="asyncio",  # not "auto", which takes uvloop where it happens to be installed
        ws="wsproto",  # named, not "auto": the same WebSocket implementation wherever it runs
        lifespan="off",  # the contract app has no start-up or shut-down work
        # /conn reports the connection's own peer: no X-Forwarded-For rewriting of it.
        proxy_headers=False,
        access_log=False,  # uvicorn logs access to stdout; diagnostics belong on stderr
        timeout_graceful_shutdown=math.ceil(deadlines.SERVER_SHUTDOWN_GRACE),  # whole seconds
        ssl_certfile=options.certfile,
        ssl_keyfile=options.keyfile,
    )
    ContractServer(config).run()


if __name__ == "__main__":
    sys.exit(
        command.main(serve, prog="python -m harness.servers.uvicorn_server", description=__doc__)
    )
