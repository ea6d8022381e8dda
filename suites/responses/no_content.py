"""Responses without content at the client: HEAD, 204 and 304 (RFC 9112 §6.3 rule 1, RFC 9110
§9.3.2, §15.3.5, §15.4.5).

Every entry sends a response that "cannot contain a message body" (a HEAD response, a 204, a
304), sometimes with a Content-Length or Transfer-Encoding that does not apply and sometimes
with octets after the head that a server must not send, keeps the connection open and answers
a second ``GET /`` on it with ``next`` (as does any new connection). The first response has no
content, whatever its fields say; the client must not wait for content or the close. Octets
after its head are not part of it: a client may drop them with the connection or read them as
the start of the next response, which then fails, but it "MUST NOT process ... such extra data
as a separate response" (§6.3).
"""

from __future__ import annotations

from harness.cases import Level
from harness.catalogue import chunked_body
from harness.responses import (
    NEXT_CONTENT,
    Answer,
    Error,
    Outcome,
    ResponseEntry,
    kept_alive,
    response,
)

from .sentences import NO_CONTENT

CONTENT = b"hello"
FRAMINGS = {
    "length": ("Content-Length: 5",),
    "chunked": ("Transfer-Encoding: chunked",),
    "no_length": (),
}
STRAY = {"length": CONTENT, "chunked": chunked_body(CONTENT), "no_length": CONTENT}
CODES = {"head": (200, "OK"), "204": (204, "No Content"), "304": (304, "Not Modified")}


def _entry(subject: str, framing: str, stray: bool) -> ResponseEntry:
    status, reason = CODES[subject]
    body = STRAY[framing] if stray else b""
    first = Answer(status, b"")
    then = (Answer(200, NEXT_CONTENT), Error()) if stray else (Answer(200, NEXT_CONTENT),)
    what = f"{'HEAD' if subject == 'head' else subject} response ({framing.replace('_', ' ')})"
    rfc = {"head": "RFC 9110 §9.3.2", "204": "RFC 9110 §15.3.5", "304": "RFC 9110 §15.4.5"}
    return ResponseEntry(
        f"responses.no_content.{subject}_{framing}{'_stray_content' if stray else ''}",
        f"RFC 9112 §6.3; {rfc[subject]}",
        Level.MUST,
        NO_CONTENT,
        allowed=tuple(Outcome((first, second)) for second in then),
        methods=("HEAD" if subject == "head" else "GET", "GET"),
        note=f"a {what} ends with its head"
        + (", and the octets sent after it are no response" if stray else ""),
        **kept_alive(response(f"HTTP/1.1 {status} {reason}", *FRAMINGS[framing], body=body)),
    )


ENTRIES = tuple(
    _entry(subject, framing, stray)
    for subject in CODES
    for framing in FRAMINGS
    for stray in (False, True)
)
