"""The TLS certificate zoo (harness/tls_zoo.py), inspected with ``cryptography``.

The TLS suite grades every client against the zoo, so an entry that is not what its name says
grades them all wrongly and silently: an ``expired`` certificate that is not expired makes
every client that accepts it look broken, a ``no-san`` certificate that carries a SAN makes
every client that refuses it look right for the wrong reason. ``zoo_defects`` compares each
entry with its definition below, and reads the files as a client would get them (the PEM
chain the server sends, the root it is told to trust), not the objects make_zoo built them
from. The tests after it break a zoo on purpose to show that the inspector notices.
"""

from __future__ import annotations

import dataclasses
import datetime
import ipaddress
import ssl
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from harness.model import ClientCertificate
from harness.tls import LOOPBACK_NAMES, ServerCertificate
from harness.tls_zoo import DNS_NAME, IP_ADDRESS, WRONG_NAME, Zoo, ZooEntry, make_zoo

# Who signed an entry's leaf, as a client building the path sees it.
Issuer = Literal[
    "root",  # the zoo's root, which the client is told to trust
    "intermediate",  # an intermediate from the root, sent after the leaf
    "unsent-intermediate",  # the same intermediate, not sent: the path cannot be built
    "other-root",  # a root the client is not told to trust
    "self",  # the leaf itself
]
Dates = Literal["current", "expired", "not-yet-valid"]


def _general_name(name: str) -> x509.GeneralName:
    """A name as a subjectAltName must carry it: an address as iPAddress, anything else as
    dNSName (RFC 6125 §6.2.1: a client compares an IP reference identity with iPAddress
    entries only, so an address written as a dNSName would match nothing)."""
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


LOOPBACK_SAN = frozenset(_general_name(name) for name in LOOPBACK_NAMES)


@dataclass(frozen=True)
class Leaf:
    """What an entry's own certificate must be; every field not named for the entry's defect
    is the valid entry's, so that the defect is the only reason a client has to refuse."""

    names: frozenset[x509.GeneralName] | None  # the exact SAN; None: no SAN extension at all
    issuer: Issuer = "root"
    dates: Dates = "current"
    rsa_bits: int | None = None  # set: an RSA key of exactly this size; None: a strong key
    authority_key_id: bool = True  # False: must lack it (only a self-signed leaf may anyway)


@dataclass(frozen=True)
class Definition:
    leaf: Leaf | None  # None: serves the valid entry's certificate files, unchanged
    versions: tuple[ssl.TLSVersion, ssl.TLSVersion] | None = None  # (minimum, maximum)
    client_ca: bool = False  # the server requires a client certificate
    legacy: bool = False  # the server runs at OpenSSL security level 0


def _only(version: ssl.TLSVersion) -> tuple[ssl.TLSVersion, ssl.TLSVersion]:
    return (version, version)


DEFINITIONS: dict[str, Definition] = {
    "valid": Definition(Leaf(LOOPBACK_SAN)),
    "valid-chain": Definition(Leaf(LOOPBACK_SAN, issuer="intermediate")),
    "incomplete-chain": Definition(Leaf(LOOPBACK_SAN, issuer="unsent-intermediate")),
    "wrong-host": Definition(Leaf(frozenset({x509.DNSName(WRONG_NAME)}))),
    "ip-only": Definition(Leaf(frozenset({x509.IPAddress(ipaddress.ip_address(IP_ADDRESS))}))),
    "dns-only": Definition(Leaf(frozenset({x509.DNSName(DNS_NAME)}))),
    "expired": Definition(Leaf(LOOPBACK_SAN, dates="expired")),
    "not-yet-valid": Definition(Leaf(LOOPBACK_SAN, dates="not-yet-valid")),
    "untrusted-root": Definition(Leaf(LOOPBACK_SAN, issuer="other-root")),
    "self-signed": Definition(Leaf(LOOPBACK_SAN, issuer="self")),
    "no-san": Definition(Leaf(None)),
    "missing-aki": Definition(Leaf(LOOPBACK_SAN, authority_key_id=False)),
    # Security level 0: Debian's OpenSSL would not even load a 1024-bit key otherwise.
    "weak-key": Definition(Leaf(LOOPBACK_SAN, rsa_bits=1024), legacy=True),
    "client-cert-required": Definition(None, client_ca=True),
    "tls1_2-only": Definition(None, versions=_only(ssl.TLSVersion.TLSv1_2)),
    "tls1_3-only": Definition(None, versions=_only(ssl.TLSVersion.TLSv1_3)),
    # Security level 0 again: level 2 refuses to speak TLS 1.0 and 1.1 at all.
    "tls1_0-only": Definition(None, versions=_only(ssl.TLSVersion.TLSv1), legacy=True),
    "tls1_1-only": Definition(None, versions=_only(ssl.TLSVersion.TLSv1_1), legacy=True),
}


class Unreadable(Exception):
    """A file of the zoo that cannot be read or parsed; reported as a defect of its own."""


def zoo_defects(zoo: Zoo, now: datetime.datetime) -> list[str]:
    """One readable line for every way ``zoo`` differs from DEFINITIONS, judged at ``now``;
    each line starts with the entry (or Zoo attribute) it is about."""
    defects = [
        f"{name}: in the zoo but not defined here"
        for name in sorted(zoo.entries.keys() - DEFINITIONS.keys())
    ]
    defects += [
        f"{name}: missing from the zoo" for name in sorted(DEFINITIONS.keys() - zoo.entries.keys())
    ]
    try:
        root = _the_root(zoo.ca_file)
    except Unreadable as exc:
        # Nothing can be judged against a root that is not there.
        return [*defects, f"ca_file: {exc}"]
    defects += [f"ca_file: {problem}" for problem in _ca_problems(root, zoo.ca_file, now)]
    intermediate = _sent_intermediate(zoo)
    for name, definition in DEFINITIONS.items():
        if name in zoo.entries:
            problems = _entry_problems(zoo, name, definition, root, intermediate, now)
            defects += [f"{name}: {problem}" for problem in _guarded(problems)]
    defects += _client_certificate_defects(zoo, now)
    defects += [
        f"mismatched_key_file: {problem}" for problem in _guarded(_mismatched_key_problems(zoo))
    ]
    return defects


def _guarded(problems: Iterator[str]) -> Iterator[str]:
    """``problems``, ending with the reason where a file could not be read."""
    try:
        yield from problems
    except Unreadable as exc:
        yield str(exc)


def _entry_problems(
    zoo: Zoo,
    name: str,
    definition: Definition,
    root: x509.Certificate,
    intermediate: x509.Certificate | None,
    now: datetime.datetime,
) -> Iterator[str]:
    entry = zoo.entries[name]
    if entry.name != name:
        yield f"is filed under {name!r} but named {entry.name!r}"
    if entry.ca_file != zoo.ca_file:
        # The "CA given" mode trusts entry.ca_file: any other file changes what is tested.
        yield f"its ca_file is {entry.ca_file}, not the zoo's root {zoo.ca_file}"
    versions = (entry.minimum_version, entry.maximum_version)
    expected = definition.versions or (None, None)
    if versions != expected:
        yield f"its versions are {_versions(versions)}, not {_versions(expected)}"
    if (entry.client_ca_file is not None) != definition.client_ca:
        yield (
            "requires a client certificate"
            if entry.client_ca_file
            else "requires no client certificate"
        )
    if entry.legacy != definition.legacy:
        yield f"legacy is {entry.legacy}, not {definition.legacy}"
    if definition.leaf is None:
        # Only the server's configuration may differ, so these entries must serve the very
        # files of the valid entry, which must themselves be what "valid" says.
        yield from _sharing_problems(entry.certificate, zoo.entries.get("valid"))
    leaf = definition.leaf or DEFINITIONS["valid"].leaf
    assert leaf is not None  # "valid" has a certificate of its own
    yield from _leaf_problems(entry.certificate, leaf, root, intermediate, now)


def _sharing_problems(certificate: ServerCertificate, valid: ZooEntry | None) -> Iterator[str]:
    if valid is None:
        yield "cannot share the valid entry's certificate: there is no valid entry"
        return
    for field in dataclasses.fields(ServerCertificate):
        mine, theirs = getattr(certificate, field.name), getattr(valid.certificate, field.name)
        if mine != theirs:
            yield f"its {field.name} is {mine}, not the valid entry's {theirs}"


def _versions(versions: tuple[ssl.TLSVersion | None, ssl.TLSVersion | None]) -> str:
    return " to ".join(version.name if version else "default" for version in versions)


def _leaf_problems(
    certificate: ServerCertificate,
    leaf: Leaf,
    root: x509.Certificate,
    intermediate: x509.Certificate | None,
    now: datetime.datetime,
) -> Iterator[str]:
    chain = _certificates(certificate.cert_file)
    length = 2 if leaf.issuer == "intermediate" else 1
    if len(chain) != length:
        yield f"{certificate.cert_file} holds {len(chain)} certificate(s), not {length}"
    if not chain:
        return
    cert = chain[0]
    yield from _date_problems(cert, leaf.dates, now)
    yield from _name_problems(cert, leaf.names)
    yield from _issuer_problems(chain, leaf.issuer, root, intermediate, now)
    yield from _key_problems(cert, certificate.key_file)
    yield from _strength_problems(cert.public_key(), leaf.rsa_bits)
    yield from _extension_problems(
        cert, authority_key_id=leaf.authority_key_id and leaf.issuer != "self"
    )


def _date_problems(cert: x509.Certificate, dates: Dates, now: datetime.datetime) -> Iterator[str]:
    before, after = cert.not_valid_before_utc, cert.not_valid_after_utc
    started, ended = before <= now, after < now
    if started and dates == "not-yet-valid":
        yield f"notBefore {before} has passed (now {now}): valid already, not not-yet-valid"
    if not started and dates != "not-yet-valid":
        yield f"notBefore {before} is still ahead (now {now}): not yet valid"
    if ended and dates != "expired":
        yield f"notAfter {after} has passed (now {now}): expired"
    if not ended and dates == "expired":
        yield f"notAfter {after} is still ahead (now {now}): not expired"


def _name_problems(
    cert: x509.Certificate, names: frozenset[x509.GeneralName] | None
) -> Iterator[str]:
    try:
        san = list(cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value)
    except x509.ExtensionNotFound:
        san = None
    if names is None:
        # A client that falls back to the common name would accept this certificate for
        # DNS_NAME; that fallback (forbidden by RFC 9110 §4.3.4) is what no-san exposes.
        if san is not None:
            yield f"has a subjectAltName ({_describe(san)}); it must have none"
        common_names = [
            attribute.value
            for attribute in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        ]
        if common_names != [DNS_NAME]:
            yield f"its subject commonName is {common_names}, not [{DNS_NAME!r}]"
        return
    if san is None:
        yield f"has no subjectAltName; it must be {_describe(names)}"
    elif len(san) != len(names) or set(san) != names:
        yield f"its subjectAltName is {_describe(san)}, not {_describe(names)}"


def _describe(names: Iterable[x509.GeneralName]) -> str:
    def one(name: x509.GeneralName) -> str:
        if isinstance(name, x509.DNSName):
            return f"DNS:{name.value}"
        if isinstance(name, x509.IPAddress):
            return f"IP:{name.value}"
        return repr(name)

    return ", ".join(sorted(one(name) for name in names)) or "empty"


def _issuer_problems(
    chain: list[x509.Certificate],
    issuer: Issuer,
    root: x509.Certificate,
    intermediate: x509.Certificate | None,
    now: datetime.datetime,
) -> Iterator[str]:
    cert = chain[0]
    if issuer == "root":
        yield from _issued_by(cert, root, "the zoo's root")
    elif issuer == "intermediate":
        if len(chain) < 2:
            yield "sends no intermediate"
            return
        sent = chain[1]
        yield from _issued_by(cert, sent, "the intermediate it sends")
        yield from (
            f"its intermediate {problem}" for problem in _issued_by(sent, root, "the zoo's root")
        )
        yield from (f"its intermediate: {problem}" for problem in _ca_problems(sent, "", now))
    elif issuer == "unsent-intermediate":
        # The intermediate is not in this entry's file, by design; valid-chain sends the
        # one it must come from.
        if cert.issuer == root.subject:
            yield "is issued by the zoo's root, not by an intermediate"
        if intermediate is None:
            yield "cannot be checked: valid-chain sends no intermediate to compare with"
        else:
            yield from _issued_by(cert, intermediate, "valid-chain's intermediate")
    elif issuer == "other-root":
        if _verifies(cert, root):
            yield "is issued by the zoo's root, which the client is told to trust"
        if intermediate is not None and _verifies(cert, intermediate):
            yield "is issued by the zoo's intermediate, which chains to the trusted root"
        if cert.issuer == cert.subject:
            yield "is self-issued, not issued by another root"
    else:
        if cert.issuer != cert.subject:
            yield f"is not self-issued: issuer {cert.issuer.rfc4514_string()}"
        elif not _verifies(cert, cert):
            yield "its signature does not verify under its own key"


def _verifies(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    return not list(_issued_by(cert, issuer, "it"))


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate, what: str) -> Iterator[str]:
    """Why ``cert`` is not issued by ``issuer`` as a path builder sees it: names, signature,
    and the key identifier OpenSSL matches issuers by."""
    try:
        cert.verify_directly_issued_by(issuer)
    except ValueError as exc:  # issuer name mismatch, or an unsupported signature algorithm
        yield f"is not issued by {what}: {exc}"
        return
    except InvalidSignature:
        yield f"names {what} as issuer but its signature does not verify under its key"
        return
    try:
        authority = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
        subject = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    except x509.ExtensionNotFound:
        return  # a missing identifier is an extension problem, reported where it belongs
    if authority.key_identifier is not None and authority.key_identifier != subject.digest:
        yield f"its authorityKeyIdentifier does not match {what}'s subjectKeyIdentifier"


def _key_problems(cert: x509.Certificate, key_file: str) -> Iterator[str]:
    if _spki(_public_key(key_file)) != _spki(cert.public_key()):
        yield f"{key_file} is not the key of its certificate"


def _strength_problems(key: CertificatePublicKeyTypes, rsa_bits: int | None) -> Iterator[str]:
    if rsa_bits is not None:
        if not isinstance(key, rsa.RSAPublicKey) or key.key_size != rsa_bits:
            yield f"its key is {_describe_key(key)}, not RSA {rsa_bits}"
        return
    # RFC 9325 §4.4's floor: anything weaker would be a second defect beside the entry's own.
    strong = (isinstance(key, rsa.RSAPublicKey) and key.key_size >= 2048) or (
        isinstance(key, ec.EllipticCurvePublicKey) and key.curve.key_size >= 256
    )
    if not strong:
        yield f"its key is {_describe_key(key)}, weaker than RSA 2048 or EC 256"


def _describe_key(key: CertificatePublicKeyTypes) -> str:
    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA {key.key_size}"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name}"
    return type(key).__name__


def _extension_problems(cert: x509.Certificate, *, authority_key_id: bool) -> Iterator[str]:
    """What a strict client (Python 3.13's VERIFY_X509_STRICT) requires of a server leaf,
    so that a missing extension is never the reason an entry is refused, except the one
    entry named for it (missing-aki)."""
    extensions = {type(extension.value): extension.value for extension in cert.extensions}
    constraints = extensions.get(x509.BasicConstraints)
    if not isinstance(constraints, x509.BasicConstraints) or constraints.ca:
        yield "has no basicConstraints with CA false"
    if x509.SubjectKeyIdentifier not in extensions:
        yield "has no subjectKeyIdentifier"
    if authority_key_id and x509.AuthorityKeyIdentifier not in extensions:
        yield "has no authorityKeyIdentifier"
    if not authority_key_id and x509.AuthorityKeyIdentifier in extensions:
        yield "has an authorityKeyIdentifier, which this entry must lack"
    usage = extensions.get(x509.KeyUsage)
    if not isinstance(usage, x509.KeyUsage) or not usage.digital_signature:
        yield "has no keyUsage with digitalSignature"
    purposes = extensions.get(x509.ExtendedKeyUsage)
    if not isinstance(purposes, x509.ExtendedKeyUsage) or (
        ExtendedKeyUsageOID.SERVER_AUTH not in purposes
    ):
        yield "has no extendedKeyUsage with serverAuth"


def _ca_problems(cert: x509.Certificate, path: str, now: datetime.datetime) -> Iterator[str]:
    """Why ``cert`` (a root or intermediate) cannot act as a CA at ``now``."""
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    if constraints is None or not constraints.ca:
        yield f"{path or 'it'} is not a CA (basicConstraints CA true)"
    yield from _date_problems(cert, "current", now)


def _the_root(ca_file: str) -> x509.Certificate:
    roots = _certificates(ca_file)
    if len(roots) != 1:
        raise Unreadable(f"{ca_file} holds {len(roots)} certificates, not the one root")
    root = roots[0]
    if not _verifies(root, root):
        raise Unreadable(f"{ca_file} is not a self-signed root")
    return root


def _sent_intermediate(zoo: Zoo) -> x509.Certificate | None:
    """The intermediate valid-chain sends, which incomplete-chain's leaf must come from."""
    entry = zoo.entries.get("valid-chain")
    if entry is None:
        return None
    try:
        chain = _certificates(entry.certificate.cert_file)
    except Unreadable:
        return None  # reported with valid-chain's own problems
    return chain[1] if len(chain) == 2 else None


def _client_certificate_defects(zoo: Zoo, now: datetime.datetime) -> list[str]:
    entry = zoo.entries.get("client-cert-required")
    if entry is None or entry.client_ca_file is None:
        return []  # reported with the entry's own problems
    try:
        client_cas = _certificates(entry.client_ca_file)
    except Unreadable as exc:
        return [f"client-cert-required: {exc}"]
    if len(client_cas) != 1:
        return [f"client-cert-required: {entry.client_ca_file} holds {len(client_cas)} CAs, not 1"]
    client_ca = client_cas[0]
    trusted = _client_problems(zoo.client_cert, client_ca, trusted=True, now=now)
    foreign = _client_problems(zoo.foreign_client_cert, client_ca, trusted=False, now=now)
    return [
        *(
            f"client-cert-required: client CA {problem}"
            for problem in _ca_problems(client_ca, "", now)
        ),
        *(f"client_cert: {problem}" for problem in _guarded(trusted)),
        *(f"foreign_client_cert: {problem}" for problem in _guarded(foreign)),
    ]


def _client_problems(
    client: ClientCertificate, client_ca: x509.Certificate, *, trusted: bool, now: datetime.datetime
) -> Iterator[str]:
    chain = _certificates(client.cert_file)
    if not chain:
        yield f"{client.cert_file} holds no certificate"
        return
    cert = chain[0]
    what = "client-cert-required's client CA"
    if trusted:
        yield from _issued_by(cert, client_ca, what)
    elif _verifies(cert, client_ca):
        # Then the foreign certificate would be accepted, and the mTLS refusal case untested.
        yield f"is issued by {what}, which the server trusts"
    yield from _key_problems(cert, client.key_file)
    yield from _date_problems(cert, "current", now)
    try:
        purposes = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return  # no extendedKeyUsage: any purpose, clientAuth included
    if ExtendedKeyUsageOID.CLIENT_AUTH not in purposes:
        yield "its extendedKeyUsage lacks clientAuth"


def _mismatched_key_problems(zoo: Zoo) -> Iterator[str]:
    mismatched = _spki(_public_key(zoo.mismatched_key_file))
    # Each certificate file once, named after its first holder ("valid", not "tls1_2-only").
    owners: dict[str, str] = {}
    for name, entry in zoo.entries.items():
        owners.setdefault(entry.certificate.cert_file, name)
    owners.setdefault(zoo.client_cert.cert_file, "client_cert")
    owners.setdefault(zoo.foreign_client_cert.cert_file, "foreign_client_cert")
    for cert_file, name in owners.items():
        chain = _certificates(cert_file)
        if chain and _spki(chain[0].public_key()) == mismatched:
            # A server given it would start fine, and the bad-key-pair case test nothing.
            yield f"is the key of {name}'s certificate"


def _certificates(path: str) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise Unreadable(f"cannot read certificates from {path}: {exc}") from exc


def _public_key(key_file: str) -> CertificatePublicKeyTypes:
    try:
        key = serialization.load_pem_private_key(Path(key_file).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise Unreadable(f"cannot read a private key from {key_file}: {exc}") from exc
    public = key.public_key()
    if not isinstance(public, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise Unreadable(f"{key_file} holds a {type(key).__name__}, not an RSA or EC key")
    return public


def _spki(key: CertificatePublicKeyTypes) -> bytes:
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


# --- tests ---------------------------------------------------------------------------------

_CLOCK_SKEW = datetime.timedelta(days=60)  # beyond every zoo validity window (30 days)


@pytest.fixture(scope="module")
def zoo(tmp_path_factory: pytest.TempPathFactory) -> Zoo:
    return make_zoo(tmp_path_factory.mktemp("zoo"))


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def test_a_fresh_zoo_is_what_its_names_say(zoo: Zoo) -> None:
    assert zoo_defects(zoo, _now()) == []


@pytest.mark.parametrize(
    ("skew", "name", "words"),
    [
        # Made 60 days ahead, "expired" has not even started by the real clock.
        pytest.param(_CLOCK_SKEW, "expired", "not expired", id="clock_ahead"),
        # Made 60 days behind, "not-yet-valid" started (and ended) long ago.
        pytest.param(-_CLOCK_SKEW, "not-yet-valid", "valid already", id="clock_behind"),
    ],
)
def test_a_zoo_made_with_a_wrong_clock_is_caught(
    tmp_path: Path, skew: datetime.timedelta, name: str, words: str
) -> None:
    real_now = _now()
    defects = zoo_defects(make_zoo(tmp_path, now=real_now + skew), real_now)
    assert [line for line in defects if line.startswith(f"{name}: ") and words in line], defects


def _with_entry(zoo: Zoo, name: str, **changes: Any) -> Zoo:
    """``zoo`` with one entry changed; the module's zoo itself is left as it was."""
    entries = dict(zoo.entries)
    entries[name] = dataclasses.replace(entries[name], **changes)
    return dataclasses.replace(zoo, entries=entries)


def _serving(name: str, donor: str) -> Callable[[Zoo], Zoo]:
    """The mistake of giving entry ``name`` the certificate files of entry ``donor``."""
    return lambda zoo: _with_entry(zoo, name, certificate=zoo[donor].certificate)


def _key_of(name: str, donor: str) -> Callable[[Zoo], Zoo]:
    def broken(zoo: Zoo) -> Zoo:
        certificate = dataclasses.replace(
            zoo[name].certificate, key_file=zoo[donor].certificate.key_file
        )
        return _with_entry(zoo, name, certificate=certificate)

    return broken


def _without(name: str) -> Callable[[Zoo], Zoo]:
    def broken(zoo: Zoo) -> Zoo:
        entries = {key: entry for key, entry in zoo.entries.items() if key != name}
        return dataclasses.replace(zoo, entries=entries)

    return broken


# Each: a mistake, and the start and some words of the line that must report it.
BREAKAGES = [
    pytest.param(
        _serving("no-san", "valid"), "no-san: ", "has a subjectAltName", id="no_san_with_san"
    ),
    pytest.param(
        _serving("missing-aki", "valid"),
        "missing-aki: ",
        "has an authorityKeyIdentifier",
        id="missing_aki_with_aki",
    ),
    pytest.param(
        _serving("incomplete-chain", "valid-chain"),
        "incomplete-chain: ",
        "holds 2 certificate(s), not 1",
        id="incomplete_chain_sends_intermediate",
    ),
    pytest.param(
        _serving("incomplete-chain", "valid"),
        "incomplete-chain: ",
        "issued by the zoo's root, not by an intermediate",
        id="incomplete_chain_from_root",
    ),
    pytest.param(
        _serving("valid-chain", "incomplete-chain"),
        "valid-chain: ",
        "sends no intermediate",
        id="valid_chain_without_intermediate",
    ),
    pytest.param(_serving("expired", "valid"), "expired: ", "not expired", id="expired_current"),
    pytest.param(
        _serving("not-yet-valid", "expired"),
        "not-yet-valid: ",
        "valid already",
        id="not_yet_valid_started",
    ),
    pytest.param(
        _serving("wrong-host", "valid"), "wrong-host: ", "DNS:localhost", id="wrong_host_right"
    ),
    pytest.param(
        _serving("ip-only", "dns-only"), "ip-only: ", "not IP:127.0.0.1", id="ip_only_dns"
    ),
    pytest.param(
        _serving("dns-only", "valid"), "dns-only: ", "not DNS:localhost", id="dns_only_all_names"
    ),
    pytest.param(
        _serving("untrusted-root", "valid"),
        "untrusted-root: ",
        "issued by the zoo's root",
        id="untrusted_root_trusted",
    ),
    pytest.param(
        _serving("self-signed", "valid"), "self-signed: ", "not self-issued", id="self_signed_not"
    ),
    pytest.param(_serving("weak-key", "valid"), "weak-key: ", "not RSA 1024", id="weak_key_strong"),
    pytest.param(_serving("valid", "weak-key"), "valid: ", "weaker than", id="valid_weak"),
    pytest.param(
        _serving("valid", "untrusted-root"),
        "valid: ",
        "not issued by the zoo's root",
        id="valid_untrusted",
    ),
    pytest.param(
        _serving("tls1_2-only", "no-san"),
        "tls1_2-only: ",
        "its cert_file is",
        id="protocol_entry_own_certificate",
    ),
    pytest.param(_key_of("valid", "expired"), "valid: ", "is not the key of", id="valid_wrong_key"),
    pytest.param(
        lambda zoo: _with_entry(zoo, "tls1_2-only", maximum_version=ssl.TLSVersion.TLSv1_3),
        "tls1_2-only: ",
        "TLSv1_2 to TLSv1_3, not TLSv1_2 to TLSv1_2",
        id="tls1_2_only_speaks_1_3",
    ),
    pytest.param(
        lambda zoo: _with_entry(zoo, "client-cert-required", client_ca_file=None),
        "client-cert-required: ",
        "requires no client certificate",
        id="mtls_without_client_ca",
    ),
    pytest.param(
        lambda zoo: _with_entry(zoo, "valid", legacy=True),
        "valid: ",
        "legacy is True",
        id="valid_at_security_level_0",
    ),
    pytest.param(
        lambda zoo: _with_entry(
            zoo,
            "valid",
            certificate=dataclasses.replace(
                zoo["valid"].certificate, ca_file=zoo["client-cert-required"].client_ca_file
            ),
        ),
        "valid: ",
        "not the zoo's root",
        id="valid_other_ca_file",
    ),
    pytest.param(
        lambda zoo: dataclasses.replace(zoo, client_cert=zoo.foreign_client_cert),
        "client_cert: ",
        "is not issued by",
        id="trusted_client_cert_foreign",
    ),
    pytest.param(
        lambda zoo: dataclasses.replace(zoo, foreign_client_cert=zoo.client_cert),
        "foreign_client_cert: ",
        "which the server trusts",
        id="foreign_client_cert_trusted",
    ),
    pytest.param(
        lambda zoo: dataclasses.replace(zoo, mismatched_key_file=zoo["valid"].certificate.key_file),
        "mismatched_key_file: ",
        "is the key of valid's certificate",
        id="mismatched_key_matches",
    ),
    pytest.param(_without("weak-key"), "weak-key: ", "missing", id="entry_missing"),
]


@pytest.mark.parametrize(("mistake", "start", "words"), BREAKAGES)
def test_a_mistaken_entry_is_caught(
    zoo: Zoo, mistake: Callable[[Zoo], Zoo], start: str, words: str
) -> None:
    defects = zoo_defects(mistake(zoo), _now())
    assert [line for line in defects if line.startswith(start) and words in line], defects
