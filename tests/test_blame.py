"""Verdicts blamed on the side that earned them: scores count each implementation's own
cells, an unlisted interop failure names the side its evidence points to (harness/blame.py),
and a client's listed deviation is judged fixed only against a reference server.

The scratch runs are real (the methods suite, one server); the evidence tests call suite
checks directly against deliberately broken servers, as the suites' self-tests do.
"""

from __future__ import annotations

import functools
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from harness import blame, expectations
from harness.cases import CheckFailed
from harness.cells import Conversation
from harness.clients.http_client import HttpClientClient
from harness.clients.requests_client import RequestsClient
from harness.launcher import ServerProcess
from harness.report import html, scores, summary
from harness.results import Blame
from suites import test_chunked as chunked
from suites import test_methods as methods
from tests.pytest_run import ROOT, run_pytest
from tests.real_results import load_valid, real_run

SERVER = "stdlib-threading"


def _unlisted(directory: Path, implementation: str, case: str) -> Path:
    """A copy of the expectation files without ``implementation``'s entry for ``case``."""
    shutil.copytree(ROOT / "suites" / "expectations", directory)
    path = directory / f"{implementation}.toml"
    listed = expectations.load_file(path, known_implementations=[implementation])
    path.write_text(expectations.render([d for d in listed if d.case != case]), encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def client_deviates(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The methods suite on the reference server with requests, whose deviations are listed
    (and one that is not: methods.case_sensitive, which fails unlisted)."""
    directory = tmp_path_factory.mktemp("client-deviates")
    listed = _unlisted(directory / "expectations", "requests", "methods.case_sensitive")
    _, path = real_run(directory, "--transport", "http", "--expectations", str(listed))
    return load_valid(path)


def test_only_the_client_deviates_and_the_server_score_is_unaffected(
    client_deviates: dict,
) -> None:
    cells = client_deviates["cells"]
    requests_cells = [c for c in cells if c["client"] == "requests"]
    known = [c for c in requests_cells if c["outcome"] == "known"]
    failed = [c for c in requests_cells if c["outcome"] == "fail"]
    assert known and failed, "requests deviates, listed and unlisted"
    assert {c["blame"] for c in known + failed} == {Blame.CLIENT}
    tallies = scores.by_implementation(cells, [SERVER, "requests"])
    server, client = tallies[SERVER], tallies["requests"]
    assert server["known"] == server["fail"] == 0
    assert server.peers["known"] == len(known) and server.peers["fail"] == len(failed)
    passed, applicable = scores.score(server)
    assert passed == applicable > 0, "every cell the server is blamed for passes"
    assert client["known"] == len(known) and client["fail"] == len(failed)
    assert f"peer's: {len(known) + len(failed)}" in scores.breakdown(server)


def test_the_reports_show_the_server_score_without_the_client_deviations(
    client_deviates: dict,
) -> None:
    text = summary.render(client_deviates)
    row = next(line for line in text.splitlines() if line.startswith(f"| {SERVER} |"))
    server = scores.by_implementation(client_deviates["cells"], [SERVER])[SERVER]
    assert f"**{scores.fraction(server)}** | 0 | 0 | 0 |" in row
    assert row.endswith(f"| {server.peers.total()} |")
    assert "blamed on peer" in html.render(client_deviates)


def test_an_unlisted_failure_says_the_evidence_points_to_the_client(
    client_deviates: dict,
) -> None:
    failed = next(c for c in client_deviates["cells"] if c["outcome"] == "fail")
    assert failed["case"] == "methods.case_sensitive"
    assert (
        "\nblame: client: the client sent the method 'GET' where it was asked for 'get'"
        in (failed["message"])
    )


def _failed(check: Callable[[Conversation], None], conversation: Conversation) -> blame.Verdict:
    """Run ``check``, which must fail; the verdict on the failure."""
    try:
        with pytest.raises(CheckFailed):
            check(conversation)
        return blame.judge(conversation, echoes_framing=True)
    finally:
        conversation.client.close()


@pytest.fixture(scope="module")
def broken_chunked_server(
    broken_server: Callable[..., ServerProcess],
) -> Callable[[str], ServerProcess]:
    return functools.partial(broken_server, program="broken_chunked_server.py")


def test_a_server_that_drops_a_field_from_its_record_is_blamed(
    broken_chunked_server: Callable[[str], ServerProcess],
) -> None:
    """The chunked upload's Transfer-Encoding, left out of /echo's record: the client did
    send it chunked, and the verdict says so."""
    server = broken_chunked_server("drop-transfer-encoding")
    conversation = Conversation(server.target, HttpClientClient())
    verdict = _failed(chunked.test_chunked_request_body, conversation)
    assert verdict.side is Blame.SERVER, verdict
    assert "transfer-encoding: absent where the client sent ['chunked']" in verdict.evidence


@pytest.mark.parametrize(
    ("check", "defect", "side", "evidence"),
    [
        # The server's record changed the method.
        (methods.test_delete, "wrong-method", Blame.SERVER, "the method 'GET' where the client"),
        # Recorded as sent, as asked: the answer (200 for 'get') fails, which the server wrote
        # and the client read.
        (methods.test_method_is_case_sensitive, "any-method", Blame.UNKNOWN, "in its answer"),
        # No /echo record of the failing request (a GET after HEAD): it cannot tell.
        (methods.test_head_has_no_body, "head-body", Blame.UNKNOWN, "no /echo record"),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_the_evidence_decides_the_side(
    broken_server: Callable[..., ServerProcess],
    check: Callable[[Conversation], None],
    defect: str,
    side: Blame,
    evidence: str,
) -> None:
    conversation = Conversation(broken_server(defect).target, HttpClientClient())
    verdict = _failed(check, conversation)
    assert verdict.side is side and evidence in verdict.evidence, verdict


def test_a_client_that_changes_the_request_is_blamed(
    broken_server: Callable[..., ServerProcess],
) -> None:
    """requests adds Content-Length: 0 to a DELETE; the unbroken server records it."""
    conversation = Conversation(broken_server("none").target, RequestsClient())
    verdict = _failed(methods.test_delete_without_content_is_unframed, conversation)
    assert verdict.side is Blame.CLIENT, verdict
    assert "framing fields ['0'] on a request without content" in verdict.evidence


def _masking_run(tmp_path: Path, server: str, *extra: str) -> dict:
    results = tmp_path / f"{server}.json"
    run_pytest(
        "suites/test_methods.py",
        "-k",
        "no_content_delete",
        "--server",
        server,
        "--client",
        "requests",
        "--transport",
        "http",
        "--expectations",
        str(ROOT / "suites" / "expectations"),
        f"--results={results}",
        *extra,
    )
    return json.loads(results.read_text(encoding="utf-8"))["cells"][0]


def test_a_server_that_hides_a_client_deviation_does_not_make_it_fixed(
    tmp_path: Path,
) -> None:
    """requests' listed Content-Length: 0 on DELETE, through a server whose /echo drops
    Content-Length: the cell passes, but stays a known deviation, masked."""
    program = ROOT / "tests" / "broken_server.py"
    command = (
        f"hider={sys.executable} {program} drop-content-length --host {{host}} --port {{port}}"
    )
    cell = _masking_run(tmp_path, "hider", "--server-cmd", command)
    assert cell["outcome"] == "known", cell
    assert cell["message"].startswith("masked: ") and "hider" in cell["message"]
    assert cell["blame"] == Blame.CLIENT


def test_against_the_reference_server_the_deviation_is_judged(tmp_path: Path) -> None:
    cell = _masking_run(tmp_path, SERVER)
    assert cell["outcome"] == "known" and not cell["message"].startswith("masked")
