"""The one registry of implementations: every server and client the harness knows by name
(BUILTIN, this package's own; extensions add others). What an implementation is lives in
harness/implementation.py."""

from __future__ import annotations

import sys

from harness.implementation import (
    NEEDS_PYTHON,
    SERVER_OPTIONS,
    TLS_ARGS,
    Capability,
    Implementation,
    Kind,
    Ready,
    UnknownImplementation,
)


def _server_module(module: str) -> tuple[str, ...]:
    """The command template of a server run as ``python -m harness.servers.<module>``."""
    return ("{python}", "-m", f"harness.servers.{module}", *SERVER_OPTIONS)


_HTTP10_ONLY = (
    "BaseHTTPRequestHandler with the default protocol_version speaks HTTP/1.0 only "
    "(Lib/http/server.py: BaseHTTPRequestHandler.protocol_version)"
)
_NO_CHUNKED_WRITER = (
    "BaseHTTPRequestHandler has no chunked writer: a response without Content-Length is "
    "delimited by closing the connection (Lib/http/server.py)"
)
# python -m http.server's command line: --tls-cert and --tls-key are "Added in version
# 3.14" (Doc/library/http.server.rst); harness/servers/http_server_cli.py runs it.
HTTP_SERVER_TLS_SINCE = (3, 14)
_CLI_TLS = sys.version_info >= HTTP_SERVER_TLS_SINCE
_CLI_NO_TLS = (
    "python -m http.server has --tls-cert and --tls-key from Python 3.14; this is "
    f"{sys.version_info.major}.{sys.version_info.minor}"
)
_CLI_LACKS = {
    Capability.CONTRACT_ENDPOINTS: (
        "python -m http.server serves the files of a folder, not the behaviour contract's "
        "endpoints (Lib/http/server.py: SimpleHTTPRequestHandler.send_head)"
    ),
}
_NO_CLOSE = (
    "PEP 3333 forbids a WSGI application hop-by-hop fields, so GET /close cannot ask for "
    "'Connection: close' (harness/servers/wsgi_app.py, django_app.py)"
)
_GUNICORN_NO_CLOSE = (
    _NO_CLOSE + "; gunicorn drops the field (gunicorn/http/wsgi.py: Response.process_headers)"
)

# Every implementation of this package, in the order of the matrix. Those of the standard
# library and of the package's own dependencies come first; then the optional ones (the
# ``implementations`` extra of pyproject.toml), each naming the ``package`` it needs, so
# that where it is not installed its cells are skipped with the reason. Other packages
# add theirs through entry points, programs through implementations.toml
# (docs/adding-an-implementation.md).
BUILTIN: tuple[Implementation, ...] = (
    Implementation(
        name="stdlib-http10",
        kind=Kind.SERVER,
        description="http.server.HTTPServer, BaseHTTPRequestHandler with protocol_version HTTP/1.0",
        package="python",
        factory="harness.servers.stdlib:build_http10",
        lacks={
            Capability.PERSISTENT_CONNECTIONS: _HTTP10_ONLY,
            Capability.CHUNKED_RESPONSE: _HTTP10_ONLY,
            Capability.HTTP11_SERVER: _HTTP10_ONLY,
        },
    ),
    Implementation(
        name="stdlib-http11",
        kind=Kind.SERVER,
        description="http.server.HTTPServer, BaseHTTPRequestHandler with protocol_version HTTP/1.1",
        package="python",
        factory="harness.servers.stdlib:build_http11",
        lacks={Capability.CHUNKED_RESPONSE: _NO_CHUNKED_WRITER},
        reference=True,
    ),
    Implementation(
        name="stdlib-threading",
        kind=Kind.SERVER,
        description="http.server.ThreadingHTTPServer, HTTP/1.1",
        package="python",
        factory="harness.servers.stdlib:build_threading",
        lacks={Capability.CHUNKED_RESPONSE: _NO_CHUNKED_WRITER},
        reference=True,
    ),
    Implementation(
        name="flask",
        kind=Kind.SERVER,
        description="Flask app on Werkzeug's threaded development server (make_server)",
        package="flask",
        factory="harness.servers.flask_app:build",
    ),
    Implementation(
        name="simplehttp",
        kind=Kind.SERVER,
        description="python -m http.server: SimpleHTTPRequestHandler over a generated folder",
        package="python",
        command=_server_module("simplehttp"),
        tls_args=TLS_ARGS,
        provides=frozenset({Capability.STATIC_FILES}),
        lacks={
            Capability.CONTRACT_ENDPOINTS: (
                "SimpleHTTPRequestHandler serves the files of a folder, not the behaviour "
                "contract's endpoints (Lib/http/server.py: SimpleHTTPRequestHandler.send_head)"
            ),
            Capability.PERSISTENT_CONNECTIONS: _HTTP10_ONLY,
            Capability.CHUNKED_RESPONSE: _HTTP10_ONLY,
            Capability.HTTP11_SERVER: _HTTP10_ONLY,
        },
    ),
    Implementation(
        name="http.server-cli-http11",
        kind=Kind.SERVER,
        description="python -m http.server PORT --bind --directory --protocol HTTP/1.1",
        package="python",
        command=(*_server_module("http_server_cli"), "--protocol", "HTTP/1.1"),
        tls_args=TLS_ARGS if _CLI_TLS else (),
        no_tls=_CLI_NO_TLS,
        ready=Ready.PORT,
        provides=frozenset({Capability.STATIC_FILES}),
        lacks={**_CLI_LACKS, Capability.CHUNKED_RESPONSE: _NO_CHUNKED_WRITER},
    ),
    Implementation(
        name="http.client",
        kind=Kind.CLIENT,
        description="http.client.HTTPConnection / HTTPSConnection",
        package="python",
        factory="harness.clients.http_client:HttpClientClient",
        provides=frozenset({Capability.FILE_BODY}),
        lacks={
            Capability.FOLLOW_REDIRECTS: (
                "http.client returns every response as received; following a redirect is "
                "left to the application (Python docs, http.client)"
            ),
            Capability.BASIC_AUTH: "http.client has no authentication facility",
            Capability.SESSION_COOKIES: (
                "http.client keeps no cookies (http.cookiejar is used by urllib.request)"
            ),
        },
    ),
    Implementation(
        name="requests",
        kind=Kind.CLIENT,
        description="requests.Session (over urllib3)",
        package="requests",
        factory="harness.clients.requests_client:RequestsClient",
        provides=frozenset(
            {
                Capability.FILE_BODY,
                Capability.FOLLOW_REDIRECTS,
                Capability.BASIC_AUTH,
                Capability.SESSION_COOKIES,
            }
        ),
        lacks={
            Capability.DUPLICATE_REQUEST_HEADERS: (
                "requests takes headers as a mapping, so a field name can appear only once"
            ),
            Capability.CHOOSE_HTTP_VERSION: "requests always sends HTTP/1.1 (no option for it)",
        },
    ),
    # --- optional: python -m pip install 'http-interop[implementations]' ----------------
    Implementation(
        name="aiohttp.web",
        kind=Kind.SERVER,
        description="aiohttp.web server (AppRunner, TCPSite)",
        package="aiohttp",
        command=_server_module("aiohttp_server"),
        tls_args=TLS_ARGS,
        provides=frozenset({Capability.WEBSOCKET}),
    ),
    Implementation(
        name="gunicorn",
        kind=Kind.SERVER,
        description="gunicorn, gthread worker (1 process, 4 threads), a plain WSGI contract app",
        package="gunicorn",
        command=_server_module("gunicorn_server"),
        tls_args=TLS_ARGS,
        lacks={Capability.CLOSE_FROM_APPLICATION: _GUNICORN_NO_CLOSE},
    ),
    Implementation(
        name="twisted",
        kind=Kind.SERVER,
        description="twisted.web Resource tree",
        package="twisted",
        command=_server_module("twisted_server"),
        tls_args=TLS_ARGS,
        # /ws is autobahn's WebSocket server, mounted in the Resource tree
        # (harness/servers/twisted_websocket.py); twisted.web has none of its own.
        provides=frozenset({Capability.WEBSOCKET}),
        needs={Capability.WEBSOCKET: f"{NEEDS_PYTHON}autobahn"},
    ),
    Implementation(
        name="uvicorn",
        kind=Kind.SERVER,
        description="uvicorn with h11 (and wsproto for WebSocket), an ASGI contract app",
        package="uvicorn",
        command=_server_module("uvicorn_server"),
        tls_args=TLS_ARGS,
        provides=frozenset({Capability.WEBSOCKET}),
    ),
    Implementation(
        name="waitress",
        kind=Kind.SERVER,
        description="waitress, a plain WSGI contract app (HTTP only)",
        package="waitress",
        # No tls_args: waitress has no TLS of its own (it is meant to sit behind a proxy
        # that terminates it).
        command=_server_module("waitress_server"),
        lacks={
            Capability.ECHOES_FRAMING: (
                "waitress decodes chunked content and hands it on with Content-Length and no "
                "Transfer-Encoding, as RFC 9112 §7.1.3 allows (waitress/parser.py: "
                "HTTPRequestParser.parse_header and received)"
            ),
            Capability.CLOSE_FROM_APPLICATION: _NO_CLOSE
            + "; waitress refuses it with an AssertionError (waitress/task.py: WSGITask.execute)",
        },
    ),
    # --- Django (issue 19): the one contract app under its development server and gunicorn
    Implementation(
        name="django-runserver",
        kind=Kind.SERVER,
        description="Django's development server (manage.py runserver's threaded WSGIServer)",
        package="django",
        command=_server_module("django_runserver"),
        no_tls=(
            "Django's development server has no TLS (django/core/servers/basehttp.py; "
            "its own log says 'it only supports HTTP')"
        ),
        lacks={
            Capability.CHUNKED_RESPONSE: (
                "Django's development server has no chunked writer: a response without "
                "Content-Length gets 'Connection: close' and ends with the connection "
                "(django/core/servers/basehttp.py: ServerHandler.cleanup_headers)"
            ),
            Capability.CLOSE_FROM_APPLICATION: _NO_CLOSE
            + "; the development server's wsgiref base refuses it with an AssertionError "
            "(Lib/wsgiref/handlers.py: BaseHandler.start_response, 'Hop-by-hop header')",
        },
    ),
    Implementation(
        name="django-gunicorn",
        kind=Kind.SERVER,
        description="Django under gunicorn, gthread worker (as the gunicorn column)",
        package="django",
        command=_server_module("django_gunicorn"),
        tls_args=TLS_ARGS,
        lacks={Capability.CLOSE_FROM_APPLICATION: _GUNICORN_NO_CLOSE},
    ),
    Implementation(
        name="aiohttp",
        kind=Kind.CLIENT,
        description="aiohttp.ClientSession on a private event loop",
        package="aiohttp",
        factory="harness.clients.aiohttp_client:AiohttpClient",
        # ClientSession.ws_connect: WEBSOCKET
        provides=frozenset(
            {
                Capability.FILE_BODY,
                Capability.WEBSOCKET,
                Capability.FOLLOW_REDIRECTS,
                Capability.BASIC_AUTH,
                Capability.SESSION_COOKIES,
            }
        ),
    ),
    Implementation(
        name="httpx",
        kind=Kind.CLIENT,
        description="httpx.Client (HTTP/1.1)",
        package="httpx",
        factory="harness.clients.httpx_client:HttpxClient",
        provides=frozenset(
            {
                Capability.FILE_BODY,
                Capability.FOLLOW_REDIRECTS,
                Capability.BASIC_AUTH,
                Capability.SESSION_COOKIES,
            }
        ),
        lacks={
            Capability.CHOOSE_HTTP_VERSION: (
                "httpx sends HTTP/1.1 through h11, which sends nothing else (h11/_writers.py: "
                "write_request, 'I only send HTTP/1.1')"
            )
        },
    ),
    Implementation(
        name="urllib.request",
        kind=Kind.CLIENT,
        description="urllib.request.OpenerDirector",
        package="python",
        factory="harness.clients.urllib_client:UrllibClient",
        provides=frozenset(
            {
                Capability.FILE_BODY,
                Capability.FOLLOW_REDIRECTS,
                Capability.BASIC_AUTH,
                Capability.SESSION_COOKIES,
            }
        ),
        lacks={
            Capability.PERSISTENT_CONNECTIONS: (
                "urllib.request opens a connection per request and asks the server to close "
                "it (Lib/urllib/request.py: AbstractHTTPHandler.do_open sends 'Connection: "
                "close')"
            ),
            Capability.DUPLICATE_REQUEST_HEADERS: (
                "urllib.request.Request keeps headers in a dict, so a field name can appear "
                "only once (Lib/urllib/request.py: Request.add_header)"
            ),
            Capability.CHOOSE_HTTP_VERSION: (
                "urllib.request sends HTTP/1.1 only: the version is http.client.HTTPConnection's "
                "class attribute, with no option for it (Lib/urllib/request.py: "
                "AbstractHTTPHandler.do_open)"
            ),
        },
    ),
    Implementation(
        name="urllib3",
        kind=Kind.CLIENT,
        description="urllib3.PoolManager",
        package="urllib3",
        factory="harness.clients.urllib3_client:Urllib3Client",
        provides=frozenset(
            {Capability.FILE_BODY, Capability.FOLLOW_REDIRECTS, Capability.BASIC_AUTH}
        ),
        lacks={
            Capability.CHOOSE_HTTP_VERSION: (
                "urllib3 has no option for the request's HTTP version (urllib3/connection.py: "
                "HTTPConnection inherits http.client's HTTP/1.1)"
            ),
            Capability.SESSION_COOKIES: (
                "urllib3 keeps no cookies: its user guide leaves them to the application"
            ),
        },
    ),
    Implementation(
        name="websockets",
        kind=Kind.CLIENT,
        description="websockets.asyncio.client.connect (a WebSocket client only)",
        package="websockets",
        factory="harness.websocket.clients:websockets_exchange",
        provides=frozenset({Capability.WEBSOCKET}),
        websocket_only=True,
    ),
)


class Registry:
    """Implementations by kind and name; unknown names fail with the list of known ones."""

    def __init__(self, implementations: tuple[Implementation, ...] = BUILTIN) -> None:
        self._by_key: dict[tuple[Kind, str], Implementation] = {}
        for impl in implementations:
            self.add(impl)

    def names(self, kind: Kind) -> list[str]:
        return [name for k, name in self._by_key if k == kind]

    def add(self, impl: Implementation) -> None:
        key = (impl.kind, impl.name)
        if key in self._by_key:
            raise ValueError(
                f"{impl.kind} {impl.name!r} ({impl.origin}) is already registered "
                f"({self._by_key[key].origin})"
            )
        self._by_key[key] = impl

    def get(self, kind: Kind, name: str) -> Implementation:
        try:
            return self._by_key[(kind, name)]
        except KeyError:
            raise UnknownImplementation(kind, name, self.names(kind)) from None

    def all(self) -> list[Implementation]:
        return list(self._by_key.values())


REGISTRY = Registry()
