"""The records every layer shares: what to send, where to send it, and what came back."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

from harness import deadlines

Headers = list[tuple[str, str]]
TRANSPORTS = ("http", "https")


class Verify(enum.Enum):
    """How a client decides whether to trust the server's certificate."""

    TARGET_CA = "target-ca"  # trust the CA the target names (the session's test CA)
    SYSTEM = "system"  # the client's default trust store
    NONE = "none"  # verification disabled: an insecure mode, reported as such


@dataclass(frozen=True)
class Timeouts:
    """Deadlines for one exchange, in seconds."""

    connect: float = deadlines.CONNECT
    read: float = deadlines.REQUEST_READ
    # The whole exchange, from the connect to the body's last byte; None: ``connect + read``.
    total: float | None = None

    @property
    def exchange(self) -> float:
        """The deadline on the whole exchange: a server that answers each read in time but
        never finishes (one byte a second) still ends there (ErrorKind.TIMEOUT_TOTAL)."""
        return self.connect + self.read if self.total is None else self.total


@dataclass(frozen=True)
class RequestSpec:
    """One request, independent of the client that sends it.

    ``body`` is ``None`` for no content, bytes for content of a known length, or an
    iterable of byte chunks for content of unknown length (which HTTP/1.1 clients send
    with the chunked transfer coding, RFC 9112 §7.1), or a file opened for reading in binary
    mode, sent as the client's library sends files (Capability.FILE_BODY).
    """

    method: str = "GET"
    target: str = "/"
    headers: Headers = field(default_factory=list)
    body: bytes | Iterable[bytes] | None = None
    timeouts: Timeouts = field(default_factory=Timeouts)
    verify: Verify = Verify.TARGET_CA
    # The request's HTTP version, for clients that let you choose (Capability.CHOOSE_HTTP_VERSION).
    http_version: str = "HTTP/1.1"
    # A certificate the client presents when the server asks for one (mTLS).
    client_certificate: ClientCertificate | None = None
    # An HTTP forward proxy to send the request through (RFC 9110 §3.7): the adapter hands
    # it to its library's own proxy facility; None goes straight to the target.
    proxy: Proxy | None = None
    # The client as shipped: the adapter builds it with nothing but its library's defaults
    # and ignores ``timeouts``, ``verify`` and ``client_certificate`` (no deadline, TLS
    # context or redirect setting of the harness). Only the defaults suite sets it.
    defaults: bool = False
    # Follow redirects with the library's own facility and limit (Capability.FOLLOW_REDIRECTS);
    # False: a 3xx is the response.
    follow_redirects: bool = False
    # Basic credentials (user-id, password) for the library's own authentication facility
    # (Capability.BASIC_AUTH); the adapter never writes Authorization itself.
    basic_auth: tuple[str, str] | None = None


@dataclass(frozen=True)
class ClientCertificate:
    """PEM files of a certificate (chain) and its private key, for a client to present."""

    cert_file: str
    key_file: str


@dataclass(frozen=True)
class Proxy:
    """An HTTP forward proxy on loopback, and the Basic credentials it wants (RFC 9110
    §11.7.2, Proxy-Authorization), if any."""

    host: str
    port: int
    credentials: tuple[str, str] | None = None  # (user, password)

    @property
    def url(self) -> str:
        """``http://[user:password@]host:port``, the form every library's proxy setting reads."""
        auth = "" if self.credentials is None else "{}:{}@".format(*self.credentials)
        return f"http://{auth}{self.host}:{self.port}"


@dataclass(frozen=True)
class Target:
    """A running server as a client sees it."""

    scheme: str
    host: str
    port: int
    ca_file: str | None = None
    # False only for a --target over HTTPS without --target-ca: its CA is the user's, unknown.
    verify: bool = True

    @property
    def authority(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.authority}"


@dataclass
class Exchange:
    """A response as the client presented it.

    ``headers`` keep their order and the case the client reports; ``reused`` is ``None``
    where the client does not let us observe connection reuse.
    """

    status: int
    reason: str
    http_version: str
    headers: Headers
    body: bytes
    reused: bool | None
    elapsed: float

    def header(self, name: str) -> str | None:
        """The first value of a header field, matched case-insensitively (RFC 9110 §5.1)."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def header_values(self, name: str) -> list[str]:
        """Every value of a header field, in the order received."""
        return [value for key, value in self.headers if key.lower() == name.lower()]


@dataclass(frozen=True)
class Pairing:
    """Which implementations and transport one cell runs with.

    Interop cells have both a server and a client; server probes (a raw probe talks to a
    server) have no client, and client cases (a scripted server talks to a client) have no
    server.
    """

    server: str | None
    client: str | None
    transport: str  # "http" or "https"

    @property
    def id(self) -> str:
        """The test-id part that ``-k`` selects on: ``<server>-<client>-<transport>``, with
        the absent side left out."""
        return "-".join(part for part in (self.server, self.client, self.transport) if part)
