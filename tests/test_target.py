"""``--target URL``: the server probes against a server started by hand (no adapter, no
launch), the contract's probes skipped with the reason, no other cells; the probe catalogue's
entries that need no /echo run there and fail with their message; a bad URL is one line."""

from __future__ import annotations

import json
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import target
from harness.implementation import Capability
from harness.launcher import ServerProcess, launch
from harness.report import files as report_files
from harness.tls import ServerCertificate, make_session_certificate
from suites.probes import ENTRIES
from tests.pytest_run import ROOT, run_pytest

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


def _run(
    tmp_path: Path,
    *options: str,
    status: int = 0,
    tests: tuple[str, ...] = ("suites/test_errors.py", "-k", SELECTION),
) -> tuple[str, list[dict[str, object]]]:
    results = tmp_path / "results.json"
    done = run_pytest(*tests, *options, f"--results={results}")
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


def test_the_catalogue_runs_its_entries_that_need_no_contract_against_a_target(
    tmp_path: Path, http_server: ServerProcess
) -> None:
    name = f"127.0.0.1:{http_server.target.port}"
    stdout, cells = _run(
        tmp_path, "--target", f"http://{name}/bytes/1", status=1, tests=("suites/test_probes.py",)
    )
    outcomes = _outcomes(cells)
    free = {entry.id for entry in ENTRIES if not entry.uses_contract}
    assert free and len(outcomes) == len(ENTRIES)
    assert {case for case, (outcome, _) in outcomes.items() if outcome == "skip"} == (
        set(outcomes) - free
    )
    assert {message for outcome, message in outcomes.values() if outcome == "skip"} == {
        NO_CONTRACT.format(name=name)
    }
    # No expectation file names the target: each deviation is a fail, the same deviations
    # stdlib-http11's file records for the launched server.
    failed = {case for case, (outcome, _) in outcomes.items() if outcome == "fail"}
    known = tomllib.loads(
        (ROOT / "suites/expectations/stdlib-http11.toml").read_text(encoding="utf-8")
    )["deviation"]
    assert failed and failed <= {deviation["case"] for deviation in known}
    verdicts = {outcome for case, (outcome, _) in outcomes.items() if case in free}
    assert verdicts <= {"pass", "warn", "fail"}
    assert outcomes["probes.host.twice_same"] == (
        "fail",
        "expected status 400, then anything (RFC 9112 §3.2), got served as GET /echo with 0 "
        "content bytes (sha256 e3b0c44298fc…); served as GET /echo?next with 0 content bytes "
        "(sha256 e3b0c44298fc…); connection open",
    )
    assert f"{len(failed)} failed, " in stdout
    reports = report_files.names(tmp_path / "results.json")
    assert all(path.is_file() for path in reports), reports
