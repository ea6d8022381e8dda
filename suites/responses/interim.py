"""Interim (1xx) responses at the client: RFC 9110 §15.2, RFC 9112 §6.3 rule 1.

Every entry sends one or more 1xx responses and then the final ``200`` with ``hello`` (or no
final response at all), and closes. A client "MUST be able to parse one or more 1xx responses
received prior to a final response, even if the client does not expect one"; a 1xx ends with
its head whatever its fields say.
"""

from __future__ import annotations

from harness import deadlines
from harness.cases import Level
from harness.catalogue import chunked_body
from harness.requirements import INTERPRET, Definition
from harness.responses import (
    NEXT_CONTENT,
    Answer,
    Error,
    Outcome,
    ResponseEntry,
    kept_alive,
    response,
)
from harness.scripted import Close, Pause, Send

from .sentences import DECODE_CHUNKED, NO_CONTENT

FINAL = response("HTTP/1.1 200 OK", "Content-Length: 5", body=b"hello")
FINAL_ONLY = Outcome((Answer(200, b"hello"),))
# A client may refuse an interim head larger than it reads (the probe catalogue's limits):
# what it must not do is take the 1xx, or its fields, for the final response.
REFUSED = Outcome((Error(),))
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
    refusable: bool = False,
) -> ResponseEntry:
    return ResponseEntry(
        f"responses.interim.{name}",
        rfc,
        Level.MUST,
        requirement,
        (*actions, Close()),
        (allowed, REFUSED) if refusable else (allowed,),
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
    _entry(
        "then_chunked",
        Send(
            response("HTTP/1.1 103 Early Hints", "Link: </a.css>; rel=preload")
            + response("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", body=chunked_body(b"hello"))
        ),
        note="a 103, then a chunked final response: decoded as any other",
        requirement=DECODE_CHUNKED,
        rfc="RFC 9110 §15.2; RFC 9112 §7.1",
    ),
    _entry(
        "reason_long",
        Send(response("HTTP/1.1 100 " + "c" * 16_000) + FINAL),
        note="a 100 with a 16 000-octet reason-phrase: skipped, or refused as longer than the "
        "client reads; never the final response",
        refusable=True,
    ),
    _entry(
        "many_fields",
        Send(
            response(
                "HTTP/1.1 103 Early Hints", *(f"Link: </{i}.css>; rel=preload" for i in range(500))
            )
            + FINAL
        ),
        note="a 103 with 500 Link fields before the final response: skipped, or refused as "
        "larger than the client reads",
        refusable=True,
    ),
    ResponseEntry(
        "responses.interim.kept_alive",
        "RFC 9110 §15.2",
        Level.MUST,
        PARSE,
        allowed=(Outcome((Answer(200, b"hello"), Answer(200, NEXT_CONTENT))),),
        methods=("GET", "GET"),
        note="a 100, the final response, then a second request: the 1xx takes nothing of the "
        "connection's next response, on this connection or a new one",
        **kept_alive(response("HTTP/1.1 100 Continue") + FINAL),
    ),
    ResponseEntry(
        "responses.interim.then_204_kept_alive",
        "RFC 9112 §6.3; RFC 9110 §15.3.5",
        Level.MUST,
        NO_CONTENT,
        allowed=(Outcome((Answer(204, b""), Answer(200, NEXT_CONTENT))),),
        methods=("GET", "GET"),
        note="a 102, then a 204 that ends with its head, then a second request",
        **kept_alive(response("HTTP/1.1 102 Processing") + response("HTTP/1.1 204 No Content")),
    ),
    _entry(
        "continue_twice",
        Send(response("HTTP/1.1 100 Continue") * 2 + FINAL),
        note="two unsolicited 100 Continue",
    ),
    _entry(
        "early_hints",
        Send(
            response("HTTP/1.1 103 Early Hints", "Link: </style.css>; rel=preload; as=style")
            + FINAL
        ),
        note="a 103 Early Hints (RFC 8297) carrying a Link field",
    ),
)
