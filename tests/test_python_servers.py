"""The Python servers run as commands (harness/servers/*_server.py): each starts through the
launcher within its deadline, stops on SIGTERM and at the end of stdin with status 0 leaving
no process in its group, and refuses to start with a key that does not match its
certificate. That they serve every endpoint of docs/contract.md is tests/test_contract.py's
to check (it covers every registered server).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import trustme

from harness import deadlines
from harness.implementation import Kind
from harness.launcher import LaunchError, ServerProcess, start_server
from harness.registry import REGISTRY
from harness.tls import ServerCertificate

SERVERS = ("gunicorn", "waitress", "uvicorn", "aiohttp.web", "twisted", "http.server-cli-http11")
CELLS = [(name, transport) for name in SERVERS for transport in ("http", "https")]
# Known deviations of tls.server.bad_key_pair (suites/expectations/<name>.toml).
STARTS_WITH_A_BAD_KEY = {
    "gunicorn": "gunicorn loads the certificate and key for each connection, not at start "
    "(gunicorn/sock.py: ssl_context, called from gunicorn/workers/gthread.py: TConn.init)",
}
_EXIT_STATUS = re.compile(r"exited with status (-?\d+)")


def _https_unsupported(name: str) -> str | None:
    return REGISTRY.get(Kind.SERVER, name).https_unsupported()


@pytest.fixture(params=CELLS, ids="-".join)
def cell(request: pytest.FixtureRequest) -> tuple[str, str]:
    name, transport = request.param
    reason = _https_unsupported(name)
    if transport == "https" and reason:
        pytest.skip(f"not applicable: {reason}")
    return name, transport


def _start(
    name: str, transport: str, certificate: ServerCertificate, keyfile: str | None = None
) -> ServerProcess:
    """A fresh instance of ``name``, not the pool's: these tests stop it."""
    if transport == "http":
        return start_server(name)
    return start_server(
        name,
        certfile=certificate.cert_file,
        keyfile=keyfile or certificate.key_file,
        ca_file=certificate.ca_file,
    )


def _group_gone(pgid: int, timeout: float) -> bool:
    """Whether every process of the group has exited within ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(deadlines.POLL)
    return False


@pytest.mark.parametrize("how", ["sigterm", "stdin-eof"])
def test_stops_with_status_0_leaving_no_process(
    cell: tuple[str, str], how: str, session_certificate: ServerCertificate
) -> None:
    server = _start(*cell, session_certificate)
    try:
        pgid = server.process.pid  # the launcher makes it the leader of a new group
        if how == "sigterm":
            os.killpg(pgid, signal.SIGTERM)  # as the launcher does (docs/contract.md)
        else:
            server.process.stdin.close()  # the harness ending: --stop-on-stdin-eof
        try:
            status = server.process.wait(timeout=deadlines.SERVER_STOP_GRACE)
        except subprocess.TimeoutExpired:
            status = None
        gone = _group_gone(pgid, deadlines.SERVER_STOP_GRACE)
    finally:
        server.stop()
    assert status == 0, f"exit status {status}; stderr:\n{server.stderr_tail()}"
    assert gone, "a process of the server's group outlived it"


def _mismatched_key(directory: Path) -> str:
    path = directory / "other-key.pem"
    trustme.CA().issue_cert("localhost").private_key_pem.write_to_path(path)
    return str(path)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=STARTS_WITH_A_BAD_KEY[name]))
        if name in STARTS_WITH_A_BAD_KEY
        else name
        for name in SERVERS
    ],
)
def test_refuses_to_start_with_a_mismatched_key(
    name: str, session_certificate: ServerCertificate, tmp_path: Path
) -> None:
    if reason := _https_unsupported(name):
        pytest.skip(f"not applicable: {reason}")
    try:
        server = _start(name, "https", session_certificate, keyfile=_mismatched_key(tmp_path))
    except LaunchError as exc:
        status = _EXIT_STATUS.search(str(exc))
        assert status and int(status.group(1)) != 0, str(exc)
        return
    server.stop()
    pytest.fail(f"{name} started with a key that does not match its certificate")
