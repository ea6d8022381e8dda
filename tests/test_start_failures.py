"""A server that cannot start: one line that says why, its cells errors (never a known
deviation, never anything else), a short terminal, and the rest of the run unaffected. A
server that crashes during the run: its exit status and stderr in the cell it crashed in
and in every later cell of it."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from tests.pytest_run import ROOT, run_pytest

DEAD = "import sys; sys.stderr.write('fatal: no config file\\n'); raise SystemExit(3)"
LINE = (
    "server 'dead' could not start: exited with status 3 before printing its ready line; "
    "stderr ends 'fatal: no config file'"
)
# A case of the selection that a strict xfail would otherwise turn into XFAIL at setup.
DEVIATION = """
[[deviation]]
case = "errors.request.host_duplicate"
reason = "serves a request with two Host lines"
rfc = "RFC 9112 §3.2"
evidence = "a test of the harness"
"""


def test_a_server_that_cannot_start_errors_its_cells_in_one_line(tmp_path: Path) -> None:
    expectations = tmp_path / "expectations"
    shutil.copytree(ROOT / "suites" / "expectations", expectations)
    (expectations / "dead.toml").write_text(DEVIATION, encoding="utf-8")
    results = tmp_path / "results.json"
    done = run_pytest(
        "suites/test_errors.py",
        "-k",
        "success_statuses or line_with_spaces or duplicate_host",
        "--server",
        "dead",
        "--server",
        "stdlib-threading",
        "--server-cmd",
        f'dead={sys.executable} -c "{DEAD}"',
        "--client",
        "requests",
        "--transport",
        "http",
        "--expectations",
        str(expectations),
        f"--results={results}",
    )
    cells = json.loads(results.read_text(encoding="utf-8"))["cells"]
    dead = [cell for cell in cells if cell["server"] == "dead"]
    assert len(dead) == 3, done.stdout
    for cell in dead:
        assert cell["outcome"] == "error", cell
        assert cell["message"].startswith(LINE + "\n(command: "), cell["message"]
    # The run went on for the other server.
    others = {cell["outcome"] for cell in cells if cell["server"] == "stdlib-threading"}
    assert others <= {"pass", "known"} and others, done.stdout

    assert "XFAIL at setup" not in done.stdout and "[dead-" not in "".join(
        line for line in done.stdout.splitlines() if line.startswith("XFAIL")
    )
    assert "Traceback" not in done.stdout and "launcher.py" not in done.stdout
    # Named once in the summary; each cell shows the line instead of a traceback.
    lines = done.stdout.splitlines()
    assert lines.count(f"{LINE} (3 cells: error)") == 1
    assert lines.count(LINE) == len(dead)
    assert len(done.stdout.splitlines()) < 60, done.stdout


# tests/broken_server.py crash: exits with CRASH_STATUS (70) on its first request.
CRASH_LINE = (
    "server 'crasher' exited with status 70 during the run; "
    "stderr ends 'crashing on GET /echo?q=1&space=%20x'"
)


def test_a_server_that_crashes_names_its_exit_in_its_cells(tmp_path: Path) -> None:
    crasher = f"{sys.executable} {ROOT / 'tests' / 'broken_server.py'} crash"
    results = tmp_path / "results.json"
    done = run_pytest(
        "suites/test_methods.py",
        *("--case", "methods.get", "--case", "methods.post", "--case", "methods.put"),
        *("--server", "crasher", "--server", "stdlib-threading", "--client", "requests"),
        *("--server-cmd", f"crasher={crasher} --host {{host}} --port {{port}}"),
        *("--transport", "http", "--expectations", str(ROOT / "suites" / "expectations")),
        f"--results={results}",
    )
    cells = json.loads(results.read_text(encoding="utf-8"))["cells"]
    crashed = [cell for cell in cells if cell["server"] == "crasher"]
    assert [cell["case"] for cell in crashed] == ["methods.get", "methods.post", "methods.put"]
    # The cell it crashed in: the client's error, then the server's exit, blamed on it.
    first = crashed[0]
    assert (first["outcome"], first["blame"]) == ("fail", "server"), first
    assert "connection.closed" in first["message"], first["message"]
    assert CRASH_LINE + "\n(command: " in first["message"], first["message"]
    assert first["message"].endswith("blame: server: it exited during the cell"), first
    # The cells after it: errors that say so, not "connect.refused".
    for cell in crashed[1:]:
        assert (cell["outcome"], cell["blame"]) == ("error", "server"), cell
        assert cell["message"].startswith(CRASH_LINE + "\n(command: "), cell["message"]
        assert cell["message"].endswith(
            "--- stderr (last lines) ---\ncrashing on GET /echo?q=1&space=%20x"
        )
    others = {cell["outcome"] for cell in cells if cell["server"] == "stdlib-threading"}
    assert others == {"pass"}, done.stdout
    assert f"{CRASH_LINE} (2 cells: error)" in done.stdout.splitlines()
