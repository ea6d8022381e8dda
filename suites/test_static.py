"""Static files suite: servers that map request paths onto a folder (Capability.STATIC_FILES).

Server probes only: exact bytes to the server, read back strictly by harness/probe.py. The
folder is the one harness/servers/simplehttp.py generates (``FILES`` under the served root,
``SECRET`` beside it). The cases check what RFC 9110 asks of an origin server that serves
files: a directory named without its trailing slash is redirected to the slash form (the
form that relative references in its listing resolve against, RFC 3986 §5.2), no request
path reaches a file outside the root, If-Modified-Since gets a 304 without content, and HEAD
answers with GET's Content-Length and no content.
"""

from __future__ import annotations

import urllib.parse

from harness import deadlines
from harness.cases import Case, Level, RecordProperty
from harness.implementation import Capability
from harness.probe import ProbeResult, Response, ServerProbe
from harness.servers.simplehttp import DIRECTORY, FILES, SECRET, SECRET_NAME

MUST, SHOULD = Level.MUST, Level.SHOULD
STATIC = (Capability.STATIC_FILES,)
FILE = "hello.txt"  # a file of FILES the cases request
FOLLOW_UP = "data.bin"  # requested after a response that must end at its head


def _response(case: Case, result: ProbeResult, what: str) -> Response:
    """The first final response of ``result``, which must be a valid one."""
    case.expect_that(
        result.malformed is None and bool(result.final),
        f"a valid response to {what}",
        f"{result.describe()}; the reply began {result.received[:60]!r}",
    )
    return result.final[0]


def _get(case: Case, probe: ServerProbe, target: str) -> Response:
    result = probe.send(probe.request("GET", target), idle_timeout=deadlines.PROBE_QUIET)
    return _response(case, result, f"GET {target}")


def _expect_file(case: Case, probe: ServerProbe, name: str) -> Response:
    """GET /name answers 200 with the file's content: the server serves the generated folder."""
    response = _get(case, probe, f"/{name}")
    case.expect_that(
        (response.status, response.body) == (200, FILES[name]),
        f"200 with the {len(FILES[name])} octets of /{name} (harness/servers/simplehttp.py)",
        f"{response.status} {response.reason}, {len(response.body)} octets",
    )
    return response


def _then_follow_up(case: Case, result: ProbeResult, what: str) -> None:
    """After the first response, only the pipelined GET of FOLLOW_UP's response, or the
    connection's end: octets of a body sent where none belongs show up as neither."""
    case.expect_that(
        result.malformed is None,
        f"nothing after the {what} but the next response or the close",
        f"{result.describe()}; the reply began {result.received[:80]!r}",
    )
    for response in result.final[1:]:
        case.expect(f"the content of /{FOLLOW_UP}", FILES[FOLLOW_UP], response.body)


REDIRECT = Case(
    "static.directory.redirect",
    "RFC 9110 §15.4.2, §10.2.2",
    SHOULD,
    "A directory requested without its trailing slash gets a 301 whose Location is the "
    "slash form, which is served",
    requires=STATIC,
    uses_contract=False,
    requirement_ids=("9110-15.4.2-1",),
)


@REDIRECT
def test_directory_redirects_to_the_slash_form(server_probe: ServerProbe) -> None:
    # A listing's relative references resolve against the directory's URI (RFC 3986 §5.2),
    # so it must end in "/": the server redirects there permanently, and RFC 9110 §15.4.2
    # says it "SHOULD generate a Location header field in the response containing a preferred
    # URI reference for the new permanent URI". Location is resolved against the target URI
    # (§10.2.2).
    target = f"/{DIRECTORY}"
    response = _get(REDIRECT, server_probe, target)
    locations = response.header_values("Location")
    REDIRECT.expect_that(
        response.status == 301 and len(locations) == 1,
        f"301 with one Location for GET {target}",
        f"{response.status} {response.reason}, Location {locations}",
    )
    base = server_probe.target.base_url
    resolved = urllib.parse.urlsplit(urllib.parse.urljoin(base + target, locations[0]))
    REDIRECT.expect(
        "Location resolving to the slash form",
        (server_probe.target.authority, f"{target}/"),
        (resolved.netloc, resolved.path),
    )
    listing = _get(REDIRECT, server_probe, f"{target}/")
    REDIRECT.expect(f"status of GET {target}/", 200, listing.status)


# Request-targets that name the secret beside the served root, as attackers spell "..":
# plain, percent-encoded (either case), an encoded slash, double encoding (decoded once, it
# is a plain file name), below a real directory, and absolute-form (RFC 9112 §3.2.2).
TRAVERSALS = (
    f"/../{SECRET_NAME}",
    f"/%2e%2e/{SECRET_NAME}",
    f"/%2E%2E/{SECRET_NAME}",
    f"/..%2f{SECRET_NAME}",
    f"/%2e%2e%2f{SECRET_NAME}",
    f"/%252e%252e/{SECRET_NAME}",
    f"/{DIRECTORY}/../../{SECRET_NAME}",
    f"/{DIRECTORY}/%2e%2e/%2e%2e/{SECRET_NAME}",
    f"/./../{SECRET_NAME}",
    f"../{SECRET_NAME}",
)

TRAVERSAL = Case(
    "static.path.traversal",
    "RFC 9110 §17.3",
    MUST,
    "No request path ('..', encoded or not, or in absolute-form) serves a file outside the root",
    requires=STATIC,
    uses_contract=False,
    outside_index="RFC 9110 §17.3 is a security consideration without a BCP 14 keyword",
)


@TRAVERSAL
def test_no_path_reaches_outside_the_root(
    server_probe: ServerProbe, record_property: RecordProperty
) -> None:
    # RFC 9110 §17.3: an origin server that maps the target URI onto its file system "needs
    # to avoid accessing names that have a special significance to the system", the first
    # example being ".." as a path component for "a directory level above the current one".
    # The secret is one level above the root: any of these targets that reaches it shows it.
    _expect_file(TRAVERSAL, server_probe, FILE)  # the server serves the generated folder
    authority = server_probe.target.authority
    targets = [*TRAVERSALS, f"http://{authority}/../{SECRET_NAME}"]
    answers = []
    for target in targets:
        result = server_probe.send(
            server_probe.request("GET", target), idle_timeout=deadlines.PROBE_QUIET
        )
        statuses = " ".join(str(response.status) for response in result.final) or "none"
        answers.append(f"{target}: {statuses}")
        TRAVERSAL.expect_that(
            SECRET not in result.received,
            f"GET {target} not answered with {SECRET_NAME}, which lies outside the root",
            f"its content in the reply ({result.describe()})",
        )
    record_property("observed", "; ".join(answers))


def _last_modified(case: Case, probe: ServerProbe) -> str:
    response = _expect_file(case, probe, FILE)
    # RFC 9110 §8.8.2: "An origin server SHOULD send Last-Modified for any selected
    # representation for which a last modification date can be reasonably and consistently
    # determined"; a file has one.
    values = response.header_values("Last-Modified")
    case.expect_that(len(values) == 1, f"one Last-Modified on GET /{FILE}", values)
    return values[0]


def _conditional(probe: ServerProbe, since: str) -> ProbeResult:
    """GET the file with If-Modified-Since, and GET FOLLOW_UP pipelined after it."""
    conditional = probe.request("GET", f"/{FILE}", headers=[("If-Modified-Since", since)])
    follow = probe.request("GET", f"/{FOLLOW_UP}")
    return probe.send(conditional + follow, responses=2, idle_timeout=deadlines.PROBE_QUIET)


NOT_MODIFIED = Case(
    "static.conditional.not_modified",
    "RFC 9110 §13.1.3",
    SHOULD,
    "A GET with If-Modified-Since equal to the file's Last-Modified gets 304",
    requires=STATIC,
    uses_contract=False,
    requirement_ids=(
        "9110-13.1.3-5",
        "9110-13.1.3-6",
    ),
)


@NOT_MODIFIED
def test_if_modified_since_gets_304(server_probe: ServerProbe) -> None:
    # RFC 9110 §13.1.3: the condition is false when "the selected representation's last
    # modification date is earlier or equal to the date provided in the field value"; §13.1.3
    # then: "the origin server SHOULD generate a 304 (Not Modified) response".
    since = _last_modified(NOT_MODIFIED, server_probe)
    response = _response(NOT_MODIFIED, _conditional(server_probe, since), "the conditional GET")
    NOT_MODIFIED.expect("status for If-Modified-Since: " + since, 304, response.status)


NOT_MODIFIED_WIRE = Case(
    "static.conditional.not_modified.wire",
    "RFC 9110 §15.4.5",
    MUST,
    "A 304 to If-Modified-Since has no content: nothing follows its header section but the "
    "next response",
    requires=STATIC,
    uses_contract=False,
    requirement_ids=("9110-2.2-1",),
)


@NOT_MODIFIED_WIRE
def test_not_modified_has_no_content(
    server_probe: ServerProbe, record_property: RecordProperty
) -> None:
    # RFC 9110 §15.4.5: "A 304 response is terminated by the end of the header section; it
    # cannot contain content or trailers." Read strictly, so that octets sent after the head
    # show up where the next response should start. Without a 304 there is nothing to check
    # (static.conditional.not_modified judges that).
    since = _last_modified(NOT_MODIFIED_WIRE, server_probe)
    result = _conditional(server_probe, since)
    record_property("observed", result.describe())
    if result.final and result.final[0].status != 304:
        return
    response = _response(NOT_MODIFIED_WIRE, result, "the conditional GET")
    NOT_MODIFIED_WIRE.expect("no content in the 304", b"", response.body)
    _then_follow_up(NOT_MODIFIED_WIRE, result, "304's header section")


def _head_and_get(case: Case, probe: ServerProbe) -> tuple[Response, Response]:
    """HEAD of the file, with GET FOLLOW_UP pipelined after it; then a GET of the file."""
    pipelined = probe.request("HEAD", f"/{FILE}") + probe.request("GET", f"/{FOLLOW_UP}")
    result = probe.send(
        pipelined, responses=2, methods=["HEAD", "GET"], idle_timeout=deadlines.PROBE_QUIET
    )
    head = _response(case, result, f"HEAD /{FILE}")
    _then_follow_up(case, result, "HEAD response's header section")
    return head, _expect_file(case, probe, FILE)


HEAD_NO_CONTENT = Case(
    "static.head.no_content",
    "RFC 9110 §9.3.2, §8.6",
    MUST,
    "A HEAD of a file has no content, and a Content-Length only of the GET's value",
    requires=STATIC,
    uses_contract=False,
    requirement_ids=(
        "9110-9.3.2-1",
        "9110-8.6-3",
    ),
)


@HEAD_NO_CONTENT
def test_head_has_no_content(server_probe: ServerProbe) -> None:
    # RFC 9110 §9.3.2: "the server MUST NOT send content in the response" to HEAD. §8.6: a
    # server "MUST NOT send Content-Length in such a response unless its field value equals
    # the decimal number of octets that would have been sent in the content of a response if
    # the same request had used the GET method".
    head, get = _head_and_get(HEAD_NO_CONTENT, server_probe)
    HEAD_NO_CONTENT.expect("status of HEAD", 200, head.status)
    lengths = head.header_values("Content-Length")
    HEAD_NO_CONTENT.expect_that(
        lengths in ([], get.header_values("Content-Length")),
        f"no Content-Length on HEAD, or GET's {get.header_values('Content-Length')}",
        lengths,
    )


HEAD_LENGTH = Case(
    "static.head.content_length",
    "RFC 9110 §9.3.2",
    SHOULD,
    "A HEAD of a file carries the Content-Length its GET has",
    requires=STATIC,
    uses_contract=False,
    requirement_ids=("9110-9.3.2-2",),
)


@HEAD_LENGTH
def test_head_has_the_content_length(server_probe: ServerProbe) -> None:
    # RFC 9110 §9.3.2: "The server SHOULD send the same header fields in response to a HEAD
    # request as it would have sent if the request method had been GET", and may leave out
    # only fields "for which a value is determined only while generating the content": a
    # file's size is known before any of it is read.
    head, get = _head_and_get(HEAD_LENGTH, server_probe)
    HEAD_LENGTH.expect(
        "HEAD's Content-Length as GET's",
        get.header_values("Content-Length"),
        head.header_values("Content-Length"),
    )
