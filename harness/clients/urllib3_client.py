"""The ``urllib3`` adapter: one PoolManager per client, used through its own TLS parameters.

Trust and the client certificate are urllib3's pool parameters (``cert_reqs``, ``ca_certs``,
``cert_file``, ``key_file``), so urllib3 builds its own SSLContext
(urllib3/util/ssl_.py: create_urllib3_context), as an application using urllib3 gets it.
"""

from __future__ import annotations

import time
import warnings
import weakref
from typing import Any

import urllib3
import urllib3.exceptions

from harness.clients import http_version_text
from harness.clients.deadline import Progress, Watchdog
from harness.errors import ClientError, ErrorKind, LibraryError, classify
from harness.model import Exchange, Proxy, RequestSpec, Target, Verify

# urllib3's own errors for framing it checks itself (also under requests, which wraps them).
LIBRARY_ERRORS = (
    # urllib3/response.py: HTTPResponse._init_length, on Content-Length values that differ
    LibraryError(urllib3.exceptions.InvalidHeader, ErrorKind.PROTOCOL_INVALID_HEADER),
    # urllib3/response.py: HTTPResponse._update_chunk_length, the body cut before a chunk
    LibraryError(
        urllib3.exceptions.ProtocolError,
        ErrorKind.PROTOCOL_INCOMPLETE_BODY,
        "Response ended prematurely",
    ),
)


class Urllib3Client:
    def __init__(self) -> None:
        # No retries and no redirects: the adapter reports what one request got.
        self._manager = urllib3.PoolManager(retries=False)
        # As shipped (RequestSpec.defaults): a PoolManager given nothing.
        self._shipped = urllib3.PoolManager()
        self._proxied: dict[tuple[object, ...], urllib3.ProxyManager] = {}
        # Asked to follow redirects: a PoolManager per TLS parameters, with its own redirect
        # limit (Retry.DEFAULT). Its urlopen follows to any origin; a pool's only within it.
        self._followers: dict[tuple[object, ...], urllib3.PoolManager] = {}
        # Sockets this client has carried a response on: seeing one again means the pool
        # reused the connection. urllib3 has no public flag for that, so we observe it.
        self._seen_sockets: weakref.WeakSet[object] = weakref.WeakSet()
        self._watchdog = Watchdog("urllib3")

    def _pool(self, spec: RequestSpec, target: Target) -> urllib3.HTTPConnectionPool:
        # The pool key includes these parameters: each trust mode gets a pool of its own.
        return self._manager.connection_from_url(target.base_url, pool_kwargs=_tls(spec, target))

    def _follower(self, spec: RequestSpec, target: Target) -> urllib3.PoolManager:
        tls = _tls(spec, target)
        key = tuple(sorted(tls.items()))
        if key not in self._followers:
            self._followers[key] = urllib3.PoolManager(**tls)
        return self._followers[key]

    def _proxy_manager(
        self, spec: RequestSpec, proxy: Proxy, target: Target
    ) -> urllib3.ProxyManager:
        """A ProxyManager per proxy and TLS parameters: its urlopen sends the absolute-form
        to the proxy for http targets and tunnels with CONNECT to https ones."""
        tls = _tls(spec, target)
        key = (proxy, tuple(sorted(tls.items())))
        if key not in self._proxied:
            # urllib3 reads no credentials from the proxy URL: they go in proxy_headers,
            # which its docs name for proxy authentication.
            auth = None if proxy.credentials is None else ":".join(proxy.credentials)
            self._proxied[key] = urllib3.ProxyManager(
                f"http://{proxy.host}:{proxy.port}",
                retries=False,
                proxy_headers=urllib3.make_headers(proxy_basic_auth=auth),
                **tls,
            )
        return self._proxied[key]

    def _requester(
        self, spec: RequestSpec, target: Target
    ) -> tuple[urllib3.PoolManager | urllib3.HTTPConnectionPool, str, dict[str, Any]]:
        """What sends the request, the URL it takes, and the options it takes besides: the
        proxy's manager, the manager as shipped (nothing of ours), the redirect follower, or
        the target's pool (origin-form, no redirects followed)."""
        timeout = urllib3.Timeout(connect=spec.timeouts.connect, read=spec.timeouts.read)
        url = target.base_url + spec.target
        if spec.proxy is not None:
            manager = self._proxy_manager(spec, spec.proxy, target)
            return manager, url, {"timeout": timeout, "redirect": False}
        if spec.defaults:
            return self._shipped, url, {}
        if spec.follow_redirects:
            return self._follower(spec, target), url, {"timeout": timeout}
        return self._pool(spec, target), spec.target, {"timeout": timeout, "redirect": False}

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        return self._watchdog.send(spec, target, self._send)

    def _send(self, spec: RequestSpec, target: Target, progress: Progress) -> Exchange:
        if spec.http_version != "HTTP/1.1":
            raise ValueError(f"urllib3 cannot send {spec.http_version} requests")
        # HTTPHeaderDict keeps repeated names (urllib3 sends each value as its own line).
        headers = urllib3.HTTPHeaderDict()
        for name, value in spec.headers:
            headers.add(name, value)
        if spec.basic_auth is not None:
            headers.update(urllib3.make_headers(basic_auth=":".join(spec.basic_auth)))
        started = time.perf_counter()
        try:
            with warnings.catch_warnings():
                if spec.verify is Verify.NONE:
                    # urllib3 warns on every unverified request; an application that turns
                    # verification off on purpose silences it, and so does the adapter.
                    warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
                # An iterable body without length goes chunked (HTTPConnection.request).
                # preload_content=False keeps the connection reachable to note its socket.
                requester, url, options = self._requester(spec, target)
                response = requester.request(
                    spec.method,
                    url,
                    body=spec.body,
                    headers=headers,
                    preload_content=False,
                    **options,
                )
            # No count of bytes received: urllib3's tell() counts only what read() returned.
            progress.reached_body()
            try:
                reused = self._note_socket(response)
                body = response.read()
            finally:
                # Returns a fully read connection to the pool; one whose body failed was
                # already closed by urllib3 (HTTPResponse._error_catcher).
                response.release_conn()
        except urllib3.exceptions.HTTPError as exc:
            connecting = isinstance(exc, urllib3.exceptions.ConnectTimeoutError)
            raise ClientError(
                classify(exc, connecting=connecting, library=LIBRARY_ERRORS), exc
            ) from exc
        except (ValueError, OverflowError) as exc:
            # read() decodes a chunked body with http.client (HTTPResponse._read_chunked), whose
            # failures on an absurd chunk size urllib3 does not wrap: a negative size raises
            # ValueError in _safe_read, one beyond sys.maxsize OverflowError.
            raise ClientError(classify(exc, connecting=False, library=LIBRARY_ERRORS), exc) from exc
        return Exchange(
            status=response.status,
            reason=response.reason or "",
            http_version=http_version_text(response.version),
            headers=list(response.headers.items()),
            body=body,
            reused=reused,
            elapsed=time.perf_counter() - started,
        )

    def _note_socket(self, response: urllib3.BaseHTTPResponse) -> bool | None:
        # None when http.client has already handed the socket to the response and dropped it
        # from the connection (a response that closes the connection).
        sock = getattr(response.connection, "sock", None)
        if sock is None:
            return None
        reused = sock in self._seen_sockets
        self._seen_sockets.add(sock)
        return reused

    def close(self) -> None:
        self._manager.clear()
        self._shipped.clear()
        for manager in self._proxied.values():
            manager.clear()
        for follower in self._followers.values():
            follower.clear()


def _tls(spec: RequestSpec, target: Target) -> dict[str, Any]:
    """urllib3's pool parameters for the spec's trust mode and client certificate."""
    if target.scheme != "https":
        return {}
    cert = spec.client_certificate
    return {
        "cert_reqs": "CERT_NONE" if spec.verify is Verify.NONE else "CERT_REQUIRED",
        # None: urllib3 loads the default trust store (ssl_wrap_socket).
        "ca_certs": target.ca_file if spec.verify is Verify.TARGET_CA else None,
        "cert_file": cert.cert_file if cert else None,
        "key_file": cert.key_file if cert else None,
    }
