"""Self-test of redirects.server.location (suites/test_redirects.py): it passes on the
reference server (tests/broken_server.py without a defect) and fails on a scripted server
that serves /redirect/{code} with one defect each."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness import contract
from harness.cases import CheckFailed
from harness.launcher import ServerProcess
from harness.origins import reply
from harness.probe import ServerProbe, parse_request
from harness.scripted import Answer, ScriptedServer
from suites import test_redirects as redirects

# Each defect: the status and Location a broken server answers for the contract's route.
DEFECTS: dict[str, Callable[[contract.Route, str], tuple[int, str | None]]] = {
    "always_302": lambda found, _host: (302, found.location),
    # What Werkzeug did before 2.1 (autocorrect_location_header): an absolute URI made of it.
    "absolute_location": lambda found, host: (found.number, f"http://{host}{found.location}"),
    "no_default": lambda found, _host: (
        found.number,
        None if found.location == contract.DEFAULT_REDIRECT_TO else found.location,
    ),
}


def _broken(defect: str) -> Callable[[bytes], bytes]:
    def answer(head: bytes) -> bytes:
        request, _ = parse_request(head)
        assert request is not None
        path, _, query = request.target.partition("?")
        found = contract.route(path, query)
        if found.name != "redirect":
            return reply(request, 404, [])
        status, location = DEFECTS[defect](found, request.header_values("Host")[0])
        return reply(request, status, [("Location", location)] if location else [])

    return answer


def test_passes_on_the_reference_server(broken_server: Callable[..., ServerProcess]) -> None:
    seen: list[object] = []
    redirects.test_server_location(
        ServerProbe(broken_server("none").target), lambda _key, value: seen.append(value)
    )
    assert len(seen) == len(redirects.SERVER_REDIRECTS)


@pytest.mark.parametrize("defect", list(DEFECTS))
def test_fails_on_a_broken_server(defect: str) -> None:
    with (
        ScriptedServer([Answer(_broken(defect), 1)]) as server,
        pytest.raises(CheckFailed, match=r"\(RFC 9110 §15.4, §10.2.2\)"),
    ):
        redirects.test_server_location(ServerProbe(server.target), lambda _k, _v: None)


def test_to_is_percent_decoded() -> None:
    """The probe's ``to`` round-trips through the contract's own reading of it."""
    for code, location in redirects.SERVER_REDIRECTS:
        path, _, query = redirects.redirect_target(code, location).partition("?")
        assert contract.route(path, query) == contract.Route("redirect", code, location=location)
