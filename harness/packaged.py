"""The optional implementations this package ships, registered through its own entry points
(``[project.entry-points]`` in pyproject.toml) exactly as a third-party package registers
its adapter (docs/adding-an-implementation.md, way 3).

Nothing here imports the libraries: each entry names a command or an import path, used only
when a cell needs it, and a library that is not installed makes its cells skip with the
reason (``python -m pip install 'http-interop[implementations]'`` installs them all).
"""

from __future__ import annotations

from harness.registry import Implementation, Kind


def _server(name: str, description: str, package: str, module: str, **extra) -> Implementation:
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
        tls_args=("--certfile", "{certfile}", "--keyfile", "{keyfile}"),
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
    "gunicorn", "gunicorn, gthread worker, a plain WSGI contract app", "gunicorn", "gunicorn_server"
)
WAITRESS = _server("waitress", "waitress, a plain WSGI contract app", "waitress", "waitress_server")
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
)
URLLIB3 = _client(
    "urllib3", "urllib3.PoolManager", "urllib3", "harness.clients.urllib3_client:Urllib3Client"
)
HTTPX = _client(
    "httpx", "httpx.Client (HTTP/1.1)", "httpx", "harness.clients.httpx_client:HttpxClient"
)
AIOHTTP_CLIENT = _client(
    "aiohttp",
    "aiohttp.ClientSession on a private event loop",
    "aiohttp",
    "harness.clients.aiohttp_client:AiohttpClient",
)
