"""The one registry of implementations: every server and client the harness knows by name."""

from __future__ import annotations

import enum
import importlib
import importlib.metadata
import platform
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class Kind(enum.StrEnum):
    SERVER = "server"
    CLIENT = "client"


class Capability(enum.StrEnum):
    """Things some implementations genuinely cannot express; a case that needs one is skipped."""

    PERSISTENT_CONNECTIONS = "persistent-connections"
    CHUNKED_RESPONSE = "chunked-response"
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


# Capabilities few implementations have: absent unless an implementation ``provides`` them.
OPT_IN = {Capability.STATIC_FILES: "it serves no files from a folder"}


class UnknownImplementation(LookupError):
    def __init__(self, kind: Kind, name: str, known: list[str]) -> None:
        self.kind, self.name, self.known = kind, name, known
        super().__init__(f"unknown {kind} {name!r}; known {kind}s: {', '.join(known)}")


class Ready(enum.StrEnum):
    """How the launcher knows a server command accepts connections (docs/contract.md)."""

    LINE = "line"  # it prints LISTENING <host> <port>
    PORT = "port"  # it cannot: the harness picks {port} and polls it until it accepts


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
    command: tuple[str, ...] = ()
    tls_args: tuple[str, ...] = ()
    ready: Ready = Ready.LINE
    program: str | None = None  # e.g. "node": without it on PATH, its cells are skipped
    origin: str = "built-in"  # where it was declared, for messages

    def __post_init__(self) -> None:
        if bool(self.factory) == bool(self.command):
            raise ValueError(f"{self.kind} {self.name!r}: give either a factory or a command")

    def https_unsupported(self) -> str | None:
        """Why this server cannot be started for HTTPS, or None."""
        if self.command and not self.tls_args:
            return f"{self.name} ({self.origin}) declares no tls_args, so it serves HTTP only"
        return None

    def cannot(self, capability: Capability) -> str | None:
        """Why this implementation cannot express ``capability``, or None if it can."""
        if capability in self.lacks:
            return self.lacks[capability]
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


def _program_version(program: str) -> str:
    """The first line ``program --version`` prints, or "unknown"."""
    try:
        done = subprocess.run(
            [program, "--version"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    lines = (done.stdout or done.stderr).strip().splitlines()
    # "curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1 ...": the name and version suffice.
    return lines[0].split(" (")[0] if lines else "unknown"


_HTTP10_ONLY = (
    "BaseHTTPRequestHandler with the default protocol_version speaks HTTP/1.0 only "
    "(Lib/http/server.py: BaseHTTPRequestHandler.protocol_version)"
)
_NO_CHUNKED_WRITER = (
    "BaseHTTPRequestHandler has no chunked writer: a response without Content-Length is "
    "delimited by closing the connection (Lib/http/server.py)"
)

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
    ),
    Implementation(
        name="stdlib-threading",
        kind=Kind.SERVER,
        description="http.server.ThreadingHTTPServer, HTTP/1.1",
        package="python",
        factory="harness.servers.stdlib:build_threading",
        lacks={Capability.CHUNKED_RESPONSE: _NO_CHUNKED_WRITER},
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
        command=(
            "{python}",
            "-m",
            "harness.servers.simplehttp",
            "--host",
            "{host}",
            "--port",
            "{port}",
            "--stop-on-stdin-eof",
        ),
        tls_args=("--certfile", "{certfile}", "--keyfile", "{keyfile}"),
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
    ),
    Implementation(
        name="requests",
        kind=Kind.CLIENT,
        description="requests.Session (over urllib3)",
        package="requests",
        factory="harness.clients.requests_client:RequestsClient",
        lacks={
            Capability.DUPLICATE_REQUEST_HEADERS: (
                "requests takes headers as a mapping, so a field name can appear only once"
            ),
            Capability.CHOOSE_HTTP_VERSION: "requests always sends HTTP/1.1 (no option for it)",
        },
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
