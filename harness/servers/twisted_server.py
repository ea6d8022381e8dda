"""twisted.web serving the contract from a Resource tree, on the reactor.

    python -m harness.servers.twisted_server --host 127.0.0.1 --port 0 [--certfile F --keyfile F]

Each route is a leaf resource under the root: Twisted dispatches by method (render_GET and
so on, 405 or 501 for others, HEAD answered by rendering GET without its body), sets
Content-Length for a body returned whole and chunks one written piece by piece. GET /ws is
autobahn's WebSocket server (twisted_websocket.py), where autobahn is installed; without it
/ws is not served and stderr says why. reactor.run() stops on SIGTERM or SIGINT, and the
command exits with status 0.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from twisted.internet import defer, reactor, ssl, task
from twisted.python.failure import Failure
from twisted.web import pages, resource, server
from twisted.web.server import Request

from harness import contract
from harness.servers import command

if TYPE_CHECKING:
    from harness.servers.twisted_websocket import EchoResource


def _route(request: Request) -> contract.Route:
    # request.path is the target's path as received, without the query.
    query = request.uri.partition(b"?")[2].decode("latin-1")
    return contract.route(request.path.decode("latin-1"), query)


def _content(request: Request) -> bytes:
    """The request content Twisted buffered (``content`` is None only before the head has
    been parsed, never in a handler)."""
    if request.content is None:
        return b""
    request.content.seek(0)
    return request.content.read()


def _connection_lost(request: Request) -> list[Failure]:
    """Filled once the client goes away before the response is finished: a response given
    later must then not be finished (Twisted refuses that: Request.notifyFinish)."""
    lost: list[Failure] = []
    request.notifyFinish().addErrback(lost.append)
    return lost


class Leaf(resource.Resource):
    """A contract route: the rest of the path must match it, or it is a 404."""

    isLeaf = True
    route = ""  # the contract route's name

    def render(self, request: Request) -> bytes | int:
        if _route(request).name != self.route:
            # zope.interface declares methods without self, so mypy reads IResource.render
            # as taking no argument (there is no mypy-zope plugin here).
            return pages.notFound().render(request)  # type: ignore[call-arg,misc]
        return super().render(request)


class Echo(Leaf):
    route = "echo"

    def render_GET(self, request: Request) -> bytes:
        document = contract.echo_document(
            method=request.method.decode("latin-1"),
            target=request.uri.decode("latin-1"),
            http_version=request.clientproto.decode("latin-1"),
            headers=[
                (name.decode("latin-1"), value.decode("latin-1"))
                for name, values in request.requestHeaders.getAllRawHeaders()
                for value in values
            ],
            body=_content(request),
        )
        request.setHeader(b"content-type", b"application/json")
        return document

    # HEAD too, so that the document says "HEAD": without render_HEAD Twisted renders GET
    # with the request's method set to GET (server.Request.render).
    render_HEAD = render_POST = render_PUT = render_DELETE = render_PATCH = render_OPTIONS = (
        render_GET
    )


class Status(Leaf):
    route = "status"

    def render_GET(self, request: Request) -> bytes:
        code = _route(request).number
        request.setResponseCode(code)
        request.setHeader(b"content-type", b"text/plain")
        # The content for every code: leaving it out of a 204 or 304 is Twisted's decision.
        return contract.status_body(code)


class Bytes(Leaf):
    route = "bytes"

    def render_GET(self, request: Request) -> bytes:
        request.setHeader(b"content-type", b"application/octet-stream")
        return contract.deterministic_bytes(_route(request).number)


class Stream(Leaf):
    """/stream and /chunked: the body written piece by piece, without Content-Length."""

    def __init__(self, route: str) -> None:
        super().__init__()
        self.route = route

    def render_GET(self, request: Request) -> int:
        found = _route(request)
        request.setHeader(b"content-type", b"application/octet-stream")
        for piece in contract.pieces(found.number, found.piece):
            request.write(piece)
        request.finish()
        return server.NOT_DONE_YET


class Drip(Leaf):
    route = "drip"

    def render_GET(self, request: Request) -> int:
        found = _route(request)
        request.setHeader(b"content-type", b"application/octet-stream")
        request.setHeader(b"content-length", b"%d" % found.number)
        lost = _connection_lost(request)

        async def drip() -> None:
            for byte in contract.pieces(found.number, 1):
                await task.deferLater(reactor, found.interval_ms / 1000)
                if lost:
                    return
                request.write(byte)
            if not lost:
                request.finish()

        defer.ensureDeferred(drip())
        return server.NOT_DONE_YET


class Delay(Leaf):
    route = "delay"

    def render_GET(self, request: Request) -> int:
        ms = _route(request).number
        body = f"delayed {ms} ms\n".encode()
        request.setHeader(b"content-type", b"text/plain")
        request.setHeader(b"content-length", b"%d" % len(body))
        lost = _connection_lost(request)

        def answer() -> None:
            if not lost:
                request.write(body)
                request.finish()

        task.deferLater(reactor, ms / 1000, answer)
        return server.NOT_DONE_YET


class Close(Leaf):
    route = "close"

    def render_GET(self, request: Request) -> bytes:
        request.setHeader(b"content-type", b"text/plain")
        request.setHeader(b"connection", b"close")
        return b"closing\n"


class Conn(Leaf):
    route = "conn"

    def render_GET(self, request: Request) -> bytes:
        peer = request.getClientAddress()
        request.setHeader(b"content-type", b"application/json")
        return contract.conn_document(peer.host, peer.port)


class Health(Leaf):
    route = "health"

    def render_GET(self, request: Request) -> bytes:
        request.setHeader(b"content-type", b"text/plain")
        return contract.HEALTH_BODY


class Redirect(Leaf):
    route = "redirect"

    def render_GET(self, request: Request) -> bytes:
        found = _route(request)
        request.setResponseCode(found.number)
        request.setHeader(b"content-type", b"text/plain")
        request.setHeader(b"location", found.location.encode("ascii"))
        return contract.status_body(found.number)


def create_root() -> resource.Resource:
    root = resource.Resource()
    for name, leaf in {
        b"echo": Echo(),
        b"status": Status(),
        b"bytes": Bytes(),
        b"stream": Stream("stream"),
        b"chunked": Stream("chunked"),
        b"drip": Drip(),
        b"delay": Delay(),
        b"close": Close(),
        b"conn": Conn(),
        b"health": Health(),
        b"redirect": Redirect(),
    }.items():
        # Resource provides IResource through zope.interface's @implementer, which mypy
        # cannot see without the mypy-zope plugin.
        root.putChild(name, leaf)  # type: ignore[arg-type]
    websocket = websocket_resource()
    if websocket is not None:
        root.putChild(contract.WEBSOCKET_PATH.lstrip("/").encode("ascii"), websocket)  # type: ignore[arg-type]
    return root


def websocket_resource() -> EchoResource | None:
    """/ws, or None where autobahn is not installed (the registry's ``needs`` says so too)."""
    try:
        from harness.servers import twisted_websocket
    except ModuleNotFoundError as missing:
        if missing.name is None or missing.name.partition(".")[0] != "autobahn":
            raise
        print(
            f"GET {contract.WEBSOCKET_PATH} is not served: autobahn is not installed ({missing})",
            file=sys.stderr,
        )
        return None
    return twisted_websocket.echo_resource()


def tls_options(certfile: str, keyfile: str | None) -> ssl.CertificateOptions:
    """Twisted's TLS options for a PEM chain (leaf first) and its key.

    PrivateCertificate.loadPEM takes the first certificate and refuses a key that does not
    match it (VerifyError); the certificates after it are the chain Twisted sends with it.
    """
    chain_pem = Path(certfile).read_bytes()
    key_pem = Path(keyfile).read_bytes() if keyfile else chain_pem
    leaf = ssl.PrivateCertificate.loadPEM(chain_pem + b"\n" + key_pem)
    _, *intermediates = x509.load_pem_x509_certificates(chain_pem)
    return ssl.CertificateOptions(
        privateKey=leaf.privateKey.original,
        certificate=leaf.original,
        extraCertChain=[
            ssl.Certificate.loadPEM(cert.public_bytes(Encoding.PEM)).original
            for cert in intermediates
        ],
    )


def serve(options: command.Options) -> None:
    # The reactor's methods are zope.interface declarations without self, which mypy reads
    # one argument off (there is no mypy-zope plugin here): hence the ignores below.
    site = server.Site(create_root())
    if options.certfile:
        context = tls_options(options.certfile, options.keyfile)
        port = reactor.listenSSL(options.port, site, context, interface=options.host)
    else:
        port = reactor.listenTCP(options.port, site, interface=options.host)  # type: ignore[arg-type]
    address = port.getHost()
    # Announce once the reactor runs: reactor.run() installs the SIGTERM and SIGINT handlers
    # that stop it, and a SIGTERM before that would raise SystemExit inside its start-up,
    # which Twisted logs and survives.
    reactor.callWhenRunning(command.announce, (address.host, address.port))
    reactor.run()  # type: ignore[misc]


if __name__ == "__main__":
    sys.exit(
        command.main(serve, prog="python -m harness.servers.twisted_server", description=__doc__)
    )
