"""Authentication suite (RFC 9110 §11, §15.5.2; RFC 7617): a client given Basic credentials
(RequestSpec.basic_auth, its library's own facility) against a scripted origin that
challenges with 401 and ``WWW-Authenticate: Basic``. Scripted-client cells. Credentials
kept from another origin are the redirects suite's ``redirects.cross_origin.basic_auth_*``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pytest

from harness.cases import Case, Level, RecordProperty
from harness.cells import SCRIPTED_TIMEOUTS, ScriptedClient
from harness.implementation import Capability
from harness.model import Exchange, RequestSpec
from harness.origins import FIRST, HTTP_ONLY, LANDED, MAX_REQUESTS, Origins, origins, reply
from harness.probe import Request

USER, PASSWORD = "alice", "pässword"  # a non-ASCII password: RFC 7617 §2.1's charset
REALM = "interop"
CHALLENGE = f'Basic realm="{REALM}"'
BASIC_AUTH = (Capability.BASIC_AUTH,)
# Any client sends its credentials within this many requests of the first challenge.
RETRIES = 3
SPEC = RequestSpec("GET", "/private", timeouts=SCRIPTED_TIMEOUTS, basic_auth=(USER, PASSWORD))


def credentials(password: str = PASSWORD, encoding: str = "utf-8") -> str:
    """RFC 7617 §2: "the user-id and password are separated by a single colon (":")
    character", the user-pass encoded (UTF-8 where the server asks, §2.1) into Base64."""
    return "Basic " + base64.b64encode(f"{USER}:{password}".encode(encoding)).decode("ascii")


# Both encodings a client may use without the charset parameter (RFC 7617 §2.1: "the
# default encoding is still undefined, as long as it is compatible with US-ASCII").
ACCEPTED = {credentials(), credentials(encoding="latin-1")}


@dataclass(frozen=True)
class Protected:
    """Answers 401 with a Basic challenge unless the request carries ``accepted`` credentials."""

    accepted: frozenset[str]

    def __call__(self, request: Request) -> bytes:
        if set(request.header_values("Authorization")) & self.accepted:
            return reply(request, 200, [("Content-Type", "text/plain")], LANDED)
        return reply(request, 401, [("WWW-Authenticate", CHALLENGE)], b"who are you?")


RETRY = Case(
    "auth.basic.retry",
    "RFC 9110 §15.5.2, §11.6.2; RFC 7617 §2",
    Level.MAY,
    "A client given Basic credentials answers a 401 Basic challenge with them (before it or "
    "in a retry; observed: which), encoded as RFC 7617 §2 says, and returns the 200",
    requires=BASIC_AUTH,
    uses_contract=False,
    requirement_ids=("9110-15.5.2-2",),
)
GIVES_UP = Case(
    "auth.basic.gives_up",
    "RFC 9110 §15.5.2",
    Level.SHOULD,
    f"A client whose credentials are refused with the same challenge stops within {RETRIES} "
    "requests and returns the 401 with its content",
    requires=BASIC_AUTH,
    uses_contract=False,
    requirement_ids=("9110-15.5.2-3",),
)


@RETRY
def test_retry(scripted_client: ScriptedClient, record_property: RecordProperty) -> None:
    if scripted_client.certificate is not None:
        pytest.skip(HTTP_ONLY)
    case = RETRY
    with origins(scripted_client, {FIRST: lambda _: Protected(frozenset(ACCEPTED))}) as site:
        site.send([SPEC])
    seen = [request for request in site.seen() if request is not None]
    sent = [value for request in seen for value in request.header_values("Authorization")]
    record_property("observed", f"{_when(seen)}; {site.describe()}")
    case.expect_that(bool(sent), "the credentials sent", site.describe())
    case.expect_that(
        set(sent) <= ACCEPTED,
        f"Authorization: {credentials()} (RFC 7617 §2)",
        f"Authorization: {sent[0]}",
    )
    result = site.result
    case.expect_that(
        isinstance(result, Exchange) and result.status == 200 and len(seen) <= RETRIES,
        f"the 200 within {RETRIES} requests",
        site.describe(),
    )


def _when(seen: list[Request]) -> str:
    if seen and seen[0].header_values("Authorization"):
        return "credentials sent before any challenge (preemptively)"
    return "credentials sent after the 401 challenge"


@GIVES_UP
def test_gives_up(scripted_client: ScriptedClient, record_property: RecordProperty) -> None:
    if scripted_client.certificate is not None:
        pytest.skip(HTTP_ONLY)
    case = GIVES_UP
    with origins(scripted_client, {FIRST: refusing}) as site:
        site.send([SPEC])
    seen = site.seen()
    record_property("observed", f"{len(seen)} requests; {site.describe()}")
    result = site.result
    case.expect_that(
        isinstance(result, Exchange)
        and result.status == 401
        and result.body == b"who are you?"
        and len(seen) <= RETRIES,
        f"the 401 and its content within {RETRIES} requests (never {MAX_REQUESTS})",
        site.describe(),
    )


def refusing(_: Origins) -> Protected:
    return Protected(frozenset())
