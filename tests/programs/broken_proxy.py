"""A small forward proxy for the proxy suite's self-tests (tests/test_proxy_checks.py): strict
where tinyproxy is, and with one defect chosen on the command line.

    python broken_proxy.py PORT --bind ADDRESS --stat-host NAME
        [--credentials USER:PASSWORD] [--elsewhere HOST:PORT]

Without a defect it does what the suite's checks expect of tinyproxy: a request in
absolute-form is forwarded in origin-form (RFC 9112 §3.2.2), without the Proxy-Authorization
it consumed; a CONNECT to host:port is answered 200 and tunnelled there (RFC 9110 §9.3.6);
anything else is answered 400; with --credentials, a request without them is answered 407
(RFC 9110 §15.5.8). It connects to origins from the --bind address and answers the
statistics page (its request count) at --stat-host, as the suite's tinyproxy does
(harness/forward_proxy.py names both).

--elsewhere: answers a CONNECT with 200, then tunnels to HOST:PORT instead of the server the
client named, which a check that trusts the proxy's 200 cannot tell.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import selectors
import socket
import socketserver
import urllib.parse

IDLE = 10.0  # seconds a connection may stay silent before the proxy drops it
HOP_BY_HOP = {b"proxy-authorization", b"proxy-connection", b"connection", b"keep-alive"}
COUNT = itertools.count(1)  # requests read, this one included (tinyproxy's count)


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)


def _answer(conn: socket.socket, status: str, fields: str = "", body: bytes = b"") -> None:
    head = f"HTTP/1.1 {status}\r\n{fields}Content-Length: {len(body)}\r\nConnection: close\r\n"
    conn.sendall(head.encode() + b"\r\n" + body)


def _relay(one: socket.socket, other: socket.socket) -> None:
    """Copy bytes both ways until either side closes or both stay silent for IDLE."""
    with selectors.DefaultSelector() as selector:
        selector.register(one, selectors.EVENT_READ, other)
        selector.register(other, selectors.EVENT_READ, one)
        while events := selector.select(IDLE):
            for key, _ in events:
                data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                if not data:
                    return
                key.data.sendall(data)


class Handler(socketserver.BaseRequestHandler):
    server: Proxy

    def handle(self) -> None:
        conn: socket.socket = self.request
        conn.settimeout(IDLE)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return  # a connection that sent no request (the launcher's readiness check)
            data += chunk
        count = next(COUNT)
        head, _, rest = data.partition(b"\r\n\r\n")
        line, *lines = head.split(b"\r\n")
        method, target, version = line.decode("latin-1").split(" ")
        fields = [field.partition(b":") for field in lines]
        if urllib.parse.urlsplit(target).hostname == self.server.stat_host:
            _answer(conn, "200 OK", body=f"Number of requests: {count}\n".encode())
            return
        wanted = self.server.credentials
        given = [v.strip() for n, _, v in fields if n.strip().lower() == b"proxy-authorization"]
        if wanted is not None and given != [b"Basic " + base64.b64encode(wanted.encode())]:
            _answer(
                conn, "407 Proxy Authentication Required", 'Proxy-Authenticate: Basic realm="p"\r\n'
            )
            return
        if method == "CONNECT":
            destination = self.server.elsewhere or _address(target)
            with socket.create_connection(destination, IDLE, self.server.bind) as origin:
                conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                if rest:
                    origin.sendall(rest)
                _relay(conn, origin)
            return
        url = urllib.parse.urlsplit(target)
        if url.scheme != "http" or url.hostname is None:
            _answer(conn, "400 Bad Request")
            return
        path = (url.path or "/") + (f"?{url.query}" if url.query else "")
        kept = [n + b":" + v for n, _, v in fields if n.strip().lower() not in HOP_BY_HOP]
        forwarded = b"\r\n".join(
            [f"{method} {path} {version}".encode(), *kept, b"Connection: close", b"", rest]
        )
        with socket.create_connection(
            (url.hostname, url.port or 80), IDLE, self.server.bind
        ) as origin:
            origin.sendall(forwarded)
            _relay(conn, origin)


class Proxy(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, options: argparse.Namespace) -> None:
        super().__init__(("127.0.0.1", options.port), Handler)
        self.bind = (options.bind, 0)
        self.stat_host = options.stat_host
        self.credentials: str | None = options.credentials
        self.elsewhere = _address(options.elsewhere) if options.elsewhere else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--bind", required=True)
    parser.add_argument("--stat-host", required=True)
    parser.add_argument("--credentials")
    parser.add_argument("--elsewhere")
    with Proxy(parser.parse_args()) as proxy:
        proxy.serve_forever()


if __name__ == "__main__":
    main()
