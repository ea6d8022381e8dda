"""The ``httpx`` adapter: an ``httpx.Client`` (HTTP/1.1 only, over httpcore and h11) per
trust configuration, as an application holds one.

Trust is given as httpx 0.28 documents it, an ``ssl.SSLContext`` in ``verify`` (its
``verify=<path>`` and ``cert=`` are deprecated, httpx/_config.py: create_ssl_context): for
the target's CA the context ``ssl.create_default_context(cafile=...)`` that httpx's docs
show (harness.clients.ssl_context); for the default trust store and for no verification,
httpx's own contexts (certifi's bundle, or an unverified one), from
``httpx.create_ssl_context``. A client certificate is loaded into the context
(``load_cert_chain``), as the deprecation of ``cert=`` says to.
"""

from __future__ import annotations

import functools
import http.cookiejar
import os
import ssl
import time
import weakref

import httpx

from harness.clients import ssl_context
from harness.clients.deadline import Progress, Watchdog
from harness.errors import ClientError, ErrorKind, LibraryError, classify
from harness.model import ClientCertificate, Exchange, Proxy, RequestSpec, Target, Verify

# What h11 and httpcore raise as RemoteProtocolError, told apart by the start of its message.
LIBRARY_ERRORS = (
    # h11/_readers.py: ContentLengthReader.read_eof, ChunkedReader.read_eof
    LibraryError(
        httpx.RemoteProtocolError,
        ErrorKind.PROTOCOL_INCOMPLETE_BODY,
        "peer closed connection without sending complete message body",
    ),
    # httpcore/_sync/http11.py: HTTP11Connection._receive_event
    LibraryError(
        httpx.RemoteProtocolError,
        ErrorKind.CONNECTION_CLOSED,
        "Server disconnected without sending a response",
    ),
    # h11/_readers.py: maybe_read_from_SEND_RESPONSE_server
    LibraryError(
        httpx.RemoteProtocolError, ErrorKind.PROTOCOL_BAD_STATUS_LINE, "illegal status line"
    ),
    # h11/_readers.py: ChunkedReader.__call__
    LibraryError(httpx.RemoteProtocolError, ErrorKind.PROTOCOL_BAD_CHUNK, "illegal chunk header"),
    LibraryError(httpx.RemoteProtocolError, ErrorKind.PROTOCOL_BAD_CHUNK, "malformed chunk footer"),
    # h11/_connection.py: Connection.next_event (a head over 16 KiB), h11/_abnf.py and
    # h11/_headers.py: normalize_and_validate (a field line or framing field h11 refuses)
    LibraryError(
        httpx.RemoteProtocolError, ErrorKind.PROTOCOL_INVALID_HEADER, "Receive buffer too long"
    ),
    LibraryError(
        httpx.RemoteProtocolError, ErrorKind.PROTOCOL_INVALID_HEADER, "illegal header line"
    ),
    LibraryError(
        httpx.RemoteProtocolError,
        ErrorKind.PROTOCOL_INVALID_HEADER,
        "conflicting Content-Length headers",
    ),
    LibraryError(
        httpx.RemoteProtocolError, ErrorKind.PROTOCOL_INVALID_HEADER, "bad Content-Length"
    ),
    # httpcore/_sync/http_proxy.py: TunnelHTTPConnection.handle_request, a refused CONNECT
    LibraryError(httpx.ProxyError, ErrorKind.PROXY_REFUSED),
)


def _default_trust() -> ssl.SSLContext:
    """httpx's own context for ``verify=True``: certifi's bundle, or SSL_CERT_FILE's or
    SSL_CERT_DIR's where set (httpx/_config.py: create_ssl_context). Built once per value of
    those variables: building it costs 30-80 ms (it loads the bundle), more than a request
    (bench/cell_overhead.py), and a Client given ``verify=True`` builds it anew. A context
    serves any number of clients, and a Client takes one as ``verify``, as httpx documents;
    one that gets a client certificate is built for it alone."""
    return _trust_from(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.cache
def _trust_from(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    # The arguments are the cache's key only: create_ssl_context reads the variables itself.
    return httpx.create_ssl_context()


def _verify(spec: RequestSpec, target: Target) -> ssl.SSLContext:
    if spec.verify is Verify.TARGET_CA:
        return ssl_context(spec, target)
    if spec.verify is Verify.SYSTEM and spec.client_certificate is None:
        return _default_trust()
    context = httpx.create_ssl_context(verify=spec.verify is Verify.SYSTEM)
    if spec.client_certificate is not None:
        context.load_cert_chain(spec.client_certificate.cert_file, spec.client_certificate.key_file)
    return context


class HttpxClient:
    def __init__(self) -> None:
        # httpx fixes trust per Client (its transport's pool), so one Client per trust mode.
        self._clients: dict[tuple[object, ...], httpx.Client] = {}
        # One cookie store for all of them, so that this client is one session whatever the
        # scheme (httpx.Cookies shares a CookieJar it is given instead of copying it).
        self._cookies = http.cookiejar.CookieJar()
        # httpcore's network stream of each connection a response came on: the same stream
        # again means the connection was reused. httpx has no flag for it, so we observe it.
        self._seen_streams: weakref.WeakSet[object] = weakref.WeakSet()
        self._watchdog = Watchdog("httpx")

    def _client(self, spec: RequestSpec, target: Target) -> httpx.Client:
        key: tuple[Verify, ClientCertificate | None, str | None, bool, Proxy | None] = (
            spec.verify,
            spec.client_certificate,
            target.ca_file,
            spec.defaults,
            spec.proxy,
        )
        if key not in self._clients and spec.defaults:
            self._clients[key] = httpx.Client()  # as shipped
        if key not in self._clients:
            # Over http trust is used only by a redirect to https: httpx's default.
            verify = _verify(spec, target) if target.scheme == "https" else _default_trust()
            # httpx sends a proxy URL's user and password as Proxy-Authorization (httpx.Proxy).
            proxy = None if spec.proxy is None else spec.proxy.url
            self._clients[key] = httpx.Client(
                verify=verify, http1=True, http2=False, proxy=proxy, cookies=self._cookies
            )
        return self._clients[key]

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        return self._watchdog.send(spec, target, self._send)

    def _send(self, spec: RequestSpec, target: Target, progress: Progress) -> Exchange:
        if spec.http_version != "HTTP/1.1":
            raise ValueError(f"httpx sends HTTP/1.1 only (h11), not {spec.http_version}")
        client = self._client(spec, target)
        # The spec has no write or pool deadline: sending and waiting for a pooled
        # connection get the read deadline, so that no wait is without one.
        read = spec.timeouts.read
        timeout = httpx.Timeout(connect=spec.timeouts.connect, read=read, write=read, pool=read)
        # As shipped: the Client's own timeout and redirect setting.
        shipped = httpx.USE_CLIENT_DEFAULT
        started = time.perf_counter()
        try:
            # A list keeps repeated names and order; an iterable body without length is
            # sent chunked (httpx/_content.py: encode_content).
            request = client.build_request(
                spec.method,
                target.base_url + spec.target,
                headers=spec.headers,
                content=spec.body,
                timeout=shipped if spec.defaults else timeout,
            )
            # What Client.request does (send, then read), in two steps: the head first, so
            # that the body's bytes are counted as they come (num_bytes_downloaded).
            response = client.send(
                request,
                stream=True,
                follow_redirects=shipped if spec.defaults else spec.follow_redirects,
                auth=spec.basic_auth if spec.basic_auth else shipped,  # a tuple: BasicAuth
            )
            progress.reached_body(lambda: response.num_bytes_downloaded)
            try:
                response.read()
            finally:
                response.close()
        except httpx.InvalidURL as exc:
            # httpx refuses a URL with a control character before it connects
            # (httpx/_urlparse.py: urlparse), with an error outside its HTTPError tree.
            raise ClientError(classify(exc, connecting=False), exc) from exc
        except httpx.HTTPError as exc:
            # After a failure the pool's connections are in an unknown state, and one a
            # timeout cut short is left open until a garbage collection: close them now,
            # the next send starts afresh (as the http.client adapter does).
            self._drop(client)
            # Only ConnectTimeout is raised while connecting (TCP and the TLS handshake,
            # httpcore/_backends/sync.py); ReadTimeout and WriteTimeout come after.
            connecting = isinstance(exc, httpx.ConnectTimeout)
            raise ClientError(
                classify(exc, connecting=connecting, library=LIBRARY_ERRORS), exc
            ) from exc
        return Exchange(
            status=response.status_code,
            reason=response.reason_phrase,
            http_version=response.http_version,
            # The raw fields keep the case h11 received them in (httpcore: raw_items()).
            headers=[
                (name.decode("latin-1"), value.decode("latin-1"))
                for name, value in response.headers.raw
            ],
            body=response.content,
            reused=self._note_stream(response),
            elapsed=time.perf_counter() - started,
        )

    def _note_stream(self, response: httpx.Response) -> bool | None:
        stream = response.extensions.get("network_stream")
        if stream is None:
            return None
        reused = stream in self._seen_streams
        self._seen_streams.add(stream)
        return reused

    def _drop(self, client: httpx.Client) -> None:
        for key, kept in list(self._clients.items()):
            if kept is client:
                del self._clients[key]
        client.close()

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()
