"""A cell's transcript as text: what went over the wire, bounded and binary-safe.

A failed cell's record carries it (results.json ``transcript``), so a reader sees the bytes
behind a verdict without running the cell again. The cell objects (harness/cells.py) keep
the records; this module only renders them: the raw probe's exact bytes both ways, the
request heads a scripted server received and what the client made of the reply, an interop
exchange's request as specified and response as the client presented it.
"""

from __future__ import annotations

from collections.abc import Iterable

from harness.model import Exchange, RequestSpec
from harness.probe import ProbeResult
from harness.results import TRANSCRIPT_LIMIT
from harness.scripted import Action
from harness.tls import Handshake

BODY_PREVIEW = 512  # bytes of a body shown in an interop exchange


def show_bytes(data: bytes) -> str:
    """Bytes as text a person can read and nothing can misread: printable ASCII as is,
    CR and LF as ``\\r`` and ``\\n`` (a line break follows ``\\n``), every other byte as
    ``\\xNN``; so a bare LF or a NUL stays visible and no byte can break the report."""
    out = []
    for byte in data:
        if byte == 0x0A:
            out.append("\\n\n")
        elif byte == 0x0D:
            out.append("\\r")
        elif byte == 0x5C:
            out.append("\\\\")
        elif 0x20 <= byte < 0x7F:
            out.append(chr(byte))
        else:
            out.append(f"\\x{byte:02x}")
    return "".join(out)


def _prefixed(marker: str, data: bytes) -> str:
    text = show_bytes(data).rstrip("\n")
    return "\n".join(f"{marker} {line}" for line in text.split("\n")) if data else f"{marker}"


def bound(text: str, limit: int = TRANSCRIPT_LIMIT) -> str:
    if len(text) <= limit:
        return text
    kept = limit - 60
    return text[:kept] + f"\n... [{len(text) - kept} more characters of transcript not kept]"


def joined(parts: Iterable[str]) -> str:
    """A cell's transcript from its parts (one per connection, run or exchange), bounded."""
    return bound("\n".join(parts))


def probe_connection(number: int, result: ProbeResult) -> str:
    """One connection of the raw probe: the exact bytes sent and received."""
    return (
        f"--- connection {number}: {result.describe()}, {result.elapsed:.3f} s\n"
        f"{_prefixed('>', result.sent)}\n{_prefixed('<', result.received)}"
    )


def scripted_run(
    number: int,
    script: list[Action],
    result: str,
    handshakes: list[Handshake],
    connections: list[list[bytes]],
) -> str:
    """One scripted server: what the client made of it (``result``), the TLS handshakes
    and request heads the server saw (per connection), and the script it played."""
    lines = [f"--- scripted server {number}: the client's result: {result}"]
    for handshake in handshakes:
        lines.append(f"TLS handshake (SNI {handshake.sni!r}): {handshake.describe()}")
    for connection, heads in enumerate(connections, 1):
        for head in heads:
            lines.append(f"connection {connection}, request received:")
            lines.append(_prefixed(">", head))
    for action in script:
        data = getattr(action, "data", None)
        lines.append(_prefixed("<", data) if data is not None else f"< [{action!r}]")
    return "\n".join(lines)


def interop_exchange(number: int, spec: RequestSpec, exchange: Exchange) -> str:
    """One interop exchange: the request as specified, the response as the client
    presented it (its body cut to ``BODY_PREVIEW`` bytes)."""
    lines = [
        f"--- exchange {number}, as the client presented it "
        f"(connection reused: {exchange.reused}, {exchange.elapsed:.3f} s)",
        f"> {spec.method} {spec.target} {spec.http_version}",
        *(f"> {name}: {value}" for name, value in spec.headers),
    ]
    if isinstance(spec.body, bytes):
        lines.append(f"> [body: {len(spec.body)} bytes]")
    elif spec.body is not None:
        lines.append("> [body: streamed in chunks]")
    lines.append(f"< {exchange.http_version} {exchange.status} {exchange.reason}")
    lines += [f"< {name}: {value}" for name, value in exchange.headers]
    body = exchange.body
    lines.append(f"< [body: {len(body)} bytes]")
    if body:
        hidden = len(body) - BODY_PREVIEW
        more = f" ... [{hidden} more bytes]" if hidden > 0 else ""
        lines.append(_prefixed("<", body[:BODY_PREVIEW]) + more)
    return "\n".join(lines)
