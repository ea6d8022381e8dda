"""Hostile implementations in one run: each fails or errors its own cells with a clear
reason in bounded time, the good pair in the same run passes, and the run leaves nothing
behind: no process (a client's child, a server that ignores SIGTERM), listening socket,
thread or temporary file of the harness."""

from __future__ import annotations

import json
import os
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness import deadlines
from tests.leak_probe import REPORT, kill_all, left_after_stop
from tests.pytest_run import ROOT, run_pytest

PROGRAMS = ROOT / "tests" / "programs"
HOSTILE = f"{sys.executable} {PROGRAMS / 'hostile_server.py'}"
# The deadline of the methods.get exchange (RequestSpec's default timeouts), which a cell
# must end within twice of.
EXCHANGE = deadlines.CONNECT + deadlines.REQUEST_READ


@dataclass(frozen=True)
class Hostile:
    """A server of tests/programs/hostile_server.py and what its methods.get cell says."""

    mode: str
    outcome: str
    reason: str  # a fragment of the cell's message


SERVERS = [
    Hostile("silent", "fail", "timeout.read"),
    Hostile("half-close", "fail", "protocol.incomplete_body"),
    Hostile("crash-mid-response", "fail", "exited with status 70 during the run"),
    Hostile("endless-fields", "fail", "protocol.invalid_header"),
    Hostile("wrong-port", "error", "ready line names port"),
]


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="reads processes from /proc")
def test_hostile_implementations_fail_their_cells_and_leave_nothing(tmp_path: Path) -> None:
    marker = f"http-interop-hostile-{uuid.uuid4()}"
    temp = tmp_path / "tmp"
    temp.mkdir()
    leak_report = tmp_path / "left.json"
    env = os.environ | {"HTTP_INTEROP_RUN": marker, "TMPDIR": str(temp), REPORT: str(leak_report)}
    leaver = f"{sys.executable} {PROGRAMS / 'client_leaving_a_child.py'} {marker} answer"
    # Long-lived clients (the json-lines protocol), stopped at the session's end with
    # their children.
    line_clients = {
        "line-garbage": [str(PROGRAMS / "line_client.py"), str(tmp_path / "state"), "garbage"],
        "line-leaver": [str(PROGRAMS / "client_leaving_a_child.py"), marker, "lines"],
    }
    impls = tmp_path / "impls.toml"
    impls.write_text(
        "".join(
            f'[[client]]\nname = "{name}"\nprotocol = "json-lines"\n'
            f"command = {json.dumps([sys.executable, *argv])}\n"
            for name, argv in line_clients.items()
        ),
        encoding="utf-8",
    )
    stubborn = f"{sys.executable} {PROGRAMS / 'ignores_sigterm.py'} {tmp_path / 'child.pid'}"
    results = tmp_path / "results.json"
    try:
        done = run_pytest(
            "suites/test_methods.py",
            *("-p", "tests.leak_probe", f"--basetemp={tmp_path / 'basetemp'}"),
            *("--case", "methods.get", "--transport", "http", "--client", "requests"),
            *("--server", "stdlib-threading", "--server", "stubborn"),
            *(arg for h in SERVERS for arg in ("--server", h.mode)),
            *(f"--server-cmd={h.mode}={HOSTILE} {h.mode}" for h in SERVERS),
            f"--server-cmd=stubborn={stubborn}",
            *("--client", "leaver", f"--client-cmd=leaver={leaver}"),
            *("--impls", str(impls), *(a for name in line_clients for a in ("--client", name))),
            # The hostile clients against the good server only.
            *("-k", "requests or stdlib-threading"),
            *("--expectations", str(ROOT / "suites" / "expectations"), f"--results={results}"),
            env=env,
        )
        cells = {
            (c["server"], c["client"]): c
            for c in json.loads(results.read_text(encoding="utf-8"))["cells"]
        }
        assert cells[("stdlib-threading", "requests")]["outcome"] == "pass", done.stdout
        for hostile in SERVERS:
            cell = cells[(hostile.mode, "requests")]
            assert cell["outcome"] == hostile.outcome, cell
            assert hostile.reason in cell["message"], cell["message"]
            assert cell["duration_s"] < 2 * EXCHANGE, cell
        leaver_cell = cells[("stdlib-threading", "leaver")]
        assert "connect.refused" in leaver_cell["message"], leaver_cell
        line_leaver = cells[("stdlib-threading", "line-leaver")]
        assert "connect.refused" in line_leaver["message"], line_leaver
        garbage = cells[("stdlib-threading", "line-garbage")]
        assert garbage["outcome"] == "fail", garbage
        assert "client 'line-garbage' printed no valid result" in garbage["message"], garbage
        assert cells[("stubborn", "requests")]["outcome"] == "fail"

        left = json.loads(leak_report.read_text(encoding="utf-8"))
        assert left == {"threads": [], "descendants": [], "listening": []}, left
        assert left_after_stop(marker, "environ") == []
        assert list(temp.iterdir()) == []
    finally:  # a failed check leaves nothing running either
        kill_all(marker, "environ")
