"""Expect: 100-continue at the server: RFC 9110 §10.1.1 (Expect), §15.2 (1xx).

Every probe is ``POST /echo`` with ``Expect`` and the five octets ``hello`` (or none), sent
three ways: the head alone, nothing more (the server answers 100 and waits, or sends a final
status at once; the follow-up would be content, so none is sent); the head, a pause, then the
content and the follow-up (one final response, served with the content, after the 100); all at
once (the server may skip the 100). For POST /echo of five octets the head alone determines no
final status but a refusal of the expectation, 417. To HTTP/1.0 the server sends no 1xx at all
and ignores the expectation. An expectation it does not know it may refuse with 417.
"""

from __future__ import annotations

from harness.cases import Level
from harness.catalogue import (
    After,
    Entry,
    Interim,
    Outcome,
    Served,
    Silent,
    Status,
    Unanswered,
    message,
)
from harness.requirements import INTERPRET, Definition

CONTENT = b"hello"
CONTINUE = "Expect: 100-continue"
IMMEDIATE = (
    "Upon receiving an HTTP/1.1 (or later) request that has a method, target URI, and complete "
    "header section that contains a 100-continue expectation and an indication that request "
    "content will follow, an origin server MUST send either: an immediate response with a "
    "final status code, if that status can be determined by examining just the method, target "
    "URI, and header fields, or an immediate 100 (Continue) response to encourage the client "
    "to send the request content."
)
NO_WAIT = (
    "The origin server MUST NOT wait for the content before sending the 100 (Continue) response."
)
OMIT = (
    "A server MAY omit sending a 100 (Continue) response if it has already received some or "
    "all of the content for the corresponding request, or if the framing indicates that there "
    "is no content."
)
# Bound by what the server MUST do on a 100-continue expectation (RFC 9110 §10.1.1), however
# spelled (RFC 9110 §2.4).
CASE_INSENSITIVE = Definition(
    "The Expect field value is case-insensitive.", (INTERPRET, "9110-10.1.1-11")
)
HTTP10_IGNORE = (
    "A server that receives a 100-continue expectation in an HTTP/1.0 request MUST ignore that "
    "expectation."
)
HTTP10_NO_1XX = (
    "Since HTTP/1.0 did not define any 1xx status codes, a server MUST NOT send a 1xx response "
    "to an HTTP/1.0 client."
)
UNKNOWN = (
    "A server that receives an Expect field value containing a member other than 100-continue "
    "MAY respond with a 417 (Expectation Failed) status code to indicate that the unexpected "
    "expectation cannot be met."
)

# The final status a server may send at once instead of 100, then close or read the content
# (RFC 9110 §10.1.1: it "SHOULD indicate whether it intends to close the connection ... or
# continue reading the request content"): the follow-up is answered next, or nothing is.
REFUSED_AT_ONCE = Interim((), Status((417,), After.NEXT))
SERVED = Served(CONTENT)
IGNORED = Interim((), SERVED)  # HTTP/1.0: served as if there were no expectation


def _head(target: str = "/echo", expect: str = CONTINUE, version: str = "HTTP/1.1") -> bytes:
    return message(f"POST {target} {version}", expect, f"Content-Length: {len(CONTENT)}")


def _head_only(
    name: str, requirement: str, head: bytes, allowed: tuple[Outcome, ...], note: str, rfc: str
) -> Entry:
    """The head alone, then the probe waits: no follow-up, which would be content."""
    return Entry(
        f"probes.expect.{name}", rfc, Level.MUST, requirement, head, allowed, note, follow_up=False
    )


# The head alone, from an HTTP/1.1 client: 100 and then the server waits, or a final at once.
WAITING = (Interim((100,), Unanswered()), Interim((), Status((417,), After.ANY)))

ENTRIES = (
    _head_only(
        "continue_head_only",
        IMMEDIATE,
        _head(),
        WAITING,
        "100 before the content is sent, then the server waits for it",
        "RFC 9110 §10.1.1",
    ),
    _head_only(
        "continue_mixed_case_head_only",
        CASE_INSENSITIVE,
        _head(expect="Expect: 100-Continue"),
        WAITING,
        "100-Continue is the 100-continue expectation",
        "RFC 9110 §10.1.1",
    ),
    _head_only(
        "continue_not_found_head_only",
        IMMEDIATE,
        _head("/expect-not-found"),
        # No route: 404 is determined by the target alone, at once or after the 100 (a
        # final status may come before the content: RFC 9110 §10.1.1).
        (
            Interim((100,), Unanswered()),
            Interim((), Status((404, 417), After.ANY)),
            Interim((100,), Status((404,), After.ANY)),
        ),
        "the final status of a target that does not exist may come instead of 100",
        "RFC 9110 §10.1.1",
    ),
    _head_only(
        "http10_head_only",
        HTTP10_NO_1XX,
        _head(version="HTTP/1.0"),
        (Silent(),),
        "an HTTP/1.0 request's expectation is ignored: the server waits for the content "
        "without a word",
        "RFC 9110 §15.2, §10.1.1",
    ),
    Entry(
        "probes.expect.continue_then_content",
        "RFC 9110 §10.1.1",
        Level.MUST,
        NO_WAIT,
        _head(),
        (Interim((100,), SERVED), REFUSED_AT_ONCE),
        "the content after a pause: one 100, then one final response, served with it",
        staged=(CONTENT,),
    ),
    Entry(
        "probes.expect.continue_content_at_once",
        "RFC 9110 §10.1.1",
        Level.MAY,
        OMIT,
        _head() + CONTENT,
        # Served, with or without a 100 before the final response.
        (Interim((100,), SERVED), Interim((), SERVED), REFUSED_AT_ONCE),
        "the content arrives with the head: the 100 may be left out",
    ),
    Entry(
        "probes.expect.continue_content_length_zero",
        "RFC 9110 §10.1.1",
        Level.MAY,
        OMIT,
        message("POST /echo HTTP/1.1", CONTINUE, "Content-Length: 0"),
        (Interim((100,), Served(b"")), Interim((), Served(b""))),
        "no content follows: the 100 may be left out, the request is served at once",
    ),
    Entry(
        "probes.expect.continue_without_content",
        "RFC 9110 §10.1.1",
        Level.MAY,
        OMIT,
        message("GET /echo HTTP/1.1", CONTINUE),
        (Interim((100,), Served(b"", method="GET")), Interim((), Served(b"", method="GET"))),
        "no framing field: no content, the request is served at once",
    ),
    Entry(
        "probes.expect.http10_then_content",
        "RFC 9110 §10.1.1, §15.2",
        Level.MUST,
        HTTP10_IGNORE,
        _head(version="HTTP/1.0"),
        (IGNORED,),
        "no 100 to HTTP/1.0, which defines none; the content after a pause is served",
        staged=(CONTENT,),
    ),
    Entry(
        "probes.expect.http10_content_at_once",
        "RFC 9110 §10.1.1, §15.2",
        Level.MUST,
        HTTP10_IGNORE,
        _head(version="HTTP/1.0") + CONTENT,
        (IGNORED,),
        "no 100 to HTTP/1.0, and no 417: the expectation is ignored",
    ),
    Entry(
        "probes.expect.unknown_expectation",
        "RFC 9110 §10.1.1",
        Level.MAY,
        UNKNOWN,
        _head(expect="Expect: x-unknown-expectation") + CONTENT,
        (SERVED, Status((417,), After.NEXT)),
        "417, or the unknown expectation ignored and the request served",
    ),
)
