"""The ``aiohttp`` adapter: an ``aiohttp.ClientSession`` driven from a private event loop.

``send`` is synchronous: it runs the request to completion on the adapter's own loop (an
``asyncio.Runner``); ``close`` closes the sessions, then the loop, and the next ``send``
starts afresh. aiohttp fixes the request's HTTP version per session
(``ClientSession(version=...)``), so there is one session per version asked for, each with
aiohttp's default connector (a TCPConnector, given only a socket factory that notes its
sockets). Trust is passed per request as ``ssl=`` an SSLContext, the way aiohttp's docs
show for a custom CA and a client certificate (harness.clients.ssl_context: its verified
default, ``ssl.create_default_context()``, is the one aiohttp makes itself,
aiohttp/connector.py: _make_ssl_context).
"""

from __future__ import annotations

import asyncio
import io
import socket
import ssl
import time
import weakref
from collections.abc import AsyncIterator, Iterable

import aiohttp
from aiohttp import http_exceptions

from harness import deadlines
from harness.clients import ssl_context
from harness.clients.deadline import Progress, Stage
from harness.errors import ClientError, ErrorKind, LibraryError, classify
from harness.model import Exchange, Headers, RequestSpec, Target

# How long close() lets connections that are still closing finish, before the loop closes.
CLOSE_GRACE = 1.0 * deadlines.SCALE
CLOSE_POLL = 0.005

# aiohttp's own failures, found anywhere in the exception's chain. A parse error of the
# head arrives as ClientResponseError caused by the parser's exception
# (aiohttp/client_proto.py: ResponseHandler.data_received); a body cut short as
# ClientPayloadError.
LIBRARY_ERRORS = (
    LibraryError(http_exceptions.BadStatusLine, ErrorKind.PROTOCOL_BAD_STATUS_LINE),
    LibraryError(http_exceptions.LineTooLong, ErrorKind.PROTOCOL_INVALID_HEADER),
    LibraryError(http_exceptions.InvalidHeader, ErrorKind.PROTOCOL_INVALID_HEADER),
    LibraryError(http_exceptions.TransferEncodingError, ErrorKind.PROTOCOL_BAD_CHUNK),
    LibraryError(aiohttp.ClientPayloadError, ErrorKind.PROTOCOL_INCOMPLETE_BODY),
    # The connection closed before a complete response head (client_proto.py:
    # ResponseHandler.connection_lost).
    LibraryError(aiohttp.ServerDisconnectedError, ErrorKind.CONNECTION_CLOSED),
    # A CONNECT the proxy refused (aiohttp/connector.py: TCPConnector._create_proxy_connection).
    LibraryError(aiohttp.ClientHttpProxyError, ErrorKind.PROXY_REFUSED),
)


def _kind(exc: aiohttp.ClientError) -> ErrorKind:
    # aiohttp's TLS errors subclass ssl's (ClientConnectorSSLError is an ssl.SSLError,
    # ClientConnectorCertificateError an ssl.CertificateError) without OpenSSL's details
    # (verify_code, the exact class): the ssl error they wrap, ``os_error``, has them.
    classified = exc.os_error if isinstance(exc, aiohttp.ClientSSLError) else exc
    # ConnectionTimeoutError covers the TCP connect and the TLS handshake (sock_connect);
    # SocketTimeoutError is sock_read, after the request was sent.
    connecting = isinstance(exc, aiohttp.ConnectionTimeoutError)
    return classify(classified, connecting=connecting, library=LIBRARY_ERRORS)


def _version(text: str) -> aiohttp.HttpVersion:
    """ "HTTP/1.0" as aiohttp's HttpVersion(1, 0)."""
    major, _, minor = text.removeprefix("HTTP/").partition(".")
    return aiohttp.HttpVersion(int(major), int(minor or 0))


def _credentials(spec: RequestSpec) -> Headers:
    """Basic credentials the way aiohttp 3.14 asks for them: its ``auth`` parameter and
    BasicAuth are deprecated for "aiohttp.encode_basic_auth() with headers={'Authorization':
    ...}" (aiohttp/helpers.py:146, aiohttp 3.14.5); its redirect handling drops the field
    for another origin (aiohttp/client.py:1028-1031)."""
    if spec.basic_auth is None:
        return []
    return [("Authorization", aiohttp.encode_basic_auth(*spec.basic_auth))]


async def _stream(chunks: Iterable[bytes]) -> AsyncIterator[bytes]:
    """aiohttp streams an async iterable as a body of unknown length, chunked
    (ClientRequest.update_body_from_data); a plain iterable is not one it takes."""
    for piece in chunks:
        yield piece


class ConnectorSockets:
    """Every socket an aiohttp connector opens (through its public ``socket_factory``), so
    that a loop about to close can first let asyncio finish closing them."""

    def __init__(self) -> None:
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()

    def new(self, addr_info: tuple[int, int, int, str, tuple[object, ...]]) -> socket.socket:
        """The connector's socket factory: what aiohappyeyeballs does without one
        (impl.py: _connect_sock), noting the socket."""
        family, kind, proto, _, _ = addr_info
        sock = socket.socket(family=family, type=kind, proto=proto)
        self._sockets.add(sock)
        return sock

    async def closed(self) -> None:
        """Run the loop until every socket is closed, CLOSE_GRACE at most. A connection
        released as closing (the response said close, a WebSocket connection ended) is
        closed by asyncio in the background: over TLS only after the close_notify exchange
        (asyncio/sslproto.py). An application's loop runs on and finishes it; a loop about to
        close would leave the socket open (aiohttp's docs, "Graceful Shutdown"; aiohttp's
        ClientSession.close waits only for the connections still in its connector,
        aiohttp/connector.py: BaseConnector._close)."""
        deadline = time.monotonic() + CLOSE_GRACE
        while any(sock.fileno() != -1 for sock in self._sockets) and time.monotonic() < deadline:
            await asyncio.sleep(CLOSE_POLL)


class AiohttpClient:
    def __init__(self) -> None:
        self._runner: asyncio.Runner | None = None
        self._sessions: dict[str, aiohttp.ClientSession] = {}
        # One context per trust configuration, made once as an application makes it: the
        # context is part of aiohttp's connection key (ConnectionKey.ssl), so a new one per
        # request would never reuse a pooled connection.
        self._contexts: dict[tuple[object, ...], ssl.SSLContext] = {}
        # aiohttp's tracing signals say whether a request took a pooled connection or made
        # a new one: the one public place that tells.
        self._reused: bool | None = None
        # The running exchange's progress, which the same signals move on.
        self._progress: Progress | None = None
        self._trace = aiohttp.TraceConfig()
        self._trace.on_connection_create_end.append(self._created)
        self._trace.on_connection_reuseconn.append(self._took_pooled)
        self._sockets = ConnectorSockets()

    async def _created(self, *_: object) -> None:
        self._reused = False
        self._connected()

    async def _took_pooled(self, *_: object) -> None:
        self._reused = True
        self._connected()

    def _connected(self) -> None:
        if self._progress is not None:
            self._progress.stage = Stage.HEAD

    async def _session(self, version: str, defaults: bool) -> aiohttp.ClientSession:
        if defaults:
            # As shipped: a ClientSession given nothing (the connector's socket factory and
            # the trace only observe, and the version is the default, HTTP/1.1).
            version = "defaults"
        if version not in self._sessions:
            self._sessions[version] = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(socket_factory=self._sockets.new),
                version=aiohttp.HttpVersion11 if defaults else _version(version),
                trace_configs=[self._trace],
            )
        return self._sessions[version]

    def _context(self, spec: RequestSpec, target: Target) -> ssl.SSLContext:
        key = (spec.verify, spec.client_certificate, target.ca_file)
        if key not in self._contexts:
            self._contexts[key] = ssl_context(spec, target)
        return self._contexts[key]

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        if self._runner is None:
            self._runner = asyncio.Runner()
        return self._runner.run(self._within_deadline(spec, target))

    async def _within_deadline(self, spec: RequestSpec, target: Target) -> Exchange:
        """The exchange under the spec's total deadline (none for the client as shipped), kept
        with asyncio's own timeout: aiohttp's ClientTimeout(total=...) reports its expiry as
        it reports a connect timeout (ConnectionTimeoutError), so the two could not be told
        apart. Past the deadline the exchange is cancelled, whatever aiohttp makes of that."""
        progress = Progress(target, spec.timeouts.exchange, "aiohttp")
        self._progress = progress
        within = asyncio.timeout(None if spec.defaults else spec.timeouts.exchange)
        try:
            async with within:
                return await self._send(spec, target, progress)
        except Exception as exc:
            if within.expired():
                raise progress.failure() from exc
            raise
        finally:
            self._progress = None

    async def _send(self, spec: RequestSpec, target: Target, progress: Progress) -> Exchange:
        session = await self._session(spec.http_version, spec.defaults)
        # An open file goes as it is: aiohttp sends it itself (payload.py: BufferedReaderPayload).
        body: bytes | io.BufferedIOBase | AsyncIterator[bytes] | None = (
            _stream(spec.body)
            if spec.body is not None and not isinstance(spec.body, bytes | io.BufferedIOBase)
            else spec.body
        )
        timeout = aiohttp.ClientTimeout(
            sock_connect=spec.timeouts.connect, sock_read=spec.timeouts.read
        )
        # As shipped: the session's own timeout, TLS context and redirect setting.
        settings: dict[str, object] = (
            {}
            if spec.defaults
            else {
                "timeout": timeout,
                "ssl": self._context(spec, target) if target.scheme == "https" else True,
                "allow_redirects": spec.follow_redirects,
            }
        )
        if spec.proxy is not None:
            proxy = spec.proxy
            settings["proxy"] = f"http://{proxy.host}:{proxy.port}"
            if proxy.credentials is not None:
                # aiohttp 3.14's way (its proxy_auth parameter is deprecated, client.py).
                settings["proxy_headers"] = {
                    "Proxy-Authorization": aiohttp.encode_basic_auth(*proxy.credentials)
                }
        self._reused = None
        started = time.perf_counter()
        try:
            async with session.request(
                spec.method,
                target.base_url + spec.target,
                headers=spec.headers + _credentials(spec),  # a list keeps repeated names
                data=body,
                **settings,  # type: ignore[arg-type]
            ) as response:
                progress.reached_body(lambda: response.content.total_bytes)
                content = await response.read()
        except aiohttp.ClientError as exc:
            raise ClientError(_kind(exc), exc) from exc
        except ValueError as exc:
            # aiohttp refuses to write a field with a control character in it with a plain
            # ValueError, none of its ClientErrors (aiohttp/http_writer.py: _safe_header).
            raise ClientError(classify(exc, connecting=False), exc) from exc
        # None only until the head is read (ClientResponse.start), which request() awaited.
        assert response.version is not None
        return Exchange(
            status=response.status,
            reason=response.reason or "",
            http_version=f"HTTP/{response.version.major}.{response.version.minor}",
            # The raw fields keep the case they were received in.
            headers=[
                (name.decode("latin-1"), value.decode("latin-1"))
                for name, value in response.raw_headers
            ],
            body=content,
            reused=self._reused,
            elapsed=time.perf_counter() - started,
        )

    def close(self) -> None:
        if self._runner is None:
            return
        self._runner.run(self._close_sessions())
        self._runner.close()
        self._runner = None

    async def _close_sessions(self) -> None:
        for session in self._sessions.values():
            await session.close()
        self._sessions.clear()
        await self._sockets.closed()
