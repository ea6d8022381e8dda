"""The session certificate every HTTPS server of the matrix serves, made fresh in a temporary
folder (nothing is committed), and the TLS handshakes the harness makes itself: a client's
handshake with a server, the versions a context offers, one in memory.

The TLS suite's zoo of certificates that are each wrong in one way is harness/tls_zoo.py.
"""

from __future__ import annotations

import socket
import ssl
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import trustme
from cryptography import x509

from harness.model import Target

# Every name a loopback server may be dialled by (RFC 6125 §6: the client checks the
# reference identity it dialled against the certificate's subjectAltName).
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class ServerCertificate:
    """Files for one HTTPS server and the CA a client needs to trust it."""

    ca_file: str
    cert_file: str  # leaf then any intermediates, PEM
    key_file: str

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def make_session_certificate(directory: Path) -> ServerCertificate:
    """A fresh root, an intermediate CA under it and a leaf from the intermediate for the
    loopback names, written under ``directory``. The certificate file holds the leaf, then
    the intermediate; clients are told to trust the root alone, so every HTTPS cell needs
    the server to send the intermediate it was given (RFC 8446 §4.4.2)."""
    directory.mkdir(parents=True, exist_ok=True)
    root = trustme.CA()
    ca_file = directory / "ca.pem"
    root.cert_pem.write_to_path(ca_file)
    leaf = root.create_child_ca().issue_cert(*LOOPBACK_NAMES)
    return write_leaf(directory, "server", ca_file, leaf)


def write_leaf(
    directory: Path, name: str, ca_file: Path, leaf: trustme.LeafCert, *, chain: bool = True
) -> ServerCertificate:
    """Write ``leaf`` (and the intermediates it came with, where ``chain``); ``ca_file`` is
    the root a client is told to trust, whoever issued it."""
    cert_file = directory / f"{name}-cert.pem"
    key_file = directory / f"{name}-key.pem"
    leaf.private_key_pem.write_to_path(key_file)
    blobs = leaf.cert_chain_pems if chain else leaf.cert_chain_pems[:1]
    cert_file.write_bytes(b"".join(blob.bytes() for blob in blobs))
    return ServerCertificate(str(ca_file), str(cert_file), str(key_file))


@dataclass(frozen=True)
class Handshake:
    """One TLS handshake as the server saw it: the SNI host name the client sent (None: no
    server_name extension), and what was negotiated, or why it failed."""

    sni: str | None
    version: str | None = None
    cipher: str | None = None
    alpn: str | None = None  # None: the client offered no protocol the server has
    error: str | None = None
    # The subjects of the certificates the server sent, in its order, as client_handshake
    # read them; None where it did not (the server's side, a failed handshake, a Python
    # before 3.13, which has no SSLSocket.get_unverified_chain).
    chain: tuple[str, ...] | None = None

    def describe(self) -> str:
        if self.error:
            return f"handshake failed: {self.error}"
        return f"{self.version} {self.cipher}"


def client_handshake(target: Target, context: ssl.SSLContext, timeout: float) -> Handshake:
    """Connect to ``target`` and complete a TLS handshake with ``context`` (SNI: the target's
    host, where it is a name); the result says what was negotiated or why it failed."""
    try:
        with (
            socket.create_connection((target.host, target.port), timeout=timeout) as raw,
            context.wrap_socket(raw, server_hostname=target.host) as conn,
        ):
            cipher = conn.cipher()
            return Handshake(
                sni=target.host,
                version=conn.version(),
                cipher=cipher[0] if cipher else None,
                alpn=conn.selected_alpn_protocol(),
                chain=_sent_chain(conn),
            )
    except (OSError, ssl.SSLError) as exc:
        return Handshake(sni=target.host, error=f"{type(exc).__name__}: {exc}")


def _sent_chain(conn: ssl.SSLSocket) -> tuple[str, ...] | None:
    if sys.version_info < (3, 13):
        return None
    return tuple(
        x509.load_der_x509_certificate(der).subject.rfc4514_string()
        for der in conn.get_unverified_chain()
    )


def set_versions(context: ssl.SSLContext, minimum: ssl.TLSVersion, maximum: ssl.TLSVersion) -> None:
    """Limit ``context`` to the versions from ``minimum`` to ``maximum``. Naming TLS 1.0 or
    1.1 raises a DeprecationWarning in Python 3.10+, which is the point here: the zoo
    offers them on purpose, to see who refuses."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = minimum
        context.maximum_version = maximum


def legacy_client_context(minimum: ssl.TLSVersion, maximum: ssl.TLSVersion) -> ssl.SSLContext:
    """A client that offers the versions from ``minimum`` to ``maximum``, at OpenSSL
    security level 0, and checks nothing: what finds a server still speaking an old one."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.set_ciphers("ALL:@SECLEVEL=0")
    set_versions(context, minimum, maximum)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def handshakes_in_memory(server: ssl.SSLContext, client: ssl.SSLContext) -> bool:
    """Whether the two contexts complete a TLS handshake with each other, over memory BIOs."""
    pipes = [ssl.MemoryBIO() for _ in range(4)]
    c_in, c_out, s_in, s_out = pipes
    c = client.wrap_bio(c_in, c_out, server_hostname=None)
    s = server.wrap_bio(s_in, s_out, server_side=True)
    done = {"client": False, "server": False}
    for _ in range(20):  # a handshake takes a few flights; 20 is ample
        for side, obj in (("client", c), ("server", s)):
            if not done[side]:
                try:
                    obj.do_handshake()
                    done[side] = True
                except ssl.SSLWantReadError:
                    pass
                except ssl.SSLError:
                    return False
        s_in.write(c_out.read())
        c_in.write(s_out.read())
        if all(done.values()):
            return True
    return False
