"""A server that cannot start: one line that says why, its cells errors (never a known
deviation, never anything else), a short terminal, and the rest of the run unaffected."""

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
