"""Certificates for a run, made fresh in a temporary folder; nothing is committed.

Two things live here: the session certificate every HTTPS server of the matrix serves, and
the certificate zoo of the TLS suite, a named set of server configurations that are each
wrong in one way (badssl.com's idea, offline and on loopback). trustme makes what it can;
``cryptography`` makes the rest (no subjectAltName, a 1024-bit RSA key, a self-signed leaf,
validity dates of our choosing). Every certificate made here carries the extensions RFC 5280
requires of a conforming CA's output (subject and authority key identifiers, basic
constraints, key usage), so that only the one defect an entry is named for can make a client
reject it, also under Python 3.13's VERIFY_X509_STRICT.
"""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from harness.model import ClientCertificate, Target

# Every name a loopback server may be dialled by (RFC 6125 §6: the client checks the
# reference identity it dialled against the certificate's subjectAltName).
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
# The one name zoo servers are dialled by (resolves to 127.0.0.1, /etc/hosts) and the one
# address; a name that is in no certificate's SAN for the wrong-host entry. The connection
# always goes to loopback: the wrong name is only in the certificate.
DNS_NAME = "localhost"
IP_ADDRESS = "127.0.0.1"
WRONG_NAME = "wrong.host.example"
ALPN_PROTOCOLS = ["http/1.1"]  # what zoo servers offer to select (RFC 7301)

_DAY = datetime.timedelta(days=1)


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
    """A fresh CA and a leaf for the loopback names, written under ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    ca_file = directory / "ca.pem"
    ca.cert_pem.write_to_path(ca_file)
    return _write_leaf(directory, "server", ca_file, ca.issue_cert(*LOOPBACK_NAMES))


def _write_leaf(
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
            )
    except (OSError, ssl.SSLError) as exc:
        return Handshake(sni=target.host, error=f"{type(exc).__name__}: {exc}")


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


@dataclass(frozen=True)
class ZooEntry:
    """One server configuration of the zoo.

    ``certificate.ca_file`` is always the zoo's root, the CA a client is told to trust in
    the "CA given" mode, whoever issued the served certificate. ``unavailable`` says why the
    local OpenSSL cannot serve this entry (a TLS 1.0 server on a build without it); such an
    entry's cases are skipped with that reason.
    """

    name: str
    description: str
    certificate: ServerCertificate
    # None: the ssl module's default (TLS 1.2 and up in Python 3.10+)
    minimum_version: ssl.TLSVersion | None = None
    maximum_version: ssl.TLSVersion | None = None
    client_ca_file: str | None = None  # set: the server requires a client certificate from it
    legacy: bool = False  # allow what OpenSSL's security level 2 refuses (short keys, TLS 1.0)
    unavailable: str | None = None

    @property
    def ca_file(self) -> str:
        return self.certificate.ca_file

    def server_context(self) -> ssl.SSLContext:
        """The server side of this entry: its certificate, versions, ALPN and client auth."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        if self.legacy:
            # Debian's OpenSSL runs at security level 2, which refuses to load a 1024-bit
            # key or to speak TLS 1.0/1.1; level 0 lets the server offer them, so that the
            # client's own policy is what is measured.
            context.set_ciphers("ALL:@SECLEVEL=0")
        set_versions(
            context,
            self.minimum_version or context.minimum_version,
            self.maximum_version or context.maximum_version,
        )
        context.load_cert_chain(self.certificate.cert_file, self.certificate.key_file)
        context.set_alpn_protocols(ALPN_PROTOCOLS)
        if self.client_ca_file:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(self.client_ca_file)
        return context


@dataclass(frozen=True)
class Zoo:
    entries: dict[str, ZooEntry]
    ca_file: str  # the root clients are told to trust
    client_cert: ClientCertificate  # from the client CA the mTLS entry trusts
    foreign_client_cert: ClientCertificate  # from a CA the mTLS entry does not trust
    mismatched_key_file: str  # a key that belongs to no certificate of the zoo

    def __getitem__(self, name: str) -> ZooEntry:
        return self.entries[name]


def make_zoo(directory: Path, now: datetime.datetime | None = None) -> Zoo:
    """Every zoo entry, written under ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    now = now or datetime.datetime.now(datetime.UTC)
    root = trustme.CA()
    other_root = trustme.CA()
    intermediate = root.create_child_ca()
    root_key = _load_key(root)
    root_cert = x509.load_pem_x509_certificate(root.cert_pem.bytes())
    root_file = directory / "ca.pem"
    root.cert_pem.write_to_path(root_file)  # overwrites a zoo made here before

    def leaf(name: str, ca: trustme.CA, *names: str, chain: bool = True) -> ServerCertificate:
        return _write_leaf(directory, name, root_file, ca.issue_cert(*names), chain=chain)

    def made(name: str, cert: x509.Certificate, key: _PrivateKey) -> ServerCertificate:
        """A certificate made with cryptography; the zoo's root is still the one given."""
        cert_file = directory / f"{name}-cert.pem"
        key_file = directory / f"{name}-key.pem"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(_key_pem(key))
        return ServerCertificate(str(root_file), str(cert_file), str(key_file))

    def issued(
        name: str,
        not_before: datetime.datetime = now - _DAY,
        not_after: datetime.datetime = now + 30 * _DAY,
        **options: Any,
    ) -> ServerCertificate:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _issue(root_cert, root_key, key, LOOPBACK_NAMES, not_before, not_after, **options)
        return made(name, cert, key)

    valid = leaf("valid", root, *LOOPBACK_NAMES)
    weak_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    self_signed_key = ec.generate_private_key(ec.SECP256R1())
    no_san_key = ec.generate_private_key(ec.SECP256R1())
    client_ca = trustme.CA()
    client_ca_file = directory / "client-ca.pem"
    client_ca.cert_pem.write_to_path(client_ca_file)

    entries = [
        ZooEntry("valid", "a leaf for localhost, 127.0.0.1 and ::1 from the root", valid),
        ZooEntry(
            "valid-chain",
            "a leaf from an intermediate; the server sends leaf and intermediate",
            leaf("valid-chain", intermediate, *LOOPBACK_NAMES),
        ),
        ZooEntry(
            "incomplete-chain",
            "a leaf from an intermediate; the server sends only the leaf",
            leaf("incomplete-chain", intermediate, *LOOPBACK_NAMES, chain=False),
        ),
        ZooEntry(
            "wrong-host",
            f"a leaf for {WRONG_NAME} only",
            leaf("wrong-host", root, WRONG_NAME),
        ),
        ZooEntry(
            "ip-only", f"a leaf whose SAN is {IP_ADDRESS} only", leaf("ip-only", root, IP_ADDRESS)
        ),
        ZooEntry(
            "dns-only", f"a leaf whose SAN is {DNS_NAME} only", leaf("dns-only", root, DNS_NAME)
        ),
        ZooEntry(
            "expired",
            "a leaf whose notAfter has passed",
            issued("expired", now - 30 * _DAY, now - _DAY),
        ),
        ZooEntry(
            "not-yet-valid",
            "a leaf whose notBefore is in the future",
            issued("not-yet-valid", now + _DAY, now + 30 * _DAY),
        ),
        ZooEntry(
            "untrusted-root",
            "a leaf from a second root the client is not told to trust",
            _write_leaf(
                directory, "untrusted-root", root_file, other_root.issue_cert(*LOOPBACK_NAMES)
            ),
        ),
        ZooEntry(
            "self-signed",
            "a self-signed leaf for the loopback names",
            made(
                "self-signed",
                _self_signed(self_signed_key, LOOPBACK_NAMES, now),
                self_signed_key,
            ),
        ),
        ZooEntry(
            "no-san",
            f"a leaf with common name {DNS_NAME} and no subjectAltName",
            made(
                "no-san",
                _issue(
                    root_cert, root_key, no_san_key, (), now - _DAY, now + 30 * _DAY, cn=DNS_NAME
                ),
                no_san_key,
            ),
        ),
        ZooEntry(
            "missing-aki",
            "a leaf without the authorityKeyIdentifier RFC 5280 §4.2.1.1 requires of a CA",
            issued("missing-aki", authority_key_id=False),
        ),
        ZooEntry(
            "weak-key",
            "a leaf with a 1024-bit RSA key",
            made(
                "weak-key",
                _issue(root_cert, root_key, weak_key, LOOPBACK_NAMES, now - _DAY, now + 30 * _DAY),
                weak_key,
            ),
            legacy=True,
        ),
        ZooEntry(
            "client-cert-required",
            "requires a client certificate from the client CA (mTLS)",
            valid,
            client_ca_file=str(client_ca_file),
        ),
        ZooEntry(
            "tls1_2-only",
            "speaks TLS 1.2 only",
            valid,
            minimum_version=ssl.TLSVersion.TLSv1_2,
            maximum_version=ssl.TLSVersion.TLSv1_2,
        ),
        ZooEntry(
            "tls1_3-only",
            "speaks TLS 1.3 only",
            valid,
            minimum_version=ssl.TLSVersion.TLSv1_3,
            maximum_version=ssl.TLSVersion.TLSv1_3,
        ),
    ]
    for version, name in ((ssl.TLSVersion.TLSv1, "1.0"), (ssl.TLSVersion.TLSv1_1, "1.1")):
        entry = ZooEntry(
            f"tls{name.replace('.', '_')}-only",
            f"speaks TLS {name} only",
            valid,
            minimum_version=version,
            maximum_version=version,
            legacy=True,
        )
        entries.append(entry)
    entries = [_with_availability(entry) if entry.legacy else entry for entry in entries]

    mismatched = ec.generate_private_key(ec.SECP256R1())
    mismatched_file = directory / "mismatched-key.pem"
    mismatched_file.write_bytes(_key_pem(mismatched))
    return Zoo(
        entries={entry.name: entry for entry in entries},
        ca_file=valid.ca_file,
        client_cert=_client_cert(directory, "trusted", client_ca),
        foreign_client_cert=_client_cert(directory, "foreign", trustme.CA()),
        mismatched_key_file=str(mismatched_file),
    )


def _with_availability(entry: ZooEntry) -> ZooEntry:
    """The entry, marked unavailable when the local OpenSSL cannot complete its handshake
    even with a client that allows everything (tried in memory, no socket)."""
    try:
        server = entry.server_context()
    except ssl.SSLError as exc:
        return _replace_unavailable(entry, f"the local OpenSSL cannot load it: {exc}")
    client = legacy_client_context(
        ssl.TLSVersion.MINIMUM_SUPPORTED, ssl.TLSVersion.MAXIMUM_SUPPORTED
    )
    if not handshakes_in_memory(server, client):
        return _replace_unavailable(
            entry,
            f"the local OpenSSL ({ssl.OPENSSL_VERSION}) cannot complete a handshake for it "
            "even with a permissive client",
        )
    return entry


def _replace_unavailable(entry: ZooEntry, reason: str) -> ZooEntry:
    return ZooEntry(**{**entry.__dict__, "unavailable": reason})


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


_PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def _load_key(ca: trustme.CA) -> _PrivateKey:
    key = serialization.load_pem_private_key(ca.private_key_pem.bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey)
    return key


def _key_pem(key: _PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _san(names: tuple[str, ...] | list[str]) -> list[x509.GeneralName]:
    general: list[x509.GeneralName] = []
    for name in names:
        try:
            general.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            general.append(x509.DNSName(name))
    return general


def _issue(
    issuer: x509.Certificate,
    issuer_key: _PrivateKey,
    key: _PrivateKey,
    names: tuple[str, ...],
    not_before: datetime.datetime,
    not_after: datetime.datetime,
    *,
    cn: str | None = None,
    authority_key_id: bool = True,
) -> x509.Certificate:
    """A server leaf signed by ``issuer``; ``names`` empty means no subjectAltName at all."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn or "http-interop zoo leaf")])
    builder = _leaf_builder(subject, issuer.subject, key, not_before, not_after, names)
    if authority_key_id:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _self_signed(
    key: _PrivateKey, names: tuple[str, ...], now: datetime.datetime
) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "http-interop self-signed")])
    builder = _leaf_builder(subject, subject, key, now - _DAY, now + 30 * _DAY, names)
    return builder.sign(key, hashes.SHA256())


def _leaf_builder(
    subject: x509.Name,
    issuer: x509.Name,
    key: _PrivateKey,
    not_before: datetime.datetime,
    not_after: datetime.datetime,
    names: tuple[str, ...],
) -> x509.CertificateBuilder:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_encipherment=isinstance(key, rsa.RSAPrivateKey),
                content_commitment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(_san(names)), critical=False)
    return builder


def _client_cert(directory: Path, name: str, ca: trustme.CA) -> ClientCertificate:
    # trustme's leaves carry both serverAuth and clientAuth in extendedKeyUsage.
    cert = ca.issue_cert("client@http-interop.test", common_name="http-interop client")
    cert_file = directory / f"{name}-client-cert.pem"
    key_file = directory / f"{name}-client-key.pem"
    cert_file.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
    cert.private_key_pem.write_to_path(key_file)
    return ClientCertificate(str(cert_file), str(key_file))
