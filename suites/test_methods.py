"""Methods suite: request methods and what they carry, across every server x client pair.

RFC 9110 §9 (methods), §8.6 (Content-Length), §5 (fields). Each request goes to the
contract's ``/echo``, which reports what the server received (docs/contract.md).
"""

from __future__ import annotations

from harness import contract
from harness.cases import Case, Level
from harness.cells import Conversation
from harness.errors import ClientError
from harness.implementation import Capability
from harness.model import RequestSpec
from harness.requirements import INTERPRET

MUST, SHOULD = Level.MUST, Level.SHOULD

# Field values with what parsers tend to get wrong: runs of spaces, quotes, commas,
# semicolons and every tchar (RFC 9110 §5.5 field-value, §5.6.2 tokens).
TEST_FIELDS = [
    ("X-Interop-Token", "alpha"),
    ("X-Interop-Spaces", "a  b   c"),
    ("X-Interop-Quoted", '"quoted, string"; q=0.5'),
    ("X-Interop-Symbols", "!#$%&'*+-.^_`|~:/?=@[]"),
]
BODY = b"hello, interop\n"


def _expect_arrived(
    case: Case, conversation: Conversation, method: str, body: bytes | None
) -> contract.Echo:
    """Send ``method`` with the test fields (and ``body``) to /echo; check what arrived."""
    target = "/echo?q=1&space=%20x"
    headers = [*TEST_FIELDS[:1], ("Content-Type", "text/plain")] if body else TEST_FIELDS[:1]
    _, echo = conversation.echo(RequestSpec(method, target, headers=headers, body=body))
    case.expect("the method", method, echo.method)
    case.expect("the request-target", target, echo.target)
    case.expect("X-Interop-Token values", ["alpha"], echo.header_values("X-Interop-Token"))
    case.expect("the content", body or b"", echo.body)
    return echo


GET = Case(
    "methods.get",
    "RFC 9110 §9.3.1",
    MUST,
    "GET reaches the server with its method, request-target and fields, and no content",
    requirement_ids=("9110-9.3.1-1",),
)


@GET
def test_get(interop: Conversation) -> None:
    _expect_arrived(GET, interop, "GET", None)


POST = Case(
    "methods.post",
    "RFC 9110 §9.3.3",
    MUST,
    "POST reaches the server with its method, request-target, fields and content",
    requirement_ids=("9112-6.3-12",),
)


@POST
def test_post(interop: Conversation) -> None:
    _expect_arrived(POST, interop, "POST", BODY)


PUT = Case(
    "methods.put",
    "RFC 9110 §9.3.4",
    MUST,
    "PUT reaches the server with its method, request-target, fields and content",
    requirement_ids=("9112-6.3-12",),
)


@PUT
def test_put(interop: Conversation) -> None:
    _expect_arrived(PUT, interop, "PUT", BODY)


DELETE = Case(
    "methods.delete",
    "RFC 9110 §9.3.5",
    MUST,
    "DELETE reaches the server with its method, request-target and fields",
    requirement_ids=("9110-9.3.5-2",),
)


@DELETE
def test_delete(interop: Conversation) -> None:
    _expect_arrived(DELETE, interop, "DELETE", None)


PATCH = Case(
    "methods.patch",
    "RFC 5789 §2",
    MUST,
    "PATCH reaches the server with its method, request-target, fields and content",
    outside_index="PATCH is RFC 5789's, outside the index of RFC 9110/9112",
)


@PATCH
def test_patch(interop: Conversation) -> None:
    _expect_arrived(PATCH, interop, "PATCH", BODY)


OPTIONS = Case(
    "methods.options",
    "RFC 9110 §9.3.7",
    MUST,
    "OPTIONS reaches the server with its method, request-target and fields",
    outside_index=(
        "RFC 9110 §9.3.7 states no requirement on a client that sends OPTIONS without "
        "content; the case checks the method is carried"
    ),
)


@OPTIONS
def test_options(interop: Conversation) -> None:
    _expect_arrived(OPTIONS, interop, "OPTIONS", None)


HEAD_NO_BODY = Case(
    "methods.head.no_body",
    "RFC 9110 §9.3.2",
    MUST,
    "A response to HEAD has no content; the next request on the client works",
    requirement_ids=("9110-9.3.2-1",),
)


@HEAD_NO_BODY
def test_head_has_no_body(interop: Conversation) -> None:
    # 64 KiB: more than a client reads ahead with the head of a response (http.client
    # buffers 8 KiB), so content wrongly sent after the HEAD response stays on the
    # connection and is read as the start of the next response (RFC 9112 §6.3, rule 1),
    # where the follow-up GET exposes it.
    head = interop.send(RequestSpec("HEAD", "/bytes/65536"))
    HEAD_NO_BODY.expect("status", 200, head.status)
    HEAD_NO_BODY.expect("no content", b"", head.body)
    try:
        follow = interop.send(RequestSpec("GET", "/bytes/64"))
    except ClientError as exc:
        raise HEAD_NO_BODY.failure("the GET after HEAD to succeed", f"client error {exc}") from exc
    HEAD_NO_BODY.expect(
        "the GET's content after HEAD", contract.deterministic_bytes(64), follow.body
    )


HEAD_FIELDS = Case(
    "methods.head.same_fields",
    "RFC 9110 §9.3.2",
    SHOULD,
    "HEAD answers with the header fields GET would have (Content-Length may go)",
    requirement_ids=(
        "9110-9.3.2-2",
        "9110-9.3.2-3",
    ),
)


@HEAD_FIELDS
def test_head_has_get_fields(interop: Conversation) -> None:
    get = interop.send(RequestSpec("GET", "/bytes/64"))
    head = interop.send(RequestSpec("HEAD", "/bytes/64"))
    HEAD_FIELDS.expect("status as for GET", get.status, head.status)
    # Date changes between responses; Content-Length and Transfer-Encoding may be omitted
    # because their value is known only while generating the content (RFC 9110 §9.3.2).
    may_differ = {"date"}
    may_be_omitted = {"content-length", "transfer-encoding"}
    for name, _ in get.headers:
        lowered = name.lower()
        if lowered in may_differ:
            continue
        head_values = head.header_values(name)
        if lowered in may_be_omitted and not head_values:
            continue
        HEAD_FIELDS.expect(f"HEAD's {name} as for GET", get.header_values(name), head_values)


EMPTY_CONTENT = Case(
    "methods.request.empty_content",
    "RFC 9110 §8.6",
    SHOULD,
    "A POST with empty content is framed (Content-Length: 0) and arrives empty",
    requirement_ids=("9110-8.6-1",),
)


@EMPTY_CONTENT
def test_post_with_empty_content(interop: Conversation) -> None:
    _, echo = interop.echo(RequestSpec("POST", "/echo", body=b""))
    EMPTY_CONTENT.expect("empty content", b"", echo.body)
    framing = echo.header_values("Content-Length") or echo.header_values("Transfer-Encoding")
    EMPTY_CONTENT.expect_that(
        framing == ["0"] or "chunked" in "".join(framing).lower(),
        "Content-Length: 0 (or chunked framing) for POST's empty content",
        f"Content-Length/Transfer-Encoding {framing}",
    )


def _expect_unframed(case: Case, conversation: Conversation, method: str) -> None:
    _, echo = conversation.echo(RequestSpec(method, "/echo"))
    case.expect("no content", b"", echo.body)
    framing = [
        f"{name}: {value}"
        for name, value in echo.headers
        if name.lower() in ("content-length", "transfer-encoding")
    ]
    case.expect(
        f"no Content-Length or Transfer-Encoding on a {method} without content", [], framing
    )


NO_CONTENT_GET = Case(
    "methods.request.no_content_get",
    "RFC 9110 §8.6",
    SHOULD,
    "A GET without content carries no Content-Length or Transfer-Encoding",
    requirement_ids=("9110-8.6-2",),
)


@NO_CONTENT_GET
def test_get_without_content_is_unframed(interop: Conversation) -> None:
    _expect_unframed(NO_CONTENT_GET, interop, "GET")


NO_CONTENT_DELETE = Case(
    "methods.request.no_content_delete",
    "RFC 9110 §8.6",
    SHOULD,
    "A DELETE without content carries no Content-Length or Transfer-Encoding",
    requirement_ids=("9110-8.6-2",),
)


@NO_CONTENT_DELETE
def test_delete_without_content_is_unframed(interop: Conversation) -> None:
    # RFC 9110 §9.3.5: content in a DELETE has no defined semantics, so the method does not
    # anticipate content, and §8.6 says not to send "Content-Length: 0" for it.
    _expect_unframed(NO_CONTENT_DELETE, interop, "DELETE")


LARGE_BODY = Case(
    "methods.request.large_body",
    "RFC 9112 §6.2",
    MUST,
    "A 1 MiB request body arrives intact",
    requirement_ids=("9112-6.3-12",),
)


@LARGE_BODY
def test_large_body_arrives_intact(interop: Conversation) -> None:
    body = contract.deterministic_bytes(1024 * 1024)
    _, echo = interop.echo(RequestSpec("PUT", "/echo", body=body))
    LARGE_BODY.expect("content length", len(body), len(echo.body))
    LARGE_BODY.expect_that(echo.body == body, "the 1 MiB content byte for byte", "different bytes")


FIELD_VALUES = Case(
    "methods.fields.values_intact",
    "RFC 9110 §5.5",
    MUST,
    "Field values arrive unchanged, with inner whitespace and punctuation",
    requirement_ids=(INTERPRET,),
)


@FIELD_VALUES
def test_field_values_arrive_intact(interop: Conversation) -> None:
    _, echo = interop.echo(RequestSpec("GET", "/echo", headers=TEST_FIELDS))
    for name, value in TEST_FIELDS:
        FIELD_VALUES.expect(f"the {name} values", [value], echo.header_values(name))


FIELD_ORDER = Case(
    "methods.fields.same_name_order",
    "RFC 9110 §5.3",
    MUST,
    "Repeated field lines arrive in order (separately or combined with commas)",
    requires=(Capability.DUPLICATE_REQUEST_HEADERS,),
    requirement_ids=("9110-5.3-1",),
)


@FIELD_ORDER
def test_repeated_fields_keep_order(interop: Conversation) -> None:
    sent = ["first", "second", "third"]
    fields = [("X-Interop-List", value) for value in sent]
    _, echo = interop.echo(RequestSpec("GET", "/echo", headers=fields))
    # A recipient may combine field lines into one comma-separated value (RFC 9110 §5.3).
    received = [
        item.strip() for value in echo.header_values("X-Interop-List") for item in value.split(",")
    ]
    FIELD_ORDER.expect("X-Interop-List values in order", sent, received)


UNKNOWN_METHOD = Case(
    "methods.unknown_method",
    "RFC 9110 §9.1, §15.6.2, §15.5.6",
    SHOULD,
    "A method the server does not implement gets 501 (or 405)",
    requirement_ids=(
        "9110-9.1-3",
        "9110-9.1-4",
    ),
)


@UNKNOWN_METHOD
def test_unknown_method_is_refused(interop: Conversation) -> None:
    response = interop.send(RequestSpec("INTEROPTEST", "/echo"))
    UNKNOWN_METHOD.expect_that(
        response.status in (501, 405), "status 501 or 405", f"{response.status} {response.reason}"
    )


CASE_SENSITIVE = Case(
    "methods.case_sensitive",
    "RFC 9110 §9.1",
    MUST,
    "Methods are case-sensitive: 'get' is not GET, on the wire or at the server",
    requirement_ids=(INTERPRET,),
)


@CASE_SENSITIVE
def test_method_is_case_sensitive(interop: Conversation) -> None:
    # RFC 9110 §9.1: "The method token is case-sensitive because it might be used as a
    # gateway to object-based systems with case-sensitive method names." So 'get' is not
    # GET but a method /echo does not answer (docs/contract.md lists GET, not 'get').
    response = interop.send(RequestSpec("get", "/echo"))
    if response.status == 200:
        # Served: either 'get' became GET on the way (the client or the server changed
        # the method), or it arrived as sent and the server took it for GET.
        echo = contract.parse_echo(response.body)
        CASE_SENSITIVE.expect("the method to arrive as sent", "get", echo.method)
        raise CASE_SENSITIVE.failure(
            "'get' refused (501 or 405), not served as GET", f"200 for {echo.method!r}"
        )
    CASE_SENSITIVE.expect_that(
        response.status in (501, 405), "status 501 or 405 for 'get'", response.status
    )
