"""Status lines at the client: RFC 9112 §4 (status-line), §2.3 (HTTP-version); RFC 9110 §6.2
(versions), §15 (status codes).

Every entry answers ``GET /`` with a status line spelled some way, ``Content-Length: 5`` and
``hello``, then closes. A valid line gives its status and ``hello``. Where the RFC lets a
recipient recover (whitespace, a bare LF, the reason phrase ignored), the recovered response
and an error are both allowed; what is never allowed is a status the server did not send, or
content framed differently.
"""

from __future__ import annotations

from harness.cases import Level
from harness.requirements import INTERPRET, Definition
from harness.responses import Answer, Error, Outcome, ResponseEntry
from harness.scripted import Close, Send

from .sentences import BARE_LF

CONTENT = b"hello"
REST = b"Content-Length: 5\r\n\r\n" + CONTENT
REFUSED = Outcome((Error(),))
SYNTAX = (
    "Although the status-line grammar rule requires that each of the component elements be "
    "separated by a single SP octet, recipients MAY instead parse on whitespace-delimited word "
    "boundaries and, aside from the line terminator, treat any form of whitespace as the SP "
    "separator while ignoring preceding or trailing whitespace; such whitespace includes one or "
    "more of the following octets: SP, HTAB, VT (%x0B), FF (%x0C), or bare CR."
)
REASON = (
    "A client SHOULD ignore the reason-phrase content because it is not a reliable channel for "
    "information (it might be translated for a given locale, overwritten by intermediaries, or "
    "discarded when the message is forwarded via other versions of HTTP)."
)
INVALID_CODE = (
    "A client that receives a response with an invalid status code SHOULD process the response "
    "as if it had a 5xx (Server Error) status code."
)
CLASS = (
    "However, a client MUST understand the class of any status code, as indicated by the first "
    "digit, and treat an unrecognized status code as being equivalent to the x00 status code "
    "of that class."
)
MINOR = (
    "A recipient that receives a message with a major version number that it implements and a "
    "minor version number higher than what it implements SHOULD process the message as if it "
    "were in the highest minor version within that major version to which the recipient is "
    "conformant."
)
# Definitions of the status line and its version, which a client is bound to as the semantics
# it MUST interpret (RFC 9110 §2.4).
MAJOR = Definition(
    "The first digit (major version) indicates the messaging syntax, whereas the second digit "
    "(minor version) indicates the highest minor version within that major version to which "
    "the sender is conformant (able to understand for future communication).",
    (INTERPRET,),
)
VERSION_CASE = Definition("HTTP-version is case-sensitive.", (INTERPRET,))
GRAMMAR = Definition("status-line = HTTP-version SP status-code SP [ reason-phrase ]", (INTERPRET,))
VERSION = Definition('HTTP-version = HTTP-name "/" DIGIT "." DIGIT', (INTERPRET,))
MESSAGE = Definition(
    "HTTP-message = start-line CRLF *( field-line CRLF ) CRLF [ message-body ]", (INTERPRET,)
)


def _entry(
    name: str,
    line: bytes,
    rfc: str,
    level: Level,
    requirement: str,
    *allowed: Outcome,
    note: str,
    rest: bytes = REST,
) -> ResponseEntry:
    return ResponseEntry(
        f"responses.status_line.{name}",
        rfc,
        level,
        requirement,
        (Send(line + rest), Close()),
        allowed,
        note=note,
    )


def _status(code: int) -> Outcome:
    return Outcome((Answer(code, CONTENT),))


def _recoverable(
    name: str, line: bytes, note: str, requirement: str = SYNTAX, level: Level = Level.MAY
) -> ResponseEntry:
    """An invalid line a recipient may read as ``200``: that, or an error."""
    return _entry(name, line, "RFC 9112 §4", level, requirement, _status(200), REFUSED, note=note)


def _invalid_code(name: str, code: bytes, note: str) -> ResponseEntry:
    """A three-digit code outside 100..599: processed as 500 (the x00 of the 5xx class, as an
    unrecognized code is), or an error; never the code itself."""
    return _entry(
        name,
        b"HTTP/1.1 " + code + b" Odd\r\n",
        "RFC 9110 §15",
        Level.SHOULD,
        INVALID_CODE,
        _status(500),
        REFUSED,
        note=note,
    )


ENTRIES = (
    _entry(
        "empty_reason",
        b"HTTP/1.1 200 \r\n",
        "RFC 9112 §4",
        Level.MUST,
        GRAMMAR,
        _status(200),
        note="the reason-phrase is optional, its SP is not: valid",
    ),
    _recoverable("no_reason_no_space", b"HTTP/1.1 200\r\n", "the SP before the reason is missing"),
    _recoverable("double_space", b"HTTP/1.1  200 OK\r\n", "two SP between version and code"),
    _recoverable("tab_separator", b"HTTP/1.1\t200\tOK\r\n", "HTAB instead of SP"),
    _recoverable("leading_space", b" HTTP/1.1 200 OK\r\n", "whitespace before the version"),
    _recoverable("bare_lf", b"HTTP/1.1 200 OK\n", "the status line ends in a bare LF", BARE_LF),
    _entry(
        "bare_lf_everywhere",
        b"HTTP/1.1 200 OK\n",
        "RFC 9112 §2.2",
        Level.MAY,
        BARE_LF,
        _status(200),
        REFUSED,
        note="every line of the head ends in a bare LF",
        rest=b"Content-Length: 5\n\n" + CONTENT,
    ),
    _entry(
        "reason_obs_text",
        b"HTTP/1.1 200 \xc4\xe9j\xe0 vu\r\n",
        "RFC 9112 §4",
        Level.SHOULD,
        REASON,
        _status(200),
        note="reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ): valid, and ignored",
    ),
    _entry(
        "reason_long",
        b"HTTP/1.1 200 " + b"O" * 65_536 + b"\r\n",
        "RFC 9112 §4",
        Level.SHOULD,
        REASON,
        _status(200),
        REFUSED,
        note="a 64 KiB reason-phrase: ignored, or refused as longer than the client reads; "
        "never another status or other content",
    ),
    _entry(
        "reason_nul",
        b"HTTP/1.1 200 O\x00K\r\n",
        "RFC 9112 §4",
        Level.SHOULD,
        REASON,
        _status(200),
        REFUSED,
        note="NUL is not allowed in a reason-phrase: ignored with it, or refused",
    ),
    _entry(
        "unrecognized_299",
        b"HTTP/1.1 299 Odd\r\n",
        "RFC 9110 §15",
        Level.MUST,
        CLASS,
        _status(299),
        _status(200),
        note="an unregistered 2xx is a 2xx: reported as 299 or as 200, with its content",
    ),
    _invalid_code("code_099", b"099", "099 is outside 100..599"),
    _invalid_code("code_600", b"600", "600 is outside 100..599"),
    _invalid_code("code_999", b"999", "999 is outside 100..599"),
    _entry(
        "code_four_digits",
        b"HTTP/1.1 2000 OK\r\n",
        "RFC 9112 §4",
        Level.MUST,
        GRAMMAR,
        REFUSED,
        note="status-code = 3DIGIT: there is no code to recover from '2000' (a client that "
        "reports 200 has dropped a digit)",
    ),
    _entry(
        "code_two_digits",
        b"HTTP/1.1 20 OK\r\n",
        "RFC 9112 §4",
        Level.MUST,
        GRAMMAR,
        REFUSED,
        note="status-code = 3DIGIT: '20' is none",
    ),
    _entry(
        "code_signed",
        b"HTTP/1.1 +200 OK\r\n",
        "RFC 9112 §4",
        Level.MUST,
        GRAMMAR,
        REFUSED,
        note="status-code = 3DIGIT: '+200' is int()'s, not a status code",
    ),
    _entry(
        "minor_version_higher",
        b"HTTP/1.2 200 OK\r\n",
        "RFC 9110 §6.2",
        Level.SHOULD,
        MINOR,
        _status(200),
        note="HTTP/1.2 is read as HTTP/1.1",
    ),
    _entry(
        "http10",
        b"HTTP/1.0 200 OK\r\n",
        "RFC 9110 §6.2",
        Level.MUST,
        MAJOR,
        _status(200),
        note="an HTTP/1.0 response framed by Content-Length",
    ),
    _entry(
        "major_version_2",
        b"HTTP/2.0 200 OK\r\n",
        "RFC 9110 §6.2; RFC 9112 §2.3",
        Level.SHOULD,
        MAJOR,
        REFUSED,
        note="major version 2 has another messaging syntax: this is not an HTTP/1.1 response",
    ),
    _entry(
        "major_version_0",
        b"HTTP/0.9 200 OK\r\n",
        "RFC 9110 §6.2; RFC 9112 §2.3",
        Level.SHOULD,
        MAJOR,
        REFUSED,
        note="HTTP/0.9 had no status line: a line claiming it is no HTTP/1.x response",
    ),
    _entry(
        "version_lower_case",
        b"http/1.1 200 OK\r\n",
        "RFC 9112 §2.3",
        Level.MUST,
        VERSION_CASE,
        REFUSED,
        note="HTTP-name = %s\"HTTP\": 'http' is not it",
    ),
    _entry(
        "version_two_digit_minor",
        b"HTTP/1.10 200 OK\r\n",
        "RFC 9112 §2.3",
        Level.MUST,
        VERSION,
        REFUSED,
        note="one DIGIT each side of the dot: '1.10' is no version (and not 1.1)",
    ),
    # RFC 9110 §2.4 lets a recipient "recover a usable protocol element from an invalid
    # construct", but neither of these holds a status code to recover: one reported is made up.
    _entry(
        "code_letters",
        b"HTTP/1.1 abc Not a status\r\n",
        "RFC 9112 §4",
        Level.SHOULD,
        GRAMMAR,
        REFUSED,
        note="status-code = 3DIGIT: 'abc' is none",
    ),
    _entry(
        "no_status_line",
        b"",
        "RFC 9112 §2.1, §4",
        Level.SHOULD,
        MESSAGE,
        REFUSED,
        note="HTTP/0.9's bare content is no HTTP/1.1 message; taken as a 200 it would "
        "present a status no server sent",
        rest=b"<html>no status line</html>\r\n",
    ),
)
