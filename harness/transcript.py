"""A cell's transcript: what went over the wire, as bounded, binary-safe text.

A failed cell's record carries it (results.json ``transcript``), so a reader sees the bytes
behind a verdict without running the cell again. Each kind of cell keeps its own record:
the raw probe the exact bytes both ways, a scripted client the request heads the scripted
server received and what the client made of the reply, an interop cell each request as
specified and the response as the client presented it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.interop import Conversation, ScriptedClient, ScriptedExchange
from harness.probe import ProbeResult, ServerProbe
from harness.scripted import Action

LIMIT = 8000  # characters per cell: enough for a few exchanges, small enough for junit.xml
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


def bound(text: str, limit: int = LIMIT) -> str:
    if len(text) <= limit:
        return text
    kept = limit - 60
    return text[:kept] + f"\n... [{len(text) - kept} more characters of transcript not kept]"


@dataclass(frozen=True)
class RecordingProbe(ServerProbe):
    """The raw probe, keeping every result for the transcript."""

    results: list[ProbeResult] = field(default_factory=list, compare=False, repr=False)

    def send(self, pieces: Any, **options: Any) -> ProbeResult:
        result = super().send(pieces, **options)
        self.results.append(result)
        return result


@dataclass
class RecordingScriptedClient(ScriptedClient):
    """A client under test facing scripted servers, keeping every script and exchange."""

    runs: list[tuple[list[Action], ScriptedExchange]] = field(default_factory=list)

    def against(self, script: list[Action], specs: Any = None, **options: Any) -> ScriptedExchange:
        exchange = super().against(script, specs, **options)
        self.runs.append((script, exchange))
        return exchange


def _probe(results: list[ProbeResult]) -> str:
    parts = []
    for number, result in enumerate(results, 1):
        parts.append(
            f"--- connection {number}: {result.describe()}, {result.elapsed:.3f} s\n"
            f"{_prefixed('>', result.sent)}\n{_prefixed('<', result.received)}"
        )
    return "\n".join(parts)


def _scripted(runs: list[tuple[list[Action], ScriptedExchange]]) -> str:
    parts = []
    for number, (script, exchange) in enumerate(runs, 1):
        lines = [f"--- scripted server {number}: the client's result: {exchange.describe()}"]
        for handshake in exchange.handshakes:
            lines.append(f"TLS handshake (SNI {handshake.sni!r}): {handshake.describe()}")
        for connection, heads in enumerate(exchange.connections, 1):
            for head in heads:
                lines.append(f"connection {connection}, request received:")
                lines.append(_prefixed(">", head))
        for action in script:
            data = getattr(action, "data", None)
            lines.append(_prefixed("<", data) if data is not None else f"< [{action!r}]")
        parts.append("\n".join(lines))
    return "\n".join(parts)


def _conversation(conversation: Conversation) -> str:
    parts = []
    for number, (spec, exchange) in enumerate(conversation.exchanges, 1):
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
        parts.append("\n".join(lines))
    return "\n".join(parts)


def of(value: object) -> str:
    """The transcript of a cell fixture's value ("" for a value that keeps none)."""
    if isinstance(value, RecordingProbe):
        text = _probe(value.results)
    elif isinstance(value, RecordingScriptedClient):
        text = _scripted(value.runs)
    elif isinstance(value, Conversation):
        text = _conversation(value)
    else:
        return ""
    return bound(text)
