"""The optional implementations this package ships, registered through its own entry points
(``[project.entry-points]`` in pyproject.toml) exactly as a third-party package registers
its adapter (docs/adding-an-implementation.md, way 3).

Nothing here imports the libraries: each entry names a command or an import path, used only
when a cell needs it, and a library that is not installed makes its cells skip with the
reason (``python -m pip install 'http-interop[implementations]'`` installs them all).
"""

from __future__ import annotations

from harness.registry import Capability, Implementation, Kind

_TLS_ARGS = ("--certfile", "{certfile}", "--keyfile", "{keyfile}")
_NO_CLOSE = (
    "PEP 3333 forbids a WSGI application hop-by-hop fields, so GET /close cannot ask for "
    "'Connection: close' (harness/servers/wsgi_app.py)"
)


def _server(
    name: str,
    description: str,
    package: str,
    module: str,
    tls_args: tuple[str, ...] = _TLS_ARGS,
    **extra,
) -> Implementation:
    """A server run as ``python -m harness.servers.<module>`` (harness/servers/command.py)."""
    return Implementation(
        name=name,
        kind=Kind.SERVER,
        description=description,
        package=package,
        command=(
            "{python}",
            "-m",
            f"harness.servers.{module}",
            "--host",
            "{host}",
            "--port",
            "{port}",
            "--stop-on-stdin-eof",
        ),
        tls_args=tls_args,
        origin="entry point (harness/packaged.py)",
        **extra,
    )


def _client(name: str, description: str, package: str, factory: str, **extra) -> Implementation:
    return Implementation(
        name=name,
        kind=Kind.CLIENT,
        description=description,
        package=package,
        factory=factory,
        origin="entry point (harness/packaged.py)",
        **extra,
    )


GUNICORN = _server(
    "gunicorn",
    "gunicorn, gthread worker (1 process, 4 threads), a plain WSGI contract app",
    "gunicorn",
    "gunicorn_server",
    lacks={
        Capability.CLOSE_FROM_APPLICATION: _NO_CLOSE
        + "; gunicorn drops the field (gunicorn/http/wsgi.py: Response.process_headers)"
    },
)
WAITRESS = _server(
    "waitress",
    "waitress, a plain WSGI contract app (HTTP only)",
    "waitress",
    "waitress_server",
    # waitress has no TLS of its own (it is meant to sit behind a proxy that terminates it).
    tls_args=(),
    lacks={
        Capability.ECHOES_FRAMING: (
            "waitress decodes chunked content and hands it on with Content-Length and no "
            "Transfer-Encoding, as RFC 9112 §7.1.3 allows (waitress/parser.py: "
            "HTTPRequestParser.parse_header and received)"
        ),
        Capability.CLOSE_FROM_APPLICATION: _NO_CLOSE
        + "; waitress refuses it with an AssertionError (waitress/task.py: WSGITask.execute)",
    },
)
UVICORN = _server("uvicorn", "uvicorn with h11, an ASGI contract app", "uvicorn", "uvicorn_server")
AIOHTTP_SERVER = _server(
    "aiohttp.web", "aiohttp.web server (AppRunner, TCPSite)", "aiohttp", "aiohttp_server"
)
TWISTED = _server("twisted", "twisted.web Resource tree", "twisted", "twisted_server")

URLLIB = _client(
    "urllib.request",
    "urllib.request.OpenerDirector (redirects not followed)",
    "python",
    "harness.clients.urllib_client:UrllibClient",
    lacks={
        Capability.PERSISTENT_CONNECTIONS: (
            "urllib.request opens a connection per request and asks the server to close it "
            "(Lib/urllib/request.py: AbstractHTTPHandler.do_open sends 'Connection: close')"
        ),
        Capability.DUPLICATE_REQUEST_HEADERS: (
            "urllib.request.Request keeps headers in a dict, so a field name can appear only "
            "once (Lib/urllib/request.py: Request.add_header)"
        ),
        Capability.CHOOSE_HTTP_VERSION: (
            "urllib.request sends HTTP/1.1 only: the version is http.client.HTTPConnection's "
            "class attribute, with no option for it (Lib/urllib/request.py: "
            "AbstractHTTPHandler.do_open)"
        ),
    },
)
URLLIB3 = _client(
    "urllib3",
    "urllib3.PoolManager",
    "urllib3",
    "harness.clients.urllib3_client:Urllib3Client",
    lacks={
        Capability.CHOOSE_HTTP_VERSION: (
            "urllib3 has no option for the request's HTTP version (urllib3/connection.py: "
            "HTTPConnection inherits http.client's HTTP/1.1)"
        )
    },
)
HTTPX = _client(
    "httpx",
    "httpx.Client (HTTP/1.1)",
    "httpx",
    "harness.clients.httpx_client:HttpxClient",
    lacks={
        Capability.CHOOSE_HTTP_VERSION: (
            "httpx sends HTTP/1.1 through h11, which sends nothing else (h11/_writers.py: "
            "write_request, 'I only send HTTP/1.1')"
        )
    },
)
AIOHTTP_CLIENT = _client(
    "aiohttp",
    "aiohttp.ClientSession on a private event loop",
    "aiohttp",
    "harness.clients.aiohttp_client:AiohttpClient",
)
