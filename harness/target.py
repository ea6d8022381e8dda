"""A server the user started themselves (``--target URL``): the server probes run against it
with no adapter and no launch.

Such a server need not serve the behaviour contract (docs/contract.md), so it lacks
``contract-endpoints`` and every case that needs them is skipped with the reason. PATH is
any resource of it that answers GET with a 2xx status: the harness checks that once, in place
of a launched server's ready line.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

from harness.implementation import Capability, Implementation, Kind
from harness.launcher import LaunchError
from harness.model import Target
from harness.probe import ServerProbe

OPTION = "--target"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_NO_CONTRACT = (
    "a server started by the user (--target) need not serve the behaviour contract's "
    "endpoints (docs/contract.md)"
)


class TargetError(ValueError):
    """A --target URL the harness cannot use; the message says what is valid."""


@dataclass(frozen=True)
class TargetServer:
    """The server at a --target URL: its name in the reports, where it listens, and the
    resource that answers GET."""

    url: str
    target: Target
    path: str

    @property
    def name(self) -> str:
        return self.target.authority

    @property
    def transport(self) -> str:
        return self.target.scheme

    def note(self) -> str:
        """How its certificate is checked, for the terminal's header."""
        if self.transport == "http":
            return ""
        if self.target.verify:
            return f"certificate verified against {self.target.ca_file}"
        return "certificate not verified (its CA is unknown to the harness; --target-ca FILE)"

    def implementation(self) -> Implementation:
        """Its entry in the registry, as a server named after its address."""
        note = self.note()
        return Implementation(
            name=self.name,
            kind=Kind.SERVER,
            description=f"the server at {self.url}" + (f" ({note})" if note else ""),
            package="",
            url=self.url,
            lacks={Capability.CONTRACT_ENDPOINTS: _NO_CONTRACT},
            origin=OPTION,
        )

    def reached(self) -> TargetServer:
        """This server, once GET PATH answered 2xx; raises LaunchError saying why not."""
        probe = ServerProbe(self.target)
        why = f"server {self.name!r} ({OPTION} {self.url}) does not answer"
        try:
            result = probe.send(probe.request("GET", self.path), methods=["GET"])
        except OSError as exc:
            raise LaunchError(f"{why}: {exc}") from None
        status = result.final[0].status if result.final else None
        if status is None or not 200 <= status < 300:
            raise LaunchError(f"{why} GET {self.path} with a 2xx status: {result.describe()}")
        return self


def parse(url: str, ca_file: str | None = None) -> TargetServer:
    """The server at ``url`` (http://HOST:PORT/PATH or https://...); over HTTPS its
    certificate is checked against ``ca_file``, or not at all without one."""
    expected = "expected http://HOST[:PORT]/PATH or https://HOST[:PORT]/PATH"
    parts = urllib.parse.urlsplit(url)
    try:
        port = parts.port
    except ValueError as exc:
        raise TargetError(f"{OPTION} {url!r}: {exc}; {expected}") from None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or parts.fragment:
        raise TargetError(f"{OPTION} {url!r}: {expected}")
    if parts.username or parts.password:
        raise TargetError(f"{OPTION} {url!r}: credentials in the URL are not sent; {expected}")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    target = Target(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port or _DEFAULT_PORTS[parts.scheme],
        ca_file=ca_file,
        verify=parts.scheme == "http" or ca_file is not None,
    )
    return TargetServer(url, target, path)
