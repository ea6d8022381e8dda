"""A runner's trust settings change no TLS verdict: REQUESTS_CA_BUNDLE and SSL_CERT_FILE
pointing at the zoo's own root leave every system-trust cell refused, because the
environment is scrubbed for each test (fixtures/environment.py). The control run, with the
scrub switched off, shows the variables would otherwise have turned refusals into passes,
so the first run proves something.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.pytest_run import run_pytest

# The cells a runner's CA would rescue: trusted, these entries connect.
RESCUED = [
    f"suites/test_tls.py::test_system_trust[tls.system_trust.{scenario}-{client}-https]"
    for client in ("http.client", "requests")
    for scenario in ("valid", "valid_chain", "ip_only.by_ip")
]


def _system_trust_run(tmp_path: Path, *extra: str) -> dict[str, str]:
    """Outcome per test id of the system-trust cells, run with both variables set to the
    root the session's zoo writes (tmp_path_factory.mktemp("zoo") under --basetemp)."""
    tmp_path.mkdir()
    basetemp = tmp_path / "base"  # pytest creates it, but not its parents
    zoo_root = basetemp / "zoo0" / "ca.pem"
    env = {**os.environ, "REQUESTS_CA_BUNDLE": str(zoo_root), "SSL_CERT_FILE": str(zoo_root)}
    results = tmp_path / "results.json"
    done = run_pytest(
        *RESCUED,
        "-p",
        "no:xdist",
        f"--basetemp={basetemp}",
        f"--results={results}",
        *extra,
        env=env,
    )
    assert results.exists(), done.stdout + done.stderr
    cells = json.loads(results.read_text(encoding="utf-8"))["cells"]
    assert len(cells) == len(RESCUED), done.stdout
    return {cell["nodeid"]: cell["outcome"] for cell in cells}


@pytest.mark.timeout(300)
def test_trust_variables_change_no_verdict(tmp_path: Path) -> None:
    scrubbed = _system_trust_run(tmp_path / "scrubbed")
    assert set(scrubbed.values()) == {"pass"}, scrubbed

    unscrubbed = _system_trust_run(tmp_path / "unscrubbed", "-p", "no:harness.fixtures.environment")
    assert unscrubbed.keys() == scrubbed.keys()
    # Both clients read them: requests REQUESTS_CA_BUNDLE, OpenSSL (http.client)
    # SSL_CERT_FILE. Without the scrub they trust the zoo and connect.
    assert set(unscrubbed.values()) == {"fail"}, unscrubbed
