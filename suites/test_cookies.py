"""Cookies suite (RFC 6265 §5): a client object as a session (Capability.SESSION_COOKIES)
against scripted origins that set cookies and record the Cookie field of every request.

Every row is a table entry: the Set-Cookie answered on each path of the first origin
(requested in order), then one checking request, where the cookie ``a=1`` must be sent or
must not; in a redirected row the checking request is the one the client sends when it
follows a 302 from /start (whose Set-Cookie, if any, the row gives). The origins are
dialled by name, ``localhost``, as a user agent stores cookies per host name (aiohttp's
default jar refuses cookies from an IP address: aiohttp/cookiejar.py, ``unsafe=False``);
another host is 127.0.0.1. Cookies do not isolate ports (RFC 6265 §8.5),
so the other origin over plain http on another port is the same host for them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pytest

from harness.cases import Case, Level, RecordProperty
from harness.cells import SCRIPTED_TIMEOUTS, ScriptedClient
from harness.implementation import Capability
from harness.model import RequestSpec
from harness.origins import FIRST, HTTP_ONLY, LANDED, Origins, Site, origins, reply
from harness.probe import Request

HOST = "localhost"
OTHER_HOST = "127.0.0.1"
OTHER = "other"  # plain http on another port, whatever the cell's transport
COOKIE = ("a", "1")
PAST = "Thu, 01 Jan 1970 00:00:00 GMT"
SESSION = (Capability.SESSION_COOKIES,)
# A redirected row's request, answered with a 302 (and its Set-Cookie, if the row sets one
# there) to the checking request's URL, which the client is asked to follow.
START = "/start"
# RFC 6265 is outside the RFC 9110/9112 index of requirements.
OUTSIDE = "RFC 6265's cookie model, outside the RFC 9110/9112 index"


@dataclass(frozen=True)
class Jar:
    """Answers each path of ``cookies`` with its Set-Cookie field, any other with 200; START
    with a 302 to ``location`` where one is given."""

    cookies: Mapping[str, str]
    location: str = ""

    def __call__(self, request: Request) -> bytes:
        value = self.cookies.get(request.target)
        fields = [("Set-Cookie", value)] if value else []
        if request.target == START and self.location:
            return reply(request, 302, [("Location", self.location), *fields])
        return reply(request, 200, [("Content-Type", "text/plain"), *fields], LANDED)


@dataclass(frozen=True)
class CookieRow:
    case: Case
    cookies: Mapping[str, str]  # path -> Set-Cookie value, requested in this order
    origin: str  # the checking request's origin: FIRST (the cell's transport) or OTHER
    host: str  # the name it is dialled by
    path: str
    # Whether ``a=1`` is sent with the checking request; None: only over https (Secure).
    sent: bool | None
    # The checking request is the one a 302 from FIRST's START sends the client to, not one
    # the caller sends (RFC 6265 §5.3, §5.4 apply to the followed request too).
    redirected: bool = False


def _row(
    name: str,
    rfc: str,
    level: Level,
    requirement: str,
    cookies: Mapping[str, str],
    sent: bool | None,
    *,
    origin: str = FIRST,
    host: str = HOST,
    path: str = "/check",
    redirected: bool = False,
) -> CookieRow:
    case = Case(
        f"cookies.{name}",
        rfc,
        level,
        requirement,
        requires=(*SESSION, Capability.FOLLOW_REDIRECTS) if redirected else SESSION,
        uses_contract=False,
        outside_index=OUTSIDE,
    )
    return CookieRow(case, cookies, origin, host, path, sent, redirected)


ROWS = [
    _row(
        "stored",
        "RFC 6265 §5.3, §5.4",
        Level.SHOULD,
        "A cookie set by a response is sent back with the next request to the same host",
        {"/set": "a=1"},
        True,
    ),
    _row(
        "path.matching",
        "RFC 6265 §5.1.4, §5.4",
        Level.MUST,
        "A cookie with Path=/app is sent with a request for /app/page",
        {"/set": "a=1; Path=/app"},
        True,
        path="/app/page",
    ),
    _row(
        "path.not_matching",
        "RFC 6265 §5.1.4, §5.4",
        Level.MUST,
        "A cookie with Path=/app is not sent with a request for /check",
        {"/set": "a=1; Path=/app"},
        False,
    ),
    _row(
        "max_age.zero",
        "RFC 6265 §5.2.2, §5.3",
        Level.MUST,
        "A cookie set again with Max-Age=0 is removed and no longer sent",
        {"/set": "a=1", "/expire": "a=1; Max-Age=0"},
        False,
    ),
    _row(
        "expires.past",
        "RFC 6265 §5.2.1, §5.3",
        Level.MUST,
        "A cookie set again with an Expires in the past is removed and no longer sent",
        {"/set": "a=1", "/expire": f"a=1; Expires={PAST}"},
        False,
    ),
    _row(
        "max_age.over_expires",
        "RFC 6265 §5.3",
        Level.MUST,
        "Max-Age takes precedence over Expires: Max-Age=3600 with a past Expires is sent",
        {"/set": f"a=1; Max-Age=3600; Expires={PAST}"},
        True,
    ),
    _row(
        "http_only",
        "RFC 6265 §5.2.6, §5.4",
        Level.MUST,
        "An HttpOnly cookie is sent with HTTP requests (it hides it from non-HTTP APIs only)",
        {"/set": "a=1; HttpOnly"},
        True,
    ),
    _row(
        "secure.same_origin",
        "RFC 6265 §5.2.5, §5.4",
        Level.MUST,
        "A Secure cookie is sent back over https, never over http",
        {"/set": "a=1; Secure"},
        None,
    ),
    _row(
        "secure.plain_http",
        "RFC 6265 §5.4",
        Level.MUST,
        "A Secure cookie is not sent over plain http to the same host (another port)",
        {"/set": "a=1; Secure"},
        False,
        origin=OTHER,
    ),
    _row(
        "host_only.other_host",
        "RFC 6265 §5.3, §5.4",
        Level.MUST,
        "A cookie without Domain (host-only) is not sent to another host",
        {"/set": "a=1"},
        False,
        origin=OTHER,
        host=OTHER_HOST,
    ),
    _row(
        "domain.other_domain",
        "RFC 6265 §5.3",
        Level.MUST,
        "A cookie whose Domain the setting host does not domain-match is refused (not sent "
        "to that domain)",
        {"/set": f"a=1; Domain={OTHER_HOST}"},
        False,
        origin=OTHER,
        host=OTHER_HOST,
    ),
    _row(
        "redirect.set_on_redirect",
        "RFC 6265 §5.3, §5.4",
        Level.SHOULD,
        "A cookie set by a 302 response is sent with the request that follows it (same host)",
        {START: "a=1"},
        True,
        redirected=True,
    ),
    _row(
        "secure.redirect_to_http",
        "RFC 6265 §5.4; RFC 9110 §15.4",
        Level.MUST,
        "A Secure cookie is not sent with a redirect followed to plain http on the same host "
        "(another port; from https, a downgrade)",
        {"/set": "a=1; Secure"},
        False,
        origin=OTHER,
        redirected=True,
    ),
]


def _visit(path: str, follow: bool = False) -> RequestSpec:
    return RequestSpec("GET", path, timeouts=SCRIPTED_TIMEOUTS, follow_redirects=follow)


def check_cookie(row: CookieRow, cell: ScriptedClient) -> str:
    """Fail unless ``a=1`` is sent with the checking request exactly when the row says;
    returns the Cookie field sent, for the cell's ``observed``."""

    def first(site: Origins) -> Site:
        return Jar(row.cookies, site.url(row.origin, row.path, row.host) if row.redirected else "")

    sites: dict[str, Callable[[Origins], Site]] = {FIRST: first, OTHER: lambda _: Jar({})}
    with origins(cell, sites, {OTHER: None}) as site:
        for path in row.cookies:
            if path != START:
                site.send([_visit(path)], FIRST, HOST)
        if row.redirected:
            site.send([_visit(START, follow=True)], FIRST, HOST)
        else:
            site.send([_visit(row.path)], row.origin, row.host)
    case = row.case
    checking = [r for r in site.seen(row.origin) if r is not None and r.target == row.path]
    if not checking:
        raise case.failure(f"the request for {row.path}", site.describe())
    fields = checking[-1].header_values("Cookie")
    case.expect_that(len(fields) <= 1, "at most one Cookie field (RFC 6265 §5.4)", fields)
    pairs = {tuple(p.strip().partition("=")[::2]) for f in fields for p in f.split(";")}
    sent = COOKIE in pairs
    expected = row.sent if row.sent is not None else cell.certificate is not None
    observed = f"Cookie: {fields[0]}" if fields else "no Cookie field"
    case.expect_that(sent == expected, f"a=1 {'sent' if expected else 'not sent'}", observed)
    return observed


@pytest.mark.parametrize(("case", "row"), [pytest.param(r.case, r, id=r.case.id) for r in ROWS])
def test_cookie(
    case: Case, row: CookieRow, scripted_client: ScriptedClient, record_property: RecordProperty
) -> None:
    if scripted_client.certificate is not None and not row.case.id.startswith("cookies.secure."):
        pytest.skip(HTTP_ONLY)
    record_property("observed", check_cookie(row, scripted_client))
