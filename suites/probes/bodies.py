"""Content on unusual framings: RFC 9112 §6.3 (message body length), RFC 9110 §9.3.

Content-Length frames content whatever the method: GET, HEAD, DELETE and OPTIONS requests with
the five octets ``hello`` are read to their end, so the follow-up ``GET /echo?next`` is
answered as the next request. Content in GET, HEAD and DELETE has no defined semantics, and the
RFC expects some servers to refuse it and close (400, the follow-up unanswered); /echo serving
it shows it was read as content. A request with neither Content-Length nor Transfer-Encoding
has no content: served empty (or refused with 411), and the octets after its head are the next
request, never content. A Content-Length larger than what is sent leaves the server waiting
(or refusing with 413): the follow-up is more content, never answered.
"""

from __future__ import annotations

from harness.cases import Level
from harness.catalogue import (
    After,
    Entry,
    InOrder,
    Outcome,
    Served,
    Silent,
    Status,
    chunked_body,
    message,
)
from harness.requirements import INTERPRET, Definition

from .sentences import VALID_LENGTH

CONTENT = b"hello"
STRAY = b"hello\r\n"  # no request line: what the server makes of it as a request is not checked
# Rules 6 and 7 of RFC 9112 §6.3, definitions that bind as the semantics a recipient MUST
# interpret (RFC 9110 §2.4).
LENGTH = Definition(VALID_LENGTH, (INTERPRET,))
NO_LENGTH = Definition(
    "If this is a request message and none of the above are true, then the message body "
    "length is zero (no message body is present).",
    (INTERPRET,),
)

REFUSED = Status((400,), After.CLOSE)
TOO_LARGE = Status((413,), After.NOTHING)


def _no_semantics(method: str) -> Definition:
    """RFC 9110 §9.3.1, §9.3.2 and §9.3.5 say it of GET, HEAD and DELETE alike; what binds the
    server is RFC 9112 §9.3: "A server MUST read the entire request message body or close the
    connection after sending its response"."""
    return Definition(
        "Although request message framing is independent of the method used, content received "
        f"in a {method} request has no generally defined semantics, cannot alter the meaning or "
        "target of the request, and might lead some implementations to reject the request and "
        "close the connection because of its potential as a request smuggling attack (Section "
        "11.2 of [HTTP/1.1]).",
        ("9112-9.3-5",),
    )


def _method(name: str, method: str, section: str, field_line: str, body: bytes) -> Entry:
    """``method`` /echo with ``body`` framed by ``field_line``: read as CONTENT, or refused
    and the connection closed."""
    served: Outcome = (
        Status((200,), After.NEXT)  # a response to HEAD has no content to show the echo
        if method == "HEAD"
        else Served(CONTENT, method=method)
    )
    return Entry(
        f"probes.bodies.{name}",
        f"RFC 9110 {section}; RFC 9112 §6.3",
        Level.MUST,
        _no_semantics(method),
        message(f"{method} /echo HTTP/1.1", field_line, body=body),
        (served, REFUSED),
        note=f"the {method} request's content is read to its end, so the follow-up is answered",
        methods=(method,),
    )


def _stray(name: str, *field_lines: str) -> Entry:
    """POST /echo with no content, then STRAY: served empty; STRAY is the next request."""
    return Entry(
        f"probes.bodies.{name}",
        "RFC 9112 §6.3, §2.2",
        Level.MUST,
        LENGTH if field_lines else NO_LENGTH,
        message("POST /echo HTTP/1.1", *field_lines, body=STRAY),
        # Whatever the server answers to the stray line as a request (400 and close, SHOULD:
        # RFC 9112 §2.2), it is never the POST's content.
        (Served(b"", After.ANY),),
        note="the octets after the head are the next request, not content",
    )


def _larger(name: str, length: int, body: bytes) -> Entry:
    """Content-Length ``length``, fewer octets sent: the server waits for the rest."""
    return Entry(
        f"probes.bodies.{name}",
        "RFC 9112 §6.3",
        Level.MUST,
        LENGTH,
        message("POST /echo HTTP/1.1", f"Content-Length: {length}", body=body),
        # A server may refuse content that large at once (RFC 9110 §15.5.14); it then closes
        # or reads the rest as content, so the follow-up is never answered.
        (Silent(), TOO_LARGE),
        note=f"{len(body)} of {length} octets sent: the follow-up is content too",
    )


ENTRIES = (
    _method("get_with_content", "GET", "§9.3.1", "Content-Length: 5", CONTENT),
    _method("head_with_content", "HEAD", "§9.3.2", "Content-Length: 5", CONTENT),
    _method("delete_with_content", "DELETE", "§9.3.5", "Content-Length: 5", CONTENT),
    _method(
        "get_with_chunked_content",
        "GET",
        "§9.3.1",
        "Transfer-Encoding: chunked",
        chunked_body(CONTENT),
    ),
    Entry(
        "probes.bodies.options_with_content",
        "RFC 9112 §6.3; RFC 9110 §9.3.7",
        Level.MUST,
        LENGTH,
        message(
            "OPTIONS /echo HTTP/1.1",
            "Content-Type: text/plain",
            "Content-Length: 5",
            body=CONTENT,
        ),
        (Served(CONTENT, method="OPTIONS"),),
        note="RFC 9110 §9.3.7 defines no use for OPTIONS content, but its framing is the same",
    ),
    Entry(
        "probes.bodies.post_without_length",
        "RFC 9112 §6.3",
        Level.MUST,
        NO_LENGTH,
        message("POST /echo HTTP/1.1"),
        # 411 (Length Required, RFC 9110 §15.5.12) refuses it without reading anything, so
        # the follow-up is the next request either way.
        (Served(b""), Status((411,), After.NEXT)),
        note="no Content-Length, no Transfer-Encoding: no content, the follow-up is next",
    ),
    _stray("post_without_length_then_stray_line"),
    _stray("content_length_zero_then_stray_line", "Content-Length: 0"),
    Entry(
        "probes.bodies.content_length_zero_then_request",
        "RFC 9112 §6.3",
        Level.MUST,
        LENGTH,
        message("POST /echo HTTP/1.1", "Content-Length: 0")
        + message("GET /echo?after-zero HTTP/1.1"),
        (
            InOrder(("/echo", "/echo?after-zero"), After.NEXT),
            InOrder(("/echo",), After.CLOSE),
        ),
        note="the request after an empty content is answered as a request (or the server "
        "closes before it), never read as content",
        requests=2,
    ),
    _larger("content_length_larger_than_sent", 100, CONTENT),
    _larger("content_length_large_none_sent", 10**9, b""),
)
