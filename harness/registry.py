"""The one registry of implementations: every server and client the harness knows by name."""

from __future__ import annotations

import enum
import importlib
import importlib.metadata
import platform
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


class UnknownImplementation(LookupError):
    def __init__(self, kind: Kind, name: str, known: list[str]) -> None:
        self.kind, self.name, self.known = kind, name, known
        super().__init__(f"unknown {kind} {name!r}; known {kind}s: {', '.join(known)}")


@dataclass(frozen=True)
class Implementation:
    """A named server or client.

    ``factory`` is an import path (``module:attribute``) resolved only when the
    implementation is used, so listing implementations imports none of them. ``lacks``
    maps each capability the implementation cannot express to the reason why.
    """

    name: str
    kind: Kind
    description: str
    package: str  # the distribution whose version is reported; "python" for the stdlib
    factory: str
    lacks: Mapping[Capability, str] = field(default_factory=dict)

    def version(self) -> str:
        if self.package == "python":
            return platform.python_version()
        try:
            return importlib.metadata.version(self.package)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    def load(self) -> Any:
        module_name, _, attribute = self.factory.partition(":")
        return getattr(importlib.import_module(module_name), attribute)


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
            key = (impl.kind, impl.name)
            if key in self._by_key:
                raise ValueError(f"{impl.kind} {impl.name!r} is registered twice")
            self._by_key[key] = impl

    def names(self, kind: Kind) -> list[str]:
        return [name for k, name in self._by_key if k == kind]

    def get(self, kind: Kind, name: str) -> Implementation:
        try:
            return self._by_key[(kind, name)]
        except KeyError:
            raise UnknownImplementation(kind, name, self.names(kind)) from None

    def all(self) -> list[Implementation]:
        return list(self._by_key.values())


REGISTRY = Registry()
