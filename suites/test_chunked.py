"""Chunked suite: the chunked transfer coding (RFC 9112 §7.1) and the framing rules around it,
Transfer-Encoding (§6.1), the length of a message body (§6.3) and incomplete messages (§8).

- Interop cells: chunked responses (docs/contract.md ``/stream/{n}``, ``/chunked/{n}?size=k``)
  through every client, and chunked request content (a RequestSpec whose body is an
  iterator) to every server's ``/echo``.
- Server probes: request bodies crafted byte for byte, each followed by a pipelined GET that
  shows where the server thinks the chunked body ended.

Malformed chunked responses at clients are entries of the response catalogue
(suites/responses/), where the cases this suite held (``chunked.response.size_*`` and the like)
went under ``responses.*`` ids.

Two Hypothesis properties check that any body, cut into chunks anywhere, survives: requests
through every server x client pair, responses through every client.
"""

from __future__ import annotations

import gzip
import itertools
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from hypothesis import Phase, given, note, settings
from hypothesis import strategies as st

from harness import contract, deadlines
from harness.cases import Case, CheckFailed, Level, define_tests
from harness.cells import SCRIPTED_TIMEOUTS, Conversation, ScriptedClient
from harness.errors import ClientError
from harness.implementation import Capability
from harness.model import Headers, RequestSpec
from harness.probe import Ending, ProbeResult, Response, ServerProbe, request
from harness.requirements import INTERPRET
from harness.scripted import Close, ScriptedServer, Send

MUST, SHOULD = Level.MUST, Level.SHOULD

CHUNKED: Headers = [("Transfer-Encoding", "chunked")]
LAST_CHUNK = b"0\r\n\r\n"  # last-chunk and the empty trailer section (RFC 9112 §7.1)
FOLLOW_UP = "/echo?after-chunked"  # the request sent after chunked content, on the same connection
LETTERS = b"abcdefghijklmnopqrstuvwxyz"  # 26 octets: chunk size 1a


def chunk(data: bytes, size: str | None = None) -> bytes:
    """One chunk (RFC 9112 §7.1): its size line (lower-case hex, or ``size`` verbatim, which
    may carry extensions), the data and CRLF."""
    line = f"{len(data):x}" if size is None else size
    return line.encode("ascii") + b"\r\n" + data + b"\r\n"


def chunked(pieces: Iterable[bytes]) -> bytes:
    """``pieces`` as a chunked body, one chunk each; empty pieces are left out, since a chunk of
    size zero would end the body (as http.client and urllib3 leave them out too)."""
    return b"".join(chunk(piece) for piece in pieces if piece) + LAST_CHUNK


# --- Interop: chunked responses through every client --------------------------------------


def _expect_chunked_response(case: Case, conversation: Conversation, target: str, n: int) -> None:
    """GET ``target``, a contract route that answers with the ``n`` bytes of /bytes/{n} as a
    body of unknown length, and check that the client hands over exactly those bytes."""
    try:
        exchange = conversation.send(RequestSpec("GET", target))
    except ClientError as exc:
        raise case.failure(f"the {n} bytes of GET {target}", f"client error {exc}") from exc
    case.expect(f"status of GET {target}", 200, exchange.status)
    codings = exchange.header_values("Transfer-Encoding")
    if "chunked" not in ",".join(codings).lower():
        # The case requires CHUNKED_RESPONSE: this server frames a body of unknown length with
        # the chunked coding (docs/contract.md), and without it the cell would test nothing.
        raise CheckFailed(
            f"expected a chunked response to GET {target} (docs/contract.md, GET /stream/{{n}}), "
            f"got Transfer-Encoding {codings}"
        )
    case.expect(f"length of the content of GET {target}", n, len(exchange.body))
    case.expect_that(
        exchange.body == contract.deterministic_bytes(n),
        f"the {n} bytes of /bytes/{n}, byte for byte",
        "different bytes",
    )


RESPONSE_EMPTY = Case(
    "chunked.response.empty",
    "RFC 9112 §7.1",
    MUST,
    "A chunked response with no content (the last chunk alone) arrives empty",
    requires=(Capability.CHUNKED_RESPONSE,),
    requirement_ids=("9112-7.1-2",),
)


@RESPONSE_EMPTY
def test_empty_chunked_response(interop: Conversation) -> None:
    _expect_chunked_response(RESPONSE_EMPTY, interop, "/stream/0", 0)


RESPONSE_ONE_BYTE = Case(
    "chunked.response.one_byte",
    "RFC 9112 §7.1",
    MUST,
    "A chunked response of one byte arrives intact",
    requires=(Capability.CHUNKED_RESPONSE,),
    requirement_ids=("9112-7.1-2",),
)


@RESPONSE_ONE_BYTE
def test_one_byte_chunked_response(interop: Conversation) -> None:
    _expect_chunked_response(RESPONSE_ONE_BYTE, interop, "/stream/1", 1)


RESPONSE_TINY_CHUNKS = Case(
    "chunked.response.tiny_chunks",
    "RFC 9112 §7.1",
    MUST,
    "A response in 2000 chunks of one byte arrives as the 2000 bytes",
    requires=(Capability.CHUNKED_RESPONSE,),
    requirement_ids=("9112-7.1-2",),
)


@RESPONSE_TINY_CHUNKS
def test_tiny_chunks_response(interop: Conversation) -> None:
    _expect_chunked_response(RESPONSE_TINY_CHUNKS, interop, "/chunked/2000?size=1", 2000)


RESPONSE_LARGE = Case(
    "chunked.response.large",
    "RFC 9112 §7.1",
    MUST,
    "A 1 MiB chunked response in 256 KiB chunks arrives intact",
    requires=(Capability.CHUNKED_RESPONSE,),
    requirement_ids=("9112-7.1-2",),
)


@RESPONSE_LARGE
def test_large_chunked_response(interop: Conversation) -> None:
    _expect_chunked_response(RESPONSE_LARGE, interop, "/chunked/1048576?size=262144", 1048576)


# --- Interop: chunked request content to every server --------------------------------------


def _echo(body: bytes) -> contract.Echo:
    try:
        return contract.parse_echo(body)
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckFailed(
            f"expected /echo's JSON document (docs/contract.md), got {body[:200]!r} ({exc})"
        ) from None


def _is_follow_up(status: int, body: bytes) -> bool:
    """Whether a response is /echo's answer to the GET of FOLLOW_UP."""
    try:
        return status == 200 and contract.parse_echo(body).target == FOLLOW_UP
    except (ValueError, KeyError, TypeError):
        return False


def _expect_chunked_request(
    case: Case, conversation: Conversation, pieces: Sequence[bytes]
) -> None:
    """POST ``pieces`` as chunked content to /echo; check what arrived, then that the next
    request is read from the first byte after the chunked body."""
    content = b"".join(pieces)
    try:
        exchange = conversation.send(RequestSpec("POST", "/echo", body=iter(pieces)))
    except ClientError as exc:
        # A server that does not decode chunked content answers before the chunks are sent and
        # then refuses them as a request: the client meets a reset while sending.
        raise case.failure("the chunked content to arrive at /echo", f"client error {exc}") from exc
    # RFC 9112 §6.3: a server MAY refuse content without Content-Length with 411 (Length
    # Required); it must still find the end of the body, which the next request shows.
    if exchange.status != 411:
        case.expect("status of POST /echo with chunked content", 200, exchange.status)
        echo = _echo(exchange.body)
        if "chunked" not in ",".join(echo.header_values("Transfer-Encoding")).lower():
            # Who lost the chunked coding, the client or the server's record of it, is for
            # the blame (harness/blame.py) to tell from what the client sent.
            raise case.failure(
                "/echo to show the chunked coding the streamed content is sent with "
                "(Transfer-Encoding: chunked)",
                f"the fields {echo.headers}",
            )
        case.expect("length of the content at /echo", len(content), len(echo.body))
        case.expect_that(
            echo.body == content, "the content at /echo byte for byte", "different bytes"
        )
    try:
        follow = conversation.send(RequestSpec("GET", FOLLOW_UP))
    except ClientError as exc:
        raise case.failure(
            f"the next request, GET {FOLLOW_UP}, answered", f"client error {exc}"
        ) from exc
    case.expect_that(
        _is_follow_up(follow.status, follow.body),
        f"the next request, GET {FOLLOW_UP}, answered by /echo",
        f"{follow.status} {follow.body[:80]!r}",
    )


REQUEST_BODY = Case(
    "chunked.request.body",
    "RFC 9112 §6.1, §7.1",
    MUST,
    "Chunked request content arrives intact at /echo, and the next request works",
    # /echo must show that the client sent the content chunked, or a pass proves nothing.
    requires=(Capability.ECHOES_FRAMING, Capability.CHUNKED_REQUEST),
    requirement_ids=("9112-7.1-2",),
)


@REQUEST_BODY
def test_chunked_request_body(interop: Conversation) -> None:
    pieces = [b"h", b"ello, ", contract.deterministic_bytes(65536), b"!"]
    _expect_chunked_request(REQUEST_BODY, interop, pieces)


# --- Server probes: crafted chunked request bodies -----------------------------------------


def _post(
    probe: ServerProbe, body: bytes, *, headers: Headers = CHUNKED, version: str = "HTTP/1.1"
) -> ProbeResult:
    """POST ``body`` to /echo with ``headers``, and GET FOLLOW_UP pipelined right after it: a
    server that finds the end of the body answers that GET (or closes the connection first)."""
    post = probe.request("POST", "/echo", headers=headers, body=body, version=version)
    return probe.send(
        post + probe.request("GET", FOLLOW_UP), responses=2, idle_timeout=deadlines.PROBE_QUIET
    )


def _first(case: Case, result: ProbeResult) -> Response:
    if not result.final:
        raise case.failure("a response from /echo", result.describe())
    return result.final[0]


def _expect_nothing_misread(case: Case, result: ProbeResult, expected: str) -> None:
    """At most one response: nothing after the request was answered as another one."""
    case.expect_that(len(result.final) <= 1 and not result.malformed, expected, result.describe())


def _expect_decoded(case: Case, result: ProbeResult, content: bytes) -> contract.Echo | None:
    """/echo answered 200 with ``content`` decoded (or 411, which RFC 9112 §6.3 allows), and
    what follows the chunked body was read as the pipelined GET."""
    first = _first(case, result)
    echo = None
    if first.status != 411:
        case.expect("status from /echo", 200, first.status)
        echo = _echo(first.body)
        case.expect("the decoded content", content, echo.body)
    rest = result.final[1:]
    case.expect_that(
        not result.malformed
        and len(rest) <= 1
        and all(_is_follow_up(r.status, r.body) for r in rest),
        f"the bytes after the chunked body read as the pipelined GET {FOLLOW_UP} "
        "(answered, or the connection closed first)",
        result.describe(),
    )
    return echo


@dataclass(frozen=True)
class Decoded:
    """A valid chunked request body, and the content it decodes to."""

    test: str
    case: Case
    body: bytes
    content: bytes


DECODED = [
    # "A recipient MUST ignore unrecognized chunk extensions."
    Decoded(
        "test_chunk_extensions_are_ignored",
        Case(
            "chunked.request.extensions",
            "RFC 9112 §7.1.1",
            MUST,
            "Chunk extensions (name=value, a bare name, a quoted value) are ignored",
            requirement_ids=("9112-7.1.1-1",),
        ),
        chunk(b"hello", "5;name=value") + chunk(b" world", "6;flag") + b'0;q="1;2"\r\n\r\n',
        b"hello world",
    ),
    # chunk-size = 1*HEXDIG, and ABNF strings (the HEXDIG letters) are case-insensitive.
    Decoded(
        "test_uppercase_chunk_size",
        Case(
            "chunked.request.size_uppercase",
            "RFC 9112 §7.1, RFC 5234 §2.3",
            MUST,
            "An upper-case hex chunk size (1A) is decoded",
            requirement_ids=("9112-7.1-2",),
        ),
        chunk(LETTERS, "1A") + LAST_CHUNK,
        LETTERS,
    ),
    Decoded(
        "test_lowercase_chunk_size",
        Case(
            "chunked.request.size_lowercase",
            "RFC 9112 §7.1, RFC 5234 §2.3",
            MUST,
            "A lower-case hex chunk size (1a) is decoded",
            requirement_ids=("9112-7.1-2",),
        ),
        chunk(LETTERS, "1a") + LAST_CHUNK,
        LETTERS,
    ),
    # chunk-size = 1*HEXDIG and last-chunk = 1*("0"): any number of leading zeros.
    Decoded(
        "test_leading_zeros_in_chunk_size",
        Case(
            "chunked.request.leading_zeros",
            "RFC 9112 §7.1",
            MUST,
            "Chunk sizes with leading zeros (0005, and 000 for the last chunk) are decoded",
            requirement_ids=("9112-7.1-2",),
        ),
        chunk(b"hello", "0005") + b"000\r\n\r\n",
        b"hello",
    ),
]


def _decoded_test(row: Decoded) -> Callable[[ServerProbe], None]:
    def test(server_probe: ServerProbe) -> None:
        _expect_decoded(row.case, _post(server_probe, row.body), row.content)

    return test


define_tests(globals(), DECODED, _decoded_test)


TRAILER = Case(
    "chunked.request.trailer",
    "RFC 9112 §7.1.2",
    MUST,
    "A trailer section is read, and its fields are not merged into the header fields",
    requirement_ids=(
        "9112-7.1.2-2",
        "9112-7.1.2-3",
    ),
)


@TRAILER
def test_trailer_section_is_read(server_probe: ServerProbe) -> None:
    body = chunk(b"hello") + b"0\r\nX-Interop-Trailer: sum\r\n\r\n"
    echo = _expect_decoded(TRAILER, _post(server_probe, body), b"hello")
    if echo is not None:
        # "A recipient MUST NOT merge a received trailer field into the header section unless
        # its corresponding header field definition explicitly permits" it: an unknown field's
        # definition cannot.
        TRAILER.expect(
            "no X-Interop-Trailer among the header fields",
            [],
            echo.header_values("X-Interop-Trailer"),
        )


def _expect_invalid_size_refused(case: Case, probe: ServerProbe, size: str) -> None:
    result = _post(probe, chunk(b"hello", size) + LAST_CHUNK)
    # A decoder that follows the grammar fails on this size line, so the request cannot have
    # been processed: a 2xx means the server read a chunk size the grammar does not allow.
    case.expect_that(
        not any(200 <= r.status < 300 for r in result.final),
        f"no 2xx: chunk size {size!r} is not 1*HEXDIG, so the content cannot be decoded",
        result.describe(),
    )
    # After a framing error the server cannot know where the next request starts.
    _expect_nothing_misread(
        case, result, f"nothing after chunk size {size!r} answered as a request"
    )


@dataclass(frozen=True)
class InvalidSize:
    """A chunk size line that is not 1*HEXDIG."""

    test: str
    case: Case
    size: str


def _invalid_size(test: str, name: str, size: str) -> InvalidSize:
    requirement = (
        f"A chunk size {size!r} is not decoded: no 2xx, nothing after it read as a request"
    )
    # The chunk-size grammar, which a recipient MUST decode (RFC 9112 §7.1) by the semantics
    # it defines (RFC 9110 §2.4).
    ids = ("9112-7.1-2", INTERPRET)
    case = Case(f"chunked.request.{name}", "RFC 9112 §7.1", MUST, requirement, requirement_ids=ids)
    return InvalidSize(test, case, size)


# Python's int(x, 16) takes the first three (as 5, 5, -5).
INVALID_SIZE_ROWS = [
    _invalid_size("test_hex_prefix_chunk_size_is_refused", "size_hex_prefix", "0x5"),
    _invalid_size("test_plus_sign_chunk_size_is_refused", "size_plus_sign", "+5"),
    _invalid_size("test_negative_chunk_size_is_refused", "size_negative", "-5"),
    _invalid_size("test_non_hex_chunk_size_is_refused", "size_non_hex", "5g"),
]
INVALID_SIZES = tuple(row.size for row in INVALID_SIZE_ROWS)


def _invalid_size_test(row: InvalidSize) -> Callable[[ServerProbe], None]:
    def test(server_probe: ServerProbe) -> None:
        _expect_invalid_size_refused(row.case, server_probe, row.size)

    return test


define_tests(globals(), INVALID_SIZE_ROWS, _invalid_size_test)


SIZE_OVERFLOW = Case(
    "chunked.request.size_overflow",
    "RFC 9112 §7.1",
    MUST,
    "A chunk size beyond 64 bits is not wrapped: no 2xx, nothing after it read as a request",
    requirement_ids=("9112-7.1-3",),
)
# 2**72 + 5: a decoder that keeps the size in 64 bits reads it as 5 and decodes "hello".
OVERFLOW_SIZE = "1" + "0" * 17 + "5"
# A decoder that takes the size at its word waits for more content than will ever come;
# that silence is conforming, so the probe waits this long and then resets the connection
# (a reset, not a close: a server still reading must see an error, not the end of data).
OVERFLOW_WAIT = 1.0 * deadlines.SCALE


@SIZE_OVERFLOW
def test_overflowing_chunk_size_is_refused(server_probe: ServerProbe) -> None:
    # RFC 9112 §7.1: "Recipients MUST anticipate potentially large hexadecimal numerals and
    # prevent parsing errors due to integer conversion overflows or precision loss".
    post = server_probe.request(
        "POST", "/echo", headers=CHUNKED, body=chunk(b"hello", OVERFLOW_SIZE) + LAST_CHUNK
    )
    result = server_probe.send(
        post + server_probe.request("GET", FOLLOW_UP),
        responses=2,
        idle_timeout=OVERFLOW_WAIT,
        abort=True,
    )
    SIZE_OVERFLOW.expect_that(
        not any(200 <= r.status < 300 for r in result.final),
        f"no 2xx: chunk size {OVERFLOW_SIZE} is 2**72 + 5, not 5",
        result.describe(),
    )
    _expect_nothing_misread(
        SIZE_OVERFLOW, result, "nothing after the overflowing chunk answered as a request"
    )


INVALID_SIZE_400 = Case(
    "chunked.request.invalid_size_400",
    "RFC 9112 §2.2, §7.1",
    SHOULD,
    "A chunk size that is not 1*HEXDIG (0x5, +5, -5, 5g) is answered with 400",
    requirement_ids=("9112-2.2-10",),
)


@INVALID_SIZE_400
def test_invalid_chunk_size_gets_400(server_probe: ServerProbe) -> None:
    # §2.2: a server that receives octets that do not match the HTTP-message grammar "SHOULD
    # respond with a 400 (Bad Request) response".
    for size in INVALID_SIZES:
        result = _post(server_probe, chunk(b"hello", size) + LAST_CHUNK)
        status = result.final[0].status if result.final else result.describe()
        INVALID_SIZE_400.expect(f"status for chunk size {size!r}", 400, status)


MISSING_FINAL_CRLF = Case(
    "chunked.request.missing_final_crlf",
    "RFC 9112 §7.1",
    MUST,
    "Without the final CRLF, the request line after the last chunk is not served as a request",
    requirement_ids=("9112-7.1-2",),
)


@MISSING_FINAL_CRLF
def test_missing_final_crlf(server_probe: ServerProbe) -> None:
    # chunked-body = *chunk last-chunk trailer-section CRLF: what follows "0\r\n" is the trailer
    # section, so the pipelined GET's request line is an (invalid) trailer field line there.
    result = _post(server_probe, chunk(b"hello") + b"0\r\n")
    if result.final and 200 <= result.final[0].status < 300:
        MISSING_FINAL_CRLF.expect(
            "the content of a 2xx answer", b"hello", _echo(result.final[0].body).body
        )
    _expect_nothing_misread(
        MISSING_FINAL_CRLF,
        result,
        f"the GET {FOLLOW_UP} after the last chunk not answered as a request",
    )


TE_AND_CONTENT_LENGTH = Case(
    "chunked.request.te_and_content_length",
    "RFC 9112 §6.1, §6.3",
    MUST,
    "Transfer-Encoding with Content-Length: refused or read as chunked, then the connection closed",
    requirement_ids=(
        "9112-6.1-12",
        "9112-6.1-13",
    ),
)


@TE_AND_CONTENT_LENGTH
def test_transfer_encoding_with_content_length(server_probe: ServerProbe) -> None:
    # §6.3 rule 3: "the Transfer-Encoding overrides the Content-Length". §6.1: "A server MAY
    # reject a request that contains both ... or process such a request in accordance with the
    # Transfer-Encoding alone. Regardless, the server MUST close the connection after
    # responding to such a request."
    headers = [*CHUNKED, ("Content-Length", "3")]
    result = _post(server_probe, chunked([b"hello"]), headers=headers)
    first = _first(TE_AND_CONTENT_LENGTH, result)
    if 200 <= first.status < 300:
        TE_AND_CONTENT_LENGTH.expect(
            "the content framed by Transfer-Encoding, not Content-Length: 3",
            b"hello",
            _echo(first.body).body,
        )
    TE_AND_CONTENT_LENGTH.expect_that(
        len(result.final) == 1
        and not result.malformed
        and result.ending in (Ending.CLOSED, Ending.RESET),
        f"the connection closed after the response, the pipelined GET {FOLLOW_UP} unanswered",
        result.describe(),
    )


UNKNOWN_CODING = Case(
    "chunked.request.unknown_coding",
    "RFC 9112 §6.1",
    SHOULD,
    "'Transfer-Encoding: gzip, chunked' gets 501 from a server without gzip (or is decoded)",
    requirement_ids=("9112-6.1-9",),
)


@UNKNOWN_CODING
def test_unknown_transfer_coding(server_probe: ServerProbe) -> None:
    # "A server that receives a request message with a transfer coding it does not understand
    # SHOULD respond with 501 (Not Implemented)." The content really is gzip, so a server that
    # implements the coding passes by decoding it.
    headers = [("Transfer-Encoding", "gzip, chunked")]
    result = _post(server_probe, chunked([gzip.compress(b"hello", mtime=0)]), headers=headers)
    first = _first(UNKNOWN_CODING, result)
    decoded = first.status == 200 and _echo(first.body).body == b"hello"
    UNKNOWN_CODING.expect_that(
        first.status == 501 or decoded,
        "501, or 200 with the gzip coding removed (content 'hello')",
        f"{first.status} {first.reason}, content {first.body[:120]!r}",
    )


HTTP10 = Case(
    "chunked.request.http10",
    "RFC 9112 §6.1",
    MUST,
    "An HTTP/1.0 request with Transfer-Encoding is faulty framing: connection closed after it",
    requirement_ids=("9112-6.1-14",),
)


@HTTP10
def test_http10_request_with_transfer_encoding(server_probe: ServerProbe) -> None:
    # "A server or client that receives an HTTP/1.0 message containing a Transfer-Encoding
    # header field MUST treat the message as if the framing is faulty, even if a Content-Length
    # is present, and close the connection after processing the message." Keep-alive asks for
    # the connection to stay open, so only that rule closes it.
    headers = [("Connection", "keep-alive"), *CHUNKED]
    result = _post(server_probe, chunked([b"hello"]), headers=headers, version="HTTP/1.0")
    HTTP10.expect_that(
        len(result.final) <= 1
        and not result.malformed
        and result.ending in (Ending.CLOSED, Ending.RESET),
        f"the connection closed after the response, the pipelined GET {FOLLOW_UP} unanswered",
        result.describe(),
    )


# --- Properties: any body, cut anywhere ----------------------------------------------------
#
# Each property runs Hypothesis inside the cell's test (the cell's fixture lives across the
# examples), so Hypothesis's pytest plugin leaves the test alone. For a failing @given test it
# would write a patch file under .hypothesis/, even for a known deviation, and import libcst
# to do so, whose DeprecationWarning filterwarnings=error turns into an INTERNALERROR.

MAX_BODY = 256 * 1024
MAX_CUTS = 24
PROPERTY = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same examples on every run, so a verdict does not flicker
    database=None,
    report_multiple_bugs=False,  # one falsifying example, raised as the case's CheckFailed
    # Shrinking gives the smallest failing bytes; the explain phase after it would run the
    # test hundreds of times more to annotate them.
    phases=(Phase.explicit, Phase.generate, Phase.shrink),
)


@dataclass(frozen=True)
class Split:
    """``size`` random bytes (from ``random.Random(seed)``) cut at ``cuts``: pieces may be
    empty. Drawn this way, a body up to MAX_BODY shrinks to the smallest one that fails."""

    size: int
    seed: int
    cuts: tuple[int, ...]

    @property
    def body(self) -> bytes:
        return random.Random(self.seed).randbytes(self.size)

    @property
    def pieces(self) -> list[bytes]:
        body = self.body
        bounds = [0, *self.cuts, self.size]
        return [body[start:end] for start, end in itertools.pairwise(bounds)]


@st.composite
def splits(draw: st.DrawFn) -> Split:
    # As many small bodies (down to empty) as large ones (up to MAX_BODY).
    size = draw(st.one_of(st.integers(0, 1024), st.integers(1025, MAX_BODY)))
    seed = draw(st.integers(0, 2**32 - 1))
    cuts = draw(st.lists(st.integers(0, size), max_size=MAX_CUTS))
    return Split(size, seed, tuple(sorted(cuts)))


REQUEST_ANY_SPLIT = Case(
    "chunked.request.any_split",
    "RFC 9112 §6.1, §7.1",
    MUST,
    "Any body up to 256 KiB, cut into chunks anywhere, arrives intact at /echo",
    requires=(Capability.ECHOES_FRAMING, Capability.CHUNKED_REQUEST),
    requirement_ids=("9112-7.1-2",),
)


@REQUEST_ANY_SPLIT
def test_request_any_split(interop: Conversation) -> None:
    @PROPERTY
    @given(split=splits())
    def arrives_intact(split: Split) -> None:
        # The clients send one chunk per non-empty piece: these bytes replay the request with
        # the probe, ServerProbe(target).send(<bytes>).
        host = interop.target.authority
        replay = request("POST", "/echo", host=host, headers=CHUNKED, body=chunked(split.pieces))
        note(f"request bytes: {replay!r}")
        # A fresh connection per example, so that what one example left on a connection
        # cannot decide the next one's verdict.
        interop.client.close()
        try:
            _expect_chunked_request(REQUEST_ANY_SPLIT, interop, split.pieces)
        except CheckFailed as failure:
            verdict = str(failure)
        else:
            return
        # A server that does not decode chunked content fails in racy ways (a reset while the
        # client sends, or an empty echo): one raise site is one failure for Hypothesis to
        # shrink, where several would make it call the example flaky.
        raise CheckFailed(verdict)

    arrives_intact()


# Valid ways to write a chunk's size line, and the end of the body (RFC 9112 §7.1, §7.1.1).
SIZE_LINES = ("{:x}", "{:X}", "000{:x}", "{:x};name=value", '{:X};q="a;b"')
ENDINGS = (LAST_CHUNK, b"000\r\n\r\n", b"0;done\r\n\r\n", b"0\r\nX-Interop-Trailer: 1\r\n\r\n")
# Connection: close gives each example a connection of its own.
CLOSING_CHUNKED_HEAD = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"

RESPONSE_ANY_SPLIT = Case(
    "chunked.response.any_split",
    "RFC 9112 §7.1, §7.1.1",
    MUST,
    "Any body up to 256 KiB, in chunks of any sizes written any valid way, is decoded intact",
    requirement_ids=(
        "9112-7.1-2",
        "9112-7.1.1-1",
    ),
)


@RESPONSE_ANY_SPLIT
def test_response_any_split(scripted_client: ScriptedClient) -> None:
    # One scripted server plays every example (a new one per example would cost its accept
    # poll each time); each new connection plays the script set last.
    with ScriptedServer([], certificate=scripted_client.certificate) as server:

        @PROPERTY
        @given(
            split=splits(),
            lines=st.lists(
                st.sampled_from(SIZE_LINES), min_size=MAX_CUTS + 1, max_size=MAX_CUTS + 1
            ),
            ending=st.sampled_from(ENDINGS),
        )
        def decodes(split: Split, lines: list[str], ending: bytes) -> None:
            pieces = [piece for piece in split.pieces if piece]
            # One size line per possible piece: zip stops at the last piece.
            sized = zip(pieces, lines, strict=False)
            body = b"".join(chunk(piece, line.format(len(piece))) for piece, line in sized)
            response = CLOSING_CHUNKED_HEAD + body + ending
            note(f"response bytes: {response!r}")
            server.script = [Send(response), Close()]
            spec = RequestSpec("GET", "/", timeouts=SCRIPTED_TIMEOUTS)
            try:
                exchange = scripted_client.client.send(spec, server.target)
            except ClientError as exc:
                raise RESPONSE_ANY_SPLIT.failure(
                    f"the {split.size} bytes", f"client error {exc}"
                ) from exc
            RESPONSE_ANY_SPLIT.expect("length of the content", split.size, len(exchange.body))
            RESPONSE_ANY_SPLIT.expect_that(
                exchange.body == split.body, "the content byte for byte", "different bytes"
            )

        decodes()
