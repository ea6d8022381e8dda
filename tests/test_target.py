"""``--target URL``: the server probes against a server started by hand (no adapter, no
launch), the contract's probes skipped with the reason, no other cells; a bad URL is one
line."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import target
from harness.launcher import ServerProcess, launch
from harness.registry import Capability
from harness.tls import ServerCertificate, make_session_certificate
from tests.pytest_run import run_pytest

SERVE = [sys.executable, "-m", "harness.serve", "stdlib-http11", "--port", "0"]
# A probe that needs no endpoint (it passes on stdlib-http11), one that needs /echo, and
# an interop test, which a --target run does not collect.
SELECTION = "line_with_spaces or line_garbage or success_statuses"
NO_CONTRACT = (
    "not applicable: {name} cannot do contract-endpoints: a server started by the user "
    "(--target) need not serve the behaviour contract's endpoints (docs/contract.md)"
)


@pytest.mark.parametrize(
    ("url", "name", "path", "verify"),
    [
        ("http://127.0.0.1:8080/", "127.0.0.1:8080", "/", True),
        ("http://localhost/health?full=1", "localhost:80", "/health?full=1", True),
        ("https://[::1]:8443", "[::1]:8443", "/", False),
    ],
)
def test_a_target_url_names_its_server(url: str, name: str, path: str, verify: bool) -> None:
    server = target.parse(url)
    assert (server.name, server.path, server.target.verify) == (name, path, verify)
    assert server.implementation().cannot(Capability.CONTRACT_ENDPOINTS)


@pytest.mark.parametrize(
    "url", ["127.0.0.1:8080", "ftp://127.0.0.1/", "http://", "http://h:x/", "http://u:p@h/"]
)
def test_a_bad_target_url_is_one_line(url: str) -> None:
    with pytest.raises(target.TargetError) as caught:
        target.parse(url)
    message = str(caught.value)
    assert message.startswith(f"--target {url!r}: ") and "\n" not in message
    assert "http://HOST[:PORT]/PATH" in message


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> ServerCertificate:
    return make_session_certificate(tmp_path_factory.mktemp("target-tls"))


def _by_hand(*options: str) -> Iterator[ServerProcess]:
    server = launch("by-hand", [*SERVE, *options])  # reads its ready line
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def http_server() -> Iterator[ServerProcess]:
    yield from _by_hand()


@pytest.fixture(scope="module")
def https_server(certificate: ServerCertificate) -> Iterator[ServerProcess]:
    yield from _by_hand("--certfile", certificate.cert_file, "--keyfile", certificate.key_file)


def _run(tmp_path: Path, *options: str, status: int = 0) -> tuple[str, list[dict[str, object]]]:
    results = tmp_path / "results.json"
    done = run_pytest("suites/test_errors.py", "-k", SELECTION, *options, f"--results={results}")
    assert done.returncode == status, done.stdout + done.stderr
    return done.stdout, json.loads(results.read_text(encoding="utf-8"))["cells"]


def _outcomes(cells: list[dict[str, object]]) -> dict[object, tuple[object, object]]:
    return {cell["case"]: (cell["outcome"], cell["message"]) for cell in cells}


def test_the_probes_run_against_a_server_started_by_hand(
    tmp_path: Path, http_server: ServerProcess
) -> None:
    name = f"127.0.0.1:{http_server.target.port}"
    stdout, cells = _run(tmp_path, "--target", f"http://{name}/bytes/1")
    assert {(cell["server"], cell["client"], cell["transport"]) for cell in cells} == {
        (name, None, "http")
    }
    assert _outcomes(cells) == {
        "errors.request.line_spaces": ("pass", ""),
        "errors.request.line_garbage": ("skip", NO_CONTRACT.format(name=name)),
    }
    assert "1 passed, 1 skipped" in stdout


def test_a_target_over_https_runs_unverified_or_with_its_ca(
    tmp_path: Path, https_server: ServerProcess, certificate: ServerCertificate
) -> None:
    url = f"https://127.0.0.1:{https_server.target.port}/bytes/1"
    for options, note in [
        ((), "certificate not verified"),
        (("--target-ca", certificate.ca_file), "certificate verified against"),
    ]:
        stdout, cells = _run(tmp_path, "--target", url, *options)
        assert note in stdout
        assert _outcomes(cells)["errors.request.line_spaces"] == ("pass", "")


def test_a_target_that_does_not_answer_2xx_errors_its_cells_in_one_line(
    tmp_path: Path, http_server: ServerProcess
) -> None:
    name = f"127.0.0.1:{http_server.target.port}"
    # The contract server has no resource at /: 404.
    stdout, cells = _run(tmp_path, "--target", f"http://{name}/", status=1)
    outcome, message = _outcomes(cells)["errors.request.line_spaces"]
    assert outcome == "error"
    assert message == (
        f"server {name!r} (--target http://{name}/) does not answer GET / with a 2xx status: "
        "404, connection open"
    )
    assert f"{message} (1 cell: error)" in stdout.splitlines()
