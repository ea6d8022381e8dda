"""Responses that arrive in several reads: RFC 9112 §6.3 (framing), §7.1 (chunked).

Every entry sends a valid response of ``hello`` in pieces with a pause between them
(deadlines.SCRIPTED_GAP, so that the client reads them apart), cut where a parser keeps
state: inside a line, between CR and LF, at the end of the head, inside a chunk line; then
closes. The outcome is ``hello``: "HTTP only presumes a reliable transport with in-order
delivery" (RFC 9112 §9), never reads of any size.
"""

from __future__ import annotations

from harness import deadlines
from harness.cases import Level
from harness.responses import Answer, Outcome, ResponseEntry
from harness.scripted import Action, Close, Pause, Send

from .sentences import DECODE_CHUNKED, VALID_LENGTH

LENGTH = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
CHUNKED = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"


def _split(name: str, whole: bytes, *cuts: bytes, note: str) -> ResponseEntry:
    """``whole`` sent in pieces, cut after each of ``cuts`` (in order)."""
    actions: list[Action] = []
    rest = whole
    for cut in cuts:
        head, found, rest = rest.partition(cut)
        assert found, f"{cut!r} is not in what is left of {whole!r}"
        actions += [Send(head + cut), Pause(deadlines.SCRIPTED_GAP)]
    chunked = whole is CHUNKED
    return ResponseEntry(
        f"responses.splits.{name}",
        "RFC 9112 §7.1" if chunked else "RFC 9112 §6.3",
        Level.MUST,
        DECODE_CHUNKED if chunked else VALID_LENGTH,
        (*actions, Send(rest), Close()),
        (Outcome((Answer(200, b"hello"),)),),
        note=note,
    )


ENTRIES = (
    _split("status_line", LENGTH, b"HTTP/1.1 2", note="inside the status code"),
    _split("field_name", LENGTH, b"Content-Le", note="inside the Content-Length name"),
    _split("cr_lf", LENGTH, b"OK\r", note="between the status line's CR and LF"),
    _split("head_end", LENGTH, b"5\r\n\r", note="between the last CR and LF of the head"),
    _split("content", LENGTH, b"\r\n\r\nhe", b"l", note="inside the content, twice"),
    _split("chunk_size", CHUNKED, b"\r\n\r\n5", note="between a chunk size and its CRLF"),
    _split("chunk_data", CHUNKED, b"hel", note="inside the chunk data"),
    _split("chunk_crlf", CHUNKED, b"hello\r", note="inside the CRLF after the chunk data"),
    _split("last_chunk", CHUNKED, b"0\r\n", note="between the last chunk and the final CRLF"),
)
