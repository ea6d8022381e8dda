"""Response framing on the wire: RFC 9110 §5.6.7, §6.6.1, §8.6, §9.3.2, §15; RFC 9112 §6.

Every probe is one valid request to a contract route, followed on the connection by
``GET /echo?next``; the runner reads both responses strictly, a response to HEAD (the entry's
``methods``) and a 1xx, 204 or 304 as ending at its header section (RFC 9112 §6.3, rule 1).
Content sent after such a head is therefore read where the next response should begin, and
fails the probe every time, whatever the timing. Each entry allows the status the contract
gives its route, then the follow-up answered (or the connection closed), and, through
``Framed``, only responses whose heads keep the rules every response must keep: no
Content-Length with Transfer-Encoding and neither on a 1xx or 204, no content in a 205, a Date
on each 2xx, 3xx and 4xx, every Date an IMF-fixdate (response_heads.head_problems). The families:
HEAD to each kind of resource; GET of the statuses without content; requests with
``Expect: 100-continue``, whose interim response (a server may send none when it already has
the content, RFC 9110 §10.1.1) carries no content, then the final response as /echo read it;
GET of each framing (length, chunked or close-delimited); and a Date in each status class.
"""

from __future__ import annotations

from harness.cases import Level
from harness.catalogue import After, Entry, Framed, Served, Status, message
from harness.requirements import Definition

CONTENT = b"hello"
HEAD = (
    "The HEAD method is identical to GET except that the server MUST NOT send content in the "
    "response."
)
AT_HEAD = "it ends at its head, so content after it is read where the next response begins"
# What binds a server to a response that ends at its head: no content after it ("A sender MUST
# NOT generate protocol elements that do not match the grammar", RFC 9110 §2.2), and on a 1xx
# or 204 neither framing field (RFC 9110 §8.6, RFC 9112 §6.1).
NO_FRAMING = ("9110-8.6-5", "9112-6.1-7", "9110-2.2-1")
# Each status without content: its RFC sections, sentence, and how content sent with it shows.
NO_CONTENT = {
    204: (
        "RFC 9110 §15.3.5, §8.6; RFC 9112 §6.1",
        Definition(
            "A 204 response is terminated by the end of the header section; it cannot contain "
            "content or trailers.",
            NO_FRAMING,
        ),
        AT_HEAD,
    ),
    205: (
        "RFC 9110 §15.3.6",
        "Since the 205 status code implies that no additional content will be provided, a "
        "server MUST NOT generate content in a 205 response.",
        "it is framed as usual (Content-Length: 0, chunked, or the close), so content sent "
        "with it is read as its own",
    ),
    304: (
        "RFC 9110 §15.4.5",
        Definition(
            "A 304 response is terminated by the end of the header section; it cannot contain "
            "content or trailers.",
            ("9110-2.2-1",),
        ),
        AT_HEAD,
    ),
}
INTERIM = Definition(
    "A 1xx response is terminated by the end of the header section; it cannot contain content "
    "or trailers.",
    NO_FRAMING,
)
BOTH = (
    "A sender MUST NOT send a Content-Length header field in any message that contains a "
    "Transfer-Encoding header field."
)
DATE = (
    "An origin server with a clock (as defined in Section 5.6.7) MUST generate a Date header "
    "field in all 2xx (Successful), 3xx (Redirection), and 4xx (Client Error) responses, and "
    "MAY generate a Date header field in 1xx (Informational) and 5xx (Server Error) responses."
)


def _head(name: str, target: str, code: int = 200) -> Entry:
    """HEAD of ``target``: its GET status, no content."""
    return Entry(
        f"probes.responses.head_{name}",
        "RFC 9110 §9.3.2",
        Level.MUST,
        HEAD,
        message(f"HEAD {target} HTTP/1.1"),
        (Framed(Status((code,), After.NEXT)),),
        f"HEAD {target}: a {code} head and nothing after it but the follow-up's response",
        methods=("HEAD",),
    )


def _no_content(code: int) -> Entry:
    """GET /status/{code}: the status without content."""
    rfc, requirement, note = NO_CONTENT[code]
    return Entry(
        f"probes.responses.status_{code}",
        rfc,
        Level.MUST,
        requirement,
        message(f"GET /status/{code} HTTP/1.1"),
        (Framed(Status((code,), After.NEXT)),),
        f"a {code}: {note}",
    )


def _interim(name: str, request_line: str, content: bytes) -> Entry:
    """``Expect: 100-continue`` with the content sent at once: a 100 (if any) without content,
    then /echo's answer."""
    return Entry(
        f"probes.responses.interim_{name}",
        "RFC 9110 §15.2, §8.6; RFC 9112 §6.1",
        Level.MUST,
        INTERIM,
        message(
            request_line,
            "Expect: 100-continue",
            f"Content-Length: {len(content)}",
            body=content,
        ),
        (Framed(Served(content, method=request_line.split()[0])),),
        "the server may skip the 100 when the content is already there (RFC 9110 §10.1.1); "
        "any interim response it sends has no content, Content-Length or Transfer-Encoding",
    )


def _framing(name: str, target: str) -> Entry:
    """GET of a route framed by length, chunked or the close: never both framing fields."""
    return Entry(
        f"probes.responses.framing_{name}",
        "RFC 9112 §6.2, §6.1",
        Level.MUST,
        BOTH,
        message(f"GET {target} HTTP/1.1"),
        (Framed(Status((200,), After.NEXT)),),
        f"GET {target}: framed by Content-Length, Transfer-Encoding or the close, never two",
    )


def _date(code: int) -> Entry:
    """GET /status/{code}: a Date, an IMF-fixdate, in a 2xx, 3xx or 4xx (and any 5xx's Date)."""
    return Entry(
        f"probes.responses.date_{code}",
        "RFC 9110 §6.6.1, §5.6.7",
        Level.MUST,
        DATE,
        message(f"GET /status/{code} HTTP/1.1"),
        (Framed(Status((code,), After.NEXT)),),
        "every server under test runs on a machine with a clock",
    )


HEAD_ENTRIES = (
    _head("bytes", "/bytes/64"),
    _head("bytes_empty", "/bytes/0"),
    _head("stream", "/stream/64"),
    _head("chunked", "/chunked/64?size=16"),
    _head("echo", "/echo"),
    _head("status_200", "/status/200"),
    _head("status_404", "/status/404", 404),
    _head("not_found", "/responses-not-found", 404),
    _head("close", "/close"),
    _head("status_204", "/status/204", 204),
    _head("status_205", "/status/205", 205),
    _head("status_304", "/status/304", 304),
)
NO_CONTENT_ENTRIES = tuple(_no_content(code) for code in NO_CONTENT)
INTERIM_ENTRIES = (
    _interim("post", "POST /echo HTTP/1.1", CONTENT),
    _interim("put_empty", "PUT /echo HTTP/1.1", b""),
)
FRAMING_ENTRIES = (
    _framing("length", "/bytes/64"),
    _framing("chunked", "/chunked/64?size=16"),
    _framing("chunked_empty", "/chunked/0"),
    _framing("stream", "/stream/64"),
)
DATE_ENTRIES = tuple(_date(code) for code in (200, 301, 404, 500))

ENTRIES = HEAD_ENTRIES + NO_CONTENT_ENTRIES + INTERIM_ENTRIES + FRAMING_ENTRIES + DATE_ENTRIES
