"""The ``requests`` adapter: one ``requests.Session`` per client, as an application uses it."""

from __future__ import annotations

import time
import warnings
import weakref

import requests
import urllib3.exceptions

from harness.clients import http_version_text
from harness.clients.deadline import Progress, Watchdog
from harness.clients.urllib3_client import LIBRARY_ERRORS as URLLIB3_ERRORS
from harness.errors import ClientError, classify
from harness.model import Exchange, RequestSpec, Target, Verify

# requests wraps urllib3's exceptions (requests/adapters.py: HTTPAdapter.send) and adds no
# failure of its own that they do not name: its errors are urllib3's.
LIBRARY_ERRORS = URLLIB3_ERRORS


class RequestsClient:
    def __init__(self) -> None:
        self._session = requests.Session()
        # Sockets this session has carried a response on: seeing one again means the pool
        # reused the connection. requests has no public flag for that, so we observe it.
        self._seen_sockets: weakref.WeakSet[object] = weakref.WeakSet()
        self._watchdog = Watchdog("requests")

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        return self._watchdog.send(spec, target, self._send)

    def _send(self, spec: RequestSpec, target: Target, progress: Progress) -> Exchange:
        if len({name.lower() for name, _ in spec.headers}) != len(spec.headers):
            raise ValueError("requests takes headers as a mapping: it cannot repeat a field name")
        if spec.http_version != "HTTP/1.1":
            raise ValueError(f"requests cannot send {spec.http_version} requests")
        verify: bool | str = {
            Verify.TARGET_CA: target.ca_file or True,
            Verify.SYSTEM: True,
            Verify.NONE: False,
        }[spec.verify]
        cert = spec.client_certificate
        # As shipped: none of the harness's settings, so the Session's defaults apply.
        settings: dict[str, object] = (
            {}
            if spec.defaults
            else {
                "timeout": (spec.timeouts.connect, spec.timeouts.read),
                "verify": verify,
                "cert": (cert.cert_file, cert.key_file) if cert else None,
                "allow_redirects": spec.follow_redirects,
                "auth": spec.basic_auth,  # a tuple: requests' HTTPBasicAuth
                # requests sends a proxy URL's user and password as Proxy-Authorization
                # (HTTPAdapter.proxy_headers); None: no proxy but the environment's.
                "proxies": None
                if spec.proxy is None
                else {"http": spec.proxy.url, "https": spec.proxy.url},
            }
        )
        started = time.perf_counter()
        try:
            with warnings.catch_warnings():
                if spec.verify is Verify.NONE:
                    # urllib3 warns on every unverified request; an application that turns
                    # verification off on purpose silences it, and so does the adapter.
                    warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
                response = self._session.request(
                    spec.method,
                    target.base_url + spec.target,
                    headers=dict(spec.headers),
                    data=spec.body,
                    stream=True,  # keep the connection reachable until the socket is noted
                    **settings,  # type: ignore[arg-type]
                )
            # No count of bytes received: urllib3's tell() counts only what read() returned.
            progress.reached_body()
            try:
                reused = self._note_socket(response)
                body = response.content
            finally:
                # Hands a fully read connection back to the pool, and closes one whose body
                # failed, instead of leaving its socket to the garbage collector.
                response.close()
        except requests.RequestException as exc:
            connecting = isinstance(exc, requests.ConnectTimeout)
            raise ClientError(
                classify(exc, connecting=connecting, library=LIBRARY_ERRORS), exc
            ) from exc
        except ValueError as exc:
            # urllib3 lets one failure through unwrapped: a negative chunk size reaches
            # http.client's _safe_read, which raises ValueError.
            raise ClientError(classify(exc, connecting=False, library=LIBRARY_ERRORS), exc) from exc
        return Exchange(
            status=response.status_code,
            reason=response.reason,
            http_version=http_version_text(response.raw.version),
            headers=list(response.raw.headers.items()),
            body=body,
            reused=reused,
            elapsed=time.perf_counter() - started,
        )

    def _note_socket(self, response: requests.Response) -> bool | None:
        connection = getattr(response.raw, "connection", None)
        sock = getattr(connection, "sock", None)
        if sock is None:
            return None
        reused = sock in self._seen_sockets
        self._seen_sockets.add(sock)
        return reused

    def close(self) -> None:
        self._session.close()
