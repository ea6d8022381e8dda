"""Server leaves made with ``cryptography``, for what trustme does not make: no
subjectAltName, a 1024-bit RSA key, no authorityKeyIdentifier, a self-signed leaf, validity
dates of our choosing.

Every leaf carries the extensions RFC 5280 requires of a conforming CA's output (subject and
authority key identifiers, basic constraints, key usage) unless told to leave one out, so
that only the defect it is made for can make a client reject it, also under Python 3.13's
VERIFY_X509_STRICT.
"""

from __future__ import annotations

import datetime
import ipaddress

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def load_key(ca: trustme.CA) -> PrivateKey:
    """The private key of a trustme CA, to sign leaves of our own with."""
    key = serialization.load_pem_private_key(ca.private_key_pem.bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey)
    return key


def key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def issue(
    issuer: x509.Certificate,
    issuer_key: PrivateKey,
    key: PrivateKey,
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


def self_signed(
    key: PrivateKey,
    names: tuple[str, ...],
    not_before: datetime.datetime,
    not_after: datetime.datetime,
) -> x509.Certificate:
    """A server leaf that is its own issuer (and so has no authorityKeyIdentifier)."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "http-interop self-signed")])
    builder = _leaf_builder(subject, subject, key, not_before, not_after, names)
    return builder.sign(key, hashes.SHA256())


def _san(names: tuple[str, ...]) -> list[x509.GeneralName]:
    general: list[x509.GeneralName] = []
    for name in names:
        try:
            general.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            general.append(x509.DNSName(name))
    return general


def _leaf_builder(
    subject: x509.Name,
    issuer: x509.Name,
    key: PrivateKey,
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
