"""Interim (1xx) responses at the client: RFC 9110 §15.2, RFC 9112 §6.3 rule 1.

Every entry sends one or more 1xx responses and then the final ``200`` with ``hello`` (or no
final response at all), and closes. A client "MUST be able to parse one or more 1xx responses
received prior to a final response, even if the client does not expect one"; a 1xx ends with
its head whatever its fields say. (suites/test_errors.py already holds two 100 Continue and a
103 Early Hints.)
"""

from __future__ import annotations

from harness import deadlines
from harness.cases import Level
from harness.requirements import INTERPRET, Definition
from harness.responses import Answer, Error, Outcome, ResponseEntry, response
from harness.scripted import Close, Pause, Send

from .sentences import NO_CONTENT

FINAL = response("HTTP/1.1 200 OK", "Content-Length: 5", body=b"hello")
FINAL_ONLY = Outcome((Answer(200, b"hello"),))
PARSE = (
    "A client MUST be able to parse one or more 1xx responses received prior to a final "
    "response, even if the client does not expect one."
)
# A 100 and then the close is no complete response: "A client that receives an incomplete
# response message, ... MUST record the message as incomplete." (RFC 9112 §8)
ONE_FINAL = Definition(
    "A single request can have multiple associated responses: zero or more interim (non-final) "
    'responses with status codes in the "informational" (1xx) range, followed by exactly one '
    "final response with a status code in one of the other ranges.",
    ("9112-8-2",),
)
# Bound by the client's duty to parse 1xx responses before the final one (RFC 9110 §15.2) by
# their framing (RFC 9110 §2.4).
PARSE_1XX = ("9110-15.2-2", INTERPRET)
NO_CONTENT_1XX = Definition(
    "A 1xx response is terminated by the end of the header section; it cannot contain content "
    "or trailers.",
    PARSE_1XX,
)


def _entry(
    name: str,
    *actions: Send | Pause | Close,
    note: str,
    requirement: str = PARSE,
    allowed: Outcome = FINAL_ONLY,
    rfc: str = "RFC 9110 §15.2",
) -> ResponseEntry:
    return ResponseEntry(
        f"responses.interim.{name}",
        rfc,
        Level.MUST,
        requirement,
        (*actions, Close()),
        (allowed,),
        note=note,
    )


ENTRIES = (
    _entry("status_102", Send(response("HTTP/1.1 102 Processing") + FINAL), note="102"),
    _entry("status_199", Send(response("HTTP/1.1 199 Odd") + FINAL), note="an unregistered 1xx"),
    _entry(
        "continue_many",
        Send(response("HTTP/1.1 100 Continue") * 20 + FINAL),
        note="twenty 100 Continue",
    ),
    _entry(
        "mixed",
        Send(
            response("HTTP/1.1 100 Continue")
            + response("HTTP/1.1 102 Processing")
            + response("HTTP/1.1 103 Early Hints", "Link: </a.css>; rel=preload")
            + FINAL
        ),
        note="100, 102 and 103 before the final response",
    ),
    _entry(
        "with_content_length",
        Send(response("HTTP/1.1 100 Continue", "Content-Length: 5") + FINAL),
        note="a Content-Length on a 1xx frames nothing: the final response follows its head",
        requirement=Definition(NO_CONTENT, PARSE_1XX),
        rfc="RFC 9112 §6.3; RFC 9110 §15.2",
    ),
    _entry(
        "with_chunked",
        Send(response("HTTP/1.1 100 Continue", "Transfer-Encoding: chunked") + FINAL),
        note="a Transfer-Encoding on a 1xx frames nothing either",
        requirement=NO_CONTENT_1XX,
    ),
    _entry(
        "split_reads",
        Send(b"HTTP/1.1 100 Con"),
        Pause(deadlines.SCRIPTED_GAP),
        Send(b"tinue\r\n\r\n"),
        Pause(deadlines.SCRIPTED_GAP),
        Send(FINAL),
        note="the 100 and the final response arrive in three reads",
    ),
    _entry(
        "no_final",
        Send(response("HTTP/1.1 100 Continue")),
        note="a 100, then the close: there is no final response, so no response to report",
        requirement=ONE_FINAL,
        allowed=Outcome((Error(),)),
    ),
)
