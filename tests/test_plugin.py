"""The plugin end to end: results.json, xdist, baselines, --update-baseline, env scrub.

Each test runs pytest on the real methods suite in a subprocess, narrowed to one server
so that it stays fast.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from harness import expectations
from harness.fixtures.environment import scrubbed_names
from harness.registry import REGISTRY
from harness.results import SCHEMA_VERSION
from tests.pytest_run import ROOT, run_pytest
from tests.real_results import FAKE_DEVIATION
from tests.real_results import NARROW as REFERENCE_RUN

# The reference implementations (tests/real_results.py), over plain HTTP only.
NARROW = [*REFERENCE_RUN, "--transport", "http"]


def run_suite(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], dict]:
    results = tmp_path / "results.json"
    done = run_pytest(*NARROW, "-q", "--results", str(results), *args, env=env)
    document = json.loads(results.read_text()) if results.exists() else {}
    return done, document


def outcomes(document: dict) -> dict[str, str]:
    return {cell["nodeid"]: cell["outcome"] for cell in document["cells"]}


def test_results_file_records_every_cell(tmp_path: Path) -> None:
    done, document = run_suite(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert document["schema_version"] == SCHEMA_VERSION
    run = document["run"]
    assert {impl["name"] for impl in run["implementations"]} == {
        "stdlib-threading",
        "http.client",
        "requests",
    }
    assert all(impl["version"] for impl in run["implementations"])
    cells = document["cells"]
    cases = {cell["case"] for cell in cells}
    assert "methods.head.no_body" in cases
    assert len(cells) == len(cases) * 2  # two clients, one server, one transport
    for cell in cells:
        assert cell["rfc"].startswith("RFC ") and cell["level"] in ("MUST", "SHOULD", "MAY")
        assert cell["server"] == "stdlib-threading" and cell["transport"] == "http"
    known = [c for c in cells if c["outcome"] == "known"]
    assert {c["case"] for c in known} == {
        "methods.case_sensitive",
        "methods.request.no_content_delete",
    }
    assert all(c["client"] == "requests" and c["deviation"]["evidence"] for c in known)
    assert all(c["message"].startswith("expected ") for c in known)
    skipped = [c for c in cells if c["outcome"] == "skip"]
    assert [c["case"] for c in skipped] == ["methods.fields.same_name_order"]
    assert "requests" in skipped[0]["message"]


def test_parallel_run_records_the_same_outcomes(tmp_path: Path) -> None:
    serial_done, serial = run_suite(tmp_path / "serial")
    parallel_done, parallel = run_suite(tmp_path / "parallel", "-n", "2")
    assert serial_done.returncode == parallel_done.returncode == 0
    assert outcomes(parallel) == outcomes(serial)


def _expectations_copy(tmp_path: Path) -> Path:
    directory = tmp_path / "expectations"
    shutil.copytree(ROOT / "suites" / "expectations", directory)
    return directory


def test_a_deviation_that_passes_fails_the_run_as_fixed(tmp_path: Path) -> None:
    directory = _expectations_copy(tmp_path)
    (directory / "http.client.toml").write_text(FAKE_DEVIATION)
    done, document = run_suite(
        tmp_path, "--expectations", str(directory), "--client", "http.client"
    )
    assert done.returncode == 1
    assert "fixed: update the baseline" in done.stdout
    fixed = [c for c in document["cells"] if c["outcome"] == "fixed"]
    assert [c["case"] for c in fixed] == ["methods.get"]


def test_update_baseline_drops_fixed_and_adds_new_failures(tmp_path: Path) -> None:
    directory = _expectations_copy(tmp_path)
    (directory / "http.client.toml").write_text(FAKE_DEVIATION)
    (directory / "requests.toml").unlink()  # its two real deviations become new failures
    done, _ = run_suite(tmp_path, "--expectations", str(directory), "--update-baseline")
    assert done.returncode == 1  # this run still failed; the next one reads the new files
    assert not (directory / "http.client.toml").exists(), "the fixed entry was its only one"
    new = (directory / "stdlib-threading.toml").read_text()
    assert new.count('evidence = "TODO"') == 2, "one new entry per new failure"
    assert 'peer = "requests"' in new
    flask = expectations.load_file(
        directory / "flask.toml", known_implementations=[i.name for i in REGISTRY.all()]
    )
    assert "methods.case_sensitive" in [d.case for d in flask], "unrun entries are kept"
    again, _ = run_suite(tmp_path, "--expectations", str(directory))
    assert again.returncode != 0
    assert "stdlib-threading.toml" in again.stderr + again.stdout
    assert "TODO" in again.stderr + again.stdout


def test_ca_bundle_and_proxy_variables_change_no_verdict(tmp_path: Path) -> None:
    hostile = dict(os.environ)
    hostile.update(
        {
            "REQUESTS_CA_BUNDLE": str(tmp_path / "missing-ca.pem"),
            "SSL_CERT_FILE": str(tmp_path / "missing-ca.pem"),
            "HTTP_PROXY": "http://127.0.0.1:9",
            "https_proxy": "http://127.0.0.1:9",
        }
    )
    clean_done, clean = run_suite(tmp_path / "clean", "--transport", "https")
    hostile_done, dirty = run_suite(tmp_path / "hostile", "--transport", "https", env=hostile)
    assert clean_done.returncode == hostile_done.returncode == 0, hostile_done.stdout
    assert outcomes(dirty) == outcomes(clean)


@pytest.mark.parametrize(
    ("name", "scrubbed"),
    [
        ("REQUESTS_CA_BUNDLE", True),
        ("CURL_CA_BUNDLE", True),
        ("SSL_CERT_FILE", True),
        ("SSL_CERT_DIR", True),
        ("http_proxy", True),
        ("HTTPS_PROXY", True),
        ("no_proxy", True),
        ("ALL_PROXY", True),
        ("PATH", False),
        ("HOME", False),
    ],
)
def test_scrubbed_names(name: str, scrubbed: bool) -> None:
    assert (name in scrubbed_names({name: "x"})) is scrubbed
