"""``http.server`` adapters: HTTPServer and ThreadingHTTPServer with a BaseHTTPRequestHandler.

BaseHTTPRequestHandler is a low-level framework: the application writes the status line,
the header fields and the body itself. The handler below does what an application on it
must do (choose headers, write or omit the body of a HEAD response) and nothing the
framework leaves undone: it does not decode a chunked request body, manage keep-alive or
repair headers. Where the framework falls short, the cases show it.
"""

from __future__ import annotations

import http.server
import socket
import socketserver
import ssl
import time
import urllib.parse
from collections.abc import Callable, Sequence
from typing import Any

from harness import contract


class ContractHandler(http.server.BaseHTTPRequestHandler):
    server_version = "http-interop-stdlib/1"

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        # RFC 9110 §9.3.2: the same header fields as GET, no content. With this framework,
        # leaving the body out is the application's job (SimpleHTTPRequestHandler does the
        # same in its own do_HEAD).
        self._answer(send_body=False)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def _answer(self, *, send_body: bool) -> None:
        parts = urllib.parse.urlsplit(self.path)
        found = contract.route(parts.path, parts.query)
        if found.name == "echo":
            # Only Content-Length is read: BaseHTTPRequestHandler leaves framing to the
            # application and has no chunked reader, and this adapter adds none.
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            document = contract.echo_document(
                method=self.command,
                target=self.path,
                http_version=self.request_version,
                headers=list(self.headers.items()),
                body=body,
            )
            self._respond(200, "application/json", document, send_body)
        elif found.name == "status":
            code = found.number
            # RFC 9110 §15.3.5, §15.3.6, §15.4.5: 204, 205 and 304 have no content; the application
            # writes the body, so it is the application that must leave it out.
            body = b"" if code in (204, 205, 304) else contract.status_body(code)
            self._respond(code, "text/plain", body, send_body)
        elif found.name == "bytes":
            body = contract.deterministic_bytes(found.number)
            self._respond(200, "application/octet-stream", body, send_body)
        elif found.name in ("stream", "chunked"):
            # No Content-Length and no chunked writer: the body ends when the connection
            # closes (RFC 9112 §6.3, rule 8), which "Connection: close" makes the framework do.
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            if send_body:
                for piece in contract.pieces(found.number, found.piece):
                    self.wfile.write(piece)
        elif found.name == "drip":
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(found.number))
            self.end_headers()
            if send_body:
                for byte in contract.pieces(found.number, 1):
                    time.sleep(found.interval_ms / 1000)
                    self.wfile.write(byte)
        elif found.name == "delay":
            time.sleep(found.number / 1000)
            self._respond(200, "text/plain", f"delayed {found.number} ms\n".encode(), send_body)
        elif found.name == "close":
            self._respond(200, "text/plain", b"closing\n", send_body, close=True)
        elif found.name == "conn":
            host, port = self.client_address[:2]
            self._respond(200, "application/json", contract.conn_document(host, port), send_body)
        elif found.name == "health":
            self._respond(200, "text/plain", contract.HEALTH_BODY, send_body)
        elif found.name == "redirect":
            body = contract.status_body(found.number)
            location = [("Location", found.location)]
            self._respond(found.number, "text/plain", body, send_body, fields=location)
        else:
            self._respond(404, "text/plain", b"not found\n", send_body)

    def _respond(
        self,
        code: int,
        content_type: str,
        body: bytes,
        send_body: bool,
        close: bool = False,
        fields: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        for name, value in fields:
            self.send_header(name, value)
        if code not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        if send_body:
            self.wfile.write(body)


class Http11Handler(ContractHandler):
    protocol_version = "HTTP/1.1"


# What a socketserver server takes to build a handler per request: a handler class, or a
# functools.partial of one (harness/servers/simplehttp.py).
Handler = Callable[..., socketserver.BaseRequestHandler]


def _https_class(base: type[http.server.HTTPServer]) -> Any:
    """An HTTPS variant of ``base`` that wraps the listening socket, as Python 3.14's
    ``http.server.HTTPSServer`` does (server_activate wraps it in a CLIENT_AUTH default
    context with ALPN "http/1.1"); the native classes are used where they exist. Typed
    ``Any``: its constructor takes ``certfile`` and ``keyfile``, which the stubs of the
    Python versions without these classes cannot know."""
    native = (
        "ThreadingHTTPSServer" if issubclass(base, socketserver.ThreadingMixIn) else "HTTPSServer"
    )
    if hasattr(http.server, native):
        return getattr(http.server, native)

    # A class made from a variable base: mypy cannot check such a class statement.
    class HTTPSServer(base):  # type: ignore[valid-type,misc]
        socket: socket.socket

        def __init__(
            self,
            address: tuple[str, int],
            handler: Handler,
            *,
            certfile: str,
            keyfile: str | None = None,
        ) -> None:
            self.certfile, self.keyfile = certfile, keyfile
            super().__init__(address, handler)

        def server_activate(self) -> None:
            super().server_activate()
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.certfile, self.keyfile)
            context.set_alpn_protocols(["http/1.1"])
            self.socket = context.wrap_socket(self.socket, server_side=True)

    HTTPSServer.__name__ = HTTPSServer.__qualname__ = native
    return HTTPSServer


def build_server(
    base: type[http.server.HTTPServer],
    handler: Handler,
    host: str,
    port: int,
    certfile: str | None,
    keyfile: str | None,
) -> http.server.HTTPServer:
    """A ``base`` server with ``handler``, wrapped for HTTPS when ``certfile`` is given."""
    server_class: Any = base if certfile is None else _https_class(base)  # see _https_class
    if ":" in host:  # an IPv6 literal such as ::1, as `python -m http.server -b ::1` allows
        server_class = type(
            server_class.__name__, (server_class,), {"address_family": socket.AF_INET6}
        )
    if certfile is None:
        return server_class((host, port), handler)
    return server_class((host, port), handler, certfile=certfile, keyfile=keyfile)


def build_http10(
    host: str, port: int, certfile: str | None, keyfile: str | None
) -> http.server.HTTPServer:
    return build_server(http.server.HTTPServer, ContractHandler, host, port, certfile, keyfile)


def build_http11(
    host: str, port: int, certfile: str | None, keyfile: str | None
) -> http.server.HTTPServer:
    return build_server(http.server.HTTPServer, Http11Handler, host, port, certfile, keyfile)


def build_threading(
    host: str, port: int, certfile: str | None, keyfile: str | None
) -> http.server.HTTPServer:
    return build_server(
        http.server.ThreadingHTTPServer, Http11Handler, host, port, certfile, keyfile
    )
