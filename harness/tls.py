"""Certificates for a run, made fresh with trustme in a temporary folder; nothing is committed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import trustme

# Every name a loopback server may be dialled by (RFC 6125 §6: the client checks the
# reference identity it dialled against the certificate's subjectAltName).
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class ServerCertificate:
    """Files for one HTTPS server and the CA a client needs to trust it."""

    ca_file: str
    cert_file: str  # leaf then any intermediates, PEM
    key_file: str


def make_session_certificate(directory: Path) -> ServerCertificate:
    """A fresh CA and a leaf for the loopback names, written under ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    leaf = ca.issue_cert(*LOOPBACK_NAMES)
    ca_file = directory / "ca.pem"
    cert_file = directory / "server-chain.pem"
    key_file = directory / "server-key.pem"
    ca.cert_pem.write_to_path(ca_file)
    leaf.private_key_pem.write_to_path(key_file)
    with cert_file.open("wb") as out:
        for blob in leaf.cert_chain_pems:
            out.write(blob.bytes())
    return ServerCertificate(str(ca_file), str(cert_file), str(key_file))
