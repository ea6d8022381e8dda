"""What an implementation is: a named server or client, how it runs, and what it can and
cannot express. The registry of the ones this package knows is harness/registry.py."""

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

# The options of every Python server command (harness/servers/command.py), and its HTTPS
# options.
SERVER_OPTIONS = ("--host", "{host}", "--port", "{port}", "--stop-on-stdin-eof")
TLS_ARGS = ("--certfile", "{certfile}", "--keyfile", "{keyfile}")


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
    # It cannot, and accepting is not yet serving: the harness picks {port} and polls
    # GET /health (docs/contract.md) until it answers 200.
    HEALTH = "health"


class ClientProtocol(enum.StrEnum):
    """How the harness talks to an external client program (docs/contract.md)."""

    ONE_SHOT = "one-shot"  # a process per request: one JSON document in, one out, exit
    # One process per pytest worker, kept for the session: a request document per line on
    # its stdin, a result document per line on its stdout.
    JSON_LINES = "json-lines"


# What the harness fills in a command template (Implementation.argv).
PLACEHOLDERS = ("python", "host", "port", "certfile", "keyfile")


# The prefix of a need that is a Python distribution, not a file (Implementation.needs).
NEEDS_PYTHON = "python:"


def _distribution_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _absent(need: str) -> str | None:
    """What is missing of a need (Implementation.needs), or None if it is there."""
    distribution = need.removeprefix(NEEDS_PYTHON)
    if distribution != need:
        if _distribution_version(distribution) is None:
            return f"the package {distribution!r} is not installed"
        return None
    return None if Path(need).exists() else f"{need} is absent"


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
    # What a capability needs installed beside the implementation: a file (node's ws
    # package, installed by npm ci) or, written ``python:NAME`` (NEEDS_PYTHON), a Python
    # distribution (autobahn, for twisted's /ws). Where it is absent, the capability is
    # lacking, and the reason says so.
    needs: Mapping[Capability, str] = field(default_factory=dict)
    command: tuple[str, ...] = ()
    tls_args: tuple[str, ...] = ()
    ready: Ready = Ready.LINE
    protocol: ClientProtocol = ClientProtocol.ONE_SHOT  # a client command's only
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
    # Why a command without tls_args serves HTTP only, where it is known (else a generic
    # reason).
    no_tls: str = ""

    def __post_init__(self) -> None:
        if sum(map(bool, (self.factory, self.command, self.url))) != 1:
            raise ValueError(
                f"{self.kind} {self.name!r}: give one of a factory, a command or a url"
            )

    def https_unsupported(self) -> str | None:
        """Why this server cannot be started for HTTPS, or None."""
        if self.command and not self.tls_args:
            return self.no_tls or (
                f"{self.name} ({self.origin}) declares no tls_args, so it serves HTTP only"
            )
        return None

    def cannot(self, capability: Capability) -> str | None:
        """Why this implementation cannot express ``capability``, or None if it can."""
        if capability in self.lacks:
            return self.lacks[capability]
        if capability in self.needs and (absent := _absent(self.needs[capability])):
            return f"{absent}, which {self.name} needs for it"
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
        return _distribution_version(self.package) or "not installed"

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
            command = ("{python}", "-m", "harness.serve", self.name, *SERVER_OPTIONS)
            tls_args = TLS_ARGS
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
