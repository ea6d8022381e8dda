"""Self-tests of suites/test_websocket.py: every server row fails on a scripted server
broken in its respect and passes on a strict one; every client row fails on a client that
opens whatever comes and passes on a strict one."""

from __future__ import annotations

import base64
import dataclasses
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness import probe
from harness.cases import row_problems
from harness.implementation import NEEDS_PYTHON, Capability, Implementation, Kind
from harness.launcher import launch
from harness.probe import ServerProbe
from harness.registry import REGISTRY
from harness.scripted import Close, Reply, ScriptedServer
from harness.websocket import handshake
from harness.websocket.clients import Failed, Opened, Outcome
from suites.websocket.client_rows import CLIENT_ROWS, ClientRow
from suites.websocket.server_rows import SERVER_ROWS, ServerRow

ROOT = Path(__file__).resolve().parent.parent
SUBPROTOCOL = "interop.echo"
REFUSE = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
VERSION_REFUSAL = (
    b"HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n"
)


def _strict_problem(head: bytes) -> bytes | None:
    """RFC 6455 §4.2.1 and §4.4 as a strict server applies them: the refusal due, or None."""
    request, _ = probe.parse_request(head)
    assert request is not None
    if request.method != "GET" or request.version != "HTTP/1.1":
        return REFUSE
    version = request.header_values("Sec-WebSocket-Version")
    if version != ["13"]:
        return VERSION_REFUSAL
    connection = {
        t.strip().lower() for v in request.header_values("Connection") for t in v.split(",")
    }
    if "upgrade" not in connection or request.header_values("Upgrade") != ["websocket"]:
        return REFUSE
    key = handshake.field_value(head, "Sec-WebSocket-Key") or ""
    try:
        if len(base64.b64decode(key, validate=True)) != 16:
            return REFUSE
    except ValueError:
        return REFUSE
    return None


def strict(head: bytes) -> bytes:
    offered = [
        p.strip() for p in (handshake.field_value(head, "Sec-WebSocket-Protocol") or "").split(",")
    ]
    extra = (("Sec-WebSocket-Protocol", SUBPROTOCOL),) if SUBPROTOCOL in offered else ()
    return _strict_problem(head) or handshake.server_reply(head, extra=extra)


# One defect each: the server rows it must break (by id suffix).
BROKEN_SERVERS: dict[str, tuple[Callable[[bytes], bytes], set[str]]] = {
    "accepts-anything": (
        lambda head: handshake.server_reply(head),
        {
            "subprotocol_offered",
            "version_unsupported",
            "version_missing",
            "key_short",
            "key_not_base64",
            "no_connection_upgrade",
            "no_upgrade",
            "http10",
            "post",
        },
    ),
    "wrong-accept": (
        lambda head: (
            _strict_problem(head)
            or handshake.server_reply(head, accept_of=handshake.accept_without_guid)
        ),
        {"accept", "subprotocol_offered", "subprotocol_not_offered"},
    ),
    "echoes-any-protocol": (
        lambda head: (
            _strict_problem(head)
            or handshake.server_reply(head, extra=(("Sec-WebSocket-Protocol", "other.proto"),))
        ),
        {"accept", "subprotocol_offered", "subprotocol_not_offered"},
    ),
    "version-400-without-field": (
        lambda head: (REFUSE if _strict_problem(head) == VERSION_REFUSAL else None) or strict(head),
        {"version_unsupported", "version_missing"},
    ),
}


def _server_problem(row: ServerRow, answer: Callable[[bytes], bytes]) -> str | None:
    with ScriptedServer([Reply(answer), Close()]) as server:
        return row.problem(row.send(ServerProbe(server.target)))


@pytest.mark.parametrize("row", SERVER_ROWS, ids=lambda row: row.id)
def test_server_row_passes_on_a_strict_server(row: ServerRow) -> None:
    assert _server_problem(row, strict) is None


@pytest.mark.parametrize("defect", sorted(BROKEN_SERVERS))
def test_server_rows_fail_on_a_broken_server(defect: str) -> None:
    answer, broken = BROKEN_SERVERS[defect]
    failed = {row.id.rsplit(".", 1)[1] for row in SERVER_ROWS if _server_problem(row, answer)}
    assert failed == broken


def test_every_server_row_has_a_breaking_defect() -> None:
    broken = set().union(*(rows for _, rows in BROKEN_SERVERS.values()))
    assert {row.id.rsplit(".", 1)[1] for row in SERVER_ROWS} <= broken


def _strict_client(row: ClientRow) -> Outcome:
    """RFC 6455 §4.1's checks of the server's handshake, made on the probe's strict parse."""
    fields = handshake.upgrade_fields()
    if row.protocols:
        fields.append(("Sec-WebSocket-Protocol", ", ".join(row.protocols)))
    with ScriptedServer([Reply(row.reply), Close()]) as server:
        result = probe.send_raw(
            server.target, handshake.upgrade_request(server.target.authority, "/ws", fields)
        )
    response = result.final[0]
    valid = (
        response.status == 101
        and response.header_values("Upgrade") == ["websocket"]
        and response.header_values("Sec-WebSocket-Accept") == [handshake.accept(handshake.KEY)]
        and set(response.header_values("Sec-WebSocket-Protocol")) <= set(row.protocols)
        and not response.header_values("Sec-WebSocket-Extensions")
    )
    return Opened(None, []) if valid else Failed("refused")


@pytest.mark.parametrize("row", CLIENT_ROWS, ids=lambda row: row.id)
def test_client_row_passes_on_a_strict_client(row: ClientRow) -> None:
    assert row.problem(_strict_client(row)) is None


@pytest.mark.parametrize("row", CLIENT_ROWS, ids=lambda row: row.id)
def test_client_row_fails_on_a_naive_or_refusing_client(row: ClientRow) -> None:
    # The naive client opens on anything; a client that refuses everything breaks the valid row.
    wrong: Outcome = Failed("refused") if row.opens else Opened(None, [])
    assert row.problem(wrong) is not None


def test_a_websocket_only_client_has_websocket_cells_only(tmp_path: Path) -> None:
    # websockets opens WebSocket connections and sends no HTTP request: the matrix pairs it
    # in the WebSocket cell kinds only (CellKind.websocket), aiohttp in every kind.
    done = subprocess.run(
        [
            sys.executable,
            *("-m", "pytest", "suites/test_methods.py", "suites/test_websocket.py"),
            *("--server", "uvicorn", "--client", "aiohttp", "--client", "websockets"),
            *("--collect-only", "-q", "-p", "no:cacheprovider"),
            *("--expectations", "suites/expectations", "--results", str(tmp_path / "r.json")),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    ids = [line for line in done.stdout.splitlines() if "::" in line]
    websockets = [i for i in ids if "-websockets-" in i]
    assert websockets and all(i.startswith("suites/test_websocket.py::") for i in websockets)
    assert any(i.startswith("suites/test_methods.py::") and "-aiohttp-" in i for i in ids)


@pytest.mark.parametrize("form", ["file", "python"])
def test_a_capability_whose_need_is_absent_is_lacking(tmp_path: Path, form: str) -> None:
    # A need is a file (node's ws package) or a Python distribution (twisted's autobahn).
    needed = tmp_path / "node_modules" / "ws" / "package.json"
    absent, present, missing = {
        "file": (str(needed), str(needed), f"{needed} is absent"),
        "python": (
            f"{NEEDS_PYTHON}no-such-distribution",
            f"{NEEDS_PYTHON}pytest",
            "the package 'no-such-distribution' is not installed",
        ),
    }[form]
    impl = Implementation(
        name="node-like",
        kind=Kind.SERVER,
        description="a server whose /ws needs a package",
        package="",
        command=("true",),
        provides=frozenset({Capability.WEBSOCKET}),
        needs={Capability.WEBSOCKET: absent},
    )
    assert impl.cannot(Capability.WEBSOCKET) == f"{missing}, which node-like needs for it"
    needed.parent.mkdir(parents=True)
    needed.write_text("{}")
    present_impl = dataclasses.replace(impl, needs={Capability.WEBSOCKET: present})
    assert present_impl.cannot(Capability.WEBSOCKET) is None


# twisted's /ws is autobahn's (harness/servers/twisted_websocket.py): served where autobahn is
# installed, a 404 where it is not (the server still starts, and says why on stderr). Run
# with autobahn hidden, the server is the same module under a ``python -c`` that blocks the
# import.
_WITHOUT_AUTOBAHN = (
    "import runpy, sys; sys.modules['autobahn'] = None; "
    "runpy.run_module('harness.servers.twisted_server', run_name='__main__', alter_sys=True)"
)
TWISTED_WEBSOCKET = [
    pytest.param(True, "/ws", 101, id="with-autobahn"),
    pytest.param(True, "/ws/other", 404, id="with-autobahn-other-path"),
    pytest.param(False, "/ws", 404, id="without-autobahn"),
]


@pytest.mark.parametrize(("autobahn", "path", "status"), TWISTED_WEBSOCKET)
def test_twisted_serves_ws_only_with_autobahn(autobahn: bool, path: str, status: int) -> None:
    twisted = REGISTRY.get(Kind.SERVER, "twisted")
    if twisted.unavailable():
        pytest.skip(str(twisted.unavailable()))
    if autobahn and twisted.cannot(Capability.WEBSOCKET):
        pytest.skip(str(twisted.cannot(Capability.WEBSOCKET)))
    command = twisted.argv()
    if not autobahn:
        command[1:3] = ["-c", _WITHOUT_AUTOBAHN]
    server = launch("twisted", command)
    try:
        request = handshake.upgrade_request(
            server.target.authority, path, handshake.upgrade_fields()
        )
        result = ServerProbe(server.target).send(request, methods=["GET"])
        assert [response.status for response in result.final] == [status]
        if status == 101:
            accept = result.final[0].header_values("Sec-WebSocket-Accept")
            assert accept == [handshake.accept(handshake.KEY)]
        health = probe.request("GET", "/health", host=server.target.authority)
        assert [r.status for r in probe.send_raw(server.target, health).final] == [200]
        said = "GET /ws is not served: autobahn is not installed" in server.stderr_tail()
        assert said is not autobahn
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("rows", "prefix"),
    [(SERVER_ROWS, "websocket.server."), (CLIENT_ROWS, "websocket.client.")],
    ids=["server", "client"],
)
def test_every_row_has_what_every_table_row_has(rows: tuple[Any, ...], prefix: str) -> None:
    """The checks every table shares (cases.row_problems): a unique id under the suite's
    prefix, a well-formed case, a level and a requirement sentence."""
    found = row_problems(rows, prefix, "row")
    assert {where: problems for where, problems in found.items() if problems} == {}


def test_the_row_check_finds_a_row_without_its_requirement() -> None:
    broken = dataclasses.replace(CLIENT_ROWS[0], id="websocket.client.blank", requirement=" ")
    found = row_problems([*CLIENT_ROWS, broken], "websocket.client.", "row")
    assert found[f"row {broken.id!r}"] == ["no requirement sentence"]
