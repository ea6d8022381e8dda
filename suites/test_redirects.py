"""Redirects suite (RFC 9110 §15.4): what a client asked to follow redirects
(RequestSpec.follow_redirects, with its library's own facility and limit) sends after each
3xx, against scripted origins that record every request; a client not asked returns the 3xx
as received. Scripted-client cells: the thing measured is the client, so no server matrix.

Tables: ``FOLLOW`` (status x method), ``LOCATIONS`` (how Location resolves), ``LIMITS`` (a
loop and an endless chain) and ``CROSS_ORIGIN`` (which credentials reach another origin; in
an https cell the other origin is also plain http: a downgrade).

One server-probe case, ``redirects.server.location``: every server serves the contract's
``/redirect/{code}?to=...`` (docs/contract.md), which external clients can follow.
"""

from __future__ import annotations

import base64
import http
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from harness import contract
from harness.cases import Case, Level, RecordProperty
from harness.cells import SCRIPTED_TIMEOUTS, ScriptedClient
from harness.errors import ClientError
from harness.implementation import Capability
from harness.model import Exchange, Headers, RequestSpec
from harness.origins import FIRST, HTTP_ONLY, LANDED, MAX_REQUESTS, Origins, Site, origins, reply
from harness.plugin import properties
from harness.probe import Request, ServerProbe

START = "/dir/start"
CONTENT = b"redirected content"
CONTENT_FIELDS: Headers = [("Content-Type", "text/plain")]
# RFC 9110 §15.4's list: "Content-Encoding, Content-Language, Content-Location, Content-Type,
# Content-Length, Digest, Last-Modified", and the framing field that stands for a length.
CONTENT_SPECIFIC = {
    "content-encoding",
    "content-language",
    "content-location",
    "content-type",
    "content-length",
    "digest",
    "last-modified",
    "transfer-encoding",
}
FOLLOWS = (Capability.FOLLOW_REDIRECTS,)
SECTIONS = {301: "15.4.2", 302: "15.4.3", 303: "15.4.4", 307: "15.4.8", 308: "15.4.9"}
RESEND = "9110-15.4-2"  # "the user agent SHOULD resend the original request message with ..."
NO_METHOD_CHANGE_307 = "9110-15.4.8-1"
LOOPS = "9110-15.4-3"
USER, PASSWORD = "alice", "secret"
BASIC = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode("ascii")


@dataclass(frozen=True)
class Redirect:
    """Answers a request for START with ``status`` and ``location``; any other with 200."""

    status: int
    location: str
    # Answer START with 401 and a Basic challenge until a request carries credentials (a
    # client that waits for the challenge before sending them).
    challenge: bool = False

    def __call__(self, request: Request) -> bytes:
        if request.target != START:
            return reply(request, 200, [("Content-Type", "text/plain")], LANDED)
        if self.challenge and not request.header_values("Authorization"):
            return reply(request, 401, [("WWW-Authenticate", 'Basic realm="interop"')])
        return reply(request, self.status, [("Location", self.location)])


@dataclass(frozen=True)
class Chain:
    """Answers /hop/N with ``status`` to /hop/N+1: no URI repeats, the chain never ends."""

    status: int

    def __call__(self, request: Request) -> bytes:
        hop = request.target.rpartition("/")[2]
        following = int(hop) + 1 if hop.isdigit() else 1
        return reply(request, self.status, [("Location", f"/hop/{following}")])


def landing(_: Origins) -> Site:
    return Redirect(200, "")


def _spec(method: str, **options: object) -> RequestSpec:
    content = CONTENT if method == "POST" else None
    headers = CONTENT_FIELDS if content else []
    return RequestSpec(
        method,
        START,
        list(headers) + list(options.pop("headers", [])),  # type: ignore[call-overload]
        content,
        timeouts=SCRIPTED_TIMEOUTS,
        follow_redirects=True,
        **options,  # type: ignore[arg-type]
    )


def _followed(case: Case, site: Origins, name: str = FIRST) -> tuple[Request, Request]:
    """The original request and the one the client sent to the Location: exactly two."""
    seen = site.seen(name)
    requests = [request for request in seen if request is not None]
    if len(seen) != 2 or len(requests) != 2:
        raise case.failure("the request and one request to the Location", site.describe())
    return requests[0], requests[1]


def _landed(case: Case, site: Origins, method: str) -> None:
    result = site.result
    if not isinstance(result, Exchange) or result.status != 200:
        raise case.failure("the landing page's 200 as the response", site.describe())
    if method != "HEAD" and result.body != LANDED:
        raise case.failure(f"the landing page's content {LANDED!r}", repr(result.body[:80]))


def _http_only(cell: ScriptedClient) -> None:
    if cell.certificate is not None:
        pytest.skip(HTTP_ONLY)


# --- status x method -----------------------------------------------------------------------


@dataclass(frozen=True)
class FollowRow:
    status: int
    method: str
    # What the followed request is: "same" (method and content), "get" (GET or HEAD without
    # content), "either" (the RFC lets the client keep POST or change it to GET).
    after: str
    case: Case


def _follow_row(status: int, method: str) -> FollowRow:
    reason = http.HTTPStatus(status).phrase
    rfc = f"RFC 9110 §{SECTIONS[status]}, §15.4"
    if status == 303:
        # RFC 9110 §15.4.4: "A user agent can perform a retrieval request targeting that URI
        # (a GET or HEAD request if using HTTP)", whatever the method was.
        after, level, ids = "get", Level.SHOULD, (RESEND,)
        text = f"After a 303 (See Other) to a {method}, a GET or HEAD without content is sent"
    elif method != "POST" or status in (307, 308):
        after, level = "same", Level.SHOULD
        ids: tuple[str, ...] = (RESEND,)
        text = f"After a {status} ({reason}) to a {method}, the same method (and content) is sent"
        if status == 307:
            level, ids = Level.MUST, (NO_METHOD_CHANGE_307, RESEND)
        if status == 308:
            # RFC 7538 §3, which RFC 9110 obsoletes without repeating: "This status code is
            # similar to 301 (Moved Permanently), except that it does not allow changing the
            # request method from POST to GET."
            rfc += "; RFC 7538 §3"
    else:
        after, level = "either", Level.MAY
        ids = (f"9110-{SECTIONS[status]}-3",)  # "a user agent MAY change ... POST to GET"
        text = (
            f"After a {status} ({reason}) to a POST, POST with its content or GET without "
            "content is sent (observed: which)"
        )
    case = Case(
        f"redirects.status_{status}.{method.lower()}",
        rfc,
        level,
        text,
        requires=FOLLOWS,
        uses_contract=False,
        requirement_ids=ids,
    )
    return FollowRow(status, method, after, case)


FOLLOW = [_follow_row(s, m) for s in SECTIONS for m in ("GET", "HEAD", "POST")]


def check_follow(row: FollowRow, cell: ScriptedClient) -> tuple[str, str | None]:
    """Fail unless the followed request is what the row says; returns what was sent, and a
    warning where content fields outlive a change to GET (RFC 9110 §15.4, item 5: "If the
    request method has been changed to GET or HEAD, remove content-specific header fields")."""
    with origins(cell, {FIRST: lambda _: Redirect(row.status, "/dir/landing")}) as site:
        site.send([_spec(row.method)])
    case = row.case
    result = site.result
    if (
        row.method == "POST"
        and len(site.seen()) == 1
        and isinstance(result, Exchange)
        and result.status == row.status
    ):
        # RFC 9110 §15.4: "Automatic redirection needs to be done with care for methods not
        # known to be safe, as defined in Section 9.2.1, since the user might not wish to
        # redirect an unsafe request."
        return f"not followed for POST: the {row.status} returned", None
    first, second = _followed(case, site)
    case.expect("the Location's target", "/dir/landing", second.target)
    _landed(case, site, second.method)
    kept = second.method == row.method and second.content == first.content
    emptied = second.method in ("GET", "HEAD") and not second.content
    observed = _fields(second)
    if row.after == "same" and not kept:
        raise case.failure(
            f"{row.method} with the same content ({len(first.content)} bytes)", observed
        )
    if row.after == "get" and not emptied:
        raise case.failure("GET or HEAD without content", observed)
    if row.after == "either" and not (kept or emptied):
        raise case.failure("POST with its content, or GET without content", observed)
    lingering = [n for n, _ in second.headers if n.lower() in CONTENT_SPECIFIC]
    if second.method != row.method and lingering:
        return observed, f"changed to {second.method} but kept {', '.join(lingering)}"
    return observed, None


def _fields(request: Request) -> str:
    fields = ", ".join(f"{n}: {v}" for n, v in request.headers if n.lower().startswith("content"))
    fields = fields or "no content fields"
    return f"{request.method} with {len(request.content)} content bytes ({fields})"


@pytest.mark.parametrize(("case", "row"), [pytest.param(r.case, r, id=r.case.id) for r in FOLLOW])
def test_follow(
    case: Case, row: FollowRow, scripted_client: ScriptedClient, record_property: RecordProperty
) -> None:
    _http_only(scripted_client)
    observed, warning = check_follow(row, scripted_client)
    record_property("observed", observed)
    if warning:
        record_property(properties.WARN, f"RFC 9110 §15.4 advises removing them: {warning}")


# --- Location resolution -------------------------------------------------------------------


@dataclass(frozen=True)
class LocationRow:
    case: Case
    location: Callable[[Origins], str]
    resolved: str  # the target the client must ask for


def _location_row(
    name: str, text: str, location: Callable[[Origins], str], resolved: str
) -> LocationRow:
    case = Case(
        f"redirects.location.{name}",
        "RFC 9110 §15.4, §10.2.2; RFC 3986 §5.2",
        Level.SHOULD,
        f"A Location {text} is resolved against the request's target URI ({START})",
        requires=FOLLOWS,
        uses_contract=False,
        requirement_ids=(RESEND,),
    )
    return LocationRow(case, location, resolved)


LOCATIONS = [
    _location_row("absolute_path", "'/landing'", lambda _: "/landing", "/landing"),
    _location_row("relative_path", "'landing'", lambda _: "landing", "/dir/landing"),
    _location_row("dot_segments", "'../landing'", lambda _: "../landing", "/landing"),
    _location_row("with_query", "'landing?a=1'", lambda _: "landing?a=1", "/dir/landing?a=1"),
    _location_row(
        "absolute_uri",
        "that is an absolute URI of the same origin",
        lambda site: site.url(FIRST, "/dir/landing"),
        "/dir/landing",
    ),
]


@pytest.mark.parametrize(
    ("case", "row"), [pytest.param(r.case, r, id=r.case.id) for r in LOCATIONS]
)
def test_location(
    case: Case, row: LocationRow, scripted_client: ScriptedClient, record_property: RecordProperty
) -> None:
    _http_only(scripted_client)
    with origins(scripted_client, {FIRST: lambda o: Redirect(302, row.location(o))}) as site:
        site.send([_spec("GET")])
    record_property("observed", site.describe())
    _, second = _followed(case, site)
    case.expect("the resolved target", row.resolved, second.target)
    _landed(case, site, "GET")


# --- limits --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LimitRow:
    case: Case
    site: Callable[[Origins], Site]


LIMITS = [
    LimitRow(
        Case(
            "redirects.limit.loop",
            "RFC 9110 §15.4",
            Level.SHOULD,
            f"A redirect to itself is not followed forever (stopped within {MAX_REQUESTS} "
            "requests; observed: after how many)",
            requires=FOLLOWS,
            uses_contract=False,
            requirement_ids=(LOOPS,),
        ),
        lambda _: Redirect(302, START),
    ),
    LimitRow(
        Case(
            "redirects.limit.chain",
            "RFC 9110 §15.4",
            Level.SHOULD,
            f"An endless chain of redirects to new URIs is not followed forever (stopped within "
            f"{MAX_REQUESTS} requests; observed: after how many)",
            requires=FOLLOWS,
            uses_contract=False,
            requirement_ids=(LOOPS,),
        ),
        lambda _: Chain(302),
    ),
]


@pytest.mark.parametrize(("case", "row"), [pytest.param(r.case, r, id=r.case.id) for r in LIMITS])
def test_limit(
    case: Case, row: LimitRow, scripted_client: ScriptedClient, record_property: RecordProperty
) -> None:
    _http_only(scripted_client)
    with origins(scripted_client, {FIRST: row.site}) as site:
        site.send([_spec("GET")])
    seen = site.seen()
    ending = site.describe().rpartition("; ")[2]
    record_property("observed", f"{len(seen)} requests, then {ending}")
    stopped = isinstance(site.result, ClientError) or (
        site.result is not None and 300 <= site.result.status < 400
    )
    case.expect_that(
        len(seen) < MAX_REQUESTS and stopped,
        f"the client stopping by itself within {MAX_REQUESTS} requests (an error or the last 3xx)",
        f"{len(seen)} requests, then {ending}",
    )


# --- credentials and another origin --------------------------------------------------------


@dataclass(frozen=True)
class CrossOriginRow:
    case: Case
    spec: RequestSpec
    field: str  # the field that must not reach the other origin
    # "must": a failure; "consider" (RFC 9110 §15.4 item 3, set by the caller): a warn.
    strength: str
    other_host: str | None  # None: 127.0.0.1 over plain http (in https cells, a downgrade)
    challenge: bool = False


OTHERS = {"other_host": "localhost", "plain_http": None}


def _cross_origin_rows() -> list[CrossOriginRow]:
    rows = []
    for other, host in OTHERS.items():
        where = (
            "another host (localhost)"
            if host
            else "another origin over plain http (another port; from https, a downgrade)"
        )
        for name, spec, fieldname, strength, challenge in (
            (
                "basic_auth",
                _spec("GET", basic_auth=(USER, PASSWORD)),
                "Authorization",
                "must",
                True,
            ),
            (
                "authorization_field",
                _spec("GET", headers=[("Authorization", BASIC)]),
                "Authorization",
                "consider",
                False,
            ),
            (
                "cookie_field",
                _spec("GET", headers=[("Cookie", "session=1")]),
                "Cookie",
                "consider",
                False,
            ),
        ):
            requires = (*FOLLOWS, Capability.BASIC_AUTH) if name == "basic_auth" else FOLLOWS
            given = (
                "credentials given to the client's auth facility"
                if name == "basic_auth"
                else f"a {fieldname} field the caller set"
            )
            case = Case(
                f"redirects.cross_origin.{name}_{other}",
                "RFC 9110 §15.4, §11.5",
                Level.SHOULD,
                f"After a redirect to {where}, {given} are not sent there"
                + (
                    ""
                    if strength == "must"
                    else " (sent: a warn, the RFC says 'consider removing')"
                ),
                requires=requires,
                uses_contract=False,
                requirement_ids=(RESEND,),
            )
            rows.append(CrossOriginRow(case, spec, fieldname, strength, host, challenge))
    return rows


CROSS_ORIGIN = _cross_origin_rows()


def check_cross_origin(row: CrossOriginRow, cell: ScriptedClient) -> str | None:
    """Fail (or return a warning) when the field reached the other origin."""
    tls = {} if row.other_host else {"other": None}

    def first(site: Origins) -> Site:
        return Redirect(302, site.url("other", "/landing", row.other_host), row.challenge)

    with origins(cell, {FIRST: first, "other": landing}, tls) as site:
        site.send([row.spec])
    case = row.case
    sent = [r for r in site.seen() if r is not None and r.header_values(row.field)]
    if not sent:
        raise case.failure(
            f"{row.field} sent to the first origin (else nothing is shown)", site.describe()
        )
    arrived = [r for r in site.seen("other") if r is not None]
    if not arrived:
        raise case.failure("the redirect followed to the other origin", site.describe())
    leaked = arrived[0].header_values(row.field)
    if not leaked:
        return None
    message = f"{row.field}: {leaked[0]} sent to the other origin ({site.describe()})"
    if row.strength == "must":
        raise case.failure(f"no {row.field} at the other origin", message)
    return message


@pytest.mark.parametrize(
    ("case", "row"), [pytest.param(r.case, r, id=r.case.id) for r in CROSS_ORIGIN]
)
def test_cross_origin(
    case: Case,
    row: CrossOriginRow,
    scripted_client: ScriptedClient,
    record_property: RecordProperty,
) -> None:
    if row.other_host:  # another host is the same logic over either transport
        _http_only(scripted_client)
    warning = check_cross_origin(row, scripted_client)
    record_property("observed", warning or f"no {row.field} at the other origin")
    if warning:
        record_property(properties.WARN, f"RFC 9110 §15.4 advises removing it: {warning}")


# --- not following -------------------------------------------------------------------------

NOT_FOLLOWED = Case(
    "redirects.not_followed",
    "RFC 9110 §15.4",
    Level.MUST,
    "A client not asked to follow redirects returns the 302 as received (status, Location, "
    "content) after one request",
    uses_contract=False,
    outside_index=(
        "the caller's choice not to follow (RFC 9110 §15.4: the user agent MAY redirect) "
        "leaves the 3xx the response: the library's contract, no RFC sentence"
    ),
)
NOT_FOLLOWED_CONTENT = b"moved to /landing"


@dataclass(frozen=True)
class Moved:
    """A 302 to /landing with content, for a client that must not follow it."""

    def __call__(self, request: Request) -> bytes:
        if request.target != START:
            return reply(request, 200, [], LANDED)
        return reply(request, 302, [("Location", "/landing")], NOT_FOLLOWED_CONTENT)


@NOT_FOLLOWED
def test_not_followed(scripted_client: ScriptedClient, record_property: RecordProperty) -> None:
    case = NOT_FOLLOWED
    with origins(scripted_client, {FIRST: lambda _: Moved()}) as site:
        site.send([RequestSpec("GET", START, timeouts=SCRIPTED_TIMEOUTS)])
    record_property("observed", site.describe())
    result = site.result
    if not isinstance(result, Exchange):
        raise case.failure("the 302 as the response", site.describe())
    case.expect("status", 302, result.status)
    case.expect("Location", "/landing", result.header("Location"))
    case.expect("content", NOT_FOLLOWED_CONTENT, result.body)
    case.expect("requests sent", 1, len(site.seen()))


# --- the contract's /redirect at servers ---------------------------------------------------

SERVER_LOCATION = Case(
    "redirects.server.location",
    "RFC 9110 §15.4, §10.2.2",
    Level.MUST,
    "GET /redirect/{code}?to=... answers that 3xx with one Location field holding the to "
    "value unchanged, /echo without it (docs/contract.md)",
    outside_index="the behaviour contract's redirect endpoint, not an RFC sentence",
)
# Each code with a Location that has a query of its own (percent-encoded in ``to``), and one
# request without ``to``: the contract's default.
SERVER_REDIRECTS = [
    *((code, f"/echo?from={code}") for code in contract.REDIRECT_CODES),
    (302, contract.DEFAULT_REDIRECT_TO),
]


def redirect_target(code: int, location: str) -> str:
    """The request-target that asks for ``code`` to ``location`` (``to`` percent-encoded)."""
    if location == contract.DEFAULT_REDIRECT_TO:
        return f"/redirect/{code}"
    return f"/redirect/{code}?to={urllib.parse.quote(location, safe='')}"


@SERVER_LOCATION
def test_server_location(server_probe: ServerProbe, record_property: RecordProperty) -> None:
    case = SERVER_LOCATION
    for code, location in SERVER_REDIRECTS:
        target = redirect_target(code, location)
        result = server_probe.send(server_probe.request("GET", target))
        case.expect_that(
            len(result.final) == 1 and not result.malformed,
            f"one well-formed response to GET {target}",
            result.describe(),
        )
        response = result.final[0]
        locations = response.header_values("Location")
        record_property("observed", f"GET {target}: {response.status}, Location {locations}")
        case.expect(f"the status of GET {target}", code, response.status)
        case.expect(f"the Location of GET {target}", [location], locations)
