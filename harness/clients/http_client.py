"""The ``http.client`` adapter: one HTTPConnection / HTTPSConnection per target, reused."""

from __future__ import annotations

import base64
import http.client
import time
from collections.abc import Iterator

from harness.clients import http_version_text, ssl_context
from harness.clients.deadline import Progress, Watchdog
from harness.errors import ClientError, ErrorKind, classify
from harness.model import Exchange, Headers, Proxy, RequestSpec, Target


class _HeaderFields:
    """The view of an ordered list of fields that ``HTTPConnection.request`` reads.

    request() iterates over a headers mapping for the names and calls items() for the
    fields; a list keeps order and duplicates, which a dict would lose.
    """

    def __init__(self, fields: Headers) -> None:
        self._fields = fields

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._fields)

    def items(self) -> Headers:
        return list(self._fields)


def _proxy_authorization(proxy: Proxy) -> Headers:
    """The Proxy-Authorization field for the proxy's credentials: http.client has no facility
    for it, the caller writes it (set_tunnel's ``headers``, the Python docs' example)."""
    if proxy.credentials is None:
        return []
    token = base64.b64encode(":".join(proxy.credentials).encode()).decode("ascii")
    return [("Proxy-Authorization", f"Basic {token}")]


def _through_proxy(spec: RequestSpec, proxy: Proxy, target: Target) -> http.client.HTTPConnection:
    """A connection to the proxy: tunnelled with set_tunnel (CONNECT) to an https target,
    which TLS then verifies as the target's host; plain to an http one, where the request
    carries the absolute-form (_request_target)."""
    if target.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            proxy.host, proxy.port, context=ssl_context(spec, target)
        )
        connection.set_tunnel(target.host, target.port, headers=dict(_proxy_authorization(proxy)))
        return connection
    return http.client.HTTPConnection(proxy.host, proxy.port)


def _request_target(spec: RequestSpec, target: Target) -> str:
    """The request-target: the absolute-form to a proxy over plain HTTP (RFC 9112 §3.2.2: "When
    making a request to a proxy, other than a CONNECT or server-wide OPTIONS request (as
    detailed below), a client MUST send the target URI in absolute-form."), which
    http.client's putrequest takes as given, its Host field from the URI; else as given."""
    if spec.proxy is not None and target.scheme == "http":
        return target.base_url + spec.target
    return spec.target


class HttpClientClient:
    def __init__(self) -> None:
        self._connections: dict[tuple[object, ...], http.client.HTTPConnection] = {}
        self._watchdog = Watchdog("http.client")

    def _connection(self, spec: RequestSpec, target: Target) -> http.client.HTTPConnection:
        # A connection serves one target with one trust mode, client certificate and version.
        key = (
            target,
            spec.verify,
            spec.client_certificate,
            spec.http_version,
            spec.defaults,
            spec.proxy,
        )
        if key not in self._connections:
            if spec.defaults:
                # As shipped: HTTPSConnection makes its own context, and no timeout is given.
                connection: http.client.HTTPConnection = (
                    http.client.HTTPSConnection(target.host, target.port)
                    if target.scheme == "https"
                    else http.client.HTTPConnection(target.host, target.port)
                )
            elif spec.proxy is not None:
                connection = _through_proxy(spec, spec.proxy, target)
            elif target.scheme == "https":
                connection = http.client.HTTPSConnection(
                    target.host, target.port, context=ssl_context(spec, target)
                )
            else:
                connection = http.client.HTTPConnection(target.host, target.port)
            if spec.http_version != "HTTP/1.1":
                # http.client's request line version lives in these two attributes (class
                # defaults 11 and "HTTP/1.1"); setting them is how callers choose another.
                # typeshed declares neither (private, but the only way in).
                connection._http_vsn_str = spec.http_version  # type: ignore[attr-defined]
                connection._http_vsn = int(spec.http_version[5:].replace(".", ""))  # type: ignore[attr-defined]
            self._connections[key] = connection
        return self._connections[key]

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        try:
            return self._watchdog.send(spec, target, self._send)
        except ClientError as exc:
            if exc.kind is ErrorKind.TIMEOUT_TOTAL:
                # Its socket was shut down, though the exchange may have ended in time on its
                # side: the next send starts afresh.
                self._connection(spec, target).close()
            raise

    def _send(self, spec: RequestSpec, target: Target, progress: Progress) -> Exchange:
        connection = self._connection(spec, target)
        reused = connection.sock is not None
        connecting = not reused
        started = time.perf_counter()
        response: http.client.HTTPResponse | None = None
        try:
            if connection.sock is None and not spec.defaults:
                # Connect explicitly so the connect deadline and the read deadline can differ.
                connection.timeout = spec.timeouts.connect
                connection.connect()
            if not spec.defaults:
                connection.sock.settimeout(spec.timeouts.read)
            connecting = False
            # typeshed asks for a Mapping, more than request() uses (_HeaderFields' docstring)
            # and what cannot hold a repeated field name.
            fields = spec.headers
            if spec.proxy is not None and target.scheme == "http":
                fields = fields + _proxy_authorization(spec.proxy)
            headers = _HeaderFields(fields)
            request_target = _request_target(spec, target)
            connection.request(spec.method, request_target, body=spec.body, headers=headers)  # type: ignore[arg-type]
            response = connection.getresponse()
            progress.reached_body()  # http.client counts no bytes: it reads through a buffer
            body = response.read()
        except Exception as exc:
            # The connection's state is unknown after a failure; the next send starts afresh.
            # The response holds the socket too (its reader), so it is closed as well.
            if response is not None:
                response.close()
            connection.close()
            raise ClientError(classify(exc, connecting=connecting), exc) from exc
        return Exchange(
            status=response.status,
            reason=response.reason,
            http_version=http_version_text(response.version),
            headers=response.getheaders(),
            body=body,
            reused=reused,
            elapsed=time.perf_counter() - started,
        )

    def close(self) -> None:
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()
