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
# Bytes kept of one direction of a connection (or one request line): its head, where the
# request line, the status line and the fields are, and its end; the middle of a long body
# or target is elided, so that a 64 KiB request cannot push its response out of the
# transcript. Each byte shows as at most 4 characters, so both directions of a connection
# stay well within TRANSCRIPT_LIMIT.
DIRECTION_HEAD = 768
DIRECTION_TAIL = 128


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


def elided(data: bytes) -> str:
    """``show_bytes`` of ``data``, its middle left out when it is long (its head and end
    kept, the number of bytes left out said)."""
    hidden = len(data) - DIRECTION_HEAD - DIRECTION_TAIL
    if hidden <= 0:
        return show_bytes(data)
    head, tail = data[:DIRECTION_HEAD], data[-DIRECTION_TAIL:]
    return f"{show_bytes(head)}[... {hidden} bytes not shown ...]{show_bytes(tail)}"


def _prefixed(marker: str, data: bytes) -> str:
    text = elided(data).rstrip("\n")
    return "\n".join(f"{marker} {line}" for line in text.split("\n")) if data else f"{marker}"


def bound(text: str, limit: int = TRANSCRIPT_LIMIT) -> str:
    """``text`` within ``limit`` characters: its head and its end (the last response) kept,
    its middle left out."""
    if len(text) <= limit:
        return text
    marker = "\n... [{} characters of transcript not kept] ...\n"
    kept = limit - len(marker) - 10
    head, tail = kept * 2 // 3, kept - kept * 2 // 3
    return text[:head] + marker.format(len(text) - head - tail) + text[-tail:]


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
        _prefixed(">", f"{spec.method} {spec.target} {spec.http_version}".encode()),
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
