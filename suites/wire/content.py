"""Content and its framing in requests (RFC 9110 §8.6, RFC 9112 §6.2, §7.1): Content-Length
where the method expects content and only there, never beside Transfer-Encoding, and chunked
framing of content of unknown length that delivers exactly the caller's bytes. A file handed
over open may go either way (its size as Content-Length, or chunked): which one each client
chooses is in its cell's ``observed``, the verdict only on framing it both ways at once."""

from __future__ import annotations

from harness.cases import Level
from harness.implementation import Capability
from harness.wire import GRAMMAR, Check, File, Pieces, Sent, WireCase

from ..probes.responses import BOTH

NO_LENGTH_WITHOUT_CONTENT = (
    "A user agent SHOULD NOT send a Content-Length header field when the request message does "
    "not contain content and the method semantics do not anticipate such data."
)
LENGTH_WITH_CONTENT = (
    "A user agent SHOULD send Content-Length in a request when the method defines a meaning "
    "for enclosed content and it is not sending Transfer-Encoding."
)
# Beyond one read and one TLS record, so that a client streams it in several writes.
LARGE = bytes(range(256)) * 80
STREAMED = Pieces((b"hello, ", LARGE, b"!"))
# An empty piece in the middle: written as a chunk, its size 0 is the last-chunk, and what
# follows is read as the next request.
WITH_EMPTY_PIECE = Pieces((b"ab", b"", b"cd"))
# A file on disk, larger than one read, with line ends inside (a client iterating it by lines
# sends pieces of it).
FILED = File(b"hello, " + LARGE + b"\n!")


def _no_length(sent: Sent) -> str | None:
    values = sent.fields("Content-Length")
    return f"Content-Length {values} on a request without content" if values else None


def _length(content: bytes) -> Check:
    """A check: the content is exactly ``content``, with Content-Length unless chunked."""

    def check(sent: Sent) -> str | None:
        request = sent.request
        if request.framing == "none":
            return "neither Content-Length nor Transfer-Encoding"
        if request.content != content:
            return f"the content {request.content[:40]!r} ({len(request.content)} octets)"
        return None

    return check


def _not_both(sent: Sent) -> str | None:
    if sent.fields("Content-Length") and sent.fields("Transfer-Encoding"):
        return (
            f"Content-Length {sent.fields('Content-Length')} with Transfer-Encoding "
            f"{sent.fields('Transfer-Encoding')}"
        )
    return None


def _delivered(content: bytes) -> Check:
    """A check: neither framing field beside the other, and exactly ``content`` framed."""
    length = _length(content)
    return lambda sent: _not_both(sent) or length(sent)


def _without_content(method: str) -> WireCase:
    return WireCase(
        f"wire.content_length.{method.lower()}",
        "RFC 9110 §8.6",
        Level.SHOULD,
        NO_LENGTH_WITHOUT_CONTENT,
        _no_length,
        method=method,
        expected=f"{method} without content and without Content-Length",
    )


CASES = (
    _without_content("GET"),
    _without_content("HEAD"),
    _without_content("DELETE"),
    WireCase(
        "wire.content_length.post_none",
        "RFC 9110 §8.6",
        Level.SHOULD,
        LENGTH_WITH_CONTENT,
        _length(b""),
        method="POST",
        expected="POST without content sent with Content-Length: 0",
    ),
    WireCase(
        "wire.content_length.post_empty",
        "RFC 9110 §8.6",
        Level.SHOULD,
        LENGTH_WITH_CONTENT,
        _length(b""),
        method="POST",
        body=b"",
        expected="POST of empty content sent with Content-Length: 0",
    ),
    WireCase(
        "wire.content_length.put",
        "RFC 9110 §8.6",
        Level.SHOULD,
        LENGTH_WITH_CONTENT,
        _length(b"hello"),
        method="PUT",
        body=b"hello",
        expected="PUT of 5 octets sent with Content-Length: 5",
    ),
    WireCase(
        "wire.transfer_encoding.generator",
        "RFC 9112 §6.2",
        Level.MUST,
        BOTH,
        _delivered(STREAMED.content),
        method="POST",
        body=STREAMED,
        expected="content of unknown length without both Content-Length and Transfer-Encoding",
    ),
    WireCase(
        "wire.transfer_encoding.caller_length",
        "RFC 9112 §6.2",
        Level.MUST,
        BOTH,
        _delivered(STREAMED.content),
        method="POST",
        headers=(("Content-Length", str(len(STREAMED.content))),),
        body=STREAMED,
        refusable=True,
        expected=(
            "a generator body with the caller's Content-Length sent by that length alone, or "
            "refused, never with Transfer-Encoding beside it"
        ),
    ),
    WireCase(
        "wire.transfer_encoding.file",
        "RFC 9112 §6.2; RFC 9110 §8.6",
        Level.MUST,
        BOTH,
        _delivered(FILED.content),
        method="PUT",
        body=FILED,
        requires=(Capability.FILE_BODY,),
        expected="the file's octets framed by Content-Length (the file's size) or chunked, "
        "never with both",
    ),
    WireCase(
        "wire.chunked.framing",
        "RFC 9110 §2.2; RFC 9112 §7.1",
        Level.MUST,
        GRAMMAR,
        _delivered(STREAMED.content),
        method="POST",
        body=STREAMED,
        expected="content of unknown length framed validly, exactly the caller's octets",
    ),
    WireCase(
        "wire.chunked.empty_piece",
        "RFC 9110 §2.2; RFC 9112 §7.1",
        Level.MUST,
        GRAMMAR,
        _delivered(WITH_EMPTY_PIECE.content),
        method="POST",
        body=WITH_EMPTY_PIECE,
        expected="the pieces b'ab', b'', b'cd' delivered as b'abcd' (chunk-data = 1*OCTET)",
    ),
)
