"""The one registry of implementations: every server and client the harness knows by name."""

from __future__ import annotations

import enum
import importlib
import importlib.metadata
import platform
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness import deadlines


class Kind(enum.StrEnum):
    SERVER = "server"
    CLIENT = "client"


class Capability(enum.StrEnum):
    """Things some implementations genuinely cannot express; a case that needs one is skipped."""

    PERSISTENT_CONNECTIONS = "persistent-connections"
    CHUNKED_RESPONSE = "chunked-response"
    # A client sends a request body of unknown length with the chunked coding (an upload
    # given as an iterable; RFC 9112 §7.1).
    CHUNKED_REQUEST = "chunked-request"
    DUPLICATE_REQUEST_HEADERS = "duplicate-request-headers"
    CHOOSE_HTTP_VERSION = "choose-http-version"
    HTTP11_SERVER = "http11-server"  # bound by RFC 9112's rules for HTTP/1.1 servers
    CLIENT_CERTIFICATE = "client-certificate"  # presents a certificate when asked (mTLS)
    CONTRACT_ENDPOINTS = "contract-endpoints"  # serves docs/contract.md's endpoints
    # The application can make the server close after a response (GET /close).
    CLOSE_FROM_APPLICATION = "close-from-application"
    # /echo shows a request's framing fields (Transfer-Encoding, Content-Length) as they
    # arrived; a server that presents decoded content with a new Content-Length cannot.
    ECHOES_FRAMING = "echoes-framing"
    STATIC_FILES = "static-files"  # serves files from a folder (the static suite)
    # A caller can hand the client a NUL in a field value or a target (the wire suite's
    # values no sender may send): a program given them on its command line cannot.
    NUL_IN_REQUEST = "nul-in-request"
    # The client can be told an HTTP forward proxy (RequestSpec.proxy) and sends through it.
    PROXY = "proxy"
    # A caller can hand the client an open file as the request body, sent as the library
    # sends files (the wire suite's file bodies): a program given its request as a JSON
    # document (docs/contract.md) is handed bytes, not a file.
    FILE_BODY = "file-body"
    # Takes part in the WebSocket opening handshake (RFC 6455 §4): a server serves the
    # contract's /ws echo (docs/contract.md), a client opens ws:// and wss:// connections.
    WEBSOCKET = "websocket"
    # A client follows redirects when asked (RequestSpec.follow_redirects), with its own code.
    FOLLOW_REDIRECTS = "follow-redirects"
    # A client takes Basic credentials (RequestSpec.basic_auth) into its own auth facility.
    BASIC_AUTH = "basic-auth"
    # A client object keeps cookies from Set-Cookie and sends them back (RFC 6265 §5).
    SESSION_COOKIES = "session-cookies"


# Capabilities few implementations have: absent unless an implementation ``provides`` them.
OPT_IN = {
    Capability.STATIC_FILES: "it serves no files from a folder",
    Capability.FILE_BODY: "it is given its request body as bytes, not as an open file",
    Capability.WEBSOCKET: "it implements no WebSocket opening handshake (RFC 6455 §4)",
    Capability.FOLLOW_REDIRECTS: "it declares no way to follow redirects when asked",
    Capability.BASIC_AUTH: "it declares no facility for Basic credentials",
    Capability.SESSION_COOKIES: "it declares no cookie store kept across requests",
}


class UnknownImplementation(LookupError):
    def __init__(self, kind: Kind, name: str, known: list[str]) -> None:
        self.kind, self.name, self.known = kind, name, known
        super().__init__(f"unknown {kind} {name!r}; known {kind}s: {', '.join(known)}")


class Ready(enum.StrEnum):
    """How the launcher knows a server command accepts connections (docs/contract.md)."""

    LINE = "line"  # it prints LISTENING <host> <port>
    PORT = "port"  # it cannot: the harness picks {port} and polls it until it accepts


# What the harness fills in a command template (Implementation.argv).
PLACEHOLDERS = ("python", "host", "port", "certfile", "keyfile")


@dataclass(frozen=True)
class Implementation:
    """A named server or client, run in one of two ways.

    In process: ``factory`` is an import path (``module:attribute``) resolved only when the
    implementation is used, so listing implementations imports none of them (a server
    factory builds a socketserver-style server for ``python -m harness.serve``; a client
    factory is a harness.clients.Client class). As a command: ``command`` is an argv; for a
    server a template with ``{python}``, ``{host}``, ``{port}`` (and ``{certfile}``,
    ``{keyfile}`` in ``tls_args``, appended for HTTPS), for a client a program speaking the
    JSON exchange of docs/contract.md. ``lacks`` maps each capability the implementation
    cannot express to the reason why; ``program`` names an executable it needs on PATH.
    """

    name: str
    kind: Kind
    description: str
    # The distribution whose version is reported: "python" for the stdlib, "" for a program
    # outside Python (its version is what ``program --version`` prints).
    package: str
    factory: str = ""
    lacks: Mapping[Capability, str] = field(default_factory=dict)
    provides: frozenset[Capability] = frozenset()  # of the OPT_IN capabilities
    # A file a capability needs beside the program (node's ws package, installed by npm ci):
    # where it is absent, the capability is lacking, and the reason says so.
    needs: Mapping[Capability, str] = field(default_factory=dict)
    command: tuple[str, ...] = ()
    tls_args: tuple[str, ...] = ()
    ready: Ready = Ready.LINE
    program: str | None = None  # e.g. "node": without it on PATH, its cells are skipped
    origin: str = "built-in"  # where it was declared, for messages
    # A server already running at this URL (--target, harness/target.py): never started or
    # stopped by the harness.
    url: str = ""
    # A reference server: one that does what the RFC asks wherever its own expectation file
    # lists no deviation, so a client's listed deviation that passes against it is fixed,
    # not masked by a server that hides it (plugin/baseline.py).
    reference: bool = False
    # A WebSocket client and nothing else (the websockets package): it sends no HTTP request
    # of its own, so it takes part only in the cell kinds whose client opens WebSocket
    # connections (harness/cells.py: CellKind.websocket), through its adapter in
    # harness/websocket/clients.py, which ``factory`` names.
    websocket_only: bool = False

    def __post_init__(self) -> None:
        if sum(map(bool, (self.factory, self.command, self.url))) != 1:
            raise ValueError(
                f"{self.kind} {self.name!r}: give one of a factory, a command or a url"
            )

    def https_unsupported(self) -> str | None:
        """Why this server cannot be started for HTTPS, or None."""
        if self.command and not self.tls_args:
            return f"{self.name} ({self.origin}) declares no tls_args, so it serves HTTP only"
        return None

    def cannot(self, capability: Capability) -> str | None:
        """Why this implementation cannot express ``capability``, or None if it can."""
        if capability in self.lacks:
            return self.lacks[capability]
        if capability in self.needs and not Path(self.needs[capability]).exists():
            return f"{self.needs[capability]} is absent, which {self.name} needs for it"
        if capability in OPT_IN and capability not in self.provides:
            return OPT_IN[capability]
        return None

    def unavailable(self) -> str | None:
        """Why this implementation cannot run on this machine, or None."""
        if self.program and shutil.which(self.program) is None:
            return f"{self.program!r} is not installed (not on PATH), which {self.name} needs"
        if self.package not in ("python", "") and self.version() == "not installed":
            return (
                f"the package {self.package!r} is not installed, which {self.name} needs "
                "(python -m pip install 'http-interop[implementations]')"
            )
        return None

    def version(self) -> str:
        if self.package == "python":
            return platform.python_version()
        if not self.package:
            return _program_version(self.program) if self.program else "unknown"
        try:
            return importlib.metadata.version(self.package)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    def load(self) -> Any:
        module_name, _, attribute = self.factory.partition(":")
        return getattr(importlib.import_module(module_name), attribute)

    def argv(
        self, *, port: int = 0, certfile: str | None = None, keyfile: str | None = None
    ) -> list[str]:
        """The command that runs this implementation, its template filled in: ``{python}``
        is the harness's own interpreter, ``{host}`` loopback, ``{port}`` the port to bind
        (0: the server picks one), and with ``certfile`` the ``tls_args`` are appended with
        ``{certfile}`` and ``{keyfile}``. A server factory runs as ``python -m harness.serve
        NAME``. Raises ValueError naming a placeholder the harness does not fill."""
        command, tls_args = self.command, self.tls_args
        if self.factory and self.kind is Kind.SERVER:
            command, tls_args = ("{python}", "-m", "harness.serve", self.name, *_OPTIONS), TLS_ARGS
        elif not command:
            raise ValueError(f"{self.kind} {self.name!r} ({self.origin}) is not run as a command")
        values = {
            "python": sys.executable,
            "host": "127.0.0.1",
            "port": str(port),
            "certfile": certfile or "",
            "keyfile": keyfile or certfile or "",
        }
        template = list(command) + (list(tls_args) if certfile else [])
        try:
            return [part.format_map(values) for part in template]
        except (KeyError, ValueError, IndexError) as exc:
            raise ValueError(
                f"{self.kind} {self.name!r} ({self.origin}): its command "
                f"{shlex.join(template)} has a placeholder the harness does not fill ({exc}); "
                f"use {', '.join('{' + name + '}' for name in PLACEHOLDERS)}"
            ) from None


def _program_version(program: str) -> str:
    """The first line ``program --version`` prints, or "unknown"."""
    try:
        done = subprocess.run(
            [program, "--version"],
            capture_output=True,
            text=True,
            timeout=deadlines.PROGRAM_QUERY,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    lines = (done.stdout or done.stderr).strip().splitlines()
    # "curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1 ...": the name and version suffice.
    return lines[0].split(" (")[0] if lines else "unknown"


# The options of every Python server command (harness/servers/command.py), and its HTTPS
# options.
_OPTIONS = ("--host", "{host}", "--port", "{port}", "--stop-on-stdin-eof")
TLS_ARGS = ("--certfile", "{certfile}", "--keyfile", "{keyfile}")


def _server_module(module: str) -> tuple[str, ...]:
    """The command template of a server run as ``python -m harness.servers.<module>``."""
    return ("{python}", "-m", f"harness.servers.{module}", *_OPTIONS)


_HTTP10_ONLY = (
    "BaseHTTPRequestHandler with the default protocol_version speaks HTTP/1.0 only "
    "(Lib/http/server.py: BaseHTTPRequestHandler.protocol_version)"
)
_NO_CHUNKED_WRITER = (
    "BaseHTTPRequestHandler has no chunked writer: a response without Content-Length is "
    "delimited by closing the connection (Lib/http/server.py)"
)
_NO_CLOSE = (
    "PEP 3333 forbids a WSGI application hop-by-hop fields, so GET /close cannot ask for "
    "'Connection: close' (harness/servers/wsgi_app.py)"
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
        lacks={
            Capability.CLOSE_FROM_APPLICATION: _NO_CLOSE
            + "; gunicorn drops the field (gunicorn/http/wsgi.py: Response.process_headers)"
        },
    ),
    Implementation(
        name="twisted",
        kind=Kind.SERVER,
        description="twisted.web Resource tree",
        package="twisted",
        command=_server_module("twisted_server"),
        tls_args=TLS_ARGS,
        lacks={
            Capability.WEBSOCKET: (
                "twisted.web has no WebSocket server of its own; autobahn's, which has, is "
                "not among this package's implementations"
            )
        },
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
