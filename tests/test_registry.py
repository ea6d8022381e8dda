"""The registry of implementations, and how the plugin reports a name it does not know."""

from __future__ import annotations

import dataclasses
import sys

import pytest

from harness.implementation import Implementation, Kind, UnknownImplementation
from harness.registry import BUILTIN, REGISTRY, Registry
from tests.pytest_run import run_pytest


def test_unknown_name_fails_with_the_known_names_of_its_kind() -> None:
    with pytest.raises(UnknownImplementation) as excinfo:
        Registry().get(Kind.CLIENT, "nosuch")
    assert str(excinfo.value) == (
        "unknown client 'nosuch'; known clients: "
        "http.client, requests, aiohttp, httpx, urllib.request, urllib3, websockets"
    )


def test_a_server_name_is_unknown_as_a_client() -> None:
    with pytest.raises(UnknownImplementation):
        Registry().get(Kind.CLIENT, "flask")


@pytest.mark.parametrize(
    ("kind", "names"),
    [
        (
            Kind.SERVER,
            [
                "stdlib-http10",
                "stdlib-http11",
                "stdlib-threading",
                "flask",
                "simplehttp",
                "http.server-cli-http11",
                "aiohttp.web",
                "gunicorn",
                "twisted",
                "uvicorn",
                "waitress",
                "django-runserver",
                "django-gunicorn",
            ],
        ),
        (
            Kind.CLIENT,
            [
                "http.client",
                "requests",
                "aiohttp",
                "httpx",
                "urllib.request",
                "urllib3",
                "websockets",
            ],
        ),
    ],
)
def test_names_of_each_kind_in_registration_order(kind: Kind, names: list[str]) -> None:
    assert Registry().names(kind) == names


@pytest.mark.parametrize("impl", BUILTIN, ids=lambda impl: impl.name)
def test_every_builtin_reports_its_version_or_that_it_is_not_installed(
    impl: Implementation,
) -> None:
    version = impl.version()
    assert version.strip()
    # An optional one may be missing here: it then says so, which skips its cells.
    if version == "not installed":
        reason = impl.unavailable()
        assert reason and f"the package {impl.package!r} is not installed" in reason


@pytest.mark.parametrize("impl", REGISTRY.all(), ids=lambda impl: f"{impl.kind}-{impl.name}")
def test_every_registered_implementation_runs_here_or_says_why_not(impl: Implementation) -> None:
    # The registry of this run: built-ins, entry points and implementations.toml.
    reason = impl.unavailable()
    if reason is None and not impl.command:
        assert callable(impl.load())
    elif reason is not None:
        assert impl.name in reason


@pytest.mark.parametrize(
    ("name", "port", "certfile", "argv"),
    [
        pytest.param(
            "stdlib-http11",
            0,
            None,
            [
                *("-m", "harness.serve", "stdlib-http11", "--host", "127.0.0.1", "--port", "0"),
                "--stop-on-stdin-eof",
            ],
            id="factory-http",
        ),
        pytest.param(
            "simplehttp",
            8080,
            "c.pem",
            [
                *("-m", "harness.servers.simplehttp", "--host", "127.0.0.1", "--port", "8080"),
                *("--stop-on-stdin-eof", "--certfile", "c.pem", "--keyfile", "c.pem"),
            ],
            id="command-https",
        ),
    ],
)
def test_a_server_command_is_its_template_filled(
    name: str, port: int, certfile: str | None, argv: list[str]
) -> None:
    filled = REGISTRY.get(Kind.SERVER, name).argv(port=port, certfile=certfile)
    assert filled == [sys.executable, *argv]


def test_version_of_a_missing_distribution_says_not_installed() -> None:
    impl = dataclasses.replace(REGISTRY.get(Kind.CLIENT, "requests"), package="no-such-dist")
    assert impl.version() == "not installed"


def test_registering_a_name_twice_for_one_kind_is_refused() -> None:
    flask = REGISTRY.get(Kind.SERVER, "flask")
    with pytest.raises(ValueError, match=r"server 'flask' \(built-in\) is already registered"):
        Registry((flask, dataclasses.replace(flask, description="another Flask")))


@pytest.mark.parametrize(("option", "kind"), [("--server", Kind.SERVER), ("--client", Kind.CLIENT)])
def test_pytest_rejects_an_unknown_name_with_the_known_ones(option: str, kind: Kind) -> None:
    done = run_pytest(option, "nosuch")
    assert done.returncode == pytest.ExitCode.USAGE_ERROR
    assert f"known {kind}s: {', '.join(REGISTRY.names(kind))}" in done.stderr
