"""The ``urllib.request`` adapter: an OpenerDirector from ``build_opener``, as an application
makes one, with an HTTPSHandler for the spec's TLS context, redirects not followed unless the
spec asks, an HTTPCookieProcessor (one CookieJar per client: its session) and, for Basic
credentials, an HTTPBasicAuthHandler.

urllib.request opens a new connection for every request and asks the server to close it
(Lib/urllib/request.py: AbstractHTTPHandler.do_open sends ``Connection: close``), so
nothing is pooled and ``reused`` is always False.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import time
import urllib.error
import urllib.request
from typing import Any

from harness.clients import http_version_text, ssl_context
from harness.clients.deadline import Progress, Watchdog
from harness.errors import ClientError, classify
from harness.model import Exchange, RequestSpec, Target


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hands every 3xx back as a response: the Python docs' way to stop urllib following
    redirects ("Return None if you can't but another Handler might"), after which the
    default error handler raises it as HTTPError, which the adapter reports as a response."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class UrllibClient:
    def __init__(self) -> None:
        # One opener per trust mode and client certificate: the TLS context is fixed when
        # the HTTPSHandler is made.
        self._openers: dict[tuple[object, ...], urllib.request.OpenerDirector] = {}
        self._cookies = http.cookiejar.CookieJar()  # shared by every opener: one session
        self._watchdog = Watchdog("urllib.request")

    def _opener(self, spec: RequestSpec, target: Target) -> urllib.request.OpenerDirector:
        key: tuple[object, ...] = (
            spec.verify,
            spec.client_certificate,
            target.ca_file,
            spec.defaults,
            spec.proxy,
            spec.follow_redirects,
            spec.basic_auth and (target.base_url, spec.basic_auth),
        )
        if key not in self._openers and spec.defaults:
            # As shipped: urlopen's own opener, with every default handler (redirects,
            # proxies from the environment, the default HTTPS context).
            self._openers[key] = urllib.request.build_opener()
        if key not in self._openers:
            handlers: list[urllib.request.BaseHandler] = [
                urllib.request.HTTPCookieProcessor(self._cookies)
            ]
            if not spec.follow_redirects:
                handlers.append(_NoRedirect())
            if spec.basic_auth is not None:
                # Credentials for the target's origin only, whatever realm it names.
                passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
                passwords.add_password(None, target.base_url, *spec.basic_auth)
                handlers.append(urllib.request.HTTPBasicAuthHandler(passwords))
            if spec.proxy is not None:
                # Replaces the default ProxyHandler (the environment's proxies); it sends the
                # URL's user and password as Proxy-Authorization (ProxyHandler.proxy_open).
                url = spec.proxy.url
                handlers.append(urllib.request.ProxyHandler({"http": url, "https": url}))
            if target.scheme == "https":
                handlers.append(urllib.request.HTTPSHandler(context=ssl_context(spec, target)))
            self._openers[key] = urllib.request.build_opener(*handlers)
        return self._openers[key]

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        return self._watchdog.send(spec, target, self._send)

    def _send(self, spec: RequestSpec, target: Target, progress: Progress) -> Exchange:
        if len({name.lower() for name, _ in spec.headers}) != len(spec.headers):
            raise ValueError(
                "urllib.request takes headers as a mapping: it cannot repeat a field name"
            )
        if spec.http_version != "HTTP/1.1":
            raise ValueError(f"urllib.request cannot send {spec.http_version} requests")
        # An iterable body has no length: urllib.request then sends it chunked by itself
        # (AbstractHTTPHandler.do_request_ adds Transfer-encoding: chunked).
        request = urllib.request.Request(
            target.base_url + spec.target,
            data=spec.body,
            headers=dict(spec.headers),
            method=spec.method,
        )
        opener = self._opener(spec, target)
        started = time.perf_counter()
        try:
            # urlopen takes one timeout for every blocking operation, connecting included
            # (http.client's socket timeout): the read deadline is the one given.
            response: http.client.HTTPResponse | urllib.error.HTTPError = (
                opener.open(request)
                if spec.defaults
                else opener.open(request, timeout=spec.timeouts.read)
            )
        except urllib.error.HTTPError as error:
            # 4xx and 5xx (and the 3xx not followed) come as HTTPError; it is a response. It
            # is kept, not only the response it wraps: its file wrapper closes that response
            # once it is collected (tempfile._TemporaryFileWrapper).
            response = error
        except urllib.error.URLError as exc:
            # do_open wraps in URLError what fails while connecting (TCP, TLS handshake) and
            # sending the request; what fails reading the response comes unwrapped.
            raise ClientError(classify(exc, connecting=True), exc) from exc
        except Exception as exc:
            raise ClientError(classify(exc, connecting=False), exc) from exc
        progress.reached_body()  # no count of bytes: it reads through http.client's buffer
        with response:
            try:
                body = response.read()
            except Exception as exc:
                raise ClientError(classify(exc, connecting=False), exc) from exc
        raw = _raw(response)
        return Exchange(
            status=raw.status,
            reason=response.reason,
            http_version=http_version_text(raw.version),
            headers=list(response.headers.items()),
            body=body,
            reused=False,
            elapsed=time.perf_counter() - started,
        )

    def close(self) -> None:
        for opener in self._openers.values():
            opener.close()
        self._openers.clear()


def _raw(response: http.client.HTTPResponse | urllib.error.HTTPError) -> http.client.HTTPResponse:
    """The http.client response: HTTPError wraps it as ``fp`` (Lib/urllib/error.py), which
    typeshed types as any binary file."""
    raw = response.fp if isinstance(response, urllib.error.HTTPError) else response
    if not isinstance(raw, http.client.HTTPResponse):
        raise TypeError(f"urllib.request wrapped {type(raw).__name__}, not a response")
    return raw
