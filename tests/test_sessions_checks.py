"""The redirect, auth and cookie checks check themselves: each fails on the requests adapter
with one defect put into its Session (tests/fake_clients.py: DefectiveSession) and passes on
the adapter as it is (requests passes them all, over http and https)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.cases import CheckFailed
from harness.cells import ScriptedClient
from harness.clients.requests_client import RequestsClient
from harness.tls import ServerCertificate
from suites import test_auth, test_cookies, test_redirects
from tests.fake_clients import DefectiveSession

FOLLOW = {row.case.id: row for row in test_redirects.FOLLOW}
LOCATIONS = {row.case.id: row for row in test_redirects.LOCATIONS}
LIMITS = {row.case.id: row for row in test_redirects.LIMITS}
CROSS = {row.case.id: row for row in test_redirects.CROSS_ORIGIN}
COOKIES = {row.case.id: row for row in test_cookies.ROWS}


def follow(case: str) -> Callable[[ScriptedClient], object]:
    return lambda cell: test_redirects.check_follow(FOLLOW[case], cell)


def location(case: str) -> Callable[[ScriptedClient], object]:
    return lambda cell: test_redirects.test_location(
        LOCATIONS[case].case, LOCATIONS[case], cell, _ignore
    )


def limit(case: str) -> Callable[[ScriptedClient], object]:
    return lambda cell: test_redirects.test_limit(LIMITS[case].case, LIMITS[case], cell, _ignore)


def cross(case: str) -> Callable[[ScriptedClient], object]:
    return lambda cell: test_redirects.check_cross_origin(CROSS[case], cell)


def cookie(case: str) -> Callable[[ScriptedClient], object]:
    return lambda cell: test_cookies.check_cookie(COOKIES[case], cell)


def _ignore(key: str, value: object) -> None:
    pass


# Each check, and the defect it must catch.
CHECKS: list[tuple[str, Callable[[ScriptedClient], object]]] = [
    ("head_to_get", follow("redirects.status_307.head")),
    ("head_to_get", follow("redirects.status_308.post")),
    ("resolve_from_root", location("redirects.location.relative_path")),
    ("no_limit", limit("redirects.limit.loop")),
    ("no_limit", limit("redirects.limit.chain")),
    ("keeps_auth", cross("redirects.cross_origin.basic_auth_other_host")),
    ("keeps_auth", cross("redirects.cross_origin.basic_auth_plain_http")),
    ("always_follows", lambda cell: test_redirects.test_not_followed(cell, _ignore)),
    ("bad_credentials", lambda cell: test_auth.test_retry(cell, _ignore)),
    ("retries_forever", lambda cell: test_auth.test_gives_up(cell, _ignore)),
    ("ignores_path", cookie("cookies.path.not_matching")),
    ("ignores_secure", cookie("cookies.secure.plain_http")),
    ("ignores_domain", cookie("cookies.domain.other_domain")),
    ("never_expires", cookie("cookies.max_age.zero")),
    ("never_expires", cookie("cookies.expires.past")),
    ("cookieless_redirects", cookie("cookies.redirect.set_on_redirect")),
    ("ignores_secure", cookie("cookies.secure.redirect_to_http")),
]
IDS = [f"{defect}-{i}" for i, (defect, _) in enumerate(CHECKS)]


@pytest.mark.parametrize(("defect", "check"), CHECKS, ids=IDS)
def test_check_fails_on_defect(defect: str, check: Callable[[ScriptedClient], object]) -> None:
    client = DefectiveSession(defect)
    try:
        with pytest.raises(CheckFailed):
            check(ScriptedClient(client))
    finally:
        client.close()


@pytest.mark.parametrize("transport", ["http", "https"])
@pytest.mark.parametrize(("defect", "check"), CHECKS, ids=IDS)
def test_check_passes_on_requests(
    defect: str,
    check: Callable[[ScriptedClient], object],
    transport: str,
    session_certificate: ServerCertificate,
) -> None:
    client = RequestsClient()
    try:
        check(ScriptedClient(client, session_certificate if transport == "https" else None))
    finally:
        client.close()


def test_secure_cookie_is_judged_by_the_transport() -> None:
    """secure.same_origin expects the cookie back over https only: over http it fails on a
    client that sends Secure cookies anywhere."""
    client = DefectiveSession("ignores_secure")
    try:
        with pytest.raises(CheckFailed):
            cookie("cookies.secure.same_origin")(ScriptedClient(client))
    finally:
        client.close()
