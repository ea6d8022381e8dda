"""Client adapters: each sends a RequestSpec with one library and reports an Exchange.

Every adapter implements :class:`Client`. An adapter maps the spec onto the library's own
API and the library's result or exception onto the model; it adds no protocol logic (no
retries, no framing, no header repair).
"""

from __future__ import annotations

import ssl
from typing import Protocol

from harness.model import Exchange, RequestSpec, Target, Verify


class Client(Protocol):
    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        """Send one request; raise harness.errors.ClientError on failure."""
        ...

    def close(self) -> None:
        """Close every connection the client holds."""
        ...


def ssl_context(spec: RequestSpec, target: Target) -> ssl.SSLContext:
    """The client-side context for a spec's trust mode and client certificate, made with the
    ssl module's public API and its defaults (what an application using it gets)."""
    cafile = target.ca_file if spec.verify is Verify.TARGET_CA else None
    context = ssl.create_default_context(cafile=cafile)
    if spec.verify is Verify.NONE:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if spec.client_certificate is not None:
        cert = spec.client_certificate
        context.load_cert_chain(cert.cert_file, cert.key_file)
    return context


def http_version_text(version: int) -> str:
    """http.client's numeric version (10, 11) as it appears on the wire."""
    return {9: "HTTP/0.9", 10: "HTTP/1.0", 11: "HTTP/1.1"}.get(version, f"HTTP/{version}")
