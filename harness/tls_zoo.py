"""The TLS suite's certificate zoo: a named set of server configurations that are each wrong
in one way (badssl.com's idea, offline and on loopback), made fresh in a temporary folder.

The zoo is a table, ``ENTRIES``: each row names an entry, the leaf it serves (issued by
trustme where trustme can make it, made with ``cryptography``, harness/x509_leaves.py,
where it cannot) and how its server is configured (TLS versions, client authentication).
"""

from __future__ import annotations

import datetime
import ssl
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from harness.model import ClientCertificate
from harness.tls import (
    LOOPBACK_NAMES,
    ServerCertificate,
    handshakes_in_memory,
    legacy_client_context,
    set_versions,
    write_leaf,
)
from harness.x509_leaves import PrivateKey, issue, key_pem, load_key, self_signed

# The one name zoo servers are dialled by (resolves to 127.0.0.1, /etc/hosts) and the one
# address; a name that is in no certificate's SAN for the wrong-host entry. The connection
# always goes to loopback: the wrong name is only in the certificate.
DNS_NAME = "localhost"
IP_ADDRESS = "127.0.0.1"
WRONG_NAME = "wrong.host.example"
ALPN_PROTOCOLS = ["http/1.1"]  # what zoo servers offer to select (RFC 7301)

_DAY = datetime.timedelta(days=1)


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


@dataclass(frozen=True)
class _Authorities:
    """The CAs of one zoo and the folder its files go to: one root (the only one a client is
    told to trust), an intermediate from it, a second root, and the client CA."""

    directory: Path
    now: datetime.datetime
    root: trustme.CA
    root_file: Path
    intermediate: trustme.CA
    other_root: trustme.CA
    client_ca: trustme.CA
    client_ca_file: Path

    @classmethod
    def create(cls, directory: Path, now: datetime.datetime) -> _Authorities:
        directory.mkdir(parents=True, exist_ok=True)
        root, client_ca = trustme.CA(), trustme.CA()
        root_file, client_ca_file = directory / "ca.pem", directory / "client-ca.pem"
        root.cert_pem.write_to_path(root_file)  # overwrites a zoo made here before
        client_ca.cert_pem.write_to_path(client_ca_file)
        return cls(
            directory,
            now,
            root,
            root_file,
            root.create_child_ca(),
            trustme.CA(),
            client_ca,
            client_ca_file,
        )

    def write(self, name: str, cert: x509.Certificate, key: PrivateKey) -> ServerCertificate:
        """A certificate made with cryptography; the zoo's root is still the one given."""
        cert_file = self.directory / f"{name}-cert.pem"
        key_file = self.directory / f"{name}-key.pem"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(key_pem(key))
        return ServerCertificate(str(self.root_file), str(cert_file), str(key_file))


@dataclass(frozen=True)
class _IssuedLeaf:
    """A leaf trustme issues for ``names``; ``chain``: the server sends the intermediates
    (if any) after it."""

    issuer: Literal["root", "intermediate", "other-root"]
    names: tuple[str, ...] = LOOPBACK_NAMES
    chain: bool = True

    def make(self, cas: _Authorities, name: str) -> ServerCertificate:
        issuer = {"root": cas.root, "intermediate": cas.intermediate, "other-root": cas.other_root}
        leaf = issuer[self.issuer].issue_cert(*self.names)
        return write_leaf(cas.directory, name, cas.root_file, leaf, chain=self.chain)


@dataclass(frozen=True)
class _MadeLeaf:
    """A leaf made with cryptography, signed by the root unless ``self_signed``: validity
    from ``valid_from`` to ``valid_until`` days from now, ``names`` its SAN (empty: none)."""

    valid_from: int = -1
    valid_until: int = 30
    names: tuple[str, ...] = LOOPBACK_NAMES
    cn: str | None = None  # None: a common name that is no host name
    authority_key_id: bool = True
    rsa_bits: int | None = None  # set: an RSA key of this size; None: a P-256 key
    self_signed: bool = False

    def make(self, cas: _Authorities, name: str) -> ServerCertificate:
        key: PrivateKey = (
            rsa.generate_private_key(public_exponent=65537, key_size=self.rsa_bits)
            if self.rsa_bits
            else ec.generate_private_key(ec.SECP256R1())
        )
        not_before = cas.now + self.valid_from * _DAY
        not_after = cas.now + self.valid_until * _DAY
        if self.self_signed:
            cert = self_signed(key, self.names, not_before, not_after)
        else:
            root_cert = x509.load_pem_x509_certificate(cas.root.cert_pem.bytes())
            cert = issue(
                root_cert,
                load_key(cas.root),
                key,
                self.names,
                not_before,
                not_after,
                cn=self.cn,
                authority_key_id=self.authority_key_id,
            )
        return cas.write(name, cert, key)


@dataclass(frozen=True)
class _Row:
    """One entry of the zoo as the table gives it."""

    name: str
    description: str
    leaf: _IssuedLeaf | _MadeLeaf | None = None  # None: the valid entry's certificate
    only: ssl.TLSVersion | None = None  # the one TLS version the server speaks
    client_cert_required: bool = False  # from the client CA (mTLS)
    legacy: bool = False  # see ZooEntry.legacy


ENTRIES = (
    _Row(
        "valid",
        "a leaf for localhost, 127.0.0.1 and ::1 from the root",
        _IssuedLeaf("root"),
    ),
    _Row(
        "valid-chain",
        "a leaf from an intermediate; the server sends leaf and intermediate",
        _IssuedLeaf("intermediate"),
    ),
    _Row(
        "incomplete-chain",
        "a leaf from an intermediate; the server sends only the leaf",
        _IssuedLeaf("intermediate", chain=False),
    ),
    _Row("wrong-host", f"a leaf for {WRONG_NAME} only", _IssuedLeaf("root", (WRONG_NAME,))),
    _Row("ip-only", f"a leaf whose SAN is {IP_ADDRESS} only", _IssuedLeaf("root", (IP_ADDRESS,))),
    _Row("dns-only", f"a leaf whose SAN is {DNS_NAME} only", _IssuedLeaf("root", (DNS_NAME,))),
    _Row("expired", "a leaf whose notAfter has passed", _MadeLeaf(valid_from=-30, valid_until=-1)),
    _Row(
        "not-yet-valid",
        "a leaf whose notBefore is in the future",
        _MadeLeaf(valid_from=1, valid_until=30),
    ),
    _Row(
        "untrusted-root",
        "a leaf from a second root the client is not told to trust",
        _IssuedLeaf("other-root"),
    ),
    _Row("self-signed", "a self-signed leaf for the loopback names", _MadeLeaf(self_signed=True)),
    _Row(
        "no-san",
        f"a leaf with common name {DNS_NAME} and no subjectAltName",
        _MadeLeaf(names=(), cn=DNS_NAME),
    ),
    _Row(
        "missing-aki",
        "a leaf without the authorityKeyIdentifier RFC 5280 §4.2.1.1 requires of a CA",
        _MadeLeaf(authority_key_id=False),
    ),
    _Row("weak-key", "a leaf with a 1024-bit RSA key", _MadeLeaf(rsa_bits=1024), legacy=True),
    _Row(
        "client-cert-required",
        "requires a client certificate from the client CA (mTLS)",
        client_cert_required=True,
    ),
    _Row("tls1_2-only", "speaks TLS 1.2 only", only=ssl.TLSVersion.TLSv1_2),
    _Row("tls1_3-only", "speaks TLS 1.3 only", only=ssl.TLSVersion.TLSv1_3),
    _Row("tls1_0-only", "speaks TLS 1.0 only", only=ssl.TLSVersion.TLSv1, legacy=True),
    _Row("tls1_1-only", "speaks TLS 1.1 only", only=ssl.TLSVersion.TLSv1_1, legacy=True),
)


def make_zoo(directory: Path, now: datetime.datetime | None = None) -> Zoo:
    """Every zoo entry, written under ``directory``."""
    cas = _Authorities.create(directory, now or datetime.datetime.now(datetime.UTC))
    entries: dict[str, ZooEntry] = {}
    for row in ENTRIES:
        entry = ZooEntry(
            row.name,
            row.description,
            row.leaf.make(cas, row.name) if row.leaf else entries["valid"].certificate,
            minimum_version=row.only,
            maximum_version=row.only,
            client_ca_file=str(cas.client_ca_file) if row.client_cert_required else None,
            legacy=row.legacy,
        )
        entries[row.name] = _with_availability(entry) if entry.legacy else entry
    mismatched_file = directory / "mismatched-key.pem"
    mismatched_file.write_bytes(key_pem(ec.generate_private_key(ec.SECP256R1())))
    return Zoo(
        entries=entries,
        ca_file=str(cas.root_file),
        client_cert=_client_cert(directory, "trusted", cas.client_ca),
        foreign_client_cert=_client_cert(directory, "foreign", trustme.CA()),
        mismatched_key_file=str(mismatched_file),
    )


def _with_availability(entry: ZooEntry) -> ZooEntry:
    """The entry, marked unavailable when the local OpenSSL cannot complete its handshake
    even with a client that allows everything (tried in memory, no socket)."""
    try:
        server = entry.server_context()
    except ssl.SSLError as exc:
        return replace(entry, unavailable=f"the local OpenSSL cannot load it: {exc}")
    client = legacy_client_context(
        ssl.TLSVersion.MINIMUM_SUPPORTED, ssl.TLSVersion.MAXIMUM_SUPPORTED
    )
    if not handshakes_in_memory(server, client):
        return replace(
            entry,
            unavailable=f"the local OpenSSL ({ssl.OPENSSL_VERSION}) cannot complete a handshake "
            "for it even with a permissive client",
        )
    return entry


def _client_cert(directory: Path, name: str, ca: trustme.CA) -> ClientCertificate:
    # trustme's leaves carry both serverAuth and clientAuth in extendedKeyUsage.
    cert = ca.issue_cert("client@http-interop.test", common_name="http-interop client")
    cert_file = directory / f"{name}-client-cert.pem"
    key_file = directory / f"{name}-client-key.pem"
    cert_file.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
    cert.private_key_pem.write_to_path(key_file)
    return ClientCertificate(str(cert_file), str(key_file))
