"""The normalised error taxonomy: every client's failures mapped onto one set of kinds.

Two clients that fail the same way must report the same kind, so that a matrix cell reads
"timeout.read" whatever library raised it. The original exception type and text are kept.
This module knows the standard library's exceptions (socket, ssl, http.client); each client
adapter (harness/clients/) gives its own library's as a table of :class:`LibraryError`.
"""

from __future__ import annotations

import enum
import errno
import http.client
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass


class ErrorKind(enum.StrEnum):
    CONNECT_REFUSED = "connect.refused"
    TIMEOUT_CONNECT = "timeout.connect"
    TIMEOUT_READ = "timeout.read"
    # The whole exchange outlasted its deadline (Timeouts.exchange) while every single read
    # kept the read deadline: a server that trickles, or floods, instead of stalling. The
    # harness enforces it (harness/clients/deadline.py), so no library raises it.
    TIMEOUT_TOTAL = "timeout.total"
    TLS_UNTRUSTED = "tls.untrusted"
    TLS_HOSTNAME = "tls.hostname"
    TLS_EXPIRED = "tls.expired"
    TLS_NOT_YET_VALID = "tls.not_yet_valid"
    TLS_CLIENT_CERT_REQUIRED = "tls.client_cert_required"
    TLS_HANDSHAKE = "tls.handshake"
    PROTOCOL_INCOMPLETE_BODY = "protocol.incomplete_body"
    PROTOCOL_BAD_STATUS_LINE = "protocol.bad_status_line"
    PROTOCOL_INVALID_HEADER = "protocol.invalid_header"
    PROTOCOL_BAD_CHUNK = "protocol.bad_chunk"
    CONNECTION_RESET = "connection.reset"
    CONNECTION_CLOSED = "connection.closed"  # closed before any response byte arrived
    # The proxy answered CONNECT with a non-2xx status (RFC 9110 §9.3.6: "Any response other
    # than a successful response indicates that the tunnel has not yet been formed").
    PROXY_REFUSED = "proxy.refused"
    OTHER = "other"


class ClientError(Exception):
    """A client's failure, normalised: ``kind`` plus the original exception's type and text."""

    def __init__(self, kind: ErrorKind, original: BaseException) -> None:
        self.kind = kind
        self.original_type = f"{type(original).__module__}.{type(original).__qualname__}"
        self.original_text = str(original)
        super().__init__(f"{kind}: {self.original_type}: {self.original_text}")

    @classmethod
    def reported(cls, kind: ErrorKind, original_type: str, original_text: str) -> ClientError:
        """A failure an external client reported in its JSON (it has no Python exception)."""
        error = cls.__new__(cls)
        error.kind, error.original_type, error.original_text = kind, original_type, original_text
        Exception.__init__(error, f"{kind}: {original_type}: {original_text}")
        return error


# OpenSSL X509_V_ERR_* codes (include/openssl/x509_vfy.h) as ssl.SSLCertVerificationError
# reports them in ``verify_code``.
_VERIFY_CODES = {
    9: ErrorKind.TLS_NOT_YET_VALID,  # CERT_NOT_YET_VALID
    10: ErrorKind.TLS_EXPIRED,  # CERT_HAS_EXPIRED
    18: ErrorKind.TLS_UNTRUSTED,  # DEPTH_ZERO_SELF_SIGNED_CERT
    19: ErrorKind.TLS_UNTRUSTED,  # SELF_SIGNED_CERT_IN_CHAIN
    20: ErrorKind.TLS_UNTRUSTED,  # UNABLE_TO_GET_ISSUER_CERT_LOCALLY
    21: ErrorKind.TLS_UNTRUSTED,  # UNABLE_TO_VERIFY_LEAF_SIGNATURE
    62: ErrorKind.TLS_HOSTNAME,  # HOSTNAME_MISMATCH
    64: ErrorKind.TLS_HOSTNAME,  # IP_ADDRESS_MISMATCH
}
# Alerts a client receives when the server refused its certificate or its lack of one
# (RFC 8446 §4.4.2.4: certificate_required when none came; unknown_ca or bad_certificate
# for one the server does not trust). A client's own verification failures surface as
# SSLCertVerificationError instead, so receiving these always concerns the client's side.
_TUNNEL_REFUSED = "Tunnel connection failed: "
_CLIENT_CERT_ALERTS = ("CERTIFICATE_REQUIRED", "ALERT_UNKNOWN_CA", "ALERT_BAD_CERTIFICATE")


def causes(exc: BaseException) -> list[BaseException]:
    """The exception and everything it wraps, outermost first.

    Libraries wrap the low-level error in their own (requests wraps urllib3, which wraps
    socket or ssl errors), through ``__cause__``, ``__context__`` or the first argument.
    """
    chain: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop(0)
        if any(current is seen for seen in chain):
            continue
        chain.append(current)
        todo.extend(e for e in (current.__cause__, current.__context__) if e is not None)
        todo.extend(arg for arg in current.args if isinstance(arg, BaseException))
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            todo.append(reason)
    return chain


def kind_of_low_level(exc: BaseException) -> ErrorKind | None:
    """The kind of one socket, ssl or http.client exception, or None if it is none of those.

    Timeouts are not classified here: only the caller knows whether it was connecting or
    reading when the deadline passed.
    """
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _VERIFY_CODES.get(exc.verify_code, ErrorKind.TLS_UNTRUSTED)
    if isinstance(exc, ssl.SSLError):
        if any(alert in str(exc) for alert in _CLIENT_CERT_ALERTS):
            return ErrorKind.TLS_CLIENT_CERT_REQUIRED
        if isinstance(exc, ssl.SSLEOFError | ssl.SSLZeroReturnError):
            return ErrorKind.CONNECTION_CLOSED
        return ErrorKind.TLS_HANDSHAKE
    if isinstance(exc, ConnectionRefusedError):
        return ErrorKind.CONNECT_REFUSED
    # RemoteDisconnected is also a ConnectionResetError: test it first.
    if isinstance(exc, http.client.RemoteDisconnected):
        return ErrorKind.CONNECTION_CLOSED
    if isinstance(exc, ConnectionResetError | BrokenPipeError):
        return ErrorKind.CONNECTION_RESET
    if isinstance(exc, http.client.IncompleteRead):
        return ErrorKind.PROTOCOL_INCOMPLETE_BODY
    if isinstance(exc, http.client.LineTooLong):
        return ErrorKind.PROTOCOL_INVALID_HEADER
    if isinstance(exc, http.client.BadStatusLine | http.client.UnknownProtocol):
        return ErrorKind.PROTOCOL_BAD_STATUS_LINE
    if isinstance(exc, http.client.HTTPException):
        return ErrorKind.PROTOCOL_INVALID_HEADER
    # http.client's _tunnel on a CONNECT answered with another status than 200; urllib3
    # (connection.py: HTTPConnection._tunnel) raises the same words.
    if isinstance(exc, OSError) and str(exc).startswith(_TUNNEL_REFUSED):
        return ErrorKind.PROXY_REFUSED
    if isinstance(exc, OSError) and exc.errno == errno.ECONNREFUSED:
        return ErrorKind.CONNECT_REFUSED
    return None


def is_timeout(exc: BaseException) -> bool:
    return any(isinstance(e, socket.timeout | TimeoutError) for e in causes(exc))


@dataclass(frozen=True)
class LibraryError:
    """A client library's own exception for a failure the standard library's exceptions do
    not name: its type, the start of its message where the type alone says too little, and
    its kind."""

    type: type[BaseException]
    kind: ErrorKind
    message_start: str = ""

    def matches(self, exc: BaseException) -> bool:
        return isinstance(exc, self.type) and str(exc).startswith(self.message_start)


def classify(
    exc: BaseException, *, connecting: bool, library: Sequence[LibraryError] = ()
) -> ErrorKind:
    """Map any client exception onto the taxonomy: a standard library exception anywhere in
    its chain, else a timeout, else the first of the ``library``'s own exceptions found.

    ``connecting`` says whether the connection was still being set up (TCP connect or TLS
    handshake) when it failed, which is what separates ``timeout.connect`` from
    ``timeout.read``.
    """
    chain = causes(exc)
    for cause in chain:
        kind = kind_of_low_level(cause)
        if kind is not None:
            return kind
    if is_timeout(exc):
        return ErrorKind.TIMEOUT_CONNECT if connecting else ErrorKind.TIMEOUT_READ
    for cause in chain:
        for known in library:
            if known.matches(cause):
                return known.kind
    return ErrorKind.OTHER
